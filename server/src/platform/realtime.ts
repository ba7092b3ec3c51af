import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

export const REALTIME_CHANNEL = 'safe_campus_realtime';
const MAX_INLINE_NOTIFY = 7000;
/**
 * Held from `publishMany` to commit: the transactions that publish with it commit in the order of their event
 * ids, so a stream that skips ids at or below the last one it sent never skips one of theirs.
 */
const REALTIME_ORDER_LOCK = 727_004;
/** Ids per batch notification: `{"ids":[…]}` stays well under PostgreSQL's 8,000-byte NOTIFY payload. */
const IDS_PER_NOTIFY = 500;

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

/**
 * Several events in one INSERT and, per 500 events, one NOTIFY carrying their ids (`{"ids":[…]}`); every
 * instance's hub reads the rows and fans them out in id order. Group commit of device events uses it: a
 * transaction that NOTIFYs takes a database-wide lock at commit, so one notification per batch instead of
 * one per event is what lets a thousand alarms a second commit. Call it last in the transaction: it takes an
 * advisory lock held until commit (REALTIME_ORDER_LOCK), so concurrent batches become visible in id order.
 * One event is published exactly as `publish`.
 */
export async function publishMany(executor: Kysely<DB>, inputs: readonly PublishInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(${REALTIME_ORDER_LOCK})`.execute(executor);
  if (inputs.length === 1) return publish(executor, inputs[0]!);
  const rows = await executor
    .insertInto('realtime_event')
    .values(
      inputs.map((input) => ({
        type: input.type,
        org_path: input.orgPath ?? null,
        user_id: input.userId ?? null,
        payload: JSON.stringify(input.payload ?? {}),
      })),
    )
    .returning('id')
    .execute();
  const ids = rows.map((row) => row.id).sort((a, b) => a - b);
  for (let start = 0; start < ids.length; start += IDS_PER_NOTIFY) {
    const message = JSON.stringify({ ids: ids.slice(start, start + IDS_PER_NOTIFY) });
    await sql`SELECT pg_notify(${REALTIME_CHANNEL}, ${message})`.execute(executor);
  }
}

/**
 * For a statement that stores events in a data-modifying CTE (`RETURNING id, type, org_path, user_id, payload,
 * at`): a column expression that NOTIFYs them at commit in one `{"events":[…]}` message, or by id when that
 * would be too large, as `publishMany` does. The hubs then need not read them back.
 */
export function notifyStoredEvents(cte: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(SELECT pg_notify(${REALTIME_CHANNEL}, CASE WHEN octet_length(inline) <= ${MAX_INLINE_NOTIFY} THEN inline
      ELSE json_build_object('ids', ids)::text END)
    FROM (SELECT json_build_object('events', json_agg(json_build_object('id', id, 'type', type, 'orgPath', org_path,
        'userId', user_id, 'payload', payload, 'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        ORDER BY id))::text AS inline, json_agg(id ORDER BY id) AS ids
      FROM ${cte}) stored
    WHERE ids IS NOT NULL)`;
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
  /** Notifications are delivered one after the other, so a batch read from the table keeps its place. */
  private delivering: Promise<void> = Promise.resolve();

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(REALTIME_CHANNEL, (message) => {
      this.delivering = this.delivering.then(() => this.receive(message)).catch(() => undefined);
    });
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
    let events: RealtimeEvent[];
    try {
      const parsed = JSON.parse(message) as Partial<RealtimeEvent> & {
        id?: number;
        ids?: number[];
        events?: RealtimeEvent[];
      };
      if (Array.isArray(parsed.events)) {
        events = parsed.events;
      } else if (Array.isArray(parsed.ids)) {
        const ids = parsed.ids.filter((id) => Number.isSafeInteger(id));
        if (ids.length === 0) return;
        const rows = await this.database.db
          .selectFrom('realtime_event')
          .selectAll()
          .where('id', 'in', ids)
          .orderBy('id')
          .execute();
        events = rows.map(toEvent);
      } else if (parsed.type === undefined) {
        if (!Number.isSafeInteger(parsed.id)) return;
        const row = await this.database.db
          .selectFrom('realtime_event')
          .selectAll()
          .where('id', '=', parsed.id!)
          .executeTakeFirst();
        if (!row) return;
        events = [toEvent(row)];
      } else {
        events = [parsed as RealtimeEvent];
      }
    } catch {
      return;
    }
    for (const event of events) for (const subscriber of this.subscribers) subscriber(event);
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
