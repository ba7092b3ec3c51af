import { defineAuthorizationMatrix } from './authorization-matrix.js';

// Shard 2 of the generated authorization matrix (see authorization-matrix.ts).
defineAuthorizationMatrix(1);
