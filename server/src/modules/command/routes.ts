import {
  type CommandOverview,
  commandOverview,
  commandOverviewQuery,
  type DeviceKind,
  type DutyRole,
  deviceStatus,
  healthRates,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { authOf } from '../../platform/context.js';
import { type ColumnLevel, LEVEL_COLUMN, levelColumnOf } from '../../platform/levels.js';
import { presentAlarmSummary } from '../alarms/presenter.js';
import { type AlarmRoot, OPEN_ALARM_STATES } from '../alarms/queries.js';
import { alarmServiceOf } from '../alarms/routes.js';
import { onDutyAt } from '../duty/on-duty.js';

const OPEN_HAZARD_STATES = ['reported', 'confirmed', 'rectifying', 'rectified'];
const QUEUE_LIMIT = 100;
const DEVICE_LIMIT = 3000;

type LevelRoot = AlarmRoot & { level: ColumnLevel };

/** Device counts by status under the root in one aggregate (a province has tens of thousands). */
async function deviceHealth(db: Kysely<DB>, root: LevelRoot, now: Date, offlineSeconds: number) {
  const column = LEVEL_COLUMN[root.level];
  const onlineSince = new Date(now.getTime() - offlineSeconds * 1000);
  const row = await db
    .selectFrom('device')
    .where(column, '=', root.id)
    .where('disabled', '=', false)
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.count<number>('id').filterWhere('kind', '=', 'bollard').as('passive'),
      eb.fn
        .count<number>('id')
        .filterWhere((w) => w.and([w('kind', '<>', 'bollard'), w('fault_since', 'is not', null)]))
        .as('fault'),
      eb.fn
        .count<number>('id')
        .filterWhere((w) =>
          w.and([w('kind', '<>', 'bollard'), w('fault_since', 'is', null), w('last_seen_at', 'is', null)]),
        )
        .as('unknown'),
      eb.fn
        .count<number>('id')
        .filterWhere((w) =>
          w.and([w('kind', '<>', 'bollard'), w('fault_since', 'is', null), w('last_seen_at', '>=', onlineSince)]),
        )
        .as('online'),
    ])
    .executeTakeFirstOrThrow();
  const total = Number(row.total);
  const passive = Number(row.passive);
  const fault = Number(row.fault);
  const unknown = Number(row.unknown);
  const online = Number(row.online);
  const offline = total - passive - fault - unknown - online;
  const statuses = [
    ...Array<'online'>(online).fill('online'),
    ...Array<'offline'>(offline).fill('offline'),
    ...Array<'fault'>(fault).fill('fault'),
    ...Array<'unknown'>(unknown).fill('unknown'),
    ...Array<'passive'>(passive).fill('passive'),
  ];
  // healthRates is the one definition of 在线率/完好率.
  const rates = healthRates(statuses);
  return { total, online, offline, fault, unknown, passive, ...rates };
}

