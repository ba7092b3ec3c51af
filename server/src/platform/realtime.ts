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

/**
 * Events of a module carry its records' titles and states: only readers of that module receive them
 * (`alarm.raised` needs alarm.read), plus the people the event names in its payload's `audience` (the
 * student who asked for help, the guard it was dispatched to).
 */
const EVENT_READ_PERMISSION: Record<string, string> = {
  alarm: 'alarm.read',
  device: 'device.read',
  duty: 'duty.read',
  hazard: 'hazard.read',
  inspection: 'inspection.read',
  urgent_report: 'report.read',
};

export interface EventAudience {
  scopePath: string;
  userId: number;
  /** Permissions of the session; omitted: scope and user only. */
  permissions?: ReadonlySet<string>;
}

/** Whether a client should receive the event. */
export function eventVisibleTo(event: RealtimeEvent, audience: EventAudience): boolean {
  if (event.userId !== null) return event.userId === audience.userId;
  if (!(event.orgPath?.startsWith(audience.scopePath) ?? false)) return false;
  const needed = EVENT_READ_PERMISSION[event.type.split('.')[0] ?? ''];
  if (needed === undefined || audience.permissions === undefined || audience.permissions.has(needed)) return true;
  const named = (event.payload as { audience?: unknown } | null)?.audience;
  return Array.isArray(named) && named.includes(audience.userId);
}
