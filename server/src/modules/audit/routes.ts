import type { FastifyInstance } from 'fastify';

export async function auditModule(_app: FastifyInstance): Promise<void> {}
