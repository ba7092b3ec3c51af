import { type Kysely, sql } from 'kysely';

/**
 * Audit rows are linked into the hash chain just after their transaction commits (platform/audit.ts,
 * `chainAudit`), not inside it: holding the chain's lock from the audit insert to commit made every audited
 * write flush its WAL one after another. The links move to `audit_chain`, append-only like the log, in the order
 * the chainer linked them (`seq`); rows written before this migration keep their links, in id order. A write
 * puts its audit row's id in `audit_unchained` (no index: the chainer empties it whole), and the chainer takes
 * what has committed there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_chain (
      seq integer PRIMARY KEY,
      audit_id integer NOT NULL UNIQUE REFERENCES audit_log(id) ON DELETE CASCADE,
      prev_hash text NOT NULL,
      hash text NOT NULL
    );
    INSERT INTO audit_chain (seq, audit_id, prev_hash, hash) SELECT id, id, prev_hash, hash FROM audit_log;
    ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN hash;
    CREATE TABLE audit_unchained (audit_id integer NOT NULL);

    -- Links are never changed; one goes only with its audit row (kept 180 days by audit_log_guard).
    CREATE FUNCTION audit_chain_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_chain rows are append-only';
      END IF;
      IF EXISTS (SELECT 1 FROM audit_log WHERE id = OLD.audit_id) THEN
        RAISE EXCEPTION 'audit_chain rows go only with their audit_log row';
      END IF;
      RETURN OLD;
    END $$;
    CREATE TRIGGER audit_chain_guard BEFORE UPDATE OR DELETE ON audit_chain
      FOR EACH ROW EXECUTE FUNCTION audit_chain_guard();
    CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();
  `.execute(db);
}
