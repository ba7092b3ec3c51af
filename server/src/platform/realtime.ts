import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

export const REALTIME_CHANNEL = 'safe_campus_realtime';
const MAX_INLINE_NOTIFY = 7000;

export interface RealtimeEvent {
  id: number;
  type: string;
  /** Delivered to every client whose scope contains this path. */
  orgPath: string | null;
  /** Delivered to this user only (with orgPath null). */
  userId: number | null;
  payload: unknown;
  at: string;
}

export interface PublishInput {
  type: string;
  orgPath?: string | null;
  userId?: number | null;
  payload?: Record<string, unknown>;
}

/**
 * Stores the event (so reconnecting clients catch up) and NOTIFYs every instance. Inside a
 * transaction the notification goes out at commit, so nobody hears of a write that rolled back.
 */
export async function publish(executor: Kysely<DB>, input: PublishInput): Promise<void> {
  const row = await executor
    .insertInto('realtime_event')
    .values({
      type: input.type,
      org_path: input.orgPath ?? null,
      user_id: input.userId ?? null,
      payload: JSON.stringify(input.payload ?? {}),
    })
    .returning(['id', 'at'])
    .executeTakeFirstOrThrow();
  const event: RealtimeEvent = {
    id: row.id,
    type: input.type,
    orgPath: input.orgPath ?? null,
    userId: input.userId ?? null,
    payload: input.payload ?? {},
    at: row.at.toISOString(),
  };
  const inline = JSON.stringify(event);
  const message = Buffer.byteLength(inline) <= MAX_INLINE_NOTIFY ? inline : JSON.stringify({ id: row.id });
  await sql`SELECT pg_notify(${REALTIME_CHANNEL}, ${message})`.execute(executor);
}

function toEvent(row: {
  id: number;
  type: string;
  org_path: string | null;
  user_id: number | null;
  payload: unknown;
  at: Date;
}): RealtimeEvent {
  return {
    id: row.id,
    type: row.type,
    orgPath: row.org_path,
    userId: row.user_id,
    payload: row.payload,
    at: row.at.toISOString(),
  };
}

export type RealtimeSubscriber = (event: RealtimeEvent) => void;

/** Per-instance fan-out: one LISTEN, many SSE clients. */
export class RealtimeHub {
  private readonly subscribers = new Set<RealtimeSubscriber>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(REALTIME_CHANNEL, (message) => void this.receive(message));
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.subscribers.clear();
  }

  subscribe(subscriber: RealtimeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get clientCount(): number {
    return this.subscribers.size;
  }

  /** Events after `afterId` for catch-up after a reconnect (kept one day). */
  async since(afterId: number, limit = 1000): Promise<RealtimeEvent[]> {
    const rows = await this.database.db
      .selectFrom('realtime_event')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  private async receive(message: string): Promise<void> {
    let event: RealtimeEvent;
    try {
      const parsed = JSON.parse(message) as Partial<RealtimeEvent> & { id: number };
      if (parsed.type === undefined) {
        const row = await this.database.db
          .selectFrom('realtime_event')
          .selectAll()
          .where('id', '=', parsed.id)
          .executeTakeFirst();
        if (!row) return;
        event = toEvent(row);
      } else {
        event = parsed as RealtimeEvent;
      }
    } catch {
      return;
    }
    for (const subscriber of this.subscribers) subscriber(event);
  }
}

/** Whether a client with this scope and user id should receive the event. */
export function eventVisibleTo(event: RealtimeEvent, scopePath: string, userId: number): boolean {
  if (event.userId !== null) return event.userId === userId;
  return event.orgPath?.startsWith(scopePath) ?? false;
}
