import { type Kysely, sql } from 'kysely';
import { migrations } from './migrations/index.js';

const MIGRATION_LOCK = 727_001;

/** Applies pending migrations, each in its own transaction, one instance at a time. */
export async function migrate(db: Kysely<unknown>): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(
    db,
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
      const done = await sql<{
        name: string;
      }>`SELECT name FROM schema_migration WHERE name = ${migration.name}`.execute(trx);
      if (done.rows.length > 0) return false;
      await migration.up(trx);
      await sql`INSERT INTO schema_migration (name) VALUES (${migration.name})`.execute(trx);
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
}
