import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const healthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['pglite', 'postgresql']),
  /** Why the platform is degraded, when it is. */
  problems: z.array(z.string()).optional(),
});

export async function healthModule(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    {
      config: { access: 'public' },
      schema: { tags: ['platform'], summary: '健康检查', response: { 200: healthResponse, 503: healthResponse } },
    },
    async (_request, reply) => {
      const { database } = app.platform;
      try {
        await database.ping();
        return { status: 'ok' as const, database: database.engine };
      } catch {
        return reply.code(503).send({ status: 'degraded' as const, database: database.engine, problems: ['database'] });
      }
    },
  );
}