export async function commandModule(app: FastifyInstance): Promise<void> {
  const { db, config } = app.platform;
  const alarms = alarmServiceOf(app);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const offlineSeconds = config.deviceOfflineAfterSeconds;

  routes.get(
    '/command/overview',
    {
      config: { access: 'alarm.read' },
      schema: {
        tags: ['command'],
        summary:
          '指挥中心大屏：实时警情队列、今日统计、设备状态、场所与平面图、今日值班与带班领导、设备完好率、重大隐患',
        querystring: commandOverviewQuery,
        response: { 200: commandOverview },
      },
    },
    async (request): Promise<CommandOverview> => {
      const auth = authOf(request);
      const now = new Date();
      const root = await alarms.root(auth, request.query.orgId);
      const column = levelColumnOf(root.level);
      const isSchool = root.level === 'school';

      const queueRows = await alarms.queries.queue({ root }, undefined, QUEUE_LIMIT);
      // A bureau watches what its schools did not answer in time first.
      if (!isSchool) queueRows.sort((a, b) => Number(b.escalated_at !== null) - Number(a.escalated_at !== null));
      const counts = await alarms.countsToday(root, now);

      const empty = {
        total: 0,
        online: 0,
        offline: 0,
        fault: 0,
        unknown: 0,
        passive: 0,
        onlineRate: null,
        intactRate: null,
      };
      const health = column ? await deviceHealth(db, root as LevelRoot, now, offlineSeconds) : empty;

      let devices: CommandOverview['devices'] = [];
      let places: CommandOverview['places'] = [];
      if (isSchool) {
        const rows = await db
          .selectFrom('device')
          .select(['id', 'code', 'name', 'kind', 'place_id', 'school_id', 'last_seen_at', 'fault_since'])
          .where('school_id', '=', root.id)
          .where('disabled', '=', false)
          .orderBy('place_id')
          .orderBy('name')
          .limit(DEVICE_LIMIT)
          .execute();
        devices = rows.map((row) => ({
          id: row.id,
          code: row.code,
          name: row.name,
          kind: row.kind as DeviceKind,
          status: deviceStatus(
            { kind: row.kind as DeviceKind, lastSeenAt: row.last_seen_at, faultSince: row.fault_since },
            now,
            offlineSeconds,
          ),
          placeId: row.place_id,
          schoolId: row.school_id,
        }));
        const placeRows = await db
          .selectFrom('place')
          .select(['id', 'name', 'parent_id', 'plan_x', 'plan_y', 'floor_plan_file_id', 'key_part'])
          .where('org_id', '=', root.id)
          .orderBy('parent_id', 'asc')
          .orderBy('code')
          .limit(1000)
          .execute();
        places = placeRows.map((row) => ({
          id: row.id,
          name: row.name,
          parentId: row.parent_id,
          planX: row.plan_x === null ? null : Number(row.plan_x),
          planY: row.plan_y === null ? null : Number(row.plan_y),
          floorPlanFileId: row.floor_plan_file_id,
          keyPlace: row.key_part,
        }));
      }

      const present = (people: Awaited<ReturnType<typeof onDutyAt>>, orgName: string) =>
        people.map((person) => ({
          userId: person.userId,
          name: person.name,
          dutyRole: person.dutyRole as DutyRole,
          shiftEndsAt: person.shiftEndsAt.toISOString(),
          orgName,
        }));
      const onDuty = present(await onDutyAt(db, root.id, now), root.name);

      const majorHazards = column
        ? await db
            .selectFrom('hazard')
            .innerJoin('org_unit', 'org_unit.id', 'hazard.school_id')
            .select([
              'hazard.id',
              'hazard.code',
              'hazard.title',
              'hazard.state',
              'hazard.deadline',
              'org_unit.name as school_name',
            ])
            .where(`hazard.${column}`, '=', root.id)
            .where('hazard.grade', '=', 'major')
            .where('hazard.state', 'in', OPEN_HAZARD_STATES)
            .orderBy('hazard.deadline')
            .limit(20)
            .execute()
        : [];

      let schools: CommandOverview['schools'] = [];
      if (column && !isSchool) {
        const rows = await db
          .selectFrom('alarm')
          .innerJoin('org_unit', 'org_unit.id', 'alarm.school_id')
          .select((eb) => [
            'alarm.school_id',
            'org_unit.name',
            eb.fn.countAll<number>().as('open'),
            eb.fn.count<number>('alarm.id').filterWhere('alarm.escalated_at', 'is not', null).as('escalated'),
          ])
          .where(`alarm.${column}`, '=', root.id)
          .where('alarm.state', 'in', [...OPEN_ALARM_STATES])
          .groupBy(['alarm.school_id', 'org_unit.name'])
          .orderBy(sql`count(*) filter (where alarm.escalated_at is not null)`, 'desc')
          .orderBy(sql`count(*)`, 'desc')
          .limit(30)
          .execute();
        schools = [];
        for (const row of rows) {
          const leaders = (await onDutyAt(db, row.school_id, now)).filter((person) => person.dutyRole === 'leader');
          const schoolHealth = await deviceHealth(
            db,
            { id: row.school_id, level: 'school', path: '' },
            now,
            offlineSeconds,
          );
          schools.push({
            schoolId: row.school_id,
            schoolName: row.name,
            openAlarms: Number(row.open),
            escalatedAlarms: Number(row.escalated),
            onlineRate: schoolHealth.onlineRate,
            leaderOnDuty: leaders.map((leader) => leader.name).join('、') || null,
          });
        }
      }

      return {
        org: { id: root.id, name: root.name, level: root.level },
        now: now.toISOString(),
        acknowledgeSeconds: config.alarmAckSeconds,
        arriveSeconds: config.alarmArriveSeconds,
        queue: queueRows.map(presentAlarmSummary),
        counts,
        devices,
        places,
        onDuty,
        leaderOnDuty: onDuty.filter((person) => person.dutyRole === 'leader'),
        health,
        majorHazards: majorHazards.map((row) => ({
          id: row.id,
          code: row.code,
          title: row.title,
          state: row.state,
          schoolName: row.school_name,
          deadline: row.deadline ? row.deadline.toISOString() : null,
        })),
        schools,
      };
    },
  );
}
