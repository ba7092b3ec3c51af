import { type AlarmKind, alarmPriority, pathIds } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Template {
  kind: AlarmKind;
  source: 'device' | 'help_request' | 'manual';
  title: string;
  outcome: string;
  falseAlarm: boolean;
}

/** What the duty room of a school sees in a week. */
const RESOLVED: Template[] = [
  { kind: 'intrusion', source: 'device', title: '东侧围墙周界报警', outcome: '巡查确认为流浪猫触发', falseAlarm: true },
  {
    kind: 'help_request',
    source: 'help_request',
    title: '师生求助：操场东北角',
    outcome: '学生扭伤脚踝，已送医务室处理',
    falseAlarm: false,
  },
  {
    kind: 'one_key',
    source: 'device',
    title: '门卫室一键报警',
    outcome: '校外人员强行进校，已劝离并报告派出所',
    falseAlarm: false,
  },
  {
    kind: 'fire',
    source: 'device',
    title: '食堂后厨烟感报警',
    outcome: '油烟触发，已开启排风，无火情',
    falseAlarm: true,
  },
  {
    kind: 'help_request',
    source: 'help_request',
    title: '师生求助：宿舍楼3楼',
    outcome: '学生突发不适，已联系家长并送医',
    falseAlarm: false,
  },
  {
    kind: 'other',
    source: 'manual',
    title: '家长来电：学生放学未到家',
    outcome: '学生在同学家，已联系家长确认安全',
    falseAlarm: false,
  },
  {
    kind: 'tamper',
    source: 'device',
    title: '实验楼摄像机防拆报警',
    outcome: '维保人员检修触发，已登记',
    falseAlarm: true,
  },
];

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Demo alarms: a few resolved ones today and this week per school, and in the first school two open ones
 * (a help request just sent, an intrusion a guard is on the way to), so the command center is alive on
 * `npm start`. Run inside the demo load's transaction after the accounts and places.
 */
export async function loadDemoAlarms(db: Kysely<DB>, now = new Date()): Promise<number> {
  const schools = await db
    .selectFrom('org_unit')
    .select(['id', 'path', 'code'])
    .where('level', '=', 'school')
    .orderBy('id')
    .execute();
  const roles = await db
    .selectFrom('role_assignment')
    .select(['org_id', 'role', 'user_id'])
    .where('role', 'in', ['school_security', 'guard', 'teacher', 'student_officer'])
    .orderBy('user_id')
    .execute();
  const places = await db.selectFrom('place').select(['id', 'org_id', 'name']).orderBy('id').execute();
  const people = (schoolId: number, role: string) =>
    roles.filter((row) => row.org_id === schoolId && row.role === role).map((row) => row.user_id);

  let count = 0;
  for (const [schoolIndex, school] of schools.entries()) {
    const security = people(school.id, 'school_security')[0];
    const guard = people(school.id, 'guard')[0] ?? security;
    if (security === undefined || guard === undefined) continue;
    const requester = people(school.id, 'teacher')[0] ?? people(school.id, 'student_officer')[0] ?? null;
    const schoolPlaces = places.filter((place) => place.org_id === school.id);
    const rng = random(20261123 + schoolIndex * 104_729);
    const resolvedCount = 3 + Math.floor(rng() * 4);
    for (let index = 0; index < resolvedCount; index++) {
      const template = RESOLVED[(index + schoolIndex) % RESOLVED.length]!;
      // The first two today, the rest over the past week.
      const age = index < 2 ? (1 + rng() * 5) * 60 * MINUTE : (1 + rng() * 6) * DAY;
      const raisedAt = new Date(now.getTime() - age);
      const acknowledgedAt = new Date(raisedAt.getTime() + (10 + rng() * 50) * 1000);
      const dispatchedAt = new Date(acknowledgedAt.getTime() + (20 + rng() * 60) * 1000);
      const onSceneAt = new Date(dispatchedAt.getTime() + (60 + rng() * 240) * 1000);
      const resolvedAt = new Date(onSceneAt.getTime() + (5 + rng() * 20) * MINUTE);
      const place = schoolPlaces.length > 0 ? schoolPlaces[Math.floor(rng() * schoolPlaces.length)]! : null;
      await insertAlarm(db, school, template, {
        placeId: place?.id ?? null,
        reporterId: template.source === 'help_request' ? requester : template.source === 'manual' ? security : null,
        raisedAt,
        steps: [
          { action: 'acknowledge', at: acknowledgedAt, actor: security, to: 'acknowledged' },
          { action: 'dispatch', at: dispatchedAt, actor: security, to: 'dispatched' },
          { action: 'arrive', at: onSceneAt, actor: guard, to: 'on_scene' },
          { action: 'resolve', at: resolvedAt, actor: guard, to: 'resolved' },
        ],
        guard,
        security,
      });
      count++;
    }
    if (schoolIndex === 0) {
      const gate = schoolPlaces[0] ?? null;
      await insertAlarm(
        db,
        school,
        { kind: 'intrusion', source: 'device', title: '北侧围墙周界报警', outcome: '', falseAlarm: false },
        {
          placeId: gate?.id ?? null,
          reporterId: null,
          raisedAt: new Date(now.getTime() - 4 * MINUTE),
          steps: [
            { action: 'acknowledge', at: new Date(now.getTime() - 3.5 * MINUTE), actor: security, to: 'acknowledged' },
            { action: 'dispatch', at: new Date(now.getTime() - 3 * MINUTE), actor: security, to: 'dispatched' },
          ],
          guard,
          security,
        },
      );
      await insertAlarm(
        db,
        school,
        { kind: 'help_request', source: 'help_request', title: '师生求助：图书馆二楼', outcome: '', falseAlarm: false },
        {
          placeId: null,
          reporterId: requester,
          raisedAt: new Date(now.getTime() - 20_000),
          steps: [],
          guard,
          security,
          locationText: '图书馆二楼阅览室',
        },
      );
      count += 2;
    }
  }
  return count;
}

