import type { OrgLevel } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB, OrgUnitRow } from '../../db/schema.js';

export type OrgWithCount = OrgUnitRow & { child_count: number };

/** Every SQL statement on org_unit. */
export class OrgQueries {
  constructor(private readonly db: Kysely<DB>) {}

  private withChildCount() {
    return this.db
      .selectFrom('org_unit')
      .selectAll('org_unit')
      .select((eb) =>
        eb
          .selectFrom('org_unit as child')
          .select((inner) => inner.fn.countAll<number>().as('count'))
          .whereRef('child.parent_id', '=', 'org_unit.id')
          .as('child_count'),
      );
  }

  async byId(id: number): Promise<OrgWithCount | undefined> {
    return (await this.withChildCount().where('org_unit.id', '=', id).executeTakeFirst()) as OrgWithCount | undefined;
  }

  async byCode(code: string): Promise<OrgUnitRow | undefined> {
    return this.db.selectFrom('org_unit').selectAll().where('code', '=', code).executeTakeFirst();
  }

  async children(parentId: number): Promise<OrgWithCount[]> {
    return (await this.withChildCount()
      .where('org_unit.parent_id', '=', parentId)
      .orderBy('org_unit.code')
      .execute()) as OrgWithCount[];
  }

  /** The subtree under `path` (itself included), down to `maxLevel`, in tree order. */
  async subtree(path: string, levels: OrgLevel[]): Promise<OrgWithCount[]> {
    return (await this.withChildCount()
      .where('org_unit.path', 'like', `${path}%`)
      .where('org_unit.level', 'in', levels)
      .orderBy('org_unit.path')
      .execute()) as OrgWithCount[];
  }

  async search(filter: {
    scopePath: string;
    level?: OrgLevel;
    schoolType?: string;
    keyword?: string;
    afterPath?: string;
    limit: number;
  }): Promise<OrgWithCount[]> {
    let query = this.withChildCount().where('org_unit.path', 'like', `${filter.scopePath}%`);
    if (filter.level) query = query.where('org_unit.level', '=', filter.level);
    if (filter.schoolType) query = query.where('org_unit.school_type', '=', filter.schoolType);
    if (filter.keyword) {
      const pattern = `%${escapeLike(filter.keyword)}%`;
      query = query.where((eb) =>
        eb.or([eb('org_unit.name', 'ilike', pattern), eb('org_unit.code', 'ilike', pattern)]),
      );
    }
    if (filter.afterPath) query = query.where('org_unit.path', '>', filter.afterPath);
    return (await query.orderBy('org_unit.path').limit(filter.limit).execute()) as OrgWithCount[];
  }

  async nextId(executor: Kysely<DB>): Promise<number> {
    const result = await sql<{
      id: number;
    }>`SELECT nextval(pg_get_serial_sequence('org_unit', 'id'))::int AS id`.execute(executor);
    return result.rows[0]!.id;
  }

  async hasDependants(executor: Kysely<DB>, id: number): Promise<boolean> {
    const result = await sql<{ used: boolean }>`
      SELECT EXISTS (SELECT 1 FROM org_unit WHERE parent_id = ${id})
          OR EXISTS (SELECT 1 FROM place WHERE org_id = ${id})
          OR EXISTS (SELECT 1 FROM role_assignment WHERE org_id = ${id}) AS used`.execute(executor);
    return result.rows[0]?.used ?? false;
  }
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (match) => `\\${match}`);
}
