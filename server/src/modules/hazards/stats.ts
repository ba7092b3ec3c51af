import {
  HAZARD_CATEGORIES,
  HAZARD_GRADES,
  type HazardCategory,
  type HazardCounts,
  type HazardGrade,
  type HazardStats,
  rectificationRate,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { formatDate, startOfDay } from '../../platform/dates.js';
import { escapeLike } from '../orgs/queries.js';
import { type HazardRoot, LEVEL_COLUMN, OPEN_STATES, whereUnder } from './queries.js';
import { HazardService } from './service.js';

export interface StatsPeriod {
  /** Instants bounding reported_at (from inclusive, to exclusive). */
  from?: Date;
  before?: Date;
  labels: { from: string | null; to: string | null };
}

interface Bucket {
  found: number;
  rectified: number;
  overdue: number;
  major: number;
  supervised: number;
  closeSeconds: number;
}

const empty = (): Bucket => ({ found: 0, rectified: 0, overdue: 0, major: 0, supervised: 0, closeSeconds: 0 });

function add(target: Bucket, source: Bucket): void {
  target.found += source.found;
  target.rectified += source.rectified;
  target.overdue += source.overdue;
  target.major += source.major;
  target.supervised += source.supervised;
  target.closeSeconds += source.closeSeconds;
}

function counts(bucket: Bucket): HazardCounts {
  return {
    found: bucket.found,
    rectified: bucket.rectified,
    unrectified: bucket.found - bucket.rectified,
    overdue: bucket.overdue,
    rectificationRate: rectificationRate(bucket.found, bucket.rectified),
    averageDaysToClose:
      bucket.rectified === 0 ? null : Math.round((bucket.closeSeconds / bucket.rectified / 86400) * 10) / 10,
    major: bucket.major,
    supervised: bucket.supervised,
  };
}

/** The time zone of the roll-up's months (0008_hazard_rollup.ts). */
export const ROLLUP_TIME_ZONE = 'Asia/Shanghai';

/** `YYYY-MM-01` of the month `at` falls in, in the roll-up's time zone. */
export function rollupMonthOf(at: Date): string {
  return `${formatDate(at, ROLLUP_TIME_ZONE).slice(0, 7)}-01`;
}

function nextMonth(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, number, 1)).toISOString().slice(0, 10);
}

export interface PeriodSplit {
  /** Whole roll-up months read from hazard_rollup (`from` inclusive, `before` exclusive, null = open), or null. */
  months: { from: string | null; before: string | null } | null;
  /** Instant ranges [from, before) read from the hazard rows: the partial months at the period's edges. */
  edges: { from?: Date; before?: Date }[];
}

/** Splits a period into the whole business months inside it and the partial months at its edges. */
export function splitPeriod(from: Date | undefined, before: Date | undefined): PeriodSplit {
  let first: string | null = null;
  if (from) {
    const month = rollupMonthOf(from);
    first = startOfDay(month, ROLLUP_TIME_ZONE).getTime() === from.getTime() ? month : nextMonth(month);
  }
  const end = before ? rollupMonthOf(before) : null;
  if (first !== null && end !== null && first >= end) return { months: null, edges: [{ from, before }] };
  const edges: PeriodSplit['edges'] = [];
  if (from && first !== null) {
    const start = startOfDay(first, ROLLUP_TIME_ZONE);
    if (from.getTime() < start.getTime()) edges.push({ from, before: start });
  }
  if (before && end !== null) {
    const start = startOfDay(end, ROLLUP_TIME_ZONE);
    if (start.getTime() < before.getTime()) edges.push({ from: start, before });
  }
  return { months: { from: first, before: end }, edges };
}

interface CountRow {
  child_id: number | null;
  category: string;
  grade: string | null;
  found: string | number;
  rectified: string | number;
  overdue: string | number;
  major: string | number;
  supervised: string | number;
  close_seconds: string | number | null;
}

const OPEN_LIST = sql.join(OPEN_STATES.map((state) => sql.lit(state)));

