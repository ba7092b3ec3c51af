import type { DeviceKind, DeviceStatus } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { escapeLike } from '../orgs/queries.js';
import type { DeviceListRow } from './presenter.js';

/** Places that count as key places for coverage and offline warnings: key parts and gates. */
export const KEY_PLACE_SQL = sql<boolean>`(place.key_part OR place.kind IN ('gate','key_part'))`;

export interface DeviceFilter {
  orgPath: string;
  kind?: DeviceKind;
  status?: DeviceStatus;
  placeId?: number;
  zone?: string;
  keyword?: string;
  after?: [string, string];
  limit: number;
  now: Date;
  offlineAfterSeconds: number;
}

export class DeviceQueries {
  constructor(private readonly db: Kysely<DB>) {}

  private base(executor: Kysely<DB> = this.db) {
    return executor
      .selectFrom('device')
      .innerJoin('org_unit as school', 'school.id', 'device.school_id')
      .leftJoin('place', 'place.id', 'device.place_id')
      .selectAll('device')
      .select([
        'school.name as school_name',
        'school.code as school_code',
        'place.name as place_name',
        KEY_PLACE_SQL.as('place_key'),
      ]);
  }

  async byId(id: number, executor: Kysely<DB> = this.db): Promise<DeviceListRow | undefined> {
    return (await this.base(executor).where('device.id', '=', id).executeTakeFirst()) as DeviceListRow | undefined;
  }

  async search(filter: DeviceFilter): Promise<DeviceListRow[]> {
    let query = this.base().where('device.org_path', 'like', `${escapeLike(filter.orgPath)}%`);
    if (filter.kind) query = query.where('device.kind', '=', filter.kind);
    if (filter.placeId) query = query.where('device.place_id', '=', filter.placeId);
    if (filter.zone) query = query.where('device.zone', '=', filter.zone);
    if (filter.keyword) {
      const pattern = `%${escapeLike(filter.keyword)}%`;
      query = query.where((eb) => eb.or([eb('device.name', 'ilike', pattern), eb('device.code', 'ilike', pattern)]));
    }
    if (filter.status) {
      const cutoff = new Date(filter.now.getTime() - filter.offlineAfterSeconds * 1000);
      const status = filter.status;
      query = query.where((eb) => {
        const online = eb('device.kind', '<>', 'bollard');
        switch (status) {
          case 'passive':
            return eb('device.kind', '=', 'bollard');
          case 'fault':
            return eb.and([online, eb('device.fault_since', 'is not', null)]);
          case 'unknown':
            return eb.and([online, eb('device.fault_since', 'is', null), eb('device.last_seen_at', 'is', null)]);
          case 'online':
            return eb.and([online, eb('device.fault_since', 'is', null), eb('device.last_seen_at', '>=', cutoff)]);
          case 'offline':
            return eb.and([online, eb('device.fault_since', 'is', null), eb('device.last_seen_at', '<', cutoff)]);
        }
      });
    }
    if (filter.after) {
      const [path, code] = filter.after;
      query = query.where((eb) =>
        eb.or([
          eb('device.org_path', '>', path),
          eb.and([eb('device.org_path', '=', path), eb('device.code', '>', code)]),
        ]),
      );
    }
    return (await query
      .orderBy('device.org_path')
      .orderBy('device.code')
      .limit(filter.limit)
      .execute()) as DeviceListRow[];
  }
}
