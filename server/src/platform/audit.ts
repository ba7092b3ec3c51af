import type { FastifyRequest } from 'fastify';
import { type Kysely, sql } from 'kysely';
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
 * Appends one hash-chained row. Call it inside the transaction of the write it records, so
 * the write and its audit row commit together; the chain lock is held only until that commit.
 */
export async function appendAudit(executor: Kysely<DB>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(executor);
  const last = await executor.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row: HashedFields = {
    at: new Date(),
    actor_id: actor.actorId,
    actor_name: actor.actorName,
    ip: actor.ip,
    action: entry.action,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId == null ? null : String(entry.targetId),
    org_path: entry.orgPath ?? null,
    outcome: entry.outcome ?? 'success',
    detail: entry.detail ?? null,
  };
  await executor
    .insertInto('audit_log')
    .values({
      ...row,
      detail: JSON.stringify(row.detail),
      prev_hash: prevHash,
      hash: auditRowHash(prevHash, row),
    })
    .execute();
}

/** Audit in a transaction of its own (logins, exports: no other write to join). */
export async function auditStandalone(db: Kysely<DB>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db.transaction().execute((trx) => appendAudit(trx, actor, entry));
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  brokenAt: { id: number; at: string; reason: string } | null;
}

/** Walks the chain in id order; the first row whose hash or link does not match breaks it. */
export async function verifyAuditChain(db: Kysely<DB>, batchSize = 5000): Promise<ChainVerification> {
  let checked = 0;
  let previousHash: string | null = null;
  let afterId = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
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
      afterId = row.id;
    }
  }
  return { ok: true, checked, brokenAt: null };
}
