import type { FastifyInstance } from 'fastify';

export async function placesModule(_app: FastifyInstance): Promise<void> {}
