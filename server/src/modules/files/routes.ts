import type { FastifyInstance } from 'fastify';

export async function filesModule(_app: FastifyInstance): Promise<void> {}
