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
import { escapeLike } from '../orgs/queries.js';
import { type HazardRoot, OPEN_STATES, whereUnder } from './queries.js';
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

/**
 * Statistics of the hazards reported under `root` in the period, in one grouped scan: totals, by category,
 * by grade and by child unit. Found = reported and not rejected (a rejected report was not a hazard);
 * rectified = closed; overdue = open and past its deadline now.
 */
export async function hazardStatistics(
  db: Kysely<DB>,
  root: HazardRoot & { name: string },
  period: StatsPeriod,
  now: Date,
): Promise<HazardStats> {
  const childColumn = HazardService.childColumn(root.level);
  const open = sql.join(OPEN_STATES.map((state) => sql.lit(state)));
  let query = db
    .selectFrom('hazard')
    .select([
      sql<number | null>`hazard.${sql.ref(childColumn)}`.as('child_id'),
      'hazard.category',
      'hazard.grade',
      sql<string>`count(*) FILTER (WHERE state <> 'rejected')`.as('found'),
      sql<string>`count(*) FILTER (WHERE state = 'closed')`.as('rectified'),
      sql<string>`count(*) FILTER (WHERE state IN (${open}) AND deadline < ${now})`.as('overdue'),
      sql<string>`count(*) FILTER (WHERE grade = 'major' AND state <> 'rejected')`.as('major'),
      sql<string>`count(*) FILTER (WHERE supervised AND state <> 'rejected')`.as('supervised'),
      sql<string | null>`sum(extract(epoch FROM closed_at - reported_at)) FILTER (WHERE state = 'closed')`.as(
        'close_seconds',
      ),
    ])
    .where((eb) => whereUnder(eb, root));
  if (period.from) query = query.where('hazard.reported_at', '>=', period.from);
  if (period.before) query = query.where('hazard.reported_at', '<', period.before);
  const rows = await query.groupBy([sql`1`, 'hazard.category', 'hazard.grade']).execute();

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
