import { type Kysely, sql } from 'kysely';

/** A set of hazard rows counted as the roll-up counts them, per county, business month, category and grade. */
const rollupCountsOf = (rows: string) => `
  SELECT county_id, min(city_id), min(province_id),
    (date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai'))::date AS month,
    category, coalesce(grade, '') AS grade,
    count(*) FILTER (WHERE state <> 'rejected'),
    count(*) FILTER (WHERE state = 'closed'),
    count(*) FILTER (WHERE supervised AND state <> 'rejected'),
    coalesce(sum(extract(epoch FROM closed_at - reported_at)) FILTER (WHERE state = 'closed'), 0),
    count(*) FILTER (WHERE state IN ('reported','confirmed','rectifying','rectified')
      AND overdue_notified_at > deadline)
  FROM ${rows}
  GROUP BY county_id, 4, category, 6`;

/**
 * Hazard writes append their roll-up change to `hazard_rollup_delta` instead of updating `hazard_rollup` in place:
 * an in-place upsert locked the busy row of a county's month until commit, so concurrent reports in one county
 * waited on each other, and two multi-hazard writes could deadlock on two such rows (0008 relied on the audit
 * chain's lock, which writes no longer hold to commit). The sweeper folds the deltas into the roll-up
 * (`hazard_rollup_fold()`, one instance at a time); statistics read both, through the view `hazard_rollup_all`.
 * New hazards reach the deltas once per statement (a transition table): reports made at the same moment are written
 * by one statement (modules/hazards, `writeReports`), and so are imports and the demo. Updates and deletes keep
 * their row triggers (only changes that move a count fire them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- No keys or indexes: appended by every hazard write, read whole by the statistics and the fold.
    CREATE TABLE hazard_rollup_delta (
      county_id integer NOT NULL,
      city_id integer NOT NULL,
      province_id integer NOT NULL,
      month date NOT NULL,
      category text NOT NULL,
      grade text NOT NULL,
      found integer NOT NULL,
      rectified integer NOT NULL,
      supervised integer NOT NULL,
      close_seconds numeric NOT NULL,
      overdue_marked integer NOT NULL
    );

    CREATE VIEW hazard_rollup_all AS
      SELECT county_id, city_id, province_id, month, category, grade, found, rectified, supervised, close_seconds,
        overdue_marked
      FROM hazard_rollup
      UNION ALL
      SELECT county_id, city_id, province_id, month, category, grade, found, rectified, supervised, close_seconds,
        overdue_marked
      FROM hazard_rollup_delta;

    DROP TRIGGER hazard_rollup_insert ON hazard;
    CREATE FUNCTION hazard_rollup_added() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO hazard_rollup_delta ${sql.raw(rollupCountsOf('added'))};
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER hazard_rollup_insert AFTER INSERT ON hazard
      REFERENCING NEW TABLE AS added
      FOR EACH STATEMENT EXECUTE FUNCTION hazard_rollup_added();

    -- Updates and deletes (row triggers of 0008): the old row's contribution out, the new row's in.
    -- (Delta columns are prefixed: FOUND is a PL/pgSQL variable.)
    CREATE OR REPLACE FUNCTION hazard_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO hazard_rollup_delta VALUES (OLD.county_id, OLD.city_id, OLD.province_id,
        (date_trunc('month', OLD.reported_at AT TIME ZONE 'Asia/Shanghai'))::date,
        OLD.category, coalesce(OLD.grade, ''),
        -(OLD.state <> 'rejected')::int, -(OLD.state = 'closed')::int,
        -(OLD.supervised AND OLD.state <> 'rejected')::int,
        CASE WHEN OLD.state = 'closed' THEN -extract(epoch FROM OLD.closed_at - OLD.reported_at) ELSE 0 END,
        -(OLD.state IN ('reported','confirmed','rectifying','rectified')
          AND coalesce(OLD.overdue_notified_at > OLD.deadline, false))::int);
      IF TG_OP = 'UPDATE' THEN
        INSERT INTO hazard_rollup_delta VALUES (NEW.county_id, NEW.city_id, NEW.province_id,
          (date_trunc('month', NEW.reported_at AT TIME ZONE 'Asia/Shanghai'))::date,
          NEW.category, coalesce(NEW.grade, ''),
          (NEW.state <> 'rejected')::int, (NEW.state = 'closed')::int,
          (NEW.supervised AND NEW.state <> 'rejected')::int,
          CASE WHEN NEW.state = 'closed' THEN extract(epoch FROM NEW.closed_at - NEW.reported_at) ELSE 0 END,
          (NEW.state IN ('reported','confirmed','rectifying','rectified')
            AND coalesce(NEW.overdue_notified_at > NEW.deadline, false))::int);
      END IF;
      RETURN NULL;
    END
    $fn$;

    -- Moves the committed deltas into the roll-up, in key order. Run by one sweeper at a time.
    CREATE FUNCTION hazard_rollup_fold() RETURNS void LANGUAGE sql AS $fn$
      WITH moved AS (DELETE FROM hazard_rollup_delta RETURNING *)
      INSERT INTO hazard_rollup AS r (county_id, city_id, province_id, month, category, grade,
        found, rectified, supervised, close_seconds, overdue_marked)
      SELECT county_id, min(city_id), min(province_id), month, category, grade,
        sum(found), sum(rectified), sum(supervised), sum(close_seconds), sum(overdue_marked)
      FROM moved
      GROUP BY county_id, month, category, grade
      ORDER BY county_id, month, category, grade
      ON CONFLICT (county_id, month, category, grade) DO UPDATE SET
        found = r.found + excluded.found,
        rectified = r.rectified + excluded.rectified,
        supervised = r.supervised + excluded.supervised,
        close_seconds = r.close_seconds + excluded.close_seconds,
        overdue_marked = r.overdue_marked + excluded.overdue_marked;
    $fn$;

    CREATE OR REPLACE FUNCTION hazard_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      DELETE FROM hazard_rollup;
      DELETE FROM hazard_rollup_delta;
      RETURN NULL;
    END
    $fn$;

    CREATE OR REPLACE FUNCTION hazard_rollup_rebuild() RETURNS void LANGUAGE sql AS $fn$
      DELETE FROM hazard_rollup_delta;
      DELETE FROM hazard_rollup;
      INSERT INTO hazard_rollup (county_id, city_id, province_id, month, category, grade,
        found, rectified, supervised, close_seconds, overdue_marked)
      ${sql.raw(rollupCountsOf('hazard'))};
    $fn$;
  `.execute(db);
}
