import {
  HAZARD_CATEGORIES,
  HAZARD_GRADES,
  HAZARD_STATES,
  type HazardDetail,
  type HazardStats,
  type HazardSummary,
} from '@safe-campus/domain';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BuiltOrg, type BuiltUser, buildOrg, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { endOfDay, formatDate, startOfDay } from '../../platform/dates.js';
import type { RealtimeEvent } from '../../platform/realtime.js';
import { multipartBody } from '../files/test-support.js';
import { sweepHazardAlerts } from './alerts.js';
import { HazardService } from './service.js';

let t: TestApp;
let tree: Tree;
let security: Client;
let teacher: Client;
let teacherUser: BuiltUser;
let otherTeacherUser: BuiltUser;
let departmentOfficer: Client;
let departmentOfficerUser: BuiltUser;
let otherSecurity: Client;
let countyOfficer: Client;
let countyOfficerUser: BuiltUser;
let cityOfficer: Client;
let cityOfficerUser: BuiltUser;
let provinceOfficerUser: BuiltUser;
let farOfficer: Client;
let placeId: number;
let otherPlaceId: number;

const HOUR = 3600_000;
const future = (hours = 72) => new Date(Date.now() + hours * HOUR).toISOString();

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

async function photo(client: Client, color = '#aa3322'): Promise<string> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: color } })
    .png()
    .toBuffer();
  const { payload, headers } = multipartBody(png, '现场照片.png');
  const response = await client.post('/api/v1/files', payload, headers);
  expect(response.statusCode).toBe(200);
  return response.json().id;
}

async function report(client: Client, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
  return client.post(
    '/api/v1/hazards',
    { orgId: tree.school.id, title: '消防通道堆放杂物', category: 'fire', ...body },
    headers,
  );
}

async function reported(client: Client, body: Record<string, unknown> = {}): Promise<HazardDetail> {
  const response = await report(client, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function act(client: Client, id: number, command: string, body: Record<string, unknown> = {}, headers = {}) {
  return client.post(`/api/v1/hazards/${id}/${command}`, body, headers);
}

const assignBody = (userId: number, deadline = future()) => ({
  responsibleUnit: '总务处',
  responsibleUserId: userId,
  measures: '清理杂物，设置禁止堆放标识',
  funds: 500,
  deadline,
  interimMeasures: '设置警示带，安排专人值守',
});

/** A hazard walked to `rectifying`, assigned to the teacher. */
async function assigned(grade: 'general' | 'major' = 'general', deadline = future()): Promise<HazardDetail> {
  const hazard = await reported(security);
  expect((await act(security, hazard.id, 'confirm', { grade, riskLevel: 'yellow' })).statusCode).toBe(200);
  const response = await act(security, hazard.id, 'assign', assignBody(teacherUser.id, deadline));
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function auditActions(id: number): Promise<string[]> {
  const rows = await t.database.db
    .selectFrom('audit_log')
    .select('action')
    .where('target_type', '=', 'hazard')
    .where('target_id', '=', String(id))
    .orderBy('id')
    .execute();
  return rows.map((row) => row.action);
}

async function notificationsOf(userId: number, kind: string, hazardId?: number) {
  let query = t.database.db
    .selectFrom('notification')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', kind);
  if (hazardId !== undefined) query = query.where('link', '=', `/hazards/${hazardId}`);
  return query.execute();
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false, hazardReminderHours: 24, hazardEscalationGraceHours: 72 });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  security = await as(await buildUser(db, { role: 'school_security', org: tree.school }));
  teacherUser = await buildUser(db, { role: 'teacher', org: tree.school });
  teacher = await as(teacherUser);
  otherTeacherUser = await buildUser(db, { role: 'teacher', org: tree.otherSchool });
  departmentOfficerUser = await buildUser(db, { role: 'department_officer', org: tree.department });
  departmentOfficer = await as(departmentOfficerUser);
  otherSecurity = await as(await buildUser(db, { role: 'school_security', org: tree.otherSchool }));
  countyOfficerUser = await buildUser(db, { role: 'bureau_officer', org: tree.county });
  countyOfficer = await as(countyOfficerUser);
  cityOfficerUser = await buildUser(db, { role: 'bureau_officer', org: tree.city });
  cityOfficer = await as(cityOfficerUser);
  provinceOfficerUser = await buildUser(db, { role: 'bureau_officer', org: tree.province });
  farOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.otherCounty }));
  const place = await security.post('/api/v1/places', {
    orgId: tree.school.id,
    kind: 'gate',
    code: 'G1',
    name: '南门',
  });
  placeId = place.json().id;
  const other = await otherSecurity.post('/api/v1/places', {
    orgId: tree.otherSchool.id,
    kind: 'gate',
    code: 'G1',
    name: '北门',
  });
  otherPlaceId = other.json().id;
});
afterAll(() => t.close());

