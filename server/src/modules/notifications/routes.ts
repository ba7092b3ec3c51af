import { idParams, pageOf, pageQuery } from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf } from '../../platform/context.js';
import { notFound } from '../../platform/errors.js';
import { decodeCursor, iso, toPage } from '../../platform/pagination.js';

const tags = ['notifications'];

const notification = z.object({
  id: z.number(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

const listQuery = z.strictObject({ unread: z.enum(['true', 'false']).optional(), ...pageQuery });

export async function notificationsModule(app: FastifyInstance): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.platform;

  routes.get(
    '/notifications',
    {
      config: { access: 'notification.read' },
      schema: {
        tags,
        summary: '我的消息',
        querystring: listQuery,
        response: { 200: pageOf(notification).extend({ unreadCount: z.number() }) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, cursor, unread } = request.query;
      let query = db.selectFrom('notification').selectAll().where('user_id', '=', auth.userId);
      if (unread === 'true') query = query.where('read_at', 'is', null);
      if (cursor) query = query.where('id', '<', decodeCursor(cursor, ['number'])[0] as number);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const unreadCount = await db
        .selectFrom('notification')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('user_id', '=', auth.userId)
        .where('read_at', 'is', null)
        .executeTakeFirstOrThrow();
      return {
        ...toPage(
          rows,
          limit,
          (row) => ({
            id: row.id,
            kind: row.kind,
            title: row.title,
            body: row.body,
            link: row.link,
            createdAt: iso(row.created_at)!,
            readAt: iso(row.read_at),
          }),
          (row) => [row.id],
        ),
        unreadCount: Number(unreadCount.count),
      };
    },
  );

  // Marking one's own message read is not a record change anyone audits; it is the read receipt itself.
  routes.post(
    '/notifications/:id/read',
    {
      config: { access: 'notification.read' },
      schema: {
        tags,
        summary: '标记已读',
        params: idParams,
        response: { 200: z.object({ id: z.number(), readAt: z.string() }) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const row = await db
        .updateTable('notification')
        .set((eb) => ({ read_at: eb.fn.coalesce('read_at', eb.val(new Date())) }))
        .where('id', '=', request.params.id)
        .where('user_id', '=', auth.userId)
        .returning(['id', 'read_at'])
        .executeTakeFirst();
      if (!row) throw notFound();
      return { id: row.id, readAt: iso(row.read_at)! };
    },
  );

  routes.post(
    '/notifications/read-all',
    {
      config: { access: 'notification.read' },
      schema: { tags, summary: '全部标记已读', response: { 200: z.object({ updated: z.number() }) } },
    },
    async (request) => {
      const result = await db
        .updateTable('notification')
        .set({ read_at: new Date() })
        .where('user_id', '=', authOf(request).userId)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      return { updated: Number(result.numUpdatedRows) };
    },
  );
}
