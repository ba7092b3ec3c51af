import { type Kysely, sql } from 'kysely';

/**
 * New hazards reach the roll-up deltas once per statement (a transition table), not once per row: reports made at
 * the same moment are written by one statement (modules/hazards, `writeReports`), and so are imports and the demo.
 * Updates and deletes keep their row triggers (only changes that move a count fire them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER hazard_rollup_insert ON hazard;

    CREATE FUNCTION hazard_rollup_added() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO hazard_rollup_delta
      SELECT county_id, min(city_id), min(province_id),
        (date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai'))::date AS month,
        category, coalesce(grade, '') AS grade,
        count(*) FILTER (WHERE state <> 'rejected'),
        count(*) FILTER (WHERE state = 'closed'),
        count(*) FILTER (WHERE supervised AND state <> 'rejected'),
        coalesce(sum(extract(epoch FROM closed_at - reported_at)) FILTER (WHERE state = 'closed'), 0),
        count(*) FILTER (WHERE state IN ('reported','confirmed','rectifying','rectified')
          AND overdue_notified_at > deadline)
      FROM added
      GROUP BY county_id, 4, category, 6;
      RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER hazard_rollup_insert AFTER INSERT ON hazard
      REFERENCING NEW TABLE AS added
      FOR EACH STATEMENT EXECUTE FUNCTION hazard_rollup_added();
  `.execute(db);
}