describe('the closed loop', () => {
  it('walks report → confirm → assign → rectify → verify with photos, timeline, audit and notifications', async () => {
    const before = await photo(teacher, '#cc0000');
    const created = await report(teacher, {
      title: '实验楼灭火器过期',
      category: 'fire',
      placeId,
      photoIds: [before],
      description: '三楼东侧两具灭火器压力表指针在红区',
    });
    expect(created.statusCode, created.body).toBe(200);
    const hazard: HazardDetail = created.json();
    expect(hazard).toMatchObject({
      state: 'reported',
      source: 'report',
      schoolId: tree.school.id,
      placeName: '南门',
      supervised: false,
    });
    expect(hazard.code).toMatch(/^YH\d{4}\d{7}$/);
    expect(hazard.photos.before.map((p) => p.id)).toEqual([before]);
    // The school's security officer hears of it.
    expect(
      await notificationsOf(hazard.reportedById === teacherUser.id ? security.userId : 0, 'hazard.reported', hazard.id),
    ).toHaveLength(1);
    expect(hazard.commands).toEqual([]); // a teacher cannot grade

    const view = await security.get(`/api/v1/hazards/${hazard.id}`);
    expect(view.json().commands).toEqual(expect.arrayContaining(['confirm', 'reject']));

    const confirmed = await act(security, hazard.id, 'confirm', { grade: 'general', riskLevel: 'blue', note: '属实' });
    expect(confirmed.json()).toMatchObject({ state: 'confirmed', grade: 'general', riskLevel: 'blue' });

    const assignedResponse = await act(security, hazard.id, 'assign', assignBody(teacherUser.id));
    expect(assignedResponse.json()).toMatchObject({
      state: 'rectifying',
      responsibleUserId: teacherUser.id,
      responsibleUnit: '总务处',
      funds: 500,
      interimMeasures: '设置警示带，安排专人值守',
    });
    expect(await notificationsOf(teacherUser.id, 'hazard.assigned', hazard.id)).toHaveLength(1);

    // The responsible teacher finds it among their tasks, and may rectify it.
    const tasks = await teacher.get('/api/v1/hazards/mine?role=responsible&open=true');
    expect(tasks.json().items.map((item: HazardSummary) => item.id)).toContain(hazard.id);
    expect((await teacher.get(`/api/v1/hazards/${hazard.id}`)).json().commands).toEqual(['rectify']);

    const after = await photo(teacher, '#00aa00');
    const rectified = await act(teacher, hazard.id, 'rectify', { note: '已更换两具灭火器', photoIds: [after] });
    expect(rectified.statusCode, rectified.body).toBe(200);
    expect(rectified.json().state).toBe('rectified');

    const verified = await act(security, hazard.id, 'verify', { note: '现场复查合格' });
    const closed: HazardDetail = verified.json();
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).not.toBeNull();
    expect(closed.photos.before.map((p) => p.id)).toEqual([before]);
    expect(closed.photos.after.map((p) => p.id)).toEqual([after]);
    expect(closed.timeline.map((entry) => [entry.action, entry.toState])).toEqual([
      ['report', 'reported'],
      ['confirm', 'confirmed'],
      ['assign', 'rectifying'],
      ['rectify', 'rectified'],
      ['verify', 'closed'],
    ]);
    expect(closed.timeline[2]!.data).toMatchObject({ responsibleUnit: '总务处', funds: 500 });
    expect(await auditActions(hazard.id)).toEqual([
      'hazard.create',
      'hazard.confirm',
      'hazard.assign',
      'hazard.rectify',
      'hazard.verify',
    ]);

    // The photos are readable by those who see the hazard, and by nobody else.
    expect((await security.get(`/api/v1/files/${after}`)).statusCode).toBe(200);
    expect((await countyOfficer.get(`/api/v1/files/${before}/thumbnail`)).statusCode).toBe(200);
    expect((await otherSecurity.get(`/api/v1/files/${after}`)).statusCode).toBe(404);

    // A closed hazard reopens only by the explicit, audited reopen.
    expect((await act(security, hazard.id, 'assign', assignBody(teacherUser.id))).statusCode).toBe(409);
    const reopened = await act(security, hazard.id, 'reopen', { reason: '复查发现新增过期灭火器' });
    expect(reopened.json()).toMatchObject({ state: 'rectifying', closedAt: null });
    expect((await auditActions(hazard.id)).at(-1)).toBe('hazard.reopen');
  });

  it('answers a report with the detail a read of it gives, and tells the security officers once', async () => {
    const heard: RealtimeEvent[] = [];
    const stopListening = t.app.platform.realtime.subscribe((event) => heard.push(event));
    const realtimeBefore = await t.database.db
      .selectFrom('realtime_event')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    const cases: [Client, Record<string, unknown>][] = [
      [teacher, { placeId, description: '南门岗亭照明损坏', foundAt: new Date(Date.now() - HOUR).toISOString() }],
      [countyOfficer, { orgId: tree.department.id, title: '总务仓库电线老化', category: 'building' }],
      [countyOfficer, { title: '校外河塘无防护栏', category: 'surroundings' }],
      [security, { title: '安保室对讲机故障', category: 'public_order' }],
    ];
    for (const [client, body] of cases) {
      const created = await report(client, body);
      expect(created.statusCode, created.body).toBe(200);
      const read = await client.get(`/api/v1/hazards/${created.json().id}`);
      expect(created.json()).toEqual(read.json());
    }
    const [fromTeacher, fromDepartment, fromCounty, fromSecurity] = (
      await t.database.db.selectFrom('hazard').select('id').orderBy('id', 'desc').limit(4).execute()
    )
      .map((row) => row.id)
      .reverse() as [number, number, number, number];
    // The security officer hears of every report but their own; each inbox row is also a realtime event.
    for (const id of [fromTeacher, fromDepartment, fromCounty]) {
      expect(await notificationsOf(security.userId, 'hazard.reported', id)).toHaveLength(1);
    }
    expect(await notificationsOf(security.userId, 'hazard.reported', fromSecurity)).toHaveLength(0);
    const events = await t.database.db
      .selectFrom('realtime_event')
      .select(['type', 'user_id', 'org_path', 'payload'])
      .where('id', '>', realtimeBefore.id ?? 0)
      .orderBy('id')
      .execute();
    expect(events.filter((event) => event.type === 'hazard.changed')).toHaveLength(4);
    expect(
      events.filter(
        (event) => event.type === 'notification' && (event.payload as { kind: string }).kind === 'hazard.reported',
      ),
    ).toHaveLength(3);
    expect(await auditActions(fromCounty)).toEqual(['hazard.create']);
    // Every stored event reaches the hub as publish() would have sent it.
    const stored = await t.database.db
      .selectFrom('realtime_event')
      .selectAll()
      .where('id', '>', realtimeBefore.id ?? 0)
      .orderBy('id')
      .execute();
    await vi.waitFor(() => expect(heard.length).toBeGreaterThanOrEqual(stored.length));
    stopListening();
    for (const row of stored) {
      expect(heard.find((event) => event.id === row.id)).toEqual({
        id: row.id,
        type: row.type,
        orgPath: row.org_path,
        userId: row.user_id,
        payload: row.payload,
        at: row.at.toISOString(),
      });
    }
  });

  it('writes reports made at the same moment together, each once, and refuses the out-of-scope ones alone', async () => {
    const heard: RealtimeEvent[] = [];
    const stopListening = t.app.platform.realtime.subscribe((event) => heard.push(event));
    const run = `并发${Date.now() % 100000}`;
    // 30 reports at once from three people; every fifth one names a school outside the reporter's scope.
    const calls = Array.from({ length: 30 }, (_, index) => {
      const client = [security, teacher, countyOfficer][index % 3]!;
      const outside = index % 5 === 4;
      return report(client, {
        orgId: outside ? (client === countyOfficer ? tree.farSchool.id : tree.otherSchool.id) : tree.school.id,
        title: `${run} 第${index}条`,
        category: HAZARD_CATEGORIES[index % HAZARD_CATEGORIES.length],
      });
    });
    const answers = await Promise.all(calls);
    answers.forEach((answer, index) => {
      if (index % 5 === 4) {
        expect(answer.statusCode, answer.body).toBe(404);
        expect(answer.headers['content-type']).toContain('application/problem+json');
      } else {
        expect(answer.statusCode, answer.body).toBe(200);
        expect(answer.json().title).toBe(`${run} 第${index}条`);
      }
    });
    const rows = await t.database.db
      .selectFrom('hazard')
      .select(['id', 'title', 'reported_by', 'school_id'])
      .where('title', 'like', `${run}%`)
      .execute();
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((row) => row.title)).size).toBe(24);
    expect(rows.every((row) => row.school_id === tree.school.id)).toBe(true);
    // Each answer is its own hazard, reported by its own caller, with one audit row and one timeline step.
    for (const [index, answer] of answers.entries()) {
      if (index % 5 === 4) continue;
      const row = rows.find((candidate) => candidate.id === answer.json().id)!;
      expect(row.title).toBe(`${run} 第${index}条`);
      expect(row.reported_by).toBe([security, teacher, countyOfficer][index % 3]!.userId);
      expect(await auditActions(row.id)).toEqual(['hazard.create']);
    }
    const steps = await t.database.db
      .selectFrom('timeline_event')
      .select('record_id')
      .where('record_type', '=', 'hazard')
      .where(
        'record_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    expect(steps).toHaveLength(24);
    await vi.waitFor(() =>
      expect(
        heard.filter(
          (event) =>
            event.type === 'hazard.changed' && rows.some((row) => row.id === (event.payload as { id: number }).id),
        ),
      ).toHaveLength(24),
    );
    stopListening();
  });

  it('rejects a report that is not a hazard, with a reason, and keeps it out of the found count', async () => {
    const hazard = await reported(teacher, { title: '教室灯不亮' });
    const missing = await act(security, hazard.id, 'reject', { reason: '  ' });
    expect(missing.statusCode).toBe(400);
    const rejected = await act(security, hazard.id, 'reject', { reason: '属日常维修，已转后勤报修' });
    expect(rejected.json()).toMatchObject({ state: 'rejected', rejectReason: '属日常维修，已转后勤报修' });
  });

  it('returns a rectification with a reason and a new deadline', async () => {
    const hazard = await assigned();
    await act(teacher, hazard.id, 'rectify', { note: '已整改' });
    const past = await act(security, hazard.id, 'return', { reason: '未设置标识', deadline: future(-1) });
    expect(past.statusCode).toBe(400);
    expect(past.json().code).toBe('hazard_deadline_past');
    const deadline = future(48);
    const returned = await act(security, hazard.id, 'return', { reason: '未设置标识', deadline });
    expect(returned.json()).toMatchObject({ state: 'rectifying', deadline });
  });
});

