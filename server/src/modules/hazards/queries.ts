import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { DB, HazardRow } from '../../db/schema.js';
import { LEVEL_COLUMN, type UnitRoot } from '../../platform/levels.js';
import { escapeLike } from '../orgs/queries.js';

/** Hazard states that still need work. */
export const OPEN_STATES = ['reported', 'confirmed', 'rectifying', 'rectified'] as const;

export { LEVEL_COLUMN } from '../../platform/levels.js';

export type HazardRoot = UnitRoot;

export interface HazardFilter {
  root: HazardRoot;
  /** Hazards of these users are included even outside the root (a department officer's assigned ones). */
  alsoForUserId?: number;
  state?: string;
  open?: boolean;
  grade?: string;
  category?: string;
  riskLevel?: string;
  overdue?: boolean;
  supervised?: boolean;
  /** Instants bounding reported_at (from inclusive, to exclusive). */
  reportedFrom?: Date;
  reportedBefore?: Date;
  keyword?: string;
  now: Date;
}

export type HazardListRow = HazardRow & {
  school_name: string;
  department_name: string | null;
  place_name: string | null;
  reporter_name: string | null;
  responsible_name: string | null;
  supervising_org_name: string | null;
};

type HazardQuery = SelectQueryBuilder<DB, 'hazard', object>;

/** Restricts to the root's subtree through the level's own column (departments: the path). */
export function whereUnder(eb: ExpressionBuilder<DB, 'hazard'>, root: HazardRoot) {
  if (root.level === 'department') return eb('hazard.org_path', 'like', `${escapeLike(root.path)}%`);
  return eb(`hazard.${LEVEL_COLUMN[root.level]}`, '=', root.id);
}

