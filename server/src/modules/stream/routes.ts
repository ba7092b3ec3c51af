import type { FastifyInstance } from 'fastify';

export async function streamModule(_app: FastifyInstance): Promise<void> {}