describe('bad input and illegal steps', () => {
  it('answers 409 with a stable code for steps the state machine refuses', async () => {
    const hazard = await reported(teacher);
    const early = await act(security, hazard.id, 'verify', {});
    expect(early.statusCode).toBe(409);
    expect(early.headers['content-type']).toContain('application/problem+json');
    expect(early.json()).toMatchObject({ code: 'hazard_action_not_allowed' });
    expect(early.json().message).toMatch(/[\u4e00-\u9fa5]/);

    const rectifying = await assigned();
    const notMine = await act(security, rectifying.id, 'rectify', { note: '代为整改' });
    expect(notMine.statusCode).toBe(409);
    expect(notMine.json().code).toBe('hazard_not_responsible');
  });

  it('refuses the wrong role (403) and other schools and counties (404), writing nothing', async () => {
    const hazard = await reported(teacher);
    const counts = await tableCounts(t.database);
    expect((await act(teacher, hazard.id, 'confirm', { grade: 'general', riskLevel: 'blue' })).statusCode).toBe(403);
    expect((await act(otherSecurity, hazard.id, 'confirm', { grade: 'general', riskLevel: 'blue' })).statusCode).toBe(
      404,
    );
    expect((await otherSecurity.get(`/api/v1/hazards/${hazard.id}`)).statusCode).toBe(404);
    expect((await farOfficer.get(`/api/v1/hazards/${hazard.id}`)).statusCode).toBe(404);
    expect((await farOfficer.get(`/api/v1/hazards?orgId=${tree.school.id}`)).statusCode).toBe(404);
    const foreignPlace = await report(security, { placeId: otherPlaceId });
    expect(foreignPlace.statusCode).toBe(400);
    expect(foreignPlace.json().code).toBe('hazard_place_invalid');
    const foreignSchool = await report(security, { orgId: tree.otherSchool.id });
    expect(foreignSchool.statusCode).toBe(404);
    const county = await report(countyOfficer, { orgId: tree.county.id });
    expect(county.json().code).toBe('hazard_org_not_school');
    expect(await tableCounts(t.database)).toEqual(counts);
  });

  it('validates the body: unknown fields, wrong types, huge strings, past deadlines, future finds', async () => {
    const counts = await tableCounts(t.database);
    for (const body of [
      { title: 123 },
      { category: 'ufo' },
      { title: '隐'.repeat(101) },
      { title: '\u0000' },
      { extra: true },
      { foundAt: future(24) },
      { foundAt: new Date(Date.now() - 40 * 24 * HOUR).toISOString() },
      { planX: 0.5 },
    ]) {
      const response = await report(security, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const hazard = await reported(security);
    await act(security, hazard.id, 'confirm', { grade: 'general', riskLevel: 'blue' });
    const past = await act(security, hazard.id, 'assign', assignBody(teacherUser.id, future(-2)));
    expect(past.json().code).toBe('hazard_deadline_past');
    const stranger = await act(security, hazard.id, 'assign', assignBody(otherTeacherUser.id));
    expect(stranger.json().code).toBe('hazard_responsible_invalid');
    const after = await tableCounts(t.database);
    // Only the one valid report (and its confirmation) was written.
    expect(after.hazard).toBe(counts.hazard! + 1);
    expect(after.timeline_event).toBe(counts.timeline_event! + 2);
  });

  it('refuses photos that are not images, and uploads over the size limit', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF');
    const { payload, headers } = multipartBody(pdf, 'photo.jpg');
    const file = await security.post('/api/v1/files', payload, headers);
    expect(file.statusCode).toBe(200);
    const counts = await tableCounts(t.database);
    const response = await report(security, { photoIds: [file.json().id] });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('hazard_photo_not_image');
    expect(await tableCounts(t.database)).toEqual(counts);

    const huge = multipartBody(Buffer.alloc(50 * 1024 * 1024, 0xff), 'big.jpg');
    const tooLarge = await security.post('/api/v1/files', huge.payload, huge.headers);
    expect(tooLarge.statusCode).toBe(413);
    expect(await tableCounts(t.database)).toEqual(counts);
  });

  it('does a double-submitted report or rectification once when it carries an Idempotency-Key', async () => {
    const key = { 'idempotency-key': 'offline-report-0001-abcdef' };
    const first = await report(teacher, { title: '围墙破损' }, key);
    const second = await report(teacher, { title: '围墙破损' }, key);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    const sameTitle = await t.database.db.selectFrom('hazard').select('id').where('title', '=', '围墙破损').execute();
    expect(sameTitle).toHaveLength(1);
    const reused = await report(teacher, { title: '另一个隐患' }, key);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency_key_reused');
    expect((await report(teacher, {}, { 'idempotency-key': 'x' })).statusCode).toBe(400);
    // Sent four times at once (a phone retrying while the first is on its way): one hazard, one answer.
    const tapKey = { 'idempotency-key': 'offline-report-0002-abcdef' };
    const taps = await Promise.all([1, 2, 3, 4].map(() => report(teacher, { title: '楼梯扶手松动' }, tapKey)));
    expect(taps.map((tap) => tap.statusCode)).toEqual([200, 200, 200, 200]);
    expect(new Set(taps.map((tap) => tap.json().id)).size).toBe(1);
    const tapped = await t.database.db.selectFrom('hazard').select('id').where('title', '=', '楼梯扶手松动').execute();
    expect(tapped).toHaveLength(1);
    expect(await auditActions(tapped[0]!.id)).toEqual(['hazard.create']);

    const hazard = await assigned();
    const rectifyKey = { 'idempotency-key': 'rectify-submit-000000001' };
    // Sent twice at once (a double tap): one rectification, both answers equal.
    const [a, b] = await Promise.all([
      act(teacher, hazard.id, 'rectify', { note: '已修复' }, rectifyKey),
      act(teacher, hazard.id, 'rectify', { note: '已修复' }, rectifyKey),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const detail: HazardDetail = (await security.get(`/api/v1/hazards/${hazard.id}`)).json();
    expect(detail.timeline.filter((entry) => entry.action === 'rectify')).toHaveLength(1);
    expect((await auditActions(hazard.id)).filter((action) => action === 'hazard.rectify')).toHaveLength(1);
    // Without a key the second submission is refused by the state machine, not doubled.
    expect((await act(teacher, hazard.id, 'rectify', { note: '已修复' })).statusCode).toBe(409);
  });
});

describe('supervision and major hazards', () => {
  it('lets only the supervising bureau verify a major hazard', async () => {
    const hazard = await assigned('major');
    expect(await notificationsOf(countyOfficerUser.id, 'hazard.major', hazard.id)).toHaveLength(1);
    await act(teacher, hazard.id, 'rectify', { note: '已加固' });
    const bySchool = await act(security, hazard.id, 'verify', {});
    expect(bySchool.json().code).toBe('hazard_supervisor_must_verify');
    const byFar = await act(farOfficer, hazard.id, 'verify', {});
    expect(byFar.statusCode).toBe(404);
    const byCounty = await act(countyOfficer, hazard.id, 'verify', { note: '督导组复核合格' });
    expect(byCounty.json().state).toBe('closed');
  });

  it('puts a hazard under supervision, takes progress reports, and lets a higher bureau take over', async () => {
    const hazard = await assigned();
    const bySchool = await act(security, hazard.id, 'supervise', { deadline: future(), requirements: '限期整改' });
    expect(bySchool.statusCode).toBe(403);
    const supervisionDeadline = future(240);
    const notice = await act(countyOfficer, hazard.id, 'supervise', {
      deadline: supervisionDeadline,
      requirements: '十日内完成整改并报送整改报告',
    });
    expect(notice.statusCode, notice.body).toBe(200);
    expect(notice.json()).toMatchObject({
      supervised: true,
      supervisingOrgName: tree.county.name,
      supervisionDeadline,
    });
    expect(notice.json().supervision.requirements).toBe('十日内完成整改并报送整改报告');

    const progress = await act(security, hazard.id, 'progress', {
      note: '已完成材料采购',
      photoIds: [await photo(security)],
    });
    expect(progress.statusCode, progress.body).toBe(200);
    expect(await notificationsOf(countyOfficerUser.id, 'hazard.progress', hazard.id)).toHaveLength(1);

    // The board: the county's supervised, open hazards.
    const board = await countyOfficer.get(`/api/v1/hazards?supervised=true&open=true`);
    expect(board.json().items.map((item: HazardSummary) => item.id)).toContain(hazard.id);
    const onBoard = board.json().items.find((item: HazardSummary) => item.id === hazard.id);
    expect(onBoard?.supervisionDeadline).toBe(supervisionDeadline);

    const takeoverDeadline = future(100);
    const takeover = await act(cityOfficer, hazard.id, 'supervise', {
      deadline: takeoverDeadline,
      requirements: '市局督办',
    });
    expect(takeover.json().supervisingOrgName).toBe(tree.city.name);
    expect(takeover.json().supervisionDeadline).toBe(takeoverDeadline);
    const back = await act(countyOfficer, hazard.id, 'supervise', { deadline: future(100), requirements: '区县督办' });
    expect(back.json().code).toBe('hazard_already_supervised');

    await act(teacher, hazard.id, 'rectify', { note: '已完成' });
    expect((await act(security, hazard.id, 'verify', {})).json().code).toBe('hazard_supervisor_must_verify');
    expect((await act(countyOfficer, hazard.id, 'verify', {})).json().code).toBe('hazard_supervisor_must_verify');
    expect((await act(cityOfficer, hazard.id, 'verify', {})).json().state).toBe('closed');
  });

  it('turns a bureau report inside a school into a spot check the bureau supervises', async () => {
    const spot = await reported(countyOfficer, { title: '校门口防冲撞设施缺失', category: 'public_order' });
    expect(spot).toMatchObject({ source: 'spot_check', supervised: true, supervisingOrgName: tree.county.name });
    expect(spot.schoolId).toBe(tree.school.id);
    expect((await security.get(`/api/v1/hazards/${spot.id}`)).statusCode).toBe(200);
  });
});

describe('scope', () => {
  it('shows a department officer their department and what is assigned to them; a teacher only their own', async () => {
    const inDepartment = await reported(departmentOfficer, { orgId: tree.department.id, title: '总务处仓库电线老化' });
    expect(inDepartment.departmentId).toBe(tree.department.id);
    const schoolWide = await reported(security, { title: '操场围栏松动' });
    await act(security, schoolWide.id, 'confirm', { grade: 'general', riskLevel: 'blue' });
    await act(security, schoolWide.id, 'assign', assignBody(departmentOfficerUser.id));

    const list = await departmentOfficer.get('/api/v1/hazards?limit=200');
    const ids = list.json().items.map((item: HazardSummary) => item.id);
    expect(ids).toContain(inDepartment.id);
    expect(ids).toContain(schoolWide.id);
    expect(list.json().items.every((item: HazardSummary) => item.schoolId === tree.school.id)).toBe(true);
    const unrelated = await reported(security, { title: '食堂排烟管道油污' });
    expect(ids).not.toContain(unrelated.id);
    expect((await departmentOfficer.get(`/api/v1/hazards/${unrelated.id}`)).statusCode).toBe(404);

    expect((await teacher.get('/api/v1/hazards')).statusCode).toBe(403);
    expect((await teacher.get(`/api/v1/hazards/${unrelated.id}`)).statusCode).toBe(404);
    expect((await security.get('/api/v1/hazards?limit=200')).json().items.map((i: HazardSummary) => i.id)).toContain(
      inDepartment.id,
    );
    const mine = await departmentOfficer.get('/api/v1/hazards/mine?role=reported');
    expect(mine.json().items.map((i: HazardSummary) => i.id)).toEqual([inDepartment.id]);
  });

  it('lists a county ledger across its schools with cursor pages and filters, never another county', async () => {
    const otherSchoolHazard = await reported(otherSecurity, {
      orgId: tree.otherSchool.id,
      title: '二小门卫室灭火器缺失',
    });
    const seen: HazardSummary[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/hazards?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await countyOfficer.get(url)).json();
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const total = await t.database.db
      .selectFrom('hazard')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('county_id', '=', tree.county.id)
      .executeTakeFirstOrThrow();
    expect(seen).toHaveLength(Number(total.n));
    expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
    expect(seen.map((item) => item.id)).toContain(otherSchoolHazard.id);
    const sorted = [...seen].sort((a, b) => b.reportedAt.localeCompare(a.reportedAt) || b.id - a.id);
    expect(seen.map((i) => i.id)).toEqual(sorted.map((i) => i.id));

    const filtered = (await countyOfficer.get('/api/v1/hazards?state=reported&category=fire&keyword=灭火器')).json();
    expect(filtered.items.length).toBeGreaterThan(0);
    for (const item of filtered.items as HazardSummary[]) {
      expect(item).toMatchObject({ state: 'reported', category: 'fire' });
      expect(item.title).toContain('灭火器');
    }
    expect((await countyOfficer.get('/api/v1/hazards?cursor=garbage')).statusCode).toBe(400);
    expect((await countyOfficer.get('/api/v1/hazards?from=2026-11-30&to=2026-11-01')).json().code).toBe(
      'date_range_invalid',
    );
    const far = (await farOfficer.get('/api/v1/hazards')).json();
    expect(far.items.every((item: HazardSummary) => item.schoolId === tree.farSchool.id)).toBe(true);
  });
});

describe('overdue, reminders and escalation', () => {
  it('reminds before the deadline, marks overdue at it, escalates one level per grace period, each once', async () => {
    const deadline = new Date(Date.now() + 2 * HOUR);
    const hazard = await assigned('general', deadline.toISOString());
    // The hazards sweep alone: the whole sweeper a month ahead would also expire every test session.
    const service = new HazardService(t.database.db, { reminderHours: 24, escalationGraceHours: 72 });
    const tick = (offsetHours: number) =>
      sweepHazardAlerts(t.database.db, service, new Date(deadline.getTime() + offsetHours * HOUR));

    // Through the platform sweeper once, as in production.
    await t.app.platform.sweeper.tick(new Date(deadline.getTime() - HOUR));
    await tick(-0.5);
    expect(await notificationsOf(teacherUser.id, 'hazard.reminder', hazard.id)).toHaveLength(1);

    await tick(1);
    await tick(1.5);
    expect(await notificationsOf(teacherUser.id, 'hazard.overdue', hazard.id)).toHaveLength(1);
    expect(await notificationsOf(security.userId, 'hazard.overdue', hazard.id)).toHaveLength(1);
    expect(await notificationsOf(countyOfficerUser.id, 'hazard.escalated', hazard.id)).toHaveLength(0);

    await tick(73);
    await tick(74);
    expect(await notificationsOf(countyOfficerUser.id, 'hazard.escalated', hazard.id)).toHaveLength(1);
    expect(await notificationsOf(cityOfficerUser.id, 'hazard.escalated', hazard.id)).toHaveLength(0);

    // A sweeper that was away for a month catches up to the province in one pass, once.
    await tick(24 * 30);
    await tick(24 * 31);
    expect(await notificationsOf(cityOfficerUser.id, 'hazard.escalated', hazard.id)).toHaveLength(0);
    expect(await notificationsOf(provinceOfficerUser.id, 'hazard.escalated', hazard.id)).toHaveLength(1);
    const detailResponse = await security.get(`/api/v1/hazards/${hazard.id}`);
    expect(detailResponse.statusCode, detailResponse.body).toBe(200);
    const detail: HazardDetail = detailResponse.json();
    expect(detail.escalationLevel).toBe(3);
    expect(detail.timeline.filter((entry) => entry.action === 'overdue')).toHaveLength(1);
    expect(detail.timeline.filter((entry) => entry.action === 'escalate').map((entry) => entry.data)).toEqual([
      { level: 1 },
      { level: 3 },
    ]);

    // A return with a new deadline starts the clock again.
    await act(teacher, hazard.id, 'rectify', { note: '已整改' });
    const returned = await act(security, hazard.id, 'return', { reason: '复查不合格', deadline: future(48) });
    expect(returned.json()).toMatchObject({ overdue: false, escalationLevel: 0 });
  });
});

describe('statistics and ledgers', () => {
  /** Random hazards written straight into the table, so the numbers can be counted independently. */
  async function seedRandom(count: number, seed: number) {
    const schools: BuiltOrg[] = [tree.school, tree.otherSchool, tree.farSchool];
    const now = Date.now();
    const rows = fc.sample(
      fc.record({
        school: fc.constantFrom(...schools),
        inDepartment: fc.boolean(),
        category: fc.constantFrom(...HAZARD_CATEGORIES),
        grade: fc.constantFrom(...HAZARD_GRADES, null),
        state: fc.constantFrom(...HAZARD_STATES),
        ageDays: fc.integer({ min: 0, max: 400 }),
        deadlineDays: fc.integer({ min: -30, max: 30 }),
        closeDays: fc.integer({ min: 0, max: 60 }),
        supervised: fc.boolean(),
      }),
      { numRuns: count, seed },
    );
    const db = t.database.db;
    const ids: number[] = [];
    for (const [index, row] of rows.entries()) {
      const path = row.inDepartment && row.school.id === tree.school.id ? tree.department.path : row.school.path;
      const parts = row.school.path.split('/').filter(Boolean).map(Number);
      const reportedAt = new Date(now - row.ageDays * 24 * HOUR);
      const inserted = await db
        .insertInto('hazard')
        .values({
          code: `RND${seed}-${index}`,
          org_path: path,
          province_id: parts[0]!,
          city_id: parts[1]!,
          county_id: parts[2]!,
          school_id: parts[3]!,
          department_id: path === tree.department.path ? tree.department.id : null,
          title: `随机隐患${index}`,
          category: row.category,
          grade: row.grade,
          state: row.state,
          reported_at: reportedAt,
          deadline: row.state === 'reported' ? null : new Date(now + row.deadlineDays * 24 * HOUR),
          closed_at: row.state === 'closed' ? new Date(reportedAt.getTime() + row.closeDays * 24 * HOUR) : null,
          supervised: row.supervised,
          supervising_org_id: row.supervised ? tree.county.id : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(inserted.id);
    }
  }

  /** Counts straight from the rows, the way a person checking the statistics would. */
  async function countRows(where: { column: 'county_id' | 'city_id' | 'school_id'; id: number }, fromDay?: Date) {
    let query = t.database.db
      .selectFrom('hazard')
      .select([
        'state',
        'deadline',
        'grade',
        'supervised',
        'reported_at',
        'closed_at',
        'category',
        'county_id',
        'school_id',
      ])
      .where(where.column, '=', where.id);
    if (fromDay) query = query.where('reported_at', '>=', fromDay);
    const rows = await query.execute();
    const now = Date.now();
    const found = rows.filter((row) => row.state !== 'rejected');
    const closed = found.filter((row) => row.state === 'closed');
    return {
      found: found.length,
      rectified: closed.length,
      overdue: rows.filter(
        (row) => !['closed', 'rejected'].includes(row.state) && row.deadline && row.deadline.getTime() < now,
      ).length,
      major: found.filter((row) => row.grade === 'major').length,
      supervised: found.filter((row) => row.supervised).length,
      fire: found.filter((row) => row.category === 'fire').length,
      perSchool: (schoolId: number) => found.filter((row) => row.school_id === schoolId).length,
      averageDays:
        closed.length === 0
          ? null
          : closed.reduce((sum, row) => sum + (row.closed_at!.getTime() - row.reported_at.getTime()), 0) /
            closed.length /
            (24 * HOUR),
    };
  }

  it('gives statistics equal to a count of the underlying rows, on random data', async () => {
    await seedRandom(300, 7);
    const county: HazardStats = (await countyOfficer.get(`/api/v1/hazards/stats?orgId=${tree.county.id}`)).json();
    const expected = await countRows({ column: 'county_id', id: tree.county.id });
    expect(county.totals).toMatchObject({
      found: expected.found,
      rectified: expected.rectified,
      unrectified: expected.found - expected.rectified,
      overdue: expected.overdue,
      major: expected.major,
      supervised: expected.supervised,
    });
    expect(county.totals.averageDaysToClose).toBeCloseTo(expected.averageDays!, 1);
    expect(county.byCategory.find((row) => row.category === 'fire')!.found).toBe(expected.fire);
    // Each school of the county is a row (a district sees each school), and the rows add up to the totals.
    const schoolRow = county.byChild.find((row) => row.orgId === tree.school.id)!;
    expect(schoolRow.found).toBe(expected.perSchool(tree.school.id));
    expect(county.byChild.map((row) => row.orgId).sort()).toEqual([tree.school.id, tree.otherSchool.id].sort());
    for (const key of ['found', 'rectified', 'overdue', 'major'] as const) {
      expect(county.byChild.reduce((sum, row) => sum + row[key], 0)).toBe(county.totals[key]);
      expect(county.byCategory.reduce((sum, row) => sum + row[key], 0)).toBe(county.totals[key]);
      expect(county.byGrade.reduce((sum, row) => sum + row[key], 0)).toBe(county.totals[key]);
    }

    // The province sees each city; a date range narrows by report day.
    const fromDay = '2026-01-01';
    const province: HazardStats = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/hazards/stats?from=${fromDay}`,
        headers: { cookie: (await as(provinceOfficerUser)).cookie },
      })
    ).json();
    expect(province.byChild.map((row) => row.orgId).sort()).toEqual([tree.city.id, tree.otherCity.id].sort());
    const city = await countRows({ column: 'city_id', id: tree.city.id }, new Date('2025-12-31T16:00:00Z'));
    expect(province.byChild.find((row) => row.orgId === tree.city.id)!.found).toBe(city.found);

    // The ledger's overdue filter agrees with the overdue count.
    let overdueListed = 0;
    let cursor: string | null = null;
    do {
      const page: { items: unknown[]; nextCursor: string | null } = (
        await countyOfficer.get(`/api/v1/hazards?overdue=true&limit=200${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      overdueListed += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    expect(overdueListed).toBe(county.totals.overdue);

    // A school's statistics break down by department, its own hazards in a row of their own.
    const school: HazardStats = (await security.get('/api/v1/hazards/stats')).json();
    expect(school.byChild.map((row) => row.orgName)).toEqual(
      expect.arrayContaining([tree.department.name, `${tree.school.name}（本级）`]),
    );
  });

  it('keeps the monthly roll-up equal to the rows through random writes: province and city statistics', async () => {
    const db = t.database.db;
    // Two cities, several counties, a school in each new county.
    const county2 = await buildOrg(db, { parent: tree.city, level: 'county', name: '三区' });
    const county3 = await buildOrg(db, { parent: tree.otherCity, level: 'county', name: '四区' });
    const schools = [
      tree.school,
      tree.farSchool,
      await buildOrg(db, { parent: county2, level: 'school', name: '三区中学' }),
      await buildOrg(db, { parent: county3, level: 'school', name: '四区小学' }),
    ];
    const now = Date.now();
    // Reports near business-month edges (Asia/Shanghai midnight of the 1st, ± a few hours) and anywhere.
    const monthStart = (back: number) => {
      const today = formatDate(new Date(now), 'Asia/Shanghai');
      const [year, month] = today.split('-').map(Number) as [number, number];
      const first = new Date(Date.UTC(year, month - 1 - back, 1)).toISOString().slice(0, 10);
      return startOfDay(first, 'Asia/Shanghai').getTime();
    };
    const rows = fc.sample(
      fc.record({
        school: fc.constantFrom(...schools),
        category: fc.constantFrom(...HAZARD_CATEGORIES),
        grade: fc.constantFrom(...HAZARD_GRADES, null),
        state: fc.constantFrom(...HAZARD_STATES),
        nearEdge: fc.boolean(),
        monthsBack: fc.integer({ min: 0, max: 7 }),
        minutes: fc.integer({ min: -600, max: 600 }),
        ageMinutes: fc.integer({ min: 0, max: 240 * 24 * 60 }),
        deadlineDays: fc.integer({ min: -30, max: 30 }),
        closeHours: fc.integer({ min: 1, max: 1000 }),
        supervised: fc.boolean(),
        // the sweeper's overdue mark: none, after the deadline (as it marks), or one before it
        mark: fc.constantFrom('none', 'after', 'before'),
      }),
      { numRuns: 160, seed: 11 },
    );
    const ids: number[] = [];
    for (const [index, row] of rows.entries()) {
      const parts = row.school.path.split('/').filter(Boolean).map(Number);
      const at = row.nearEdge ? monthStart(row.monthsBack) + row.minutes * 60_000 : now - row.ageMinutes * 60_000;
      const reportedAt = new Date(Math.min(at, now - 60_000));
      const deadline = row.state === 'reported' ? null : new Date(now + row.deadlineDays * 24 * HOUR);
      const marked =
        deadline === null || row.mark === 'none'
          ? null
          : row.mark === 'after'
            ? new Date(deadline.getTime() + 60_000) // also with a future deadline: a clock that ran ahead
            : new Date(deadline.getTime() - HOUR);
      const inserted = await db
        .insertInto('hazard')
        .values({
          code: `ROLL-${index}`,
          org_path: row.school.path,
          province_id: parts[0]!,
          city_id: parts[1]!,
          county_id: parts[2]!,
          school_id: parts[3]!,
          title: `月度汇总隐患${index}`,
          category: row.category,
          grade: row.grade,
          state: row.state,
          reported_at: reportedAt,
          deadline,
          overdue_notified_at: marked,
          closed_at: row.state === 'closed' ? new Date(reportedAt.getTime() + row.closeHours * HOUR) : null,
          supervised: row.supervised,
          supervising_org_id: row.supervised ? tree.province.id : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(inserted.id);
    }

    // Random transitions, one by one and in bulk, some in one transaction, some rolled back, a few deletions.
    const steps = fc.sample(
      fc.record({
        pick: fc.integer({ min: 0, max: ids.length - 1 }),
        kind: fc.constantFrom(
          'close',
          'reopen',
          'reject',
          'grade',
          'supervise',
          'category',
          'rectify',
          'delete',
          'mark',
          'deadline',
        ),
        days: fc.integer({ min: -20, max: 20 }),
        grade: fc.constantFrom(...HAZARD_GRADES),
        category: fc.constantFrom(...HAZARD_CATEGORIES),
        hours: fc.integer({ min: 1, max: 500 }),
        rollback: fc.integer({ min: 0, max: 9 }),
      }),
      { numRuns: 120, seed: 12 },
    );
    const deleted = new Set<number>();
    for (const step of steps) {
      const id = ids[step.pick]!;
      if (deleted.has(id)) continue;
      const change = async (trx: typeof db) => {
        const row = await trx
          .selectFrom('hazard')
          .select(['reported_at', 'deadline'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        const update = trx.updateTable('hazard').where('id', '=', id);
        switch (step.kind) {
          case 'close':
            await update
              .set({ state: 'closed', closed_at: new Date(row.reported_at.getTime() + step.hours * HOUR) })
              .execute();
            break;
          case 'reopen':
            await update.set({ state: 'rectifying', closed_at: null }).execute();
            break;
          case 'reject':
            await update.set({ state: 'rejected', closed_at: null }).execute();
            break;
          case 'grade':
            await update.set({ grade: step.grade }).execute();
            break;
          case 'supervise':
            await update
              .set((eb) => ({ supervised: eb.not('supervised'), supervising_org_id: tree.province.id }))
              .execute();
            break;
          case 'category':
            await update.set({ category: step.category }).execute();
            break;
          case 'rectify':
            // Not a counted change: the trigger's condition skips it.
            await update.set({ state: 'rectified', closed_at: null }).where('state', '<>', 'closed').execute();
            break;
          case 'delete':
            await trx.deleteFrom('hazard').where('id', '=', id).execute();
            break;
          case 'mark':
            // As the sweeper marks a hazard overdue at its deadline.
            if (row.deadline && row.deadline.getTime() < Date.now()) {
              await update.set({ overdue_notified_at: new Date() }).execute();
            }
            break;
          case 'deadline':
            // A new deadline (assign, return) clears the alert marks.
            await update
              .set({ deadline: new Date(now + step.days * 24 * HOUR), overdue_notified_at: null, reminded_at: null })
              .execute();
            break;
        }
      };
      if (step.rollback === 0) {
        await db
          .transaction()
          .execute(async (trx) => {
            await change(trx);
            throw new Error('rolled back');
          })
          .catch(() => undefined);
      } else {
        await db.transaction().execute(change);
        if (step.kind === 'delete') deleted.add(id);
      }
    }
    // A bulk statement over many rows in one transaction.
    await db
      .updateTable('hazard')
      .set({ state: 'closed', closed_at: sql`reported_at + interval '3 days'` })
      .where('id', 'in', ids.slice(0, 20))
      .where('state', '=', 'rectified')
      .execute();

    // Province by city and city by county, over periods with whole months, partial edge months, one month.
    const checkStatistics = async () => {
      const province = await as(provinceOfficerUser);
      const day = (monthsBack: number, date: number) => {
        const [year, month] = formatDate(new Date(now), 'Asia/Shanghai').split('-').map(Number) as [number, number];
        return new Date(Date.UTC(year, month - 1 - monthsBack, date)).toISOString().slice(0, 10);
      };
      const lastDay = (monthsBack: number) => {
        const [year, month] = formatDate(new Date(now), 'Asia/Shanghai').split('-').map(Number) as [number, number];
        return new Date(Date.UTC(year, month - monthsBack, 0)).toISOString().slice(0, 10);
      };
      const periods: { from?: string; to?: string }[] = [
        {},
        { from: day(5, 15), to: day(1, 10) },
        { from: day(6, 1), to: lastDay(1) },
        { from: day(2, 5), to: day(2, 20) },
        { to: formatDate(new Date(now), 'Asia/Shanghai') },
        { from: day(3, 2) },
      ];
      const zone = 'Asia/Shanghai';
      for (const period of periods) {
        const query = new URLSearchParams(period as Record<string, string>).toString();
        const from = period.from ? startOfDay(period.from, zone) : undefined;
        const before = period.to ? endOfDay(period.to, zone) : undefined;
        for (const [client, root, column, childColumn] of [
          [province, tree.province, 'province_id', 'city_id'],
          [cityOfficer, tree.city, 'city_id', 'county_id'],
          [province, tree.otherCity, 'city_id', 'county_id'],
        ] as const) {
          const stats: HazardStats = (await client.get(`/api/v1/hazards/stats?orgId=${root.id}&${query}`)).json();
          const expected = await countGrouped(column, root.id, childColumn, from, before);
          const label = `${root.name} ${query}`;
          expect(stats.totals, label).toMatchObject(expected.totals);
          if (expected.averageDays === null) expect(stats.totals.averageDaysToClose, label).toBeNull();
          else expect(stats.totals.averageDaysToClose, label).toBeCloseTo(expected.averageDays, 1);
          for (const row of stats.byChild) {
            expect(row, `${label} ${row.orgName}`).toMatchObject(expected.child(row.orgId));
          }
          for (const row of stats.byCategory) expect(row.found, label).toBe(expected.category(row.category));
          for (const row of stats.byGrade) expect(row.found, label).toBe(expected.grade(row.grade));
        }
      }
    };
    // Statistics read the roll-up and its deltas not yet folded in; then the sweeper's fold leaves the roll-up
    // equal to a recomputation from the rows, and the statistics unchanged.
    expect(
      Number((await sql<{ n: number }>`SELECT count(*) AS n FROM hazard_rollup_delta`.execute(db)).rows[0]!.n),
    ).toBeGreaterThan(0);
    await checkStatistics();
    await sql`SELECT hazard_rollup_fold()`.execute(db);
    expect(
      Number((await sql<{ n: number }>`SELECT count(*) AS n FROM hazard_rollup_delta`.execute(db)).rows[0]!.n),
    ).toBe(0);
    const rollup = await sql<{ key: string }>`
      SELECT concat_ws('|', county_id, city_id, province_id, month, category, grade, found, rectified, supervised,
        round(close_seconds), overdue_marked) AS key
      FROM hazard_rollup
      WHERE found <> 0 OR rectified <> 0 OR supervised <> 0 OR close_seconds <> 0 OR overdue_marked <> 0 ORDER BY 1`.execute(
      db,
    );
    const recount = await sql<{ key: string }>`
      SELECT concat_ws('|', county_id, city_id, province_id, month, category, grade, found, rectified, supervised,
        round(close_seconds), overdue_marked) AS key FROM (
        SELECT county_id, min(city_id) AS city_id, min(province_id) AS province_id,
          (date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai'))::date AS month, category,
          coalesce(grade, '') AS grade, count(*) FILTER (WHERE state <> 'rejected') AS found,
          count(*) FILTER (WHERE state = 'closed') AS rectified,
          count(*) FILTER (WHERE supervised AND state <> 'rejected') AS supervised,
          coalesce(sum(extract(epoch FROM closed_at - reported_at)) FILTER (WHERE state = 'closed'), 0) AS close_seconds,
          count(*) FILTER (WHERE state NOT IN ('closed', 'rejected') AND overdue_notified_at > deadline)
            AS overdue_marked
        FROM hazard GROUP BY county_id, 4, category, 6) r
      WHERE found <> 0 OR rectified <> 0 OR supervised <> 0 OR close_seconds <> 0 OR overdue_marked <> 0 ORDER BY 1`.execute(
      db,
    );
    expect(rollup.rows.map((row) => row.key)).toEqual(recount.rows.map((row) => row.key));

    await checkStatistics();
  });

  /** Counts by child unit straight from the rows, in [from, before). */
  async function countGrouped(
    column: 'province_id' | 'city_id',
    id: number,
    childColumn: 'city_id' | 'county_id',
    from?: Date,
    before?: Date,
  ) {
    let query = t.database.db
      .selectFrom('hazard')
      .select(['state', 'deadline', 'grade', 'supervised', 'reported_at', 'closed_at', 'category', childColumn])
      .where(column, '=', id);
    if (from) query = query.where('reported_at', '>=', from);
    if (before) query = query.where('reported_at', '<', before);
    const rows = await query.execute();
    const now = Date.now();
    const tally = (subset: typeof rows) => {
      const found = subset.filter((row) => row.state !== 'rejected');
      return {
        found: found.length,
        rectified: found.filter((row) => row.state === 'closed').length,
        overdue: subset.filter(
          (row) => !['closed', 'rejected'].includes(row.state) && row.deadline && row.deadline.getTime() < now,
        ).length,
        major: found.filter((row) => row.grade === 'major').length,
        supervised: found.filter((row) => row.supervised).length,
      };
    };
    const closed = rows.filter((row) => row.state === 'closed');
    return {
      totals: tally(rows),
      averageDays:
        closed.length === 0
          ? null
          : closed.reduce((sum, row) => sum + (row.closed_at!.getTime() - row.reported_at.getTime()), 0) /
            closed.length /
            (24 * HOUR),
      child: (childId: number) =>
        tally(rows.filter((row) => (row as Record<string, unknown>)[childColumn] === childId)),
      category: (category: string) =>
        rows.filter((row) => row.category === category && row.state !== 'rejected').length,
      grade: (grade: string | null) =>
        rows.filter((row) => (row.grade ?? null) === grade && row.state !== 'rejected').length,
    };
  }

  it('exports the printable ledger and the statistics to Excel, audited', async () => {
    const response = await security.get('/api/v1/hazards/export.xlsx?open=true');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as never);
    const sheet = workbook.getWorksheet('隐患台账')!;
    expect(String(sheet.getRow(1).getCell(1).value)).toBe(`${tree.school.name}隐患排查整改台账`);
    expect(sheet.getRow(3).getCell(15).value).toBe('整改措施');
    const listed = await t.database.db
      .selectFrom('hazard')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('school_id', '=', tree.school.id)
      .where('state', 'not in', ['closed', 'rejected'])
      .executeTakeFirstOrThrow();
    let dataRows = 0;
    sheet.eachRow((row, number) => {
      if (number > 3 && typeof row.getCell(1).value === 'number') dataRows += 1;
    });
    expect(dataRows).toBe(Number(listed.n));
    const texts: string[] = [];
    sheet.eachRow((row) => texts.push(String(row.getCell(1).value ?? '')));
    expect(texts.some((text) => text.startsWith(`合计：隐患 ${listed.n} 条`))).toBe(true);

    const stats = await countyOfficer.get('/api/v1/hazards/stats/export.xlsx');
    expect(stats.statusCode).toBe(200);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'in', ['hazard.export', 'hazard.stats_export'])
      .execute();
    expect(audit.map((row) => row.action).sort()).toEqual(['hazard.export', 'hazard.stats_export']);
    expect((await teacher.get('/api/v1/hazards/export.xlsx')).statusCode).toBe(403);
  });

  it('exports an empty ledger with its title and a zero total', async () => {
    const response = await farOfficer.get('/api/v1/hazards/export.xlsx?keyword=不存在的隐患');
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as never);
    const texts: string[] = [];
    workbook.getWorksheet('隐患台账')!.eachRow((row) => texts.push(String(row.getCell(1).value ?? '')));
    expect(texts).toContain('合计：隐患 0 条，其中已验收销号 0 条，未销号 0 条（超期 0 条），不属于隐患 0 条。');
  });
});
