import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import type { AlarmRow, DB } from '../../db/schema.js';
import { LEVEL_COLUMN, type UnitRoot } from '../../platform/levels.js';
import { escapeLike } from '../orgs/queries.js';

export const OPEN_ALARM_STATES = ['new', 'acknowledged', 'dispatched', 'on_scene'] as const;

export type AlarmRoot = UnitRoot;

export type AlarmListRow = AlarmRow & {
  school_name: string;
  place_name: string | null;
  device_name: string | null;
  reporter_name: string | null;
  dispatched_to_name: string | null;
  acknowledged_by_name: string | null;
  resolved_by_name: string | null;
};

export interface AlarmFilter {
  root: AlarmRoot;
  state?: string;
  kind?: string;
  source?: string;
  open?: boolean;
  escalated?: boolean;
  falseAlarm?: boolean;
  from?: Date;
  before?: Date;
}

type AlarmQuery = SelectQueryBuilder<DB, 'alarm', object>;

/** One index range per level (alarms always belong to a school); a department sees through the path. */
export function whereUnder(eb: ExpressionBuilder<DB, 'alarm'>, root: AlarmRoot) {
  if (root.level === 'department') return eb('alarm.org_path', 'like', `${escapeLike(root.path)}%`);
  return eb(`alarm.${LEVEL_COLUMN[root.level]}`, '=', root.id);
}

function applyFilter(query: AlarmQuery, filter: AlarmFilter): AlarmQuery {
  let q = query.where((eb) => whereUnder(eb, filter.root));
  if (filter.state) q = q.where('alarm.state', '=', filter.state);
  if (filter.kind) q = q.where('alarm.kind', '=', filter.kind);
  if (filter.source) q = q.where('alarm.source', '=', filter.source);
  if (filter.open === true) q = q.where('alarm.state', '<>', 'resolved');
  if (filter.open === false) q = q.where('alarm.state', '=', 'resolved');
  if (filter.escalated === true) q = q.where('alarm.escalated_at', 'is not', null);
  if (filter.escalated === false) q = q.where('alarm.escalated_at', 'is', null);
  if (filter.falseAlarm !== undefined) q = q.where('alarm.false_alarm', '=', filter.falseAlarm);
  if (filter.from) q = q.where('alarm.raised_at', '>=', filter.from);
  if (filter.before) q = q.where('alarm.raised_at', '<', filter.before);
  return q;
}

export class AlarmQueries {
  constructor(private readonly db: Kysely<DB>) {}

  private base(executor: Kysely<DB> = this.db) {
    return executor
      .selectFrom('alarm')
      .innerJoin('org_unit as school', 'school.id', 'alarm.school_id')
      .leftJoin('place', 'place.id', 'alarm.place_id')
      .leftJoin('device', 'device.id', 'alarm.device_id')
      .leftJoin('app_user as reporter', 'reporter.id', 'alarm.reporter_id')
      .leftJoin('app_user as assignee', 'assignee.id', 'alarm.dispatched_to')
      .leftJoin('app_user as acker', 'acker.id', 'alarm.acknowledged_by')
      .leftJoin('app_user as resolver', 'resolver.id', 'alarm.resolved_by')
      .selectAll('alarm')
      .select([
        'school.name as school_name',
        'place.name as place_name',
        'device.name as device_name',
        'reporter.display_name as reporter_name',
        'assignee.display_name as dispatched_to_name',
        'acker.display_name as acknowledged_by_name',
        'resolver.display_name as resolved_by_name',
      ]);
  }

  async byId(id: number, executor: Kysely<DB> = this.db): Promise<AlarmListRow | undefined> {
    return (await this.base(executor).where('alarm.id', '=', id).executeTakeFirst()) as AlarmListRow | undefined;
  }

  async forUpdate(trx: Kysely<DB>, id: number): Promise<AlarmRow | undefined> {
    return trx.selectFrom('alarm').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** History: newest first; keyset on (raised_at, id). */
  async history(filter: AlarmFilter, after: [string, number] | undefined, limit: number): Promise<AlarmListRow[]> {
    let q = applyFilter(this.base() as unknown as AlarmQuery, filter) as unknown as ReturnType<AlarmQueries['base']>;
    if (after) {
      const [at, id] = after;
      q = q.where((eb) =>
        eb.or([
          eb('alarm.raised_at', '<', new Date(at)),
          eb.and([eb('alarm.raised_at', '=', new Date(at)), eb('alarm.id', '<', id)]),
        ]),
      );
    }
    return (await q
      .orderBy('alarm.raised_at', 'desc')
      .orderBy('alarm.id', 'desc')
      .limit(limit)
      .execute()) as AlarmListRow[];
  }

  /** The live queue: open alarms, priority first, then oldest first; keyset on (priority, raised_at, id). */
  async queue(
    filter: AlarmFilter,
    after: [number, string, number] | undefined,
    limit: number,
  ): Promise<AlarmListRow[]> {
    let q = applyFilter(this.base() as unknown as AlarmQuery, { ...filter, open: true }) as unknown as ReturnType<
      AlarmQueries['base']
    >;
    if (after) {
      const [priority, at, id] = after;
      q = q.where((eb) =>
        eb.or([
          eb('alarm.priority', '>', priority),
          eb.and([eb('alarm.priority', '=', priority), eb('alarm.raised_at', '>', new Date(at))]),
          eb.and([
            eb('alarm.priority', '=', priority),
            eb('alarm.raised_at', '=', new Date(at)),
            eb('alarm.id', '>', id),
          ]),
        ]),
      );
    }
    return (await q
      .orderBy('alarm.priority')
      .orderBy('alarm.raised_at')
      .orderBy('alarm.id')
      .limit(limit)
      .execute()) as AlarmListRow[];
  }

  /** Dispatched to a user, or requested by them (help requests), newest first. */
  async mine(
    userId: number,
    role: 'dispatched' | 'requested',
    open: boolean | undefined,
    after: [string, number] | undefined,
    limit: number,
  ): Promise<AlarmListRow[]> {
    let q = this.base().where(role === 'dispatched' ? 'alarm.dispatched_to' : 'alarm.reporter_id', '=', userId);
    if (role === 'requested') q = q.where('alarm.source', '=', 'help_request');
    if (open === true) q = q.where('alarm.state', '<>', 'resolved');
    if (open === false) q = q.where('alarm.state', '=', 'resolved');
    if (after) {
      const [at, id] = after;
      q = q.where((eb) =>
        eb.or([
          eb('alarm.raised_at', '<', new Date(at)),
          eb.and([eb('alarm.raised_at', '=', new Date(at)), eb('alarm.id', '<', id)]),
        ]),
      );
    }
    return (await q
      .orderBy('alarm.raised_at', 'desc')
      .orderBy('alarm.id', 'desc')
      .limit(limit)
      .execute()) as AlarmListRow[];
  }

  /** Counts by kind of alarms raised in [from, before) under the root. */
  async countsByKind(root: AlarmRoot, from: Date, before: Date) {
    return this.db
      .selectFrom('alarm')
      .where((eb) => whereUnder(eb, root))
      .where('raised_at', '>=', from)
      .where('raised_at', '<', before)
      .select((eb) => [
        'kind',
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>('id').filterWhere('state', '<>', 'resolved').as('open'),
        eb.fn.count<number>('id').filterWhere('escalated_at', 'is not', null).as('escalated'),
        eb.fn.count<number>('id').filterWhere('false_alarm', '=', true).as('false_alarms'),
      ])
      .groupBy('kind')
      .execute();
  }

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
}
