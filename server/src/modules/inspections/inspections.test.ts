import { randomUUID } from 'node:crypto';
import type { MyTasks, PatrolRouteDetail, SyncOutcome, TemplateDetail } from '@safe-campus/domain';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BuiltUser, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { multipartBody } from '../files/test-support.js';
import { businessDays, generateTasks, sweepMissed } from './tasks.js';

let t: TestApp;
let tree: Tree;
let security: Client;
let guard: Client;
let guardUser: BuiltUser;
let securityUser: BuiltUser;
let otherSecurity: Client;
let countyOfficer: Client;
let farOfficer: Client;
let teacher: Client;
let placeIds: number[] = [];
let otherPlaceId: number;
let today: string;
let tomorrow: string;
const ZONE = 'Asia/Shanghai';

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

async function photo(client: Client): Promise<string> {
  const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#cc3322' } })
    .png()
    .toBuffer();
  const { payload, headers } = multipartBody(png, '现场.png');
  const response = await client.post('/api/v1/files', payload, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().id;
}

async function place(client: Client, orgId: number, code: string, name: string): Promise<number> {
  const response = await client.post('/api/v1/places', { orgId, kind: 'area', code, name });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().id;
}

async function builtin(kind: string): Promise<TemplateDetail> {
  const list = await security.get(`/api/v1/inspections/templates?orgId=${tree.school.id}&kind=${kind}`);
  expect(list.statusCode, list.body).toBe(200);
  const found = list.json().items.find((item: { builtin: boolean }) => item.builtin);
  const detail = await security.get(`/api/v1/inspections/templates/${found.id}`);
  return detail.json();
}

/** Answers every item of a template: pass/fail true, numbers inside limits, text filled. */
function answersFor(template: Pick<TemplateDetail, 'content'>, checkpointId: number | null = null) {
  return template.content.flatMap((section) =>
    section.items.map((item) => ({
      itemKey: item.key,
      checkpointId,
      value:
        item.type === 'pass_fail'
          ? true
          : item.type === 'number'
            ? (item.min ?? item.max ?? 0)
            : item.type === 'text'
              ? '正常'
              : null,
      photoIds: [] as string[],
    })),
  );
}

async function sync(client: Client, records: unknown[]): Promise<SyncOutcome[]> {
  const response = await client.post('/api/v1/inspections/sync', { records });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().results;
}

const allDay = (startsOn: string) => ({
  frequency: 'daily',
  windows: [{ start: '00:00', end: '23:59' }],
  startsOn,
});

beforeAll(async () => {
  // Windows, "today" and scan times are business-day arithmetic: run the file at 10:00 Asia/Shanghai of the
  // current day, so it gives the same answer at 23:59 and at 00:01 (the clock still ticks from there).
  const businessToday = new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE }).format(new Date());
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(new Date(`${businessToday}T10:00:00+08:00`));
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  securityUser = await buildUser(db, { role: 'school_security', org: tree.school });
  security = await as(securityUser);
  guardUser = await buildUser(db, { role: 'guard', org: tree.school });
  guard = await as(guardUser);
  otherSecurity = await as(await buildUser(db, { role: 'school_security', org: tree.otherSchool }));
  countyOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.county }));
  farOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.otherCounty }));
  teacher = await as(await buildUser(db, { role: 'teacher', org: tree.school }));
  placeIds = [
    await place(security, tree.school.id, 'P1', '一号教学楼'),
    await place(security, tree.school.id, 'P2', '学生宿舍'),
    await place(security, tree.school.id, 'P3', '南门'),
  ];
  otherPlaceId = await place(otherSecurity, tree.otherSchool.id, 'P1', '北门');
  [today, tomorrow] = businessDays(new Date(), ZONE);
});
afterAll(async () => {
  await t.close();
  vi.useRealTimers();
});

