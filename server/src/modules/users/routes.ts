import type { FastifyInstance } from 'fastify';

export async function usersModule(_app: FastifyInstance): Promise<void> {}
