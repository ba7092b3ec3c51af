import type { Kysely } from 'kysely';
import type { AppUserRow, DB } from '../../db/schema.js';
import { escapeLike } from '../orgs/queries.js';

export interface AssignmentRow {
  id: number;
  user_id: number;
  role: string;
  org_id: number;
  org_path: string;
  org_name: string;
  org_level: string;
  org_code: string;
}

export interface UserFilter {
  /** Only users with an assignment under this path (the caller's scope, or a unit inside it). */
  scopePath: string;
  orgPath?: string;
  role?: string;
  keyword?: string;
  afterId?: number;
  limit: number;
}

/** Every SQL statement on app_user and role_assignment outside of sign-in. */
export class UserQueries {
  constructor(private readonly db: Kysely<DB>) {}

  async byId(id: number, executor: Kysely<DB> = this.db): Promise<AppUserRow | undefined> {
    return executor.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byUsername(executor: Kysely<DB>, username: string): Promise<{ id: number } | undefined> {
    return executor
      .selectFrom('app_user')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
      .executeTakeFirst();
  }

  async search(filter: UserFilter): Promise<AppUserRow[]> {
    let query = this.db
      .selectFrom('app_user')
      .selectAll()
      .where((eb) => {
        let assignments = eb
          .selectFrom('role_assignment')
          .select('role_assignment.id')
          .whereRef('role_assignment.user_id', '=', 'app_user.id')
          .where('role_assignment.org_path', 'like', `${escapeLike(filter.scopePath)}%`);
        if (filter.orgPath)
          assignments = assignments.where('role_assignment.org_path', 'like', `${escapeLike(filter.orgPath)}%`);
        if (filter.role) assignments = assignments.where('role_assignment.role', '=', filter.role);
        return eb.exists(assignments);
      });
    if (filter.keyword) {
      const pattern = `%${escapeLike(filter.keyword)}%`;
      query = query.where((eb) => eb.or([eb('username', 'ilike', pattern), eb('display_name', 'ilike', pattern)]));
    }
    if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
    return query.orderBy('id').limit(filter.limit).execute();
  }

  /** All assignments of the given users, with their units, in tree order. */
  async assignmentsOf(userIds: number[], executor: Kysely<DB> = this.db): Promise<AssignmentRow[]> {
    if (userIds.length === 0) return [];
    return executor
      .selectFrom('role_assignment')
      .innerJoin('org_unit', 'org_unit.id', 'role_assignment.org_id')
      .select([
        'role_assignment.id',
        'role_assignment.user_id',
        'role_assignment.role',
        'role_assignment.org_id',
        'org_unit.path as org_path',
        'org_unit.name as org_name',
        'org_unit.level as org_level',
        'org_unit.code as org_code',
      ])
      .where('role_assignment.user_id', 'in', userIds)
      .orderBy('org_unit.path')
      .orderBy('role_assignment.role')
      .execute();
  }

  async revokeSessions(executor: Kysely<DB>, userId: number): Promise<void> {
    await executor
      .updateTable('session')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
