import { defineAuthorizationMatrix } from './authorization-matrix.js';

// Shard 3 of the generated authorization matrix (see authorization-matrix.ts).
defineAuthorizationMatrix(2);