describe('templates', () => {
  it('lists the built-in Chinese templates and versions a copy; tasks keep their version', async () => {
    const list = await security.get(`/api/v1/inspections/templates?orgId=${tree.school.id}`);
    expect(list.statusCode).toBe(200);
    const names = list.json().items.map((item: { name: string }) => item.name);
    for (const name of [
      '每日防火巡查',
      '季度消防安全隐患排查',
      '实验室危化品检查（三防）',
      '夜间安全巡逻',
      '上级督导检查',
    ]) {
      expect(names).toContain(name);
    }
    const daily = await builtin('fire_daily');
    expect(daily.content[0]!.items[0]!.text).toContain('疏散通道');
    // Built-in templates are read-only.
    const edit = await security.put(`/api/v1/inspections/templates/${daily.id}/content`, { content: daily.content });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().code).toBe('inspection_template_read_only');

    const copy = await security.post('/api/v1/inspections/templates', {
      orgId: tree.school.id,
      copyOf: daily.id,
      name: '本校每日防火巡查',
    });
    expect(copy.statusCode, copy.body).toBe(200);
    const copied: TemplateDetail = copy.json();
    expect(copied.builtin).toBe(false);
    expect(copied.currentVersion).toBe(1);

    const plan = await security.post('/api/v1/inspections/plans', {
      orgId: tree.school.id,
      name: '本校每日防火巡查',
      templateId: copied.id,
      placeIds: [placeIds[0]],
      assigneeIds: [guardUser.id],
      schedule: allDay(today),
    });
    expect(plan.statusCode, plan.body).toBe(200);
    const planId = plan.json().id;

    const changed = structuredClone(copied.content);
    changed[0]!.items.push({ key: 'new-item', text: '新增检查项', type: 'pass_fail', required: true });
    const v2 = await security.put(`/api/v1/inspections/templates/${copied.id}/content`, { content: changed });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json().currentVersion).toBe(2);
    expect(v2.json().versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const v1 = await security.get(`/api/v1/inspections/templates/${copied.id}/versions/1`);
    expect(v1.json().content).toEqual(copied.content);
    // The tasks created before the change keep version 1.
    const tasks = await security.get(`/api/v1/inspections/tasks?orgId=${tree.school.id}&day=${today}&planId=${planId}`);
    expect(tasks.json().items[0].templateVersionId).toBe(copied.currentVersionId);

    // Another school cannot see or change it.
    expect((await otherSecurity.get(`/api/v1/inspections/templates/${copied.id}`)).statusCode).toBe(404);
    // Schools cannot publish; a county's template published reaches its schools.
    const publish = await security.patch(`/api/v1/inspections/templates/${copied.id}`, { published: true });
    expect(publish.json().code).toBe('inspection_publish_not_bureau');
    const countyTemplate = await countyOfficer.post('/api/v1/inspections/templates', {
      orgId: tree.county.id,
      name: '县局督导检查表',
      kind: 'supervision',
      content: [{ title: '督导', items: [{ key: 'a', text: '制度落实', type: 'pass_fail' }] }],
    });
    expect(countyTemplate.statusCode, countyTemplate.body).toBe(200);
    const id = countyTemplate.json().id;
    const before = await security.get(`/api/v1/inspections/templates?orgId=${tree.school.id}`);
    expect(before.json().items.some((item: { id: number }) => item.id === id)).toBe(false);
    expect((await countyOfficer.patch(`/api/v1/inspections/templates/${id}`, { published: true })).statusCode).toBe(
      200,
    );
    const after = await security.get(`/api/v1/inspections/templates?orgId=${tree.school.id}`);
    expect(after.json().items.some((item: { id: number }) => item.id === id)).toBe(true);
    expect((await security.get(`/api/v1/inspections/templates/${id}`)).statusCode).toBe(200);
  });
});