export function applyFilter(query: HazardQuery, filter: HazardFilter): HazardQuery {
  let q = query.where((eb) =>
    filter.alsoForUserId === undefined
      ? whereUnder(eb, filter.root)
      : eb.or([
          whereUnder(eb, filter.root),
          eb('hazard.responsible_user_id', '=', filter.alsoForUserId),
          eb('hazard.reported_by', '=', filter.alsoForUserId),
        ]),
  );
  if (filter.state) q = q.where('hazard.state', '=', filter.state);
  if (filter.open === true) q = q.where('hazard.state', 'in', [...OPEN_STATES]);
  if (filter.open === false) q = q.where('hazard.state', 'in', ['closed', 'rejected']);
  if (filter.grade) q = q.where('hazard.grade', '=', filter.grade);
  if (filter.category) q = q.where('hazard.category', '=', filter.category);
  if (filter.riskLevel) q = q.where('hazard.risk_level', '=', filter.riskLevel);
  if (filter.overdue === true) {
    q = q.where('hazard.state', 'in', [...OPEN_STATES]).where('hazard.deadline', '<', filter.now);
  }
  if (filter.overdue === false) {
    q = q.where((eb) =>
      eb.or([
        eb('hazard.state', 'not in', [...OPEN_STATES]),
        eb('hazard.deadline', 'is', null),
        eb('hazard.deadline', '>=', filter.now),
      ]),
    );
  }
  if (filter.supervised !== undefined) q = q.where('hazard.supervised', '=', filter.supervised);
  if (filter.reportedFrom) q = q.where('hazard.reported_at', '>=', filter.reportedFrom);
  if (filter.reportedBefore) q = q.where('hazard.reported_at', '<', filter.reportedBefore);
  if (filter.keyword) {
    const pattern = `%${escapeLike(filter.keyword)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('hazard.title', 'ilike', pattern),
        eb('hazard.code', 'ilike', pattern),
        eb('hazard.description', 'ilike', pattern),
      ]),
    );
  }
  return q;
}

/** Every SQL statement on hazard. */
export class HazardQueries {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * The row with the names the pages show. Scalar subqueries rather than six joins: PostgreSQL spent
   * 8–12 ms planning the seven-relation join on every ledger request (docs/benchmarks.md).
   */
  private named(executor: Kysely<DB> = this.db) {
    return executor
      .selectFrom('hazard')
      .selectAll('hazard')
      .select((eb) => [
        eb.selectFrom('org_unit').select('name').whereRef('org_unit.id', '=', 'hazard.school_id').as('school_name'),
        eb
          .selectFrom('org_unit')
          .select('name')
          .whereRef('org_unit.id', '=', 'hazard.department_id')
          .as('department_name'),
        eb.selectFrom('place').select('name').whereRef('place.id', '=', 'hazard.place_id').as('place_name'),
        eb
          .selectFrom('app_user')
          .select('display_name')
          .whereRef('app_user.id', '=', 'hazard.reported_by')
          .as('reporter_name'),
        eb
          .selectFrom('app_user')
          .select('display_name')
          .whereRef('app_user.id', '=', 'hazard.responsible_user_id')
          .as('responsible_name'),
        eb
          .selectFrom('org_unit')
          .select('name')
          .whereRef('org_unit.id', '=', 'hazard.supervising_org_id')
          .as('supervising_org_name'),
      ]);
  }

  async byId(id: number, executor: Kysely<DB> = this.db): Promise<HazardListRow | undefined> {
    return (await this.named(executor).where('hazard.id', '=', id).executeTakeFirst()) as HazardListRow | undefined;
  }

  /** The bare row, locked for a state change. */
  async forUpdate(executor: Kysely<DB>, id: number): Promise<HazardRow | undefined> {
    return executor.selectFrom('hazard').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** A ledger page, newest first, keyset on (reported_at, id). */
  async page(filter: HazardFilter, after: [string, number] | undefined, limit: number): Promise<HazardListRow[]> {
    let query = applyFilter(this.named() as unknown as HazardQuery, filter);
    if (after) {
      const [afterAt, afterId] = after;
      const at = new Date(afterAt);
      // A row comparison, so the (…, reported_at DESC, id DESC) index seeks straight to the page.
      query = query.where((eb) => eb(eb.refTuple('hazard.reported_at', 'hazard.id'), '<', eb.tuple(at, afterId)));
    }
    return (await query
      .orderBy('hazard.reported_at', 'desc')
      .orderBy('hazard.id', 'desc')
      .limit(limit)
      .execute()) as unknown as HazardListRow[];
  }

  /** A user's own hazards: assigned to them or reported by them, open ones first. */
  async mine(
    userId: number,
    role: 'responsible' | 'reported',
    open: boolean | undefined,
    after: [string, number] | undefined,
    limit: number,
  ): Promise<HazardListRow[]> {
    let query = this.named().where(
      role === 'responsible' ? 'hazard.responsible_user_id' : 'hazard.reported_by',
      '=',
      userId,
    );
    if (open === true) query = query.where('hazard.state', 'in', [...OPEN_STATES]);
    if (open === false) query = query.where('hazard.state', 'in', ['closed', 'rejected']);
    if (after) {
      const at = new Date(after[0]);
      query = query.where((eb) => eb(eb.refTuple('hazard.reported_at', 'hazard.id'), '<', eb.tuple(at, after[1])));
    }
    return (await query
      .orderBy('hazard.reported_at', 'desc')
      .orderBy('hazard.id', 'desc')
      .limit(limit)
      .execute()) as HazardListRow[];
  }

  /** Users holding one of `roles` exactly at `orgId` (the school's security officers, a county's bureau officers). */
  async usersWithRole(executor: Kysely<DB>, orgId: number, roles: string[]): Promise<number[]> {
    const rows = await executor
      .selectFrom('role_assignment')
      .innerJoin('app_user', 'app_user.id', 'role_assignment.user_id')
      .select('role_assignment.user_id')
      .distinct()
      .where('role_assignment.org_id', '=', orgId)
      .where('role_assignment.role', 'in', roles)
      .where('app_user.disabled', '=', false)
      .execute();
    return rows.map((row) => row.user_id);
  }

  async nextId(executor: Kysely<DB>): Promise<number> {
    const result = await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence('hazard', 'id')) AS id`.execute(
      executor,
    );
    return Number(result.rows[0]!.id);
  }
}
