import { defineAuthorizationMatrix } from './authorization-matrix.js';

// Shard 1 of the generated authorization matrix (see authorization-matrix.ts).
defineAuthorizationMatrix(0);