describe('plan → tasks → sync → record → hazards', () => {
  let daily: TemplateDetail;
  let planId: number;
  let tasks: MyTasks;

  beforeAll(async () => {
    daily = await builtin('fire_daily');
    const plan = await security.post('/api/v1/inspections/plans', {
      orgId: tree.school.id,
      name: '每日防火巡查（教学楼、宿舍）',
      templateId: daily.id,
      placeIds: [placeIds[0], placeIds[1]],
      assigneeIds: [guardUser.id],
      schedule: allDay(today),
    });
    expect(plan.statusCode, plan.body).toBe(200);
    planId = plan.json().id;
    tasks = (await guard.get(`/api/v1/inspections/tasks/mine?day=${today}`)).json();
  });

  it('creates tasks for today and tomorrow, once, and gives the phone everything for offline work', async () => {
    const mine = tasks.tasks.filter((task) => task.planId === planId);
    expect(mine).toHaveLength(2);
    expect(mine[0]!.template.content).toEqual(daily.content);
    expect(mine[0]!.openNow).toBe(true);
    expect(mine.map((task) => task.placeName).sort()).toEqual(['一号教学楼', '学生宿舍'].sort());
    const count = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('inspection_task')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('plan_id', '=', planId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(4);
    expect(await generateTasks(t.database.db, ZONE, new Date())).toBe(0);
    expect(await count()).toBe(4);
  });

  it('accepts a record, turns a failed item into a linked hazard, and replays as duplicate', async () => {
    const task = tasks.tasks.find((item) => item.planId === planId)!;
    const photoId = await photo(guard);
    const answers = answersFor(daily);
    const exits = answers.find((a) => a.itemKey === 'exits-clear')!;
    exits.value = false;
    exits.photoIds = [photoId];
    const now = new Date();
    const record = {
      clientId: randomUUID(),
      taskId: task.id,
      templateVersionId: task.templateVersionId,
      startedAt: new Date(now.getTime() - 600_000).toISOString(),
      completedAt: now.toISOString(),
      note: '晚间巡查',
      answers,
      scans: [],
    };
    const [first] = await sync(guard, [record]);
    expect(first).toMatchObject({ outcome: 'accepted', inWindow: true, taskDone: true });
    expect(first!.hazardIds).toHaveLength(1);
    const hazard = (await security.get(`/api/v1/hazards/${first!.hazardIds[0]}`)).json();
    expect(hazard).toMatchObject({ source: 'inspection', inspectionId: first!.recordId, placeName: task.placeName });
    expect(hazard.title).toContain('疏散通道');
    expect(hazard.photos.before).toHaveLength(1);

    const detail = (await security.get(`/api/v1/inspections/records/${first!.recordId}`)).json();
    expect(detail.signatureValid).toBe(true);
    expect(detail.failedCount).toBe(1);
    expect(detail.answers.find((a: { itemKey: string }) => a.itemKey === 'exits-clear').hazardId).toBe(hazard.id);
    expect(detail.hazards.map((h: { id: number }) => h.id)).toEqual([hazard.id]);

    // Replayed, and a half-sent batch sent again with the rest: nothing doubles, nothing is lost.
    const counts = await tableCounts(t.database);
    const second = { ...record, clientId: randomUUID(), taskId: tasks.tasks.filter((x) => x.planId === planId)[1]!.id };
    second.answers = answersFor(daily);
    const results = await sync(guard, [record, second, { clientId: 'not-a-uuid' }]);
    expect(results.map((r) => r.outcome)).toEqual(['duplicate', 'accepted', 'rejected']);
    expect(results[0]!.recordId).toBe(first!.recordId);
    expect(results[0]!.hazardIds).toEqual(first!.hazardIds);
    expect(results[2]!.code).toBe('validation_failed');
    const again = await sync(guard, [record, second]);
    expect(again.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);
    const after = await tableCounts(t.database);
    expect(after.inspection_record).toBe(counts.inspection_record! + 1);
    expect(after.hazard).toBe(counts.hazard);

    // A later record for a done task is kept as an extra record; the first one still completes it.
    const extra = await sync(guard, [{ ...record, clientId: randomUUID(), answers: answersFor(daily) }]);
    expect(extra[0]).toMatchObject({ outcome: 'accepted', inWindow: true, taskDone: false });
    const taskRow = await t.database.db
      .selectFrom('inspection_task')
      .selectAll()
      .where('id', '=', task.id)
      .executeTakeFirstOrThrow();
    expect(taskRow.record_id).toBe(first!.recordId);

    // Records are immutable; a correction is a new record pointing at the old one.
    const correction = await guard.post(`/api/v1/inspections/records/${first!.recordId}/correction`, {
      clientId: randomUUID(),
      reason: '误判，通道已清理',
      answers: answersFor(daily),
    });
    expect(correction.statusCode, correction.body).toBe(200);
    expect(correction.json().correctsRecordId).toBe(first!.recordId);
    const original = (await security.get(`/api/v1/inspections/records/${first!.recordId}`)).json();
    expect(original.failedCount).toBe(1);
    expect(original.corrections.map((c: { id: number }) => c.id)).toEqual([correction.json().id]);
  });

  it('rejects unknown versions, missing answers, wrong types and other people’s photos, storing nothing', async () => {
    const task = tasks.tasks.find((item) => item.planId === planId)!;
    const base = {
      taskId: task.id,
      templateVersionId: task.templateVersionId,
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      completedAt: new Date().toISOString(),
      scans: [],
    };
    const otherPhoto = await photo(security);
    const before = await tableCounts(t.database);
    const wrongType = answersFor(daily);
    wrongType[0]!.value = 'yes' as never;
    const missing = answersFor(daily).slice(1);
    const stolen = answersFor(daily);
    stolen[0]!.photoIds = [otherPhoto];
    const results = await sync(guard, [
      { ...base, clientId: randomUUID(), templateVersionId: 99_999_999, answers: answersFor(daily) },
      { ...base, clientId: randomUUID(), answers: missing },
      { ...base, clientId: randomUUID(), answers: wrongType },
      { ...base, clientId: randomUUID(), answers: stolen },
      { ...base, clientId: randomUUID(), answers: answersFor(daily), completedAt: '2099-01-01T00:00:00Z' },
      { ...base, clientId: randomUUID(), answers: answersFor(daily), note: 'x'.repeat(100_000) },
    ]);
    expect(results.map((r) => r.code)).toEqual([
      'inspection_version_unknown',
      'inspection_answers_invalid',
      'inspection_answers_invalid',
      'inspection_photo_invalid',
      'inspection_time_invalid',
      'validation_failed',
    ]);
    expect(results[1]!.errors[0]).toMatchObject({ itemKey: 'exits-clear', error: 'answer_missing' });
    expect(results[2]!.errors[0]!.error).toBe('answer_type');
    expect(results.every((r) => r.message && /[\u4e00-\u9fa5]/.test(r.message))).toBe(true);
    expect(await tableCounts(t.database)).toEqual(before);
    // Another school's officer cannot do this school's task.
    const other = await sync(otherSecurity, [{ ...base, clientId: randomUUID(), answers: answersFor(daily) }]);
    expect(other[0]!.code).toBe('inspection_task_unknown');
    // A teacher has no inspection permission at all.
    expect((await teacher.post('/api/v1/inspections/sync', { records: [{}] })).statusCode).toBe(403);
    // A bad envelope is a 400 problem.
    const bad = await guard.post('/api/v1/inspections/sync', { records: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('problem+json');
  });

  it('keeps a record done outside its window without completing the task', async () => {
    const tomorrowTask = (await guard.get(`/api/v1/inspections/tasks/mine?day=${tomorrow}`))
      .json()
      .tasks.find((task: { planId: number }) => task.planId === planId);
    const [outcome] = await sync(guard, [
      {
        clientId: randomUUID(),
        taskId: tomorrowTask.id,
        templateVersionId: tomorrowTask.templateVersionId,
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        completedAt: new Date().toISOString(),
        answers: answersFor(daily),
      },
    ]);
    expect(outcome).toMatchObject({ outcome: 'accepted', inWindow: false, taskDone: false });
    const row = await t.database.db
      .selectFrom('inspection_task')
      .select('state')
      .where('id', '=', tomorrowTask.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
  });

  it('marks tasks missed after their window, warns the security officer once and publishes inspection.missed', async () => {
    const later = new Date(Date.now() + 3 * 24 * 3600_000);
    const marked = await sweepMissed(t.database.db, later);
    expect(marked).toBeGreaterThan(0);
    expect(await sweepMissed(t.database.db, later)).toBe(0);
    const notices = await t.database.db
      .selectFrom('notification')
      .selectAll()
      .where('user_id', '=', securityUser.id)
      .where('kind', '=', 'inspection.missed')
      .execute();
    expect(notices).toHaveLength(1);
    const events = await t.database.db
      .selectFrom('realtime_event')
      .selectAll()
      .where('type', '=', 'inspection.missed')
      .execute();
    expect(events.length).toBe(1);
    expect(events[0]!.org_path).toBe(tree.school.path);

    // Statistics equal the counts in the tables.
    const stats = (
      await security.get(`/api/v1/inspections/stats?orgId=${tree.school.id}&from=${today}&to=${tomorrow}`)
    ).json();
    const rows = await t.database.db
      .selectFrom('inspection_task')
      .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
      .where('school_id', '=', tree.school.id)
      .groupBy('state')
      .execute();
    const n = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    expect(stats.totals).toMatchObject({ done: n('done'), missed: n('missed'), pending: n('pending') });
    expect(stats.totals.completionRate).toBeCloseTo(n('done') / (n('done') + n('missed')));
    const records = await t.database.db
      .selectFrom('inspection_record')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('school_id', '=', tree.school.id)
      .where('template_kind', '=', 'fire_daily')
      .executeTakeFirstOrThrow();
    expect(stats.recordsByKind.find((k: { kind: string }) => k.kind === 'fire_daily').records).toBe(Number(records.n));
    const county = (
      await countyOfficer.get(`/api/v1/inspections/stats?orgId=${tree.county.id}&from=${today}&to=${tomorrow}`)
    ).json();
    const schoolRow = county.byUnit.find((u: { orgId: number }) => u.orgId === tree.school.id);
    expect(schoolRow).toMatchObject({ done: n('done'), missed: n('missed') });
    const calendar = (
      await countyOfficer.get(`/api/v1/inspections/calendar?orgId=${tree.county.id}&from=${today}&to=${tomorrow}`)
    ).json();
    expect(calendar.days).toHaveLength(2);
    expect(calendar.units.find((u: { orgId: number }) => u.orgId === tree.school.id).missed).toBe(n('missed'));
    const xlsx = await countyOfficer.get(`/api/v1/inspections/stats/export.xlsx?orgId=${tree.county.id}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const ledger = await security.get(`/api/v1/inspections/records/export.xlsx?orgId=${tree.school.id}`);
    expect(ledger.statusCode).toBe(200);
    expect((await farOfficer.get(`/api/v1/inspections/stats?orgId=${tree.school.id}`)).statusCode).toBe(404);
  });
});

describe('patrol routes and QR checkpoints', () => {
  let route: PatrolRouteDetail;
  let otherRoute: PatrolRouteDetail;

  beforeAll(async () => {
    const created = await security.post('/api/v1/inspections/routes', {
      orgId: tree.school.id,
      name: '夜间巡逻路线',
      placeIds: [placeIds[2], placeIds[0]],
    });
    expect(created.statusCode, created.body).toBe(200);
    route = created.json();
    const other = await otherSecurity.post('/api/v1/inspections/routes', {
      orgId: tree.otherSchool.id,
      name: '北门巡逻',
      placeIds: [otherPlaceId],
    });
    otherRoute = other.json();
  });

  it('refuses places of another school and keeps QR codes when reordering', async () => {
    const bad = await security.post('/api/v1/inspections/routes', {
      orgId: tree.school.id,
      name: '错误路线',
      placeIds: [otherPlaceId],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('inspection_place_invalid');
    expect(route.checkpoints.map((c) => c.placeName)).toEqual(['南门', '一号教学楼']);
    expect(route.checkpoints[0]!.qr).toMatch(/^SCQ1\.\d+\.[0-9a-f]{16}$/);
    const reordered = await security.patch(`/api/v1/inspections/routes/${route.id}`, {
      placeIds: [placeIds[0], placeIds[2], placeIds[1]],
    });
    expect(reordered.statusCode, reordered.body).toBe(200);
    const after: PatrolRouteDetail = reordered.json();
    expect(after.checkpoints.map((c) => c.placeName)).toEqual(['一号教学楼', '南门', '学生宿舍']);
    expect(after.checkpoints[1]!.qr).toBe(route.checkpoints[0]!.qr);
    route = after;
    expect((await otherSecurity.get(`/api/v1/inspections/routes/${route.id}`)).statusCode).toBe(404);
  });

  it('prints an A4 PDF of labels', async () => {
    const response = await security.get(`/api/v1/inspections/routes/${route.id}/labels.pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const pdf = response.rawPayload.toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf).toContain('/DCTDecode');
    expect(pdf).toContain('/MediaBox [0 0 595.28 841.89]');
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
  });

  it('accepts a round with genuine scans, refuses forged and other schools’ codes, and reports coverage', async () => {
    const patrol = await builtin('patrol');
    const plan = await security.post('/api/v1/inspections/plans', {
      orgId: tree.school.id,
      name: '夜间安全巡逻',
      templateId: patrol.id,
      routeId: route.id,
      assigneeIds: [guardUser.id],
      schedule: allDay(today),
    });
    expect(plan.statusCode, plan.body).toBe(200);
    const mine: MyTasks = (await guard.get(`/api/v1/inspections/tasks/mine?day=${today}`)).json();
    const task = mine.tasks.find((item) => item.planId === plan.json().id)!;
    expect(task.checkpoints!.map((c) => c.qr)).toEqual(route.checkpoints.map((c) => c.qr));
    const start = Date.now() - 30 * 60_000;
    const scans = task.checkpoints!.map((c, index) => ({
      checkpointId: c.id,
      qr: c.qr,
      scannedAt: new Date(start + index * 60_000).toISOString(),
    }));
    const record = (over: Record<string, unknown>) => ({
      clientId: randomUUID(),
      taskId: task.id,
      templateVersionId: task.templateVersionId,
      startedAt: new Date(start - 60_000).toISOString(),
      completedAt: new Date().toISOString(),
      answers: task.checkpoints!.flatMap((c) => answersFor(task.template, c.id)),
      scans,
      ...over,
    });
    const forged = scans.map((s, i) =>
      i === 0 ? { ...s, qr: s.qr.replace(/.$/, (c) => (c === '0' ? '1' : '0')) } : s,
    );
    const foreign = scans.map((s, i) => (i === 0 ? { ...s, qr: otherRoute.checkpoints[0]!.qr } : s));
    const results = await sync(guard, [
      record({ scans: forged }),
      record({ scans: foreign }),
      record({ scans: scans.slice(1) }),
      record({}),
    ]);
    expect(results.map((r) => r.code)).toEqual([
      'inspection_qr_invalid',
      'inspection_qr_wrong_place',
      'inspection_scans_incomplete',
      null,
    ]);
    expect(results[3]).toMatchObject({ outcome: 'accepted', taskDone: true });
    const coverage = (
      await security.get(`/api/v1/inspections/patrol-coverage?orgId=${tree.school.id}&day=${today}`)
    ).json();
    const row = coverage.items.find((item: { schoolId: number }) => item.schoolId === tree.school.id);
    expect(row.rounds).toBe(1);
    expect(row.coveredHours).toBeGreaterThanOrEqual(1);
    expect(row.hours).toHaveLength(24);
  });
});

describe('bureau spot checks and bad input', () => {
  it('a county spot check creates a hazard in the school supervised by the county', async () => {
    const supervision = await builtin('supervision');
    const answers = answersFor(supervision);
    answers.find((a) => a.itemKey === 'cctv')!.value = false;
    answers.find((a) => a.itemKey === 'cctv')!.photoIds = [await photo(countyOfficer)];
    const [outcome] = await sync(countyOfficer, [
      {
        clientId: randomUUID(),
        schoolId: tree.school.id,
        templateVersionId: supervision.currentVersionId,
        startedAt: new Date(Date.now() - 3600_000).toISOString(),
        completedAt: new Date().toISOString(),
        answers,
      },
    ]);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ outcome: 'accepted', inWindow: null });
    const hazard = (await security.get(`/api/v1/hazards/${outcome!.hazardIds[0]}`)).json();
    expect(hazard).toMatchObject({ source: 'spot_check', supervised: true, schoolId: tree.school.id });
    const record = (await security.get(`/api/v1/inspections/records/${outcome!.recordId}`)).json();
    expect(record.spotCheckOrgName).toBe(tree.county.name);
    // Another county cannot spot-check this school.
    const far = await sync(farOfficer, [
      {
        ...{
          clientId: randomUUID(),
          schoolId: tree.school.id,
          templateVersionId: supervision.currentVersionId,
          startedAt: new Date().toISOString(),
          completedAt: new Date().toISOString(),
          answers,
        },
      },
    ]);
    expect(far[0]!.code).toBe('inspection_school_invalid');
  });

  it('answers bad input with 4xx problems and writes nothing', async () => {
    const daily = await builtin('fire_daily');
    const before = await tableCounts(t.database);
    const cases: [Client, 'post' | 'patch' | 'put' | 'get', string, unknown, number][] = [
      [
        security,
        'post',
        '/api/v1/inspections/templates',
        { orgId: tree.school.id, name: 'x'.repeat(500), kind: 'custom', content: daily.content },
        400,
      ],
      [
        security,
        'post',
        '/api/v1/inspections/templates',
        { orgId: tree.school.id, name: '空', kind: 'custom', content: [] },
        400,
      ],
      [security, 'post', '/api/v1/inspections/templates', { orgId: tree.otherSchool.id, copyOf: daily.id }, 404],
      [
        security,
        'post',
        '/api/v1/inspections/plans',
        { orgId: tree.school.id, name: '无人', templateId: daily.id, schedule: allDay(today) },
        400,
      ],
      [
        security,
        'post',
        '/api/v1/inspections/plans',
        { orgId: tree.school.id, name: '错', templateId: 'a', assigneeIds: [guardUser.id], schedule: allDay(today) },
        400,
      ],
      [
        security,
        'post',
        '/api/v1/inspections/plans',
        {
          orgId: tree.otherSchool.id,
          name: '越权',
          templateId: daily.id,
          assigneeIds: [guardUser.id],
          schedule: allDay(today),
        },
        404,
      ],
      [
        security,
        'post',
        '/api/v1/inspections/plans',
        {
          orgId: tree.school.id,
          name: '他校场所',
          templateId: daily.id,
          placeIds: [otherPlaceId],
          assigneeIds: [guardUser.id],
          schedule: allDay(today),
        },
        400,
      ],
      [
        security,
        'post',
        '/api/v1/inspections/plans',
        {
          orgId: tree.school.id,
          name: '周',
          templateId: daily.id,
          assigneeIds: [guardUser.id],
          schedule: { ...allDay(today), frequency: 'weekly' },
        },
        400,
      ],
      [security, 'post', '/api/v1/inspections/routes', { orgId: tree.school.id, name: '空', placeIds: [] }, 400],
      [
        security,
        'get',
        `/api/v1/inspections/calendar?orgId=${tree.school.id}&from=2026-01-01&to=2026-12-31`,
        undefined,
        400,
      ],
      [security, 'get', '/api/v1/inspections/tasks?day=notaday', undefined, 400],
      [security, 'get', `/api/v1/inspections/records?orgId=${tree.otherSchool.id}`, undefined, 404],
      [security, 'get', '/api/v1/inspections/records/99999999', undefined, 404],
      [
        guard,
        'post',
        '/api/v1/inspections/records/99999999/correction',
        { clientId: randomUUID(), reason: 'x', answers: [] },
        404,
      ],
    ];
    for (const [client, method, url, body, status] of cases) {
      const response = method === 'get' ? await client.get(url) : await client[method](url, body);
      expect(response.statusCode, `${method} ${url} ${response.body}`).toBe(status);
      expect(response.json().code).toBeTruthy();
    }
    expect(await tableCounts(t.database)).toEqual(before);
  });
});
