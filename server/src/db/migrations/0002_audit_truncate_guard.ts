import { type Kysely, sql } from 'kysely';

/** TRUNCATE bypasses row triggers: refuse it on the audit log too. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION audit_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log rows are kept for 180 days';
    END $$;
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();
  `.execute(db);
}