/** What is counted of the hazard rows (every definition in one place). */
function countColumns(now: Date) {
  return [
    sql<string>`count(*) FILTER (WHERE state <> 'rejected')`.as('found'),
    sql<string>`count(*) FILTER (WHERE state = 'closed')`.as('rectified'),
    sql<string>`count(*) FILTER (WHERE state IN (${OPEN_LIST}) AND deadline < ${now})`.as('overdue'),
    sql<string>`count(*) FILTER (WHERE grade = 'major' AND state <> 'rejected')`.as('major'),
    sql<string>`count(*) FILTER (WHERE supervised AND state <> 'rejected')`.as('supervised'),
    sql<string | null>`sum(extract(epoch FROM closed_at - reported_at)) FILTER (WHERE state = 'closed')`.as(
      'close_seconds',
    ),
  ];
}

/** County, school and department statistics: one grouped scan of the hazard rows. */
async function baseRows(db: Kysely<DB>, root: HazardRoot, period: StatsPeriod, now: Date): Promise<CountRow[]> {
  const childColumn = HazardService.childColumn(root.level);
  let query = db
    .selectFrom('hazard')
    .select([
      sql<number | null>`hazard.${sql.ref(childColumn)}`.as('child_id'),
      'hazard.category',
      'hazard.grade',
      ...countColumns(now),
    ])
    .where((eb) => whereUnder(eb, root));
  if (period.from) query = query.where('hazard.reported_at', '>=', period.from);
  if (period.before) query = query.where('hazard.reported_at', '<', period.before);
  return query.groupBy([sql`1`, 'hazard.category', 'hazard.grade']).execute();
}

/**
 * Province (by city) and city (by county) statistics, in one statement so that every part reads the same
 * snapshot: the roll-up for the whole business months inside the period (overdue: the hazards the sweeper
 * has marked), the open hazards of those months past their deadline and not marked yet, and the hazard rows
 * of the partial months at the period's edges.
 */
async function rollupRows(
  db: Kysely<DB>,
  root: HazardRoot & { level: 'province' | 'city' },
  period: StatsPeriod,
  now: Date,
): Promise<CountRow[]> {
  const rootColumn = sql.ref(LEVEL_COLUMN[root.level]);
  const child = sql.ref(HazardService.childColumn(root.level));
  const split = splitPeriod(period.from, period.before);
  const parts = [];
  if (split.months) {
    const { from, before } = split.months;
    parts.push(sql`
      SELECT ${child} AS child_id, category, nullif(grade, '') AS grade,
        sum(found)::bigint AS found, sum(rectified)::bigint AS rectified, sum(overdue_marked)::bigint AS overdue,
        (sum(found) FILTER (WHERE grade = 'major'))::bigint AS major, sum(supervised)::bigint AS supervised,
        sum(close_seconds) AS close_seconds
      FROM hazard_rollup_all
      WHERE ${rootColumn} = ${root.id}
        ${from === null ? sql`` : sql`AND month >= ${from}::date`}
        ${before === null ? sql`` : sql`AND month < ${before}::date`}
      GROUP BY 1, 2, 3`);
  }
  for (const edge of split.edges) {
    parts.push(sql`
      SELECT ${child} AS child_id, category, grade, ${sql.join(countColumns(now))}
      FROM hazard
      WHERE ${rootColumn} = ${root.id}
        ${edge.from ? sql`AND reported_at >= ${edge.from}` : sql``}
        ${edge.before ? sql`AND reported_at < ${edge.before}` : sql``}
      GROUP BY 1, 2, 3`);
  }
  if (split.months) {
    // Past their deadline but not yet marked by the sweeper (partial index hazard_open_unmarked).
    const from = split.months.from === null ? null : startOfDay(split.months.from, ROLLUP_TIME_ZONE);
    const before = split.months.before === null ? null : startOfDay(split.months.before, ROLLUP_TIME_ZONE);
    parts.push(sql`
      SELECT ${child} AS child_id, category, grade, 0::bigint, 0::bigint, count(*) AS overdue, 0::bigint, 0::bigint,
        NULL::numeric
      FROM hazard
      WHERE ${rootColumn} = ${root.id} AND state IN (${OPEN_LIST}) AND deadline IS NOT NULL
        AND (overdue_notified_at IS NULL OR overdue_notified_at <= deadline) AND deadline < ${now}
        ${from === null ? sql`` : sql`AND reported_at >= ${from}`}
        ${before === null ? sql`` : sql`AND reported_at < ${before}`}
      GROUP BY 1, 2, 3`);
    // Marked but not past the deadline now (normally none): not overdue (partial index hazard_open_marked).
    parts.push(sql`
      SELECT ${child} AS child_id, category, grade, 0::bigint, 0::bigint, -count(*) AS overdue, 0::bigint, 0::bigint,
        NULL::numeric
      FROM hazard
      WHERE ${rootColumn} = ${root.id} AND state IN (${OPEN_LIST}) AND overdue_notified_at > deadline
        AND deadline >= ${now}
        ${from === null ? sql`` : sql`AND reported_at >= ${from}`}
        ${before === null ? sql`` : sql`AND reported_at < ${before}`}
      GROUP BY 1, 2, 3`);
  }
  const result = await sql<CountRow>`${sql.join(parts, sql` UNION ALL `)}`.execute(db);
  return result.rows;
}

