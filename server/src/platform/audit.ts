import type { FastifyRequest } from 'fastify';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { canonicalJson, sha256 } from './crypto.js';

const AUDIT_CHAIN_LOCK = 727_002;
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  orgPath?: string | null;
  outcome?: 'success' | 'failure';
  /** Before/after summary. Never put secrets here. */
  detail?: Record<string, unknown> | null;
}

export interface AuditActor {
  actorId: number | null;
  actorName: string | null;
  ip: string | null;
}

interface HashedFields {
  at: Date;
  actor_id: number | null;
  actor_name: string | null;
  ip: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  org_path: string | null;
  outcome: string;
  detail: unknown;
}

export function auditRowHash(prevHash: string, row: HashedFields): string {
  return sha256(
    canonicalJson([
      prevHash,
      row.at.toISOString(),
      row.actor_id,
      row.actor_name,
      row.ip,
      row.action,
      row.target_type,
      row.target_id,
      row.org_path,
      row.outcome,
      row.detail ?? null,
    ]),
  );
}

export function actorOf(request: FastifyRequest): AuditActor {
  return { actorId: request.auth?.userId ?? null, actorName: request.auth?.username ?? null, ip: request.ip ?? null };
}

/**
 * Appends one audit row. Call it inside the transaction of the write it records, so the write and its audit
 * row commit together. The row is linked into the hash chain just after commit, by `chainAudit`: linking it here
 * would mean holding the chain's lock until commit, and every audited write flushing its WAL in turn.
 */
export async function appendAudit(executor: Kysely<DB>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const columns: AuditColumns = {
    at: sql`${new Date()}::timestamptz`,
    actorId: sql`${actor.actorId}::integer`,
    actorName: sql`${actor.actorName}::text`,
    ip: sql`${actor.ip}::text`,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: sql`${entry.targetId == null ? null : String(entry.targetId)}::text`,
    orgPath: sql`${entry.orgPath ?? null}::text`,
    outcome: entry.outcome,
    detail: sql`${JSON.stringify(entry.detail ?? null)}::jsonb`,
  };
  await sql`WITH ${auditCtes(columns, sql`(VALUES (1)) AS one`)} SELECT 1`.execute(executor);
}

/** One audit row's columns as SQL expressions over a statement's other CTEs (see `auditCtes`). */
export interface AuditColumns {
  at: RawBuilder<unknown>;
  actorId: RawBuilder<unknown>;
  actorName: RawBuilder<unknown>;
  ip: RawBuilder<unknown>;
  action: string;
  targetType: string | null;
  targetId: RawBuilder<unknown>;
  orgPath: RawBuilder<unknown>;
  /** 'success' when omitted. */
  outcome?: 'success' | 'failure';
  detail: RawBuilder<unknown>;
}

/**
 * The audit rows of a write done in one SQL statement, one per row of `from`, as two data-modifying CTEs
 * (`audit_row`, `audit_queued`) to put in that statement's WITH list: the rows and their places in the chainer's
 * queue. `appendAudit` writes its one row with them too.
 */
export function auditCtes(columns: AuditColumns, from: RawBuilder<unknown>): RawBuilder<unknown> {
  auditAppended();
  return sql`audit_row AS (
      INSERT INTO audit_log (at, actor_id, actor_name, ip, action, target_type, target_id, org_path, outcome, detail)
      SELECT ${columns.at}, ${columns.actorId}, ${columns.actorName}, ${columns.ip}, ${columns.action}::text,
        ${columns.targetType}::text, (${columns.targetId})::text, ${columns.orgPath},
        ${columns.outcome ?? 'success'}::text, ${columns.detail}
      FROM ${from}
      RETURNING id
    ),
    audit_queued AS (INSERT INTO audit_unchained (audit_id) SELECT id FROM audit_row)`;
}

/** Audit in a transaction of its own (logins, exports: no other write to join). */
export async function auditStandalone(db: Kysely<DB>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await appendAudit(db, actor, entry);
}

const READ_BATCH = 5000;

