import crypto from 'node:crypto';
import {
  type AlarmKind,
  type DeviceEventPayload,
  type DeviceKind,
  deviceEventPayload,
  eventEffect,
  type IngestRejection,
  isOnlineKind,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { ALARM_KIND_LABELS } from '../../i18n/labels.js';
import type { Platform } from '../../platform/context.js';
import { sha256 } from '../../platform/crypto.js';
import { type PublishInput, publishMany } from '../../platform/realtime.js';
import { raiseAlarms } from '../alarms/raise.js';

/** A device as ingestion needs it, cached in memory for a short while. */
interface CachedDevice {
  id: number;
  code: string;
  name: string;
  kind: DeviceKind;
  schoolId: number;
  schoolCode: string;
  orgPath: string;
  placeId: number | null;
  tokenHash: string | null;
  disabled: boolean;
}

export type IngestOutcome =
  | { ok: true; eventId: string; type: DeviceEventPayload['type']; duplicate: boolean; alarmCode: string | null }
  | { ok: false; reason: IngestRejection };

/** What writing a device event did: stored (or a duplicate), or refused by the database for its data. */
type Written = { duplicate: boolean; alarmCode: string | null } | { refused: IngestRejection };

interface PendingEvent {
  device: CachedDevice;
  payload: DeviceEventPayload;
  effect: Exclude<ReturnType<typeof eventEffect>, { alive: true }>;
  via: 'mqtt' | 'http';
  receivedAt: Date;
  resolve: (written: Written) => void;
  reject: (error: unknown) => void;
}

export interface IngestCredentials {
  via: 'mqtt' | 'http';
  schoolCode: string | undefined;
  deviceCode: string | undefined;
  token: string | undefined;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** A changed token or a disabled device reaches the other instances within this time. */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 200_000;
const REJECTION_KEYS_MAX = 10_000;
const FLUSH_CHUNK = 5_000;
const LOOKUP_CHUNK = 1_000;

interface Bucket {
  tokens: number;
  at: number;
}

const pipelines = new WeakMap<Platform, IngestPipeline>();

/** The ingestion pipeline of an app (null before the ingest module registered). */
export function pipelineOf(platform: Platform): IngestPipeline | null {
  return pipelines.get(platform) ?? null;
}

export function registerPipeline(platform: Platform, pipeline: IngestPipeline): void {
  pipelines.set(platform, pipeline);
}

export interface IngestStats {
  accepted: number;
  duplicates: number;
  heartbeats: number;
  rejected: Record<string, number>;
  flushes: number;
  heartbeatRowsWritten: number;
  /** Transactions of the group commit (alarms, faults, restores). */
  batches: number;
}

/**
 * One pipeline for MQTT and HTTP: authenticate the device (code, school code, token hash), rate-limit it
 * (token bucket per device), validate payload v1, then act. Alarm, tamper, fault and restore events are
 * written once (device_event is unique per device and event id) in one transaction with their effect
 * (`raiseAlarms`, fault fields), by group commit: the events that arrive while a transaction is in flight
 * share the next one and its single NOTIFY; each caller hears back after its batch committed. Heartbeats
 * only prove life: they are coalesced in memory and written in batches, as are the rejection counters,
 * every `ingestFlushMs`.
 */
export class IngestPipeline {
  private readonly cache = new Map<string, { device: CachedDevice | null; at: number }>();
  private readonly loading = new Map<string, Promise<CachedDevice | null>>();
  private lookups = new Map<
    string,
    { resolve: (device: CachedDevice | null) => void; reject: (error: unknown) => void }
  >();
  private readonly buckets = new Map<number, Bucket>();
  private seen = new Map<number, Date>();
  private rejections = new Map<string, { reason: string; school: string; device: string; count: number; at: Date }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  readonly stats: IngestStats = {
    accepted: 0,
    duplicates: 0,
    heartbeats: 0,
    rejected: {},
    flushes: 0,
    heartbeatRowsWritten: 0,
    batches: 0,
  };
  private queue: PendingEvent[] = [];
  private readonly writing = new Set<Promise<void>>();
  private writers = 0;
  private waitTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: {
      ratePerSecond: number;
      burst: number;
      flushMs: number;
      /** Group commit: events per transaction at most, the longest wait for company (ms), transactions at once. */
      batchMax: number;
      batchWaitMs: number;
      batchConcurrency: number;
      log: { error: (object: unknown, message: string) => void };
    },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.options.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.drain();
    await this.flush().catch(() => {});
  }

  /** Drops a cached device after its registry entry changed. */
  forget(code: string): void {
    this.cache.delete(code);
  }

  /** Authenticates and rate-limits; the device, or the reason it was refused (already counted). */
  async authenticate(credentials: IngestCredentials): Promise<{ device: CachedDevice } | { reason: IngestRejection }> {
    const { schoolCode, deviceCode, token } = credentials;
    // Nothing to attribute the attempt to: refused, not counted (a counter keyed by arbitrary text is a flood target).
    if (!schoolCode || !deviceCode || !CODE.test(schoolCode) || !CODE.test(deviceCode))
      return { reason: 'unknown_device' };
    const device = await this.lookup(deviceCode);
    const refuse = (reason: IngestRejection) => {
      this.reject(reason, schoolCode, deviceCode);
      return { reason };
    };
    if (!device) return refuse('unknown_device');
    if (device.schoolCode !== schoolCode) return refuse('school_mismatch');
    if (!token || !device.tokenHash || !sameHash(sha256(token), device.tokenHash)) return refuse('bad_token');
    if (device.disabled) return refuse('disabled');
    if (!this.take(device.id)) return refuse('rate_limited');
    return { device };
  }

  /** Validates one payload from an authenticated device and acts on it. */
  async accept(device: CachedDevice, raw: unknown, via: 'mqtt' | 'http'): Promise<IngestOutcome> {
    const parsed = deviceEventPayload.safeParse(raw);
    if (!parsed.success) {
      this.reject('malformed', device.schoolCode, device.code);
      return { ok: false, reason: 'malformed' };
    }
    return this.process(device, parsed.data, via);
  }

  /** Counts a refused message. */
  reject(reason: IngestRejection, schoolCode: string, deviceCode: string, at = new Date()): void {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
    let key = `${reason}\u0000${schoolCode}\u0000${deviceCode}`;
    if (!this.rejections.has(key) && this.rejections.size >= REJECTION_KEYS_MAX) {
      key = `${reason}\u0000${schoolCode}\u0000*`;
      deviceCode = '*';
    }
    const entry = this.rejections.get(key);
    if (entry) {
      entry.count++;
      entry.at = at;
    } else this.rejections.set(key, { reason, school: schoolCode, device: deviceCode, count: 1, at });
  }

  private take(deviceId: number): boolean {
    const now = Date.now();
    const bucket = this.buckets.get(deviceId) ?? { tokens: this.options.burst, at: now };
    bucket.tokens = Math.min(
      this.options.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSecond,
    );
    bucket.at = now;
    this.buckets.set(deviceId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * The device by code, from the cache or the database. Misses of the same moment are looked up together
   * (one query per `LOOKUP_CHUNK` codes): with thousands of devices each heard from less often than the cache
   * lives, nearly every message is a miss, and one query per message would cost more than the alarm itself.
   */
  private lookup(code: string): Promise<CachedDevice | null> {
    const cached = this.cache.get(code);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return Promise.resolve(cached.device);
    const pending = this.loading.get(code);
    if (pending) return pending;
    const load = new Promise<CachedDevice | null>((resolve, reject) => {
      this.lookups.set(code, { resolve, reject });
    });
    this.loading.set(code, load);
    if (this.lookups.size === 1) setImmediate(() => void this.lookupNow());
    return load;
  }

  private async lookupNow(): Promise<void> {
    const waiting = this.lookups;
    this.lookups = new Map();
    const codes = [...waiting.keys()];
    for (let start = 0; start < codes.length; start += LOOKUP_CHUNK) {
      const chunk = codes.slice(start, start + LOOKUP_CHUNK);
      try {
        const rows = await this.db
          .selectFrom('device')
          .innerJoin('org_unit', 'org_unit.id', 'device.school_id')
          .select([
            'device.id',
            'device.code',
            'device.name',
            'device.kind',
            'device.school_id',
            'org_unit.code as school_code',
            'device.org_path',
            'device.place_id',
            'device.token_hash',
            'device.disabled',
          ])
          .where('device.code', 'in', chunk)
          .execute();
        const found = new Map(rows.map((row) => [row.code, row]));
        if (this.cache.size + chunk.length > CACHE_MAX) this.cache.clear();
        const at = Date.now();
        for (const code of chunk) {
          const row = found.get(code);
          const device: CachedDevice | null = row
            ? {
                id: row.id,
                code: row.code,
                name: row.name,
                kind: row.kind as DeviceKind,
                schoolId: row.school_id,
                schoolCode: row.school_code,
                orgPath: row.org_path,
                placeId: row.place_id,
                tokenHash: isOnlineKind(row.kind as DeviceKind) ? row.token_hash : null,
                disabled: row.disabled,
              }
            : null;
          this.cache.set(code, { device, at });
          this.loading.delete(code);
          waiting.get(code)!.resolve(device);
        }
      } catch (error) {
        for (const code of chunk) {
          this.loading.delete(code);
          waiting.get(code)!.reject(error);
        }
      }
    }
  }

  private async process(
    device: CachedDevice,
    payload: DeviceEventPayload,
    via: 'mqtt' | 'http',
  ): Promise<IngestOutcome> {
    const now = new Date();
    this.markSeen(device.id, now);
    const effect = eventEffect(payload);
    if ('alive' in effect) {
      this.stats.heartbeats++;
      return { ok: true, eventId: payload.eventId, type: payload.type, duplicate: false, alarmCode: null };
    }
    const written = await new Promise<Written>((resolve, reject) => {
      this.queue.push({ device, payload, effect, via, receivedAt: now, resolve, reject });
      this.schedule();
    });
    if ('refused' in written) {
      this.reject(written.refused, device.schoolCode, device.code);
      return { ok: false, reason: written.refused };
    }
    if (written.duplicate) this.stats.duplicates++;
    else this.stats.accepted++;
    return { ok: true, eventId: payload.eventId, type: payload.type, ...written };
  }

  /**
   * Group commit: events that arrive while every writer is busy wait for the next free one, up to `batchMax`
   * per transaction; the first event after a quiet moment waits at most `batchWaitMs` for company. Up to
   * `batchConcurrency` transactions run at once (their work overlaps; `publishMany` orders their commits).
   */
  private schedule(): void {
    if (this.writers >= this.options.batchConcurrency || this.queue.length === 0) return;
    if (this.queue.length >= this.options.batchMax || this.options.batchWaitMs <= 0 || this.writers > 0) {
      this.writeNext();
      return;
    }
    this.waitTimer ??= setTimeout(() => this.writeNext(), this.options.batchWaitMs);
  }

  private writeNext(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    if (this.writers >= this.options.batchConcurrency || this.queue.length === 0) return;
    const batch = this.queue.splice(0, Math.max(1, this.options.batchMax));
    this.writers++;
    const writing = this.writeBatch(batch).finally(() => {
      this.writers--;
      this.writing.delete(writing);
      // What arrived meanwhile has waited long enough: written at once.
      if (this.queue.length > 0) this.writeNext();
    });
    this.writing.add(writing);
  }

  /** Resolves when every event handed to the pipeline so far is written (or failed). */
  private async drain(): Promise<void> {
    while (this.writing.size > 0 || this.queue.length > 0) {
      if (this.writing.size === 0) this.writeNext();
      await Promise.all(this.writing);
    }
  }

  /**
   * One transaction for the batch. If it fails, each event is tried alone, so one event the database refuses
   * cannot take the others down; an event refused on its own for its data (SQLSTATE class 22 or 23) is
   * counted as malformed, any other failure (database away) is handed back to the caller, who retries.
   */
  private async writeBatch(batch: PendingEvent[]): Promise<void> {
    this.stats.batches++;
    try {
      const results = await this.db.transaction().execute((trx) => writeEvents(trx, batch));
      for (const [index, event] of batch.entries()) event.resolve(results[index]!);
      return;
    } catch (error) {
      if (batch.length === 1) {
        this.settleAlone(batch[0]!, error);
        return;
      }
      this.options.log.error(
        { err: error, events: batch.length },
        'ingest batch failed; writing its events one by one',
      );
    }
    for (let index = 0; index < batch.length; index++) {
      const event = batch[index]!;
      try {
        const [result] = await this.db.transaction().execute((trx) => writeEvents(trx, [event]));
        event.resolve(result!);
      } catch (error) {
        if (!this.settleAlone(event, error)) {
          // The database, not the event: the rest would fail the same way.
          for (const rest of batch.slice(index + 1)) rest.reject(error);
          return;
        }
      }
    }
  }

  /** An event that failed alone; true when the failure was its data (refused), false when it was handed back. */
  private settleAlone(event: PendingEvent, error: unknown): boolean {
    const state = (error as { code?: unknown } | null)?.code;
    if (typeof state === 'string' && /^2[23]/.test(state)) {
      this.options.log.error(
        { err: error, device: event.device.code, eventId: event.payload.eventId },
        'device event refused by the database',
      );
      event.resolve({ refused: 'malformed' });
      return true;
    }
    event.reject(error);
    return false;
  }

  private markSeen(deviceId: number, at: Date): void {
    const previous = this.seen.get(deviceId);
    if (!previous || previous < at) this.seen.set(deviceId, at);
  }

  /** Writes coalesced heartbeats (last_seen_at) and rejection counters; a device back from offline is announced. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    this.flushing = this.flushNow().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const seen = this.seen;
    const rejections = this.rejections;
    if (seen.size === 0 && rejections.size === 0) return;
    this.seen = new Map();
    this.rejections = new Map();
    try {
      const entries = [...seen.entries()];
      for (let start = 0; start < entries.length; start += FLUSH_CHUNK) {
        const chunk = entries.slice(start, start + FLUSH_CHUNK);
        const values = sql.join(chunk.map(([id, at]) => sql`(${id}::int, ${at.toISOString()}::timestamptz)`));
        await this.db.transaction().execute(async (trx) => {
          const back = await sql<{ id: number; code: string; name: string; kind: string; org_path: string }>`
            UPDATE device SET offline_since = NULL, offline_notified_at = NULL
            FROM (VALUES ${values}) AS v(id, at)
            -- Back from an outage, or heard from for the first time: both change what the health page shows.
            WHERE device.id = v.id AND (device.offline_since IS NOT NULL OR device.last_seen_at IS NULL)
            RETURNING device.id, device.code, device.name, device.kind, device.org_path`.execute(trx);
          await sql`
            UPDATE device SET last_seen_at = v.at
            FROM (VALUES ${values}) AS v(id, at)
            WHERE device.id = v.id AND (device.last_seen_at IS NULL OR device.last_seen_at < v.at)`.execute(trx);
          await publishMany(
            trx,
            back.rows.map((row) => ({
              type: 'device.online',
              orgPath: row.org_path,
              payload: { id: row.id, code: row.code, name: row.name, kind: row.kind },
            })),
          );
        });
        this.stats.heartbeatRowsWritten += chunk.length;
      }
      if (rejections.size > 0) {
        const rows = [...rejections.values()];
        for (let start = 0; start < rows.length; start += FLUSH_CHUNK) {
          await this.db
            .insertInto('ingest_rejection')
            .values(
              rows.slice(start, start + FLUSH_CHUNK).map((row) => ({
                reason: row.reason,
                school_code: row.school,
                device_code: row.device,
                count: row.count,
                last_at: row.at,
              })),
            )
            .onConflict((conflict) =>
              conflict.columns(['reason', 'school_code', 'device_code']).doUpdateSet({
                count: sql`ingest_rejection.count + excluded.count`,
                last_at: sql`greatest(ingest_rejection.last_at, excluded.last_at)`,
              }),
            )
            .execute();
        }
      }
      this.stats.flushes++;
    } catch (error) {
      // The database is away: keep what was not written for the next flush.
      for (const [id, at] of seen) this.markSeen(id, at);
      for (const [key, entry] of rejections) {
        const current = this.rejections.get(key);
        if (current) current.count += entry.count;
        else this.rejections.set(key, entry);
      }
      this.options.log.error({ err: error }, 'ingest flush failed');
      throw error;
    }
  }
}

/**
 * Writes a batch in the caller's transaction: `device_event` rows in one INSERT (a repeated (device, event id)
 * within the batch or already stored is a duplicate), the alarms in one `raiseAlarms`, faults and restores,
 * and every realtime event of the batch with one `publishMany` (one NOTIFY). Results in batch order.
 */
async function writeEvents(trx: Kysely<DB>, batch: readonly PendingEvent[]): Promise<Written[]> {
  const key = (event: PendingEvent) => `${event.device.id}\u0000${event.payload.eventId}`;
  const first = new Map<string, PendingEvent>();
  for (const event of batch) if (!first.has(key(event))) first.set(key(event), event);
  // Rows in (device, event id) order: concurrent batches (other instances) take the unique-index locks in one order.
  const unique = [...first.values()].sort((a, b) =>
    a.device.id !== b.device.id
      ? a.device.id - b.device.id
      : a.payload.eventId < b.payload.eventId
        ? -1
        : a.payload.eventId > b.payload.eventId
          ? 1
          : 0,
  );
  const inserted = await trx
    .insertInto('device_event')
    .values(
      unique.map(({ device, payload, via }) => ({
        device_id: device.id,
        event_id: payload.eventId,
        type: payload.type,
        kind: payload.kind ?? null,
        at: payload.at,
        via,
        details: JSON.stringify(payload.details ?? {}),
      })),
    )
    .onConflict((conflict) => conflict.columns(['device_id', 'event_id']).doNothing())
    .returning(['id', 'device_id', 'event_id'])
    .execute();
  const rowId = new Map(inserted.map((row) => [`${row.device_id}\u0000${row.event_id}`, row.id]));
  const written = new Map<PendingEvent, Written>();
  const events: PublishInput[] = [];
  const raises = batch.filter(
    (event) => first.get(key(event)) === event && rowId.has(key(event)) && 'raise' in event.effect,
  );
  const alarms = await raiseAlarms(
    trx,
    raises.map((event) => {
      const { device, payload, receivedAt } = event;
      const kind = (event.effect as { raise: AlarmKind }).raise;
      return {
        school: { id: device.schoolId, path: device.orgPath },
        source: 'device' as const,
        kind,
        title: `${ALARM_KIND_LABELS[kind]}：${device.name}`,
        description: describe(payload),
        deviceId: device.id,
        deviceEventId: rowId.get(key(event))!,
        placeId: device.placeId,
        raisedAt: receivedAt,
      };
    }),
    { events },
  );
  for (const [index, event] of raises.entries())
    written.set(event, { duplicate: false, alarmCode: alarms[index]!.code });
  // Faults and restores in arrival order: a fault then its restore in one batch leave the device restored.
  for (const event of batch) {
    if (written.has(event) || first.get(key(event)) !== event || !rowId.has(key(event))) continue;
    const { device, payload } = event;
    if ('fault' in event.effect) {
      const detail = describe(payload) ?? '设备上报故障';
      await trx
        .updateTable('device')
        .set({ fault_since: sql`coalesce(fault_since, ${new Date(payload.at)}::timestamptz)`, fault_detail: detail })
        .where('id', '=', device.id)
        .execute();
      events.push({
        type: 'device.fault',
        orgPath: device.orgPath,
        payload: { id: device.id, code: device.code, name: device.name, kind: device.kind, detail },
      });
    } else {
      await trx
        .updateTable('device')
        .set({ fault_since: null, fault_detail: null })
        .where('id', '=', device.id)
        .execute();
      events.push({
        type: 'device.restored',
        orgPath: device.orgPath,
        payload: { id: device.id, code: device.code, name: device.name, kind: device.kind },
      });
    }
    written.set(event, { duplicate: false, alarmCode: null });
  }
  await publishMany(trx, events);
  return batch.map((event) => written.get(event) ?? { duplicate: true, alarmCode: null });
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** A short description of the event for the alarm card: its details as `key: value` pairs. */
function describe(payload: DeviceEventPayload): string | null {
  if (!payload.details) return null;
  const parts = Object.entries(payload.details).map(([key, value]) => `${key}: ${value}`);
  return parts.length > 0 ? parts.join('；').slice(0, 2000) : null;
}
