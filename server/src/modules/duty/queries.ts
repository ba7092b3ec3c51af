import type { DutyPerson, DutyRole } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';

export const ROLE_ORDER: Record<DutyRole, number> = { leader: 0, officer: 1, guard: 2 };

export interface ShiftRow {
  id: number;
  org_id: number;
  org_path: string;
  org_name: string;
  starts_at: Date;
  ends_at: Date;
  kind: string;
  holiday_name: string | null;
  phone: string | null;
  note: string | null;
  people: DutyPerson[];
  handed_over: boolean;
}

function sortPeople(people: DutyPerson[]): DutyPerson[] {
  return [...people].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name, 'zh'));
}

/** Shifts with their people, one query for the shifts and one for all their people. */
export async function shiftsWhere(
  db: Kysely<DB>,
  where: { ids?: number[]; orgId?: number; from?: Date; before?: Date },
): Promise<ShiftRow[]> {
  let query = db
    .selectFrom('duty_shift as s')
    .innerJoin('org_unit as o', 'o.id', 's.org_id')
    .select([
      's.id',
      's.org_id',
      's.org_path',
      'o.name as org_name',
      's.starts_at',
      's.ends_at',
      's.kind',
      's.holiday_name',
      's.phone',
      's.note',
      sql<boolean>`EXISTS (SELECT 1 FROM duty_handover h WHERE h.shift_id = s.id)`.as('handed_over'),
    ]);
  if (where.ids) query = query.where('s.id', 'in', where.ids.length > 0 ? where.ids : [0]);
  if (where.orgId !== undefined) query = query.where('s.org_id', '=', where.orgId);
  if (where.before) query = query.where('s.starts_at', '<', where.before);
  // Shifts last at most 24 h: the bound on starts_at keeps the index range short.
  if (where.from)
    query = query
      .where('s.ends_at', '>', where.from)
      .where('s.starts_at', '>', new Date(where.from.getTime() - 24 * 3600_000));
  const shifts = await query.orderBy('s.starts_at').orderBy('s.id').limit(5000).execute();
  const people = await peopleOf(
    db,
    shifts.map((shift) => shift.id),
  );
  return shifts.map((shift) => ({ ...shift, people: people.get(shift.id) ?? [] }));
}

export async function peopleOf(db: Kysely<DB>, shiftIds: number[]): Promise<Map<number, DutyPerson[]>> {
  const out = new Map<number, DutyPerson[]>();
  if (shiftIds.length === 0) return out;
  const rows = await db
    .selectFrom('duty_assignment as a')
    .innerJoin('app_user as u', 'u.id', 'a.user_id')
    .select(['a.shift_id', 'a.user_id', 'u.display_name', 'a.duty_role'])
    .where('a.shift_id', 'in', shiftIds)
    .execute();
  for (const row of rows) {
    const list = out.get(row.shift_id) ?? [];
    list.push({ userId: row.user_id, name: row.display_name, role: row.duty_role as DutyRole });
    out.set(row.shift_id, list);
  }
  for (const [id, list] of out) out.set(id, sortPeople(list));
  return out;
}

export function presentShift(row: ShiftRow) {
  return {
    id: row.id,
    orgId: row.org_id,
    orgName: row.org_name,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    kind: row.kind as 'regular' | 'holiday',
    holidayName: row.holiday_name,
    phone: row.phone,
    note: row.note,
    people: row.people,
    hasLeader: row.people.some((person) => person.role === 'leader'),
    handedOver: row.handed_over,
  };
}

/** Users of a unit: a role at the unit itself or at one of its departments; enabled accounts only. */
export async function candidatesOf(db: Kysely<DB>, unitId: number) {
  const rows = await db
    .selectFrom('role_assignment as ra')
    .innerJoin('app_user as u', 'u.id', 'ra.user_id')
    .innerJoin('org_unit as o', 'o.id', 'ra.org_id')
    .select(['u.id', 'u.display_name', sql<string[]>`array_agg(DISTINCT ra.role)`.as('roles')])
    .where('u.disabled', '=', false)
    .where((eb) =>
      eb.or([eb('ra.org_id', '=', unitId), eb.and([eb('o.parent_id', '=', unitId), eb('o.level', '=', 'department')])]),
    )
    .groupBy(['u.id', 'u.display_name'])
    .orderBy('u.display_name')
    .limit(2000)
    .execute();
  return rows.map((row) => ({ userId: row.id, name: row.display_name, roles: row.roles }));
}

/** Of `userIds`, those that are users of the unit. */
export async function membersAmong(db: Kysely<DB>, unitId: number, userIds: number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('role_assignment as ra')
    .innerJoin('app_user as u', 'u.id', 'ra.user_id')
    .innerJoin('org_unit as o', 'o.id', 'ra.org_id')
    .select('ra.user_id')
    .distinct()
    .where('ra.user_id', 'in', userIds)
    .where('u.disabled', '=', false)
    .where((eb) =>
      eb.or([eb('ra.org_id', '=', unitId), eb.and([eb('o.parent_id', '=', unitId), eb('o.level', '=', 'department')])]),
    )
    .execute();
  return new Set(rows.map((row) => row.user_id));
}

