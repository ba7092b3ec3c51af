import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { TABLES_A_REFUSAL_MAY_TOUCH } from '../harness.js';

const IGNORED = new Set([...TABLES_A_REFUSAL_MAY_TOUCH, 'schema_migration']);
/** Columns that change on a refused login (lockout counters) and are not a "write" of the request. */
const VOLATILE: Record<string, string[]> = {
  app_user: ['failed_logins', 'locked_until', 'last_login_at', 'updated_at'],
};

let statement: Promise<string> | null = null;
let statementFor: Database | null = null;

/**
 * One query that returns, for every application table, its row count and an order-independent
 * checksum of its rows: a rejected request must leave both unchanged (inserts, updates and deletes).
 */
async function snapshotSql(database: Database): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(database.db);
  const parts: string[] = [];
  for (const { table_name: table } of tables.rows) {
    if (IGNORED.has(table)) continue;
    let row = 'x::text';
    const volatile = VOLATILE[table];
    if (volatile) {
      const columns = await sql<{ column_name: string }>`
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`.execute(database.db);
      const kept = columns.rows.map((c) => c.column_name).filter((c) => !volatile.includes(c));
      row = `row(${kept.map((c) => `x."${c}"`).join(', ')})::text`;
    }
    parts.push(
      `SELECT '${table}' AS t, count(*)::int AS n, coalesce(sum(hashtext(${row})::bigint), 0)::text AS h FROM "${table}" x`,
    );
  }
  return parts.join(' UNION ALL ');
}

export type Snapshot = Record<string, string>;

export async function snapshot(database: Database): Promise<Snapshot> {
  if (statementFor !== database) {
    statement = snapshotSql(database);
    statementFor = database;
  }
  const result = await sql.raw<{ t: string; n: number; h: string }>(await statement!).execute(database.db);
  return Object.fromEntries(result.rows.map((r) => [r.t, `${r.n}:${r.h}`]));
}

/** Tables whose rows differ between two snapshots. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  return Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]);
}
