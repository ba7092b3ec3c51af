import { type Kysely, sql } from 'kysely';

/**
 * Monthly roll-up of hazards for the statistics of a province (by city) and a city (by county): per county,
 * business month (Asia/Shanghai) of the report, category and grade, the counts the statistics add up.
 * A deferred constraint trigger keeps it in every hazard write's own transaction, whoever writes (the
 * service, the demo, imports, tests): it runs at commit, so the busy row of a county's current month is
 * locked only while the transaction commits. Audited writes hold the audit chain's lock through their commit,
 * so the roll-up updates of two of them never interleave (no lock-order deadlock between multi-hazard writes). `hazard_rollup_rebuild()` recomputes it from the rows (used
 * here for the backfill and by loaders that bypass triggers). Definitions are the statistics' own:
 * found = not rejected, rectified = closed, supervised = supervised and not rejected,
 * close_seconds = sum of closed_at − reported_at over closed hazards. Overdue depends on now: the roll-up
 * counts the open hazards the sweeper has marked overdue (overdue_notified_at after the deadline; a new
 * deadline clears the mark), the statistics add the unmarked ones past their deadline live.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE hazard_rollup (
      county_id integer NOT NULL,
      city_id integer NOT NULL,
      province_id integer NOT NULL,
      -- first day of the report's month in Asia/Shanghai
      month date NOT NULL,
      category text NOT NULL,
      -- '' while not graded yet
      grade text NOT NULL,
      found integer NOT NULL DEFAULT 0,
      rectified integer NOT NULL DEFAULT 0,
      supervised integer NOT NULL DEFAULT 0,
      close_seconds numeric NOT NULL DEFAULT 0,
      -- open hazards the sweeper has marked overdue (overdue_notified_at > deadline, so the deadline has passed)
      overdue_marked integer NOT NULL DEFAULT 0,
      PRIMARY KEY (county_id, month, category, grade)
    );
    CREATE INDEX hazard_rollup_city ON hazard_rollup(city_id, month);
    CREATE INDEX hazard_rollup_province ON hazard_rollup(province_id, month);

    -- Overdue (open and past the deadline now) = the roll-up's overdue_marked + open hazards past their deadline
    -- that the sweeper has not marked yet (a minute's worth while it runs), counted live from this index.
    CREATE INDEX hazard_open_unmarked ON hazard(deadline)
      INCLUDE (province_id, city_id, county_id, category, grade, reported_at)
      WHERE state IN ('reported','confirmed','rectifying','rectified') AND deadline IS NOT NULL
        AND (overdue_notified_at IS NULL OR overdue_notified_at <= deadline);
    -- Marked hazards whose deadline is not past now (a clock that went back, a deadline moved without clearing the
    -- mark): normally none, subtracted live so that overdue stays "open and past the deadline now".
    CREATE INDEX hazard_open_marked ON hazard(deadline)
      INCLUDE (province_id, city_id, county_id, category, grade, reported_at)
      WHERE state IN ('reported','confirmed','rectifying','rectified') AND overdue_notified_at > deadline;

    CREATE FUNCTION hazard_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      -- (Delta columns are prefixed: FOUND is a PL/pgSQL variable.)
      -- The old row's contribution out, the new row's in; keys in a fixed order (no lock-order deadlock
      -- between two writes that move hazards between the same two rows).
      INSERT INTO hazard_rollup AS r (county_id, city_id, province_id, month, category, grade,
        found, rectified, supervised, close_seconds, overdue_marked)
      SELECT county_id, min(city_id), min(province_id), month, category, grade,
        sum(d_found), sum(d_rectified), sum(d_supervised), sum(d_close_seconds), sum(d_overdue_marked)
      FROM (
        SELECT OLD.county_id AS county_id, OLD.city_id AS city_id, OLD.province_id AS province_id,
          (date_trunc('month', OLD.reported_at AT TIME ZONE 'Asia/Shanghai'))::date AS month,
          OLD.category AS category, coalesce(OLD.grade, '') AS grade,
          -(OLD.state <> 'rejected')::int AS d_found, -(OLD.state = 'closed')::int AS d_rectified,
          -(OLD.supervised AND OLD.state <> 'rejected')::int AS d_supervised,
          CASE WHEN OLD.state = 'closed' THEN -extract(epoch FROM OLD.closed_at - OLD.reported_at) ELSE 0 END
            AS d_close_seconds,
          -(OLD.state IN ('reported','confirmed','rectifying','rectified')
            AND coalesce(OLD.overdue_notified_at > OLD.deadline, false))::int AS d_overdue_marked
        WHERE TG_OP IN ('UPDATE', 'DELETE')
        UNION ALL
        SELECT NEW.county_id, NEW.city_id, NEW.province_id,
          (date_trunc('month', NEW.reported_at AT TIME ZONE 'Asia/Shanghai'))::date,
          NEW.category, coalesce(NEW.grade, ''),
          (NEW.state <> 'rejected')::int, (NEW.state = 'closed')::int,
          (NEW.supervised AND NEW.state <> 'rejected')::int,
          CASE WHEN NEW.state = 'closed' THEN extract(epoch FROM NEW.closed_at - NEW.reported_at) ELSE 0 END,
          (NEW.state IN ('reported','confirmed','rectifying','rectified')
            AND coalesce(NEW.overdue_notified_at > NEW.deadline, false))::int
        WHERE TG_OP IN ('INSERT', 'UPDATE')
      ) delta
      GROUP BY county_id, month, category, grade
      ORDER BY county_id, month, category, grade
      ON CONFLICT (county_id, month, category, grade) DO UPDATE SET
        found = r.found + excluded.found,
        rectified = r.rectified + excluded.rectified,
        supervised = r.supervised + excluded.supervised,
        close_seconds = r.close_seconds + excluded.close_seconds,
        overdue_marked = r.overdue_marked + excluded.overdue_marked;
      RETURN NULL;
    END
    $fn$;

    CREATE CONSTRAINT TRIGGER hazard_rollup_insert AFTER INSERT ON hazard
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hazard_rollup_apply();
    CREATE CONSTRAINT TRIGGER hazard_rollup_delete AFTER DELETE ON hazard
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hazard_rollup_apply();
    -- Only changes that move a count: reminders, escalations, notes and the five fixes (but the deadline) do not.
    CREATE CONSTRAINT TRIGGER hazard_rollup_update AFTER UPDATE ON hazard
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN ((OLD.state = 'rejected') IS DISTINCT FROM (NEW.state = 'rejected')
        OR (OLD.state = 'closed') IS DISTINCT FROM (NEW.state = 'closed')
        OR OLD.grade IS DISTINCT FROM NEW.grade
        OR OLD.category IS DISTINCT FROM NEW.category
        OR OLD.supervised IS DISTINCT FROM NEW.supervised
        OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
        OR OLD.reported_at IS DISTINCT FROM NEW.reported_at
        OR OLD.county_id IS DISTINCT FROM NEW.county_id
        OR OLD.deadline IS DISTINCT FROM NEW.deadline
        OR OLD.overdue_notified_at IS DISTINCT FROM NEW.overdue_notified_at)
      EXECUTE FUNCTION hazard_rollup_apply();

    CREATE FUNCTION hazard_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      DELETE FROM hazard_rollup;
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER hazard_rollup_truncate AFTER TRUNCATE ON hazard
      FOR EACH STATEMENT EXECUTE FUNCTION hazard_rollup_truncate();

    -- Recomputes the roll-up from the rows (the backfill below; loaders that bypass triggers).
    CREATE FUNCTION hazard_rollup_rebuild() RETURNS void LANGUAGE sql AS $fn$
      DELETE FROM hazard_rollup;
      INSERT INTO hazard_rollup (county_id, city_id, province_id, month, category, grade,
        found, rectified, supervised, close_seconds, overdue_marked)
      SELECT county_id, min(city_id), min(province_id),
        (date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai'))::date AS month,
        category, coalesce(grade, '') AS grade,
        count(*) FILTER (WHERE state <> 'rejected'),
        count(*) FILTER (WHERE state = 'closed'),
        count(*) FILTER (WHERE supervised AND state <> 'rejected'),
        coalesce(sum(extract(epoch FROM closed_at - reported_at)) FILTER (WHERE state = 'closed'), 0),
        count(*) FILTER (WHERE state IN ('reported','confirmed','rectifying','rectified')
          AND overdue_notified_at > deadline)
      FROM hazard
      GROUP BY county_id, 4, category, 6;
    $fn$;
    SELECT hazard_rollup_rebuild();
  `.execute(db);
}
