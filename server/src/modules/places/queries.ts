import type { Kysely } from 'kysely';
import type { DB, PlaceRow } from '../../db/schema.js';
import { escapeLike } from '../orgs/queries.js';

export interface PlaceFilter {
  /** Places of every school under this path (a school's own path for one school). */
  orgPath: string;
  kind?: string;
  keyPart?: boolean;
  keyword?: string;
  /** Keyset cursor: (org_path, code) of the last row of the previous page. */
  after?: [string, string];
  limit: number;
}

/** Every SQL statement on place. */
export class PlaceQueries {
  constructor(private readonly db: Kysely<DB>) {}

  async byId(id: number, executor: Kysely<DB> = this.db): Promise<PlaceRow | undefined> {
    return executor.selectFrom('place').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byCode(executor: Kysely<DB>, orgId: number, code: string): Promise<PlaceRow | undefined> {
    return executor
      .selectFrom('place')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('code', '=', code)
      .executeTakeFirst();
  }

  /** Every place of the given schools, for imports (code lookups) and exports. */
  async ofSchools(orgIds: number[], executor: Kysely<DB> = this.db): Promise<PlaceRow[]> {
    if (orgIds.length === 0) return [];
    return executor
      .selectFrom('place')
      .selectAll()
      .where('org_id', 'in', orgIds)
      .orderBy('org_path')
      .orderBy('code')
      .execute();
  }

  async search(filter: PlaceFilter): Promise<PlaceRow[]> {
    let query = this.db
      .selectFrom('place')
      .selectAll()
      .where('org_path', 'like', `${escapeLike(filter.orgPath)}%`);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.keyPart !== undefined) query = query.where('key_part', '=', filter.keyPart);
    if (filter.keyword) {
      const pattern = `%${escapeLike(filter.keyword)}%`;
      query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('code', 'ilike', pattern)]));
    }
    if (filter.after) {
      const [afterPath, afterCode] = filter.after;
      query = query.where((eb) =>
        eb.or([eb('org_path', '>', afterPath), eb.and([eb('org_path', '=', afterPath), eb('code', '>', afterCode)])]),
      );
    }
    return query.orderBy('org_path').orderBy('code').limit(filter.limit).execute();
  }

  async hasChildren(executor: Kysely<DB>, id: number): Promise<boolean> {
    const child = await executor
      .selectFrom('place')
      .select('id')
      .where('parent_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    return child !== undefined;
  }

  /** Ids from `id` up to the root of its place tree (to refuse cycles). */
  async ancestorIds(executor: Kysely<DB>, id: number): Promise<number[]> {
    const ids: number[] = [];
    let current: number | null = id;
    while (current !== null && ids.length < 100) {
      ids.push(current);
      const row: { parent_id: number | null } | undefined = await executor
        .selectFrom('place')
        .select('parent_id')
        .where('id', '=', current)
        .executeTakeFirst();
      current = row?.parent_id ?? null;
    }
    return ids;
  }
}