async function insertAlarm(
  db: Kysely<DB>,
  school: { id: number; path: string },
  template: Template,
  plan: {
    placeId: number | null;
    reporterId: number | null;
    raisedAt: Date;
    steps: { action: string; at: Date; actor: number; to: string }[];
    guard: number;
    security: number;
    locationText?: string;
  },
): Promise<void> {
  const [provinceId, cityId, countyId] = pathIds(school.path) as [number, number, number];
  const next = await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence('alarm', 'id')) AS id`.execute(db);
  const id = Number(next.rows[0]!.id);
  const at = (action: string) => plan.steps.find((step) => step.action === action)?.at ?? null;
  const resolved = at('resolve') !== null;
  const last = plan.steps.at(-1);
  await db
    .insertInto('alarm')
    .values({
      id,
      code: `BJ${plan.raisedAt.toISOString().slice(0, 10).replaceAll('-', '')}${String(id).padStart(7, '0')}`,
      org_path: school.path,
      province_id: provinceId,
      city_id: cityId,
      county_id: countyId,
      school_id: school.id,
      source: template.source,
      kind: template.kind,
      priority: alarmPriority(template.kind),
      title: template.title,
      place_id: plan.placeId,
      location_text: plan.locationText ?? null,
      reporter_id: plan.reporterId,
      state: last?.to ?? 'new',
      raised_at: plan.raisedAt,
      acknowledged_at: at('acknowledge'),
      acknowledged_by: at('acknowledge') ? plan.security : null,
      dispatched_at: at('dispatch'),
      dispatched_to: at('dispatch') ? plan.guard : null,
      on_scene_at: at('arrive'),
      resolved_at: at('resolve'),
      resolved_by: resolved ? plan.guard : null,
      outcome: resolved ? template.outcome : null,
      false_alarm: resolved ? template.falseAlarm : null,
      created_at: plan.raisedAt,
      updated_at: last?.at ?? plan.raisedAt,
    })
    .execute();
  // Timeline rows carry the step's own time (appendTimeline stamps now()).
  const events = [
    {
      at: plan.raisedAt,
      actor_id: plan.reporterId,
      action: 'raise',
      from_state: null as string | null,
      to_state: 'new',
      note: null as string | null,
      data: { source: template.source, kind: template.kind } as Record<string, unknown>,
    },
  ];
  let from = 'new';
  for (const step of plan.steps) {
    events.push({
      at: step.at,
      actor_id: step.actor,
      action: step.action,
      from_state: from,
      to_state: step.to,
      note: step.action === 'resolve' ? template.outcome : null,
      data: step.action === 'dispatch' ? { assigneeId: plan.guard } : {},
    });
    from = step.to;
  }
  await db
    .insertInto('timeline_event')
    .values(
      events.map((event) => ({
        ...event,
        record_type: 'alarm',
        record_id: id,
        org_path: school.path,
        data: JSON.stringify(event.data),
      })),
    )
    .execute();
}
