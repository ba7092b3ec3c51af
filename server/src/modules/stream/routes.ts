import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadAuthContext, SESSION_COOKIE } from '../../platform/access.js';
import { authOf } from '../../platform/context.js';
import { eventVisibleTo, type RealtimeEvent } from '../../platform/realtime.js';

const HEARTBEAT_MS = 20_000;

const streamQuery = z.strictObject({
  /** Alternative to the Last-Event-ID header for clients that cannot set it. */
  lastEventId: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
});

function frame(event: RealtimeEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...(event.payload as object), at: event.at, orgPath: event.orgPath })}\n\n`;
}

/**
 * One Server-Sent-Events stream per client, filtered by the caller's scope. A reconnecting
 * client sends Last-Event-ID and receives what it missed (events are kept one day).
 */
export async function streamModule(app: FastifyInstance): Promise<void> {
  const open = new Set<() => void>();
  app.addHook('onClose', async () => {
    for (const close of open) close();
  });
  app.withTypeProvider<ZodTypeProvider>().get(
    '/stream',
    {
      config: { access: 'stream.subscribe' },
      schema: { tags: ['platform'], summary: '实时事件流（SSE）', querystring: streamQuery },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { realtime } = app.platform;
      const headerId = Number(request.headers['last-event-id']);
      const lastEventId = Number.isSafeInteger(headerId) && headerId >= 0 ? headerId : request.query.lastEventId;

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 3000\n\n');

      // Events reach the hub in commit order, which is not always id order (a write announced after its commit):
      // ids are not compared, only those sent during the catch-up are not sent again.
      const caughtUp = new Set<number>();
      const queue: RealtimeEvent[] = [];
      let catchingUp = lastEventId !== undefined;
      const send = (event: RealtimeEvent) => {
        if (!eventVisibleTo(event, { scopePath: auth.scopePath, userId: auth.userId, permissions: auth.permissions })) {
          return;
        }
        raw.write(frame(event));
      };
      const unsubscribe = realtime.subscribe((event) => {
        if (catchingUp) queue.push(event);
        else send(event);
      });
      if (lastEventId !== undefined) {
        for (const event of await realtime.since(lastEventId)) {
          caughtUp.add(event.id);
          send(event);
        }
        catchingUp = false;
        for (const event of queue.splice(0)) if (!caughtUp.has(event.id)) send(event);
        caughtUp.clear();
      } else {
        raw.write(`event: ready\ndata: {}\n\n`);
      }

      const token = request.cookies[SESSION_COOKIE] ?? '';
      const heartbeat = setInterval(async () => {
        // The stream ends with the session (revoked, idle-expired, user disabled); it does not keep the session alive.
        const { auth: current } = await loadAuthContext(app, token, new Date(), false).catch(() => ({ auth: null }));
        if (!current) {
          raw.end();
          return;
        }
        raw.write(': ping\n\n');
      }, HEARTBEAT_MS);
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
      };
      const end = () => {
        close();
        raw.end();
      };
      open.add(end);
      raw.on('close', close);
    },
  );
}
