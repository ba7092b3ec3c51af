import type { FastifyInstance } from 'fastify';

export async function notificationsModule(_app: FastifyInstance): Promise<void> {}
