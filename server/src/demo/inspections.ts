import { randomUUID } from 'node:crypto';
import { type ChecklistContent, pathIds } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { recordSignature } from '../modules/inspections/sync.js';
import { businessDays, generateTasks } from '../modules/inspections/tasks.js';
import { appendTimeline } from '../platform/timeline.js';

const DAY = 24 * 3600_000;
const DEMO_SCHOOLS = 12;

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Demo inspections for the first demo schools (security officer and guard on staff): a night patrol route of
 * four checkpoints, and plans for the daily fire patrol (每日防火巡查), the night patrol (夜间安全巡逻), the weekly
 * gate check (门卫值守检查) and the quarterly fire screening (季度消防安全隐患排查). A week of tasks: most done with
 * signed records and their answers (patrols with scans at every checkpoint), a few missed, and in the first
 * school one failed fire-extinguisher item that became a hazard. Deterministic apart from the clock.
 */
export async function loadDemoInspections(db: Kysely<DB>, timeZone: string, now = new Date()): Promise<void> {
  const templates = await db
    .selectFrom('inspection_template as t')
    .innerJoin('inspection_template_version as v', (join) =>
      join.onRef('v.template_id', '=', 't.id').onRef('v.version', '=', 't.current_version'),
    )
    .select(['t.id', 't.code', 't.kind', 'v.id as version_id', 'v.content'])
    .where('t.builtin', '=', true)
    .execute();
  const template = (code: string) => templates.find((row) => row.code === code)!;
  if (!templates.length) return;
  const schools = await db
    .selectFrom('org_unit as s')
    .select(['s.id', 's.path', 's.name'])
    .where('s.level', '=', 'school')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignment')
          .select('role_assignment.id')
          .whereRef('role_assignment.org_id', '=', 's.id')
          .where('role_assignment.role', '=', 'guard'),
      ),
    )
    .orderBy('s.id')
    .limit(DEMO_SCHOOLS)
    .execute();
  const [today] = businessDays(now, timeZone);
  const days: string[] = [];
  for (let back = 7; back >= -1; back--) {
    days.push(new Date(Date.parse(`${today}T00:00:00Z`) - back * DAY).toISOString().slice(0, 10));
  }
  const startsOn = days[0]!;
  const fromAt = new Date(now.getTime() - 9 * DAY);

  for (const school of schools) {
    const [, , countyId] = pathIds(school.path) as [number, number, number];
    const staff = await db
      .selectFrom('role_assignment')
      .select(['user_id', 'role'])
      .where('org_id', '=', school.id)
      .where('role', 'in', ['school_security', 'guard'])
      .orderBy('user_id')
      .execute();
    const guard = staff.find((s) => s.role === 'guard')?.user_id;
    const security = staff.find((s) => s.role === 'school_security')?.user_id ?? guard;
    if (!guard || !security) continue;
    const places = await db
      .selectFrom('place')
      .select(['id', 'name'])
      .where('org_id', '=', school.id)
      .orderBy('id')
      .limit(4)
      .execute();
    if (places.length < 4) continue;
    const route = await db
      .insertInto('patrol_route')
      .values({ school_id: school.id, org_path: school.path, name: '夜间巡逻路线' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('patrol_checkpoint')
      .values(places.map((place, index) => ({ route_id: route.id, seq: index + 1, place_id: place.id })))
      .execute();
    const plan = (
      name: string,
      code: string,
      schedule: Record<string, unknown>,
      extra: { route_id?: number; place_ids?: number[]; assignee_ids: number[]; duty_role?: string },
    ) => ({
      org_id: school.id,
      org_path: school.path,
      school_id: school.id,
      county_id: countyId,
      name,
      template_id: template(code).id,
      route_id: extra.route_id ?? null,
      place_ids: extra.place_ids ?? [],
      assignee_ids: extra.assignee_ids,
      duty_role: extra.duty_role ?? null,
      schedule: JSON.stringify({ ...schedule, startsOn }),
      tasks_from: fromAt,
      created_by: security,
      created_at: fromAt,
      updated_at: fromAt,
    });
    await db
      .insertInto('inspection_plan')
      .values([
        plan(
          '每日防火巡查',
          'builtin.fire_daily',
          { frequency: 'daily', windows: [{ start: '08:00', end: '17:00' }] },
          {
            place_ids: [places[0]!.id, places[1]!.id],
            assignee_ids: [guard, security],
          },
        ),
        plan(
          '夜间安全巡逻',
          'builtin.patrol_night',
          {
            frequency: 'times_per_day',
            windows: [
              { start: '21:00', end: '23:00' },
              { start: '01:00', end: '03:00' },
            ],
          },
          { route_id: route.id, assignee_ids: [guard], duty_role: 'guard' },
        ),
        plan(
          '门卫值守检查（每周一）',
          'builtin.gate',
          {
            frequency: 'weekly',
            weekdays: [1],
            windows: [{ start: '07:00', end: '09:00' }],
          },
          { assignee_ids: [guard] },
        ),
        plan(
          '季度消防安全隐患排查',
          'builtin.fire_quarterly',
          {
            frequency: 'quarterly',
            dayOfMonth: 10,
            windows: [{ start: '08:00', end: '18:00' }],
          },
          { assignee_ids: [security] },
        ),
      ])
      .execute();
  }
  await generateTasks(db, timeZone, now, { days });

  // Past windows: most done (a record completed inside the window), a few missed.
  const tasks = await db
    .selectFrom('inspection_task as k')
    .innerJoin('inspection_template_version as v', 'v.id', 'k.template_version_id')
    .innerJoin('inspection_template as t', 't.id', 'v.template_id')
    .select([
      'k.id',
      'k.org_path',
      'k.school_id',
      'k.county_id',
      'k.place_id',
      'k.route_id',
      'k.assignee_ids',
      'k.window_start',
      'k.window_end',
      'k.template_version_id',
      't.kind',
      'v.content',
    ])
    .where('k.window_end', '<', now)
    .where(
      'k.school_id',
      'in',
      schools.map((s) => s.id),
    )
    .where('k.state', '=', 'pending')
    .orderBy('k.id')
    .execute();
  const rng = random(20261123);
  const checkpoints = await db
    .selectFrom('patrol_checkpoint')
    .select(['id', 'route_id', 'place_id'])
    .orderBy('seq')
    .execute();
  let failedDone = false;
  for (const task of tasks) {
    if (rng() < 0.12) {
      await db
        .updateTable('inspection_task')
        .set({ state: 'missed', missed_notified_at: task.window_end })
        .where('id', '=', task.id)
        .execute();
      continue;
    }
    const span = task.window_end.getTime() - task.window_start.getTime();
    const startedAt = new Date(task.window_start.getTime() + span * (0.1 + rng() * 0.4));
    const completedAt = new Date(startedAt.getTime() + 15 * 60_000 + rng() * 20 * 60_000);
    const receivedAt = new Date(completedAt.getTime() + 60_000 + rng() * 30 * 60_000);
    const content = task.content as ChecklistContent;
    const slots = task.route_id !== null ? checkpoints.filter((c) => c.route_id === task.route_id) : [null];
    // The first school's latest daily fire patrol finds a fire extinguisher out of the green zone.
    const failing =
      !failedDone &&
      task.kind === 'fire_daily' &&
      task.school_id === schools[0]!.id &&
      task.window_end.getTime() > now.getTime() - 2 * DAY;
    const answers = slots.flatMap((slot) =>
      content.flatMap((section) =>
        section.items.map((item) => ({
          itemKey: item.key,
          checkpointId: slot?.id ?? null,
          value: (item.type === 'pass_fail'
            ? !(failing && item.key === 'extinguisher-pressure')
            : item.type === 'number'
              ? (item.min ?? item.max ?? 0)
              : item.type === 'text'
                ? '正常'
                : null) as boolean | number | string | null,
          note: failing && item.key === 'extinguisher-pressure' ? '2具灭火器压力指针在红区' : null,
          photoIds: [] as string[],
        })),
      ),
    );
    const scans = slots
      .filter((slot) => slot !== null)
      .map((slot, index) => ({
        checkpointId: slot!.id,
        scannedAt: new Date(startedAt.getTime() + index * 4 * 60_000),
      }));
    const inspectorId = task.assignee_ids[0]!;
    const clientId = randomUUID();
    const failedCount = answers.filter((a) => a.value === false).length;
    const signature = recordSignature({
      clientId,
      inspectorId,
      receivedAt,
      taskId: task.id,
      schoolId: task.school_id,
      templateVersionId: task.template_version_id,
      placeId: task.place_id,
      routeId: task.route_id,
      correctsRecordId: null,
      startedAt,
      completedAt,
      note: null,
      answers,
      scans,
    });
    const record = await db
      .insertInto('inspection_record')
      .values({
        client_id: clientId,
        inspector_id: inspectorId,
        task_id: task.id,
        org_path: task.org_path,
        school_id: task.school_id,
        county_id: task.county_id,
        template_version_id: task.template_version_id,
        template_kind: task.kind,
        route_id: task.route_id,
        place_id: task.place_id,
        started_at: startedAt,
        completed_at: completedAt,
        received_at: receivedAt,
        in_window: true,
        item_count: answers.length,
        failed_count: failedCount,
        signature,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let hazardId: number | null = null;
    if (failing) {
      failedDone = true;
      const [provinceId, cityId] = pathIds(task.org_path) as [number, number];
      const hazard = await db
        .insertInto('hazard')
        .values({
          code: `YH${completedAt.getUTCFullYear()}I${String(record.id).padStart(6, '0')}`,
          org_path: task.org_path,
          province_id: provinceId,
          city_id: cityId,
          county_id: task.county_id,
          school_id: task.school_id,
          title: '灭火器压力是否在绿区，铅封完好、在有效期内',
          description: '每日防火巡查发现不合格项：灭火器压力不在绿区。2具灭火器压力指针在红区',
          category: 'fire',
          place_id: task.place_id,
          source: 'inspection',
          inspection_id: record.id,
          reported_by: inspectorId,
          reported_at: completedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      hazardId = hazard.id;
      await appendTimeline(db, {
        recordType: 'hazard',
        recordId: hazard.id,
        orgPath: task.org_path,
        actorId: inspectorId,
        action: 'report',
        toState: 'reported',
        note: '每日防火巡查发现不合格项',
        data: { photoIds: [], category: 'fire', source: 'inspection' },
      });
    }
    await db
      .insertInto('inspection_answer')
      .values(
        answers.map((a) => ({
          record_id: record.id,
          checkpoint_id: a.checkpointId,
          item_key: a.itemKey,
          value: JSON.stringify(a.value),
          passed: a.value !== false,
          note: a.note,
          photo_ids: [],
          hazard_id: a.value === false ? hazardId : null,
        })),
      )
      .execute();
    if (scans.length) {
      await db
        .insertInto('inspection_scan')
        .values(scans.map((s) => ({ record_id: record.id, checkpoint_id: s.checkpointId, scanned_at: s.scannedAt })))
        .execute();
    }
    await db
      .updateTable('inspection_task')
      .set({ state: 'done', record_id: record.id })
      .where('id', '=', task.id)
      .execute();
  }
}
