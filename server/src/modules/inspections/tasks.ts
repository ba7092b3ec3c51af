import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { notify } from '../../platform/notifications.js';
import { publish } from '../../platform/realtime.js';

/** Today and tomorrow (`YYYY-MM-DD`) in the business time zone. */
export function businessDays(now: Date, timeZone: string): [string, string] {
  const format = (at: Date) =>
    new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  const today = format(now);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const tomorrow = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return [today, tomorrow];
}

/**
 * Creates the tasks of `days` (default today and tomorrow) for active plans in one set-based statement:
 * the schedule's runsOn rule (domain/inspections.ts) in SQL, one row per window × place (or one per window for a
 * route or a whole-school plan), the template's current version frozen into the task. The unique key
 * (plan, window start, place) makes every run idempotent. Returns the number of tasks created.
 */
export async function generateTasks(
  db: Kysely<DB>,
  timeZone: string,
  now: Date,
  options: { planId?: number; days?: string[] } = {},
): Promise<number> {
  const days = options.days ?? businessDays(now, timeZone);
  const planFilter = options.planId !== undefined ? sql`AND p.id = ${options.planId}` : sql``;
  const result = await sql`
    INSERT INTO inspection_task (plan_id, org_path, school_id, county_id, template_version_id, route_id, place_id,
                                 assignee_ids, duty_role, day, window_start, window_end)
    SELECT p.id, p.org_path, p.school_id, p.county_id, tv.id, p.route_id, pl.place_id, p.assignee_ids, p.duty_role,
           w.day, w.window_start, w.window_end
    FROM inspection_plan p
    JOIN inspection_template t ON t.id = p.template_id
    JOIN inspection_template_version tv ON tv.template_id = t.id AND tv.version = t.current_version
    CROSS JOIN LATERAL (
      SELECT d.day,
             (d.day + (win.value->>'start')::time) AT TIME ZONE ${timeZone} AS window_start,
             (d.day + (win.value->>'end')::time
               + CASE WHEN (win.value->>'end')::time <= (win.value->>'start')::time THEN interval '1 day'
                      ELSE interval '0' END) AT TIME ZONE ${timeZone} AS window_end
      FROM unnest(${days}::date[]) AS d(day)
      CROSS JOIN LATERAL jsonb_array_elements(p.schedule->'windows') AS win(value)
      WHERE d.day >= (p.schedule->>'startsOn')::date
        AND (p.schedule->>'endsOn' IS NULL OR d.day <= (p.schedule->>'endsOn')::date)
        AND CASE p.schedule->>'frequency'
              WHEN 'weekly' THEN (p.schedule->'weekdays') @> to_jsonb(extract(isodow FROM d.day)::int)
              WHEN 'monthly' THEN extract(day FROM d.day)::int = (p.schedule->>'dayOfMonth')::int
              WHEN 'quarterly' THEN extract(day FROM d.day)::int = (p.schedule->>'dayOfMonth')::int
                                    AND (extract(month FROM d.day)::int - 1) % 3 = 0
              WHEN 'once' THEN d.day = (p.schedule->>'startsOn')::date
              ELSE true
            END
    ) w
    CROSS JOIN LATERAL unnest(
      CASE WHEN p.route_id IS NULL AND cardinality(p.place_ids) > 0 THEN p.place_ids ELSE ARRAY[NULL::int] END
    ) AS pl(place_id)
    WHERE p.active AND w.window_end > p.tasks_from ${planFilter}
    ON CONFLICT (plan_id, window_start, place_id) DO NOTHING
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

const MISSED_BATCH = 5000;

/**
 * Marks pending tasks whose window has ended as missed, a batch at a time (SKIP LOCKED: a phone's sync that
 * is completing one of them wins). Each school's security officers get one notice per sweep listing its
 * missed tasks, and the school's stream gets `inspection.missed`. Returns the number of tasks marked.
 */
export async function sweepMissed(db: Kysely<DB>, now: Date): Promise<number> {
  let total = 0;
  for (let round = 0; round < 100; round++) {
    const count = await db.transaction().execute(async (trx) => {
      const missed = await sql<{
        id: number;
        school_id: number;
        org_path: string;
        plan_id: number;
        window_end: Date;
      }>`
        UPDATE inspection_task t SET state = 'missed', missed_notified_at = ${now}
        WHERE t.id IN (
          SELECT id FROM inspection_task
          WHERE state = 'pending' AND window_end < ${now}
          ORDER BY window_end LIMIT ${MISSED_BATCH}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING t.id, t.school_id, t.org_path, t.plan_id, t.window_end
      `.execute(trx);
      if (missed.rows.length === 0) return 0;
      const bySchool = new Map<number, typeof missed.rows>();
      for (const row of missed.rows) {
        const list = bySchool.get(row.school_id) ?? [];
        list.push(row);
        bySchool.set(row.school_id, list);
      }
      const planIds = [...new Set(missed.rows.map((row) => row.plan_id))];
      const plans = await trx.selectFrom('inspection_plan').select(['id', 'name']).where('id', 'in', planIds).execute();
      const planNames = new Map(plans.map((plan) => [plan.id, plan.name]));
      const officers = await trx
        .selectFrom('role_assignment')
        .innerJoin('app_user', 'app_user.id', 'role_assignment.user_id')
        .select(['role_assignment.org_id', 'role_assignment.user_id'])
        .where('role_assignment.org_id', 'in', [...bySchool.keys()])
        .where('role_assignment.role', '=', 'school_security')
        .where('app_user.disabled', '=', false)
        .execute();
      for (const [schoolId, rows] of bySchool) {
        const schoolPath = `${rows[0]!.org_path.split('/').slice(0, 5).join('/')}/`;
        const names = [...new Set(rows.map((row) => planNames.get(row.plan_id) ?? ''))];
        await notify(trx, {
          userIds: officers.filter((o) => o.org_id === schoolId).map((o) => o.user_id),
          kind: 'inspection.missed',
          title: `${rows.length} 项检查/巡查任务未按时完成：${names.slice(0, 3).join('、')}${names.length > 3 ? '等' : ''}`,
          link: '/inspections/tasks?state=missed',
          orgPath: schoolPath,
        });
        await publish(trx, {
          type: 'inspection.missed',
          orgPath: schoolPath,
          payload: {
            schoolId,
            taskIds: rows.slice(0, 200).map((row) => row.id),
            count: rows.length,
            plans: names.slice(0, 20),
          },
        });
      }
      return missed.rows.length;
    });
    total += count;
    if (count < MISSED_BATCH) break;
  }
  return total;
}