export interface Span {
  startsAt: Date;
  endsAt: Date;
}

/**
 * Existing shifts (other than `exclude`) on which one of `userIds` overlaps one of `spans`: one query
 * for a whole generated table.
 */
export async function overlapsFor(
  db: Kysely<DB>,
  userIds: number[],
  spans: Span[],
  exclude: number[] = [],
): Promise<{ user_id: number; name: string; shift_id: number }[]> {
  if (userIds.length === 0 || spans.length === 0) return [];
  const starts = spans.map((span) => span.startsAt.toISOString());
  const ends = spans.map((span) => span.endsAt.toISOString());
  const result = await sql<{ user_id: number; name: string; shift_id: number }>`
    SELECT DISTINCT a.user_id, u.display_name AS name, s.id AS shift_id
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS span(starts_at, ends_at)
    JOIN duty_shift s ON s.starts_at < span.ends_at AND s.ends_at > span.starts_at
    JOIN duty_assignment a ON a.shift_id = s.id
    JOIN app_user u ON u.id = a.user_id
    WHERE a.user_id = ANY(${userIds}::int[])
      AND NOT (s.id = ANY(${exclude.length > 0 ? exclude : [0]}::int[]))
    LIMIT 50`.execute(db);
  return result.rows;
}

// ------------------------------------------------------------------------------------------------ now

export interface NowRow {
  id: number;
  name: string;
  level: string;
  path: string;
  parent_name: string | null;
  people: DutyPerson[] | null;
  phone: string | null;
}

const activeShift = (unit: string, now: Date) => sql`
  EXISTS (SELECT 1 FROM duty_shift s
          WHERE s.org_id = ${sql.ref(unit)} AND s.starts_at <= ${now}
            AND s.starts_at > ${new Date(now.getTime() - 24 * 3600_000)} AND s.ends_at > ${now})`;

/**
 * Every school and bureau of the subtree (not departments), a page ordered by path, with the people
 * on duty now aggregated in the same query (one LATERAL per unit of the page, on the org/time index).
 */
export async function nowPage(
  db: Kysely<DB>,
  rootPath: string,
  now: Date,
  options: { nobody?: boolean; after?: string; limit: number },
): Promise<NowRow[]> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const result = await sql<NowRow>`
    WITH units AS (
      SELECT o.id, o.name, o.level, o.path, p.name AS parent_name
      FROM org_unit o LEFT JOIN org_unit p ON p.id = o.parent_id
      WHERE o.path LIKE ${`${rootPath}%`} AND o.level <> 'department'
        ${options.after !== undefined ? sql`AND o.path > ${options.after}` : sql``}
        ${options.nobody ? sql`AND NOT ${activeShift('o.id', now)}` : sql``}
      ORDER BY o.path
      LIMIT ${options.limit}
    )
    SELECT units.*, duty.people, duty.phone
    FROM units
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('userId', a.user_id, 'name', u.display_name, 'role', a.duty_role)
                      ORDER BY CASE a.duty_role WHEN 'leader' THEN 0 WHEN 'officer' THEN 1 ELSE 2 END, u.display_name)
               AS people,
             max(s.phone) AS phone
      FROM duty_shift s
      JOIN duty_assignment a ON a.shift_id = s.id
      JOIN app_user u ON u.id = a.user_id
      WHERE s.org_id = units.id AND s.starts_at <= ${now} AND s.starts_at > ${since} AND s.ends_at > ${now}
    ) duty ON true
    ORDER BY units.path`.execute(db);
  return result.rows;
}

export async function nowTotals(db: Kysely<DB>, rootPath: string, now: Date) {
  // Two cheap counts: the units of the subtree, and the units among the few shifts running now (time index).
  const result = await sql<{ units: number; on_duty: number }>`
    SELECT
      (SELECT count(*)::int FROM org_unit o WHERE o.path LIKE ${`${rootPath}%`} AND o.level <> 'department') AS units,
      (SELECT count(DISTINCT s.org_id)::int
       FROM duty_shift s JOIN org_unit o ON o.id = s.org_id
       WHERE s.org_path LIKE ${`${rootPath}%`} AND o.level <> 'department'
         AND s.starts_at <= ${now} AND s.starts_at > ${new Date(now.getTime() - 24 * 3600_000)}
         AND s.ends_at > ${now}) AS on_duty`.execute(db);
  const row = result.rows[0] ?? { units: 0, on_duty: 0 };
  return { units: row.units, onDuty: row.on_duty, nobody: row.units - row.on_duty };
}

