import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuthContext } from './auth-context.js';
import { canonicalJson, sha256 } from './crypto.js';
import { AppError } from './errors.js';

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{7,99}$/;
/** How long a key is remembered: longer than any phone stays offline with a queued report. */
export const IDEMPOTENCY_RETENTION_DAYS = 14;

/** The request's `Idempotency-Key` header, validated; undefined when absent. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) throw new AppError(400, 'idempotency_key_invalid');
  return header;
}

/**
 * Runs a write once per (user, key). Without a key it is a plain transaction. With one, the key row is
 * inserted first in the same transaction: a concurrent duplicate waits on it and then reads the stored
 * result; a replay after commit reads it directly. A failed write rolls the key back, so it may be retried.
 * The stored result must be JSON (an id the route renders afresh).
 */
export async function runIdempotent<T>(
  db: Kysely<DB>,
  auth: AuthContext,
  key: string | undefined,
  route: string,
  input: unknown,
  write: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (key === undefined) return db.transaction().execute(write);
  const requestHash = idempotencyRequestHash(route, input);
  const stored = await storedResult<T>(db, auth.userId, key, requestHash);
  if (stored.found) return stored.result;
  try {
    return await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('idempotency_key')
        .values({
          user_id: auth.userId,
          key,
          route,
          request_hash: requestHash,
          status: 0,
          response: JSON.stringify(null),
        })
        .execute();
      const result = await write(trx);
      await trx
        .updateTable('idempotency_key')
        .set({ status: 200, response: JSON.stringify(result ?? null) })
        .where('user_id', '=', auth.userId)
        .where('key', '=', key)
        .execute();
      return result;
    });
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    // The same key committed meanwhile (a double tap, two tabs): answer as the first call did.
    const again = await storedResult<T>(db, auth.userId, key, requestHash);
    if (again.found) return again.result;
    throw error;
  }
}

/** What a key's first request is remembered by: a second request with the key must be the same. */
export function idempotencyRequestHash(route: string, input: unknown): string {
  return sha256(canonicalJson([route, input ?? null]));
}

async function storedResult<T>(
  db: Kysely<DB>,
  userId: number,
  key: string,
  requestHash: string,
): Promise<{ found: true; result: T } | { found: false }> {
  const row = await db
    .selectFrom('idempotency_key')
    .select(['request_hash', 'response', 'status'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return { found: false };
  if (row.request_hash !== requestHash) throw new AppError(422, 'idempotency_key_reused');
  return { found: true, result: row.response as T };
}