/**
 * Links the audit rows written and committed since the last run into the chain, in id order, each after the last
 * linked row; returns how many it linked. One chainer at a time across all instances (the lock); another one
 * finding it taken returns 0, as the holder links what is there. A row whose transaction commits later than a
 * higher id is simply linked after it: the chain's order is `audit_chain.seq`.
 */
export async function chainAudit(db: Kysely<DB>, { wait = false } = {}): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (wait) {
      await sql`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(trx);
    } else {
      const lock = await sql<{
        taken: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${AUDIT_CHAIN_LOCK}) AS taken`.execute(trx);
      if (!lock.rows[0]?.taken) return 0;
    }
    // Rows of transactions still running are not visible here: they stay queued for the next run.
    const queued = await sql<{ audit_id: number }>`DELETE FROM audit_unchained RETURNING audit_id`.execute(trx);
    if (queued.rows.length === 0) return 0;
    const ids = [...new Set(queued.rows.map((row) => row.audit_id))].sort((x, y) => x - y);
    const last = await trx
      .selectFrom('audit_chain')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    let prevHash = last?.hash ?? GENESIS_HASH;
    let seq = last?.seq ?? 0;
    for (let start = 0; start < ids.length; start += READ_BATCH) {
      const rows = await trx
        .selectFrom('audit_log')
        .selectAll()
        .where(sql<boolean>`id = ANY(${ids.slice(start, start + READ_BATCH)}::integer[])`)
        .orderBy('id')
        .execute();
      const links = rows.map((row) => {
        const link = { seq: ++seq, audit_id: row.id, prev_hash: prevHash, hash: auditRowHash(prevHash, row) };
        prevHash = link.hash;
        return link;
      });
      if (links.length > 0) await trx.insertInto('audit_chain').values(links).execute();
    }
    return ids.length;
  });
}

type Wakeup = () => void;
const chainers = new Set<Wakeup>();
function auditAppended(): void {
  for (const wake of chainers) wake();
}

/**
 * One per instance: after any audit row is written in this process, links pending rows every `intervalMs` for a
 * couple of seconds (the write's transaction commits meanwhile). The sweeper also links on every run, which
 * covers rows from an instance that stopped before its chainer ran.
 */
export class AuditChainer {
  private activeUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly wake: Wakeup = () => {
    this.activeUntil = Date.now() + 2000;
    if (!this.timer && !this.stopped) this.schedule();
  };
  private stopped = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly log: { error: (object: unknown, message: string) => void },
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    chainers.add(this.wake);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    chainers.delete(this.wake);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = chainAudit(this.db)
        .catch((error: unknown) => this.log.error({ err: error }, 'audit chain: linking failed'))
        .finally(() => {
          this.running = null;
          this.timer = null;
          if (!this.stopped && Date.now() < this.activeUntil) this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  brokenAt: { id: number; at: string; reason: string } | null;
}

/** Links what is pending, then walks the chain in its order; the first row whose hash or link does not match breaks it. */
export async function verifyAuditChain(db: Kysely<DB>, batchSize = 5000): Promise<ChainVerification> {
  await chainAudit(db, { wait: true });
  let checked = 0;
  let previousHash: string | null = null;
  let afterSeq = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_chain')
      .innerJoin('audit_log', 'audit_log.id', 'audit_chain.audit_id')
      .selectAll('audit_log')
      .select(['audit_chain.seq', 'audit_chain.prev_hash', 'audit_chain.hash'])
      .where('audit_chain.seq', '>', afterSeq)
      .orderBy('audit_chain.seq')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      // Rows older than the retention period may have been pruned: the oldest remaining row anchors the chain.
      const expectedPrev = previousHash ?? row.prev_hash;
      const brokenAt = (reason: string) => ({
        ok: false,
        checked,
        brokenAt: { id: row.id, at: row.at.toISOString(), reason },
      });
      if (row.prev_hash !== expectedPrev) return brokenAt('link');
      const recomputed = auditRowHash(row.prev_hash, { ...row, detail: row.detail });
      if (recomputed !== row.hash) return brokenAt('hash');
      previousHash = row.hash;
      checked++;
      afterSeq = row.seq;
    }
  }
  return { ok: true, checked, brokenAt: null };
}
