import { type Kysely, sql } from 'kysely';

/** The sweeper finds jobs left running by a stopped instance by their expired lock (platform/jobs.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX job_running ON job(locked_until) WHERE status = 'running'`.execute(db);
}