/**
 * Statistics of the hazards reported under `root` in the period: totals, by category, by grade and by child
 * unit. Found = reported and not rejected (a rejected report was not a hazard); rectified = closed;
 * overdue = open and past its deadline now. A province and a city read the monthly roll-up (plus the
 * edge months' rows); a county, a school and a department count their rows.
 */
export async function hazardStatistics(
  db: Kysely<DB>,
  root: HazardRoot & { name: string },
  period: StatsPeriod,
  now: Date,
): Promise<HazardStats> {
  const rows =
    root.level === 'province' || root.level === 'city'
      ? await rollupRows(db, root as HazardRoot & { level: 'province' | 'city' }, period, now)
      : await baseRows(db, root, period, now);

  const totals = empty();
  const byCategory = new Map<HazardCategory, Bucket>(HAZARD_CATEGORIES.map((category) => [category, empty()]));
  const byGrade = new Map<HazardGrade | null, Bucket>([...HAZARD_GRADES, null].map((grade) => [grade, empty()]));
  const byChild = new Map<number, Bucket>();
  // Hazards owned by the root itself (a school's own, outside any department) count under the root.
  const ownKey = root.id;
  for (const row of rows) {
    const bucket: Bucket = {
      found: Number(row.found),
      rectified: Number(row.rectified),
      overdue: Number(row.overdue),
      major: Number(row.major),
      supervised: Number(row.supervised),
      closeSeconds: Number(row.close_seconds ?? 0),
    };
    add(totals, bucket);
    add(byCategory.get(row.category as HazardCategory)!, bucket);
    add(byGrade.get((row.grade ?? null) as HazardGrade | null)!, bucket);
    const childId = row.child_id ?? ownKey;
    if (!byChild.has(childId)) byChild.set(childId, empty());
    add(byChild.get(childId)!, bucket);
  }

  // Every child unit is listed, with zeros when it reported nothing: a district sees each school.
  const childLevel = {
    province: 'city',
    city: 'county',
    county: 'school',
    school: 'department',
    department: 'department',
  }[root.level];
  const children = await db
    .selectFrom('org_unit')
    .select(['id', 'name', 'code'])
    .where('parent_id', '=', root.id)
    .where('level', '=', childLevel)
    .where('path', 'like', `${escapeLike(root.path)}%`)
    .orderBy('code')
    .execute();
  const childRows = children.map((child) => ({
    orgId: child.id,
    orgName: child.name,
    ...counts(byChild.get(child.id) ?? empty()),
  }));
  // Departments below the first level (and the root's own hazards) are folded into rows of their own.
  const listed = new Set(children.map((child) => child.id));
  const extraIds = [...byChild.keys()].filter((childId) => !listed.has(childId));
  if (extraIds.length > 0) {
    const names = new Map(
      (await db.selectFrom('org_unit').select(['id', 'name']).where('id', 'in', extraIds).execute()).map((org) => [
        org.id,
        org.name,
      ]),
    );
    for (const extraId of extraIds) {
      const name = extraId === ownKey ? `${root.name}（本级）` : (names.get(extraId) ?? String(extraId));
      childRows.push({ orgId: extraId, orgName: name, ...counts(byChild.get(extraId)!) });
    }
  }

  return {
    org: { id: root.id, name: root.name, level: root.level },
    from: period.labels.from,
    to: period.labels.to,
    totals: counts(totals),
    byCategory: [...byCategory].map(([category, bucket]) => ({ category, ...counts(bucket) })),
    byGrade: [...byGrade].map(([grade, bucket]) => ({ grade, ...counts(bucket) })),
    byChild: childRows,
  };
}
