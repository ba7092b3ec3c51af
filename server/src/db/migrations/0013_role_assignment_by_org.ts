import { type Kysely, sql } from 'kysely';

/**
 * "The security officers of this school" (who a hazard report notifies, who an alarm escalates to) is looked up
 * by org and role on every such write: without this index it scanned every assignment in the province.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX role_assignment_org_role ON role_assignment(org_id, role)`.execute(db);
}