// ------------------------------------------------------------------------------------------------ coverage

export interface CoverageRow {
  id: number;
  name: string;
  path: string;
  parent_name: string | null;
  uncovered: string[] | null;
  without_leader: string[] | null;
}

/**
 * Per school of the subtree: the days of the period without any shift and without a leader, by the
 * rule of domain `holidayCoverage` (a shift counts for each day one of its hourly steps from the start
 * falls on). Shifts last at most 24 h, so those days are the day of the start and the day of the last
 * hourly step: two rows per shift instead of one per hour.
 */
export function coverageSql(
  rootPath: string,
  period: { days: string[]; start: Date; end: Date },
  zone: string,
  options: { gaps?: boolean; after?: string; limit?: number },
) {
  return sql`
    WITH schools AS (
      SELECT o.id, o.name, o.path, p.name AS parent_name
      FROM org_unit o LEFT JOIN org_unit p ON p.id = o.parent_id
      WHERE o.path LIKE ${`${rootPath}%`} AND o.level = 'school'
        ${options.after !== undefined ? sql`AND o.path > ${options.after}` : sql``}
    ),
    -- unnest and VALUES rather than generate_series: the planner then expects a few rows, not 1,000 per
    -- call, and does not switch on JIT compilation (a second of the answer at 20,000 schools).
    days AS (SELECT unnest(${period.days}::date[]) AS day),
    -- Materialized once: every shift of the subtree in the period (the time index), never once per school.
    touched AS MATERIALIZED (
      SELECT s.org_id, d.day, bool_or(l.shift_id IS NOT NULL) AS led
      FROM duty_shift s
      CROSS JOIN LATERAL (VALUES
        ((s.starts_at AT TIME ZONE ${zone})::date),
        (((s.starts_at + (ceil(extract(epoch FROM s.ends_at - s.starts_at) / 3600) - 1) * interval '1 hour')
          AT TIME ZONE ${zone})::date)
      ) AS d(day)
      LEFT JOIN duty_assignment l ON l.shift_id = s.id AND l.duty_role = 'leader'
      WHERE s.org_path LIKE ${`${rootPath}%`}
        AND s.starts_at < ${period.end} AND s.ends_at > ${period.start}
        AND s.starts_at > ${new Date(period.start.getTime() - 24 * 3600_000)}
      GROUP BY 1, 2
    ),
    per AS (
      SELECT schools.id, schools.name, schools.path, schools.parent_name,
             array_agg(to_char(days.day, 'YYYY-MM-DD') ORDER BY days.day) FILTER (WHERE t.day IS NULL) AS uncovered,
             array_agg(to_char(days.day, 'YYYY-MM-DD') ORDER BY days.day) FILTER (WHERE t.led IS NOT TRUE)
               AS without_leader
      FROM schools CROSS JOIN days
      LEFT JOIN touched t ON t.org_id = schools.id AND t.day = days.day
      GROUP BY schools.id, schools.name, schools.path, schools.parent_name
    )
    SELECT * FROM per
    ${options.gaps ? sql`WHERE without_leader IS NOT NULL` : sql``}
    ORDER BY path
    ${options.limit !== undefined ? sql`LIMIT ${options.limit}` : sql``}`;
}

export async function coveragePage(
  db: Kysely<DB>,
  rootPath: string,
  period: { days: string[]; start: Date; end: Date },
  zone: string,
  options: { gaps?: boolean; after?: string; limit?: number },
): Promise<CoverageRow[]> {
  return (await coverageSql(rootPath, period, zone, options).execute(db)).rows as CoverageRow[];
}

export async function coverageTotals(
  db: Kysely<DB>,
  rootPath: string,
  period: { days: string[]; start: Date; end: Date },
  zone: string,
) {
  const inner = coverageSql(rootPath, period, zone, {});
  const result = await sql<{ schools: number; with_table: number; without_leader: number }>`
    SELECT count(*)::int AS schools,
           count(*) FILTER (WHERE c.uncovered IS NULL)::int AS with_table,
           count(*) FILTER (WHERE c.without_leader IS NOT NULL)::int AS without_leader
    FROM (${inner}) c`.execute(db);
  const row = result.rows[0] ?? { schools: 0, with_table: 0, without_leader: 0 };
  return {
    schools: row.schools,
    withTable: row.with_table,
    withoutTable: row.schools - row.with_table,
    withoutLeader: row.without_leader,
  };
}

export function presentCoverage(row: CoverageRow) {
  const uncovered = row.uncovered ?? [];
  const withoutLeader = row.without_leader ?? [];
  return {
    orgId: row.id,
    orgName: row.name,
    parentName: row.parent_name,
    uncovered,
    withoutLeader,
    hasTable: uncovered.length === 0,
    led: withoutLeader.length === 0,
  };
}
