import type { AlarmCounts, AlarmDetail, AlarmSummary, CommandOverview } from '@safe-campus/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltUser, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { escalateDueAlarms } from './escalation.js';
import { raiseAlarm } from './raise.js';

let t: TestApp;
let tree: Tree;
let security: Client;
let securityUser: BuiltUser;
let leaderUser: BuiltUser;
let dutyLeaderUser: BuiltUser;
let guard: Client;
let guardUser: BuiltUser;
let teacher: Client;
let teacherUser: BuiltUser;
let otherTeacher: Client;
let otherSecurity: Client;
let otherGuardUser: BuiltUser;
let countyOfficer: Client;
let countyOfficerUser: BuiltUser;
let countyPolice: Client;
let countyPoliceUser: BuiltUser;
let farOfficer: Client;
let placeId: number;
let otherPlaceId: number;

const ACK_SECONDS = 60;

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

async function manual(client: Client, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
  return client.post(
    '/api/v1/alarms',
    { orgId: tree.school.id, kind: 'intrusion', title: '东侧围墙有人翻越', ...body },
    headers,
  );
}

async function raised(body: Record<string, unknown> = {}): Promise<AlarmDetail> {
  const response = await manual(security, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function act(client: Client, id: number, action: string, body: Record<string, unknown> = {}, headers = {}) {
  return client.post(`/api/v1/alarms/${id}/${action}`, body, headers);
}

async function auditActions(id: number): Promise<string[]> {
  const rows = await t.database.db
    .selectFrom('audit_log')
    .select('action')
    .where('target_type', '=', 'alarm')
    .where('target_id', '=', String(id))
    .orderBy('id')
    .execute();
  return rows.map((row) => row.action);
}

async function eventsOf(type: string, id: number) {
  const rows = await t.database.db.selectFrom('realtime_event').selectAll().where('type', '=', type).execute();
  return rows.filter((row) => (row.payload as { id?: number }).id === id);
}

async function notificationsOf(userId: number, kind: string) {
  return t.database.db
    .selectFrom('notification')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .execute();
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false, alarmAckSeconds: ACK_SECONDS, alarmArriveSeconds: 600 });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  securityUser = await buildUser(db, { role: 'school_security', org: tree.school });
  security = await as(securityUser);
  leaderUser = await buildUser(db, { role: 'school_leader', org: tree.school });
  dutyLeaderUser = await buildUser(db, { role: 'school_leader', org: tree.school });
  guardUser = await buildUser(db, { role: 'guard', org: tree.school });
  guard = await as(guardUser);
  teacherUser = await buildUser(db, { role: 'teacher', org: tree.school });
  teacher = await as(teacherUser);
  otherTeacher = await as(await buildUser(db, { role: 'teacher', org: tree.otherSchool }));
  otherSecurity = await as(await buildUser(db, { role: 'school_security', org: tree.otherSchool }));
  otherGuardUser = await buildUser(db, { role: 'guard', org: tree.otherSchool });
  countyOfficerUser = await buildUser(db, { role: 'bureau_officer', org: tree.county });
  countyOfficer = await as(countyOfficerUser);
  countyPoliceUser = await buildUser(db, { role: 'police_liaison', org: tree.county });
  countyPolice = await as(countyPoliceUser);
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

describe('the alarm lifecycle', () => {
  it('walks raise → acknowledge → dispatch → arrive → resolve with timeline, audit, events and SLA figures', async () => {
    const alarm = await raised({ placeId, description: '监控发现一名男子' });
    expect(alarm).toMatchObject({
      state: 'new',
      source: 'manual',
      kind: 'intrusion',
      priority: 2,
      placeName: '南门',
      schoolName: '第一中学',
      commands: ['acknowledge', 'dispatch', 'resolve'],
    });
    expect(alarm.code).toMatch(/^BJ\d{8}\d{7}$/);
    expect((await eventsOf('alarm.raised', alarm.id)).length).toBe(1);

    const acked = await act(security, alarm.id, 'acknowledge', { note: '已调看监控' });
    expect(acked.statusCode, acked.body).toBe(200);
    expect(acked.json()).toMatchObject({ state: 'acknowledged', commands: ['dispatch', 'resolve'] });
    expect(acked.json().sla.timeToAcknowledge).toBeGreaterThanOrEqual(0);

    const dispatched = await act(security, alarm.id, 'dispatch', { assigneeId: guardUser.id, team: '巡逻一组' });
    expect(dispatched.statusCode, dispatched.body).toBe(200);
    expect(dispatched.json()).toMatchObject({
      state: 'dispatched',
      dispatchedToId: guardUser.id,
      dispatchTeam: '巡逻一组',
    });
    // The guard is told and sees it on the phone list.
    expect((await notificationsOf(guardUser.id, 'alarm.dispatched')).length).toBeGreaterThan(0);
    const mine = (await guard.get('/api/v1/alarms/mine?role=dispatched&open=true')).json();
    expect(mine.items.map((item: AlarmSummary) => item.id)).toContain(alarm.id);

    // The assignee walks it on.
    const arrived = await act(guard, alarm.id, 'arrive', {});
    expect(arrived.statusCode, arrived.body).toBe(200);
    expect(arrived.json().state).toBe('on_scene');
    expect(arrived.json().sla.timeToArrive).toBeGreaterThanOrEqual(0);
    const resolved = await act(guard, alarm.id, 'resolve', {
      outcome: '系学生翻墙返校，已批评教育',
      falseAlarm: false,
      notes: '已通知班主任',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const done: AlarmDetail = resolved.json();
    expect(done).toMatchObject({ state: 'resolved', falseAlarm: false, outcome: '系学生翻墙返校，已批评教育' });
    expect(done.sla.timeToResolve).toBeGreaterThanOrEqual(0);
    expect(done.timeline.map((entry) => entry.action)).toEqual([
      'raise',
      'acknowledge',
      'dispatch',
      'arrive',
      'resolve',
    ]);
    expect(await auditActions(alarm.id)).toEqual([
      'alarm.create',
      'alarm.acknowledge',
      'alarm.dispatch',
      'alarm.arrive',
      'alarm.resolve',
    ]);
    expect(
      (await eventsOf('alarm.changed', alarm.id)).map((event) => (event.payload as { action: string }).action),
    ).toEqual(['acknowledge', 'dispatch', 'arrive', 'resolve']);
  });

  it('refuses illegal steps with 409 and leaves the alarm as it was', async () => {
    const alarm = await raised();
    expect((await act(security, alarm.id, 'arrive')).statusCode).toBe(409);
    const resolved = await act(security, alarm.id, 'resolve', { outcome: '误报', falseAlarm: true });
    expect(resolved.statusCode).toBe(200);
    for (const action of ['acknowledge', 'arrive', 'resolve']) {
      const response = await act(
        security,
        alarm.id,
        action,
        action === 'resolve' ? { outcome: 'x', falseAlarm: true } : {},
      );
      expect(response.statusCode, action).toBe(409);
      expect(response.json().code).toBe('alarm_action_not_allowed');
      expect(response.json().message).toMatch(/警情/);
    }
    const dispatch = await act(security, alarm.id, 'dispatch', { assigneeId: guardUser.id });
    expect(dispatch.statusCode).toBe(409);
    expect((await security.get(`/api/v1/alarms/${alarm.id}`)).json().state).toBe('resolved');
  });

  it('answers 403 to roles without alarm.handle and 404 to other schools and far bureaus', async () => {
    const alarm = await raised();
    expect((await act(teacher, alarm.id, 'acknowledge')).statusCode).toBe(403);
    expect((await act(countyOfficer, alarm.id, 'acknowledge')).statusCode).toBe(403);
    expect((await act(countyPolice, alarm.id, 'acknowledge')).statusCode).toBe(403);
    expect((await act(otherSecurity, alarm.id, 'acknowledge')).statusCode).toBe(404);
    const foreign = await otherSecurity.get(`/api/v1/alarms/${alarm.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain(alarm.code);
    expect((await farOfficer.get(`/api/v1/alarms/${alarm.id}`)).statusCode).toBe(404);
    expect((await teacher.get(`/api/v1/alarms/${alarm.id}`)).statusCode).toBe(404);
    // The county bureau and its police liaison read it.
    expect((await countyOfficer.get(`/api/v1/alarms/${alarm.id}`)).statusCode).toBe(200);
    expect((await countyPolice.get(`/api/v1/alarms/${alarm.id}`)).statusCode).toBe(200);
    // The queue of the other school does not show it.
    const otherQueue = (await otherSecurity.get('/api/v1/alarms?view=queue')).json();
    expect(otherQueue.items.map((item: AlarmSummary) => item.id)).not.toContain(alarm.id);
  });

  it('dispatches only to an active member of the school', async () => {
    const alarm = await raised();
    const outsider = await act(security, alarm.id, 'dispatch', { assigneeId: otherGuardUser.id });
    expect(outsider.statusCode).toBe(400);
    expect(outsider.json().code).toBe('alarm_assignee_invalid');
    const nobody = await act(security, alarm.id, 'dispatch', { assigneeId: 2_000_000_000 });
    expect(nobody.statusCode).toBe(400);
    expect((await security.get(`/api/v1/alarms/${alarm.id}`)).json().state).toBe('new');
  });

  it('sorts the live queue by priority then time and filters the history', async () => {
    const low = await raised({ kind: 'other', title: '配电房门未关' });
    const fire = await raised({ kind: 'fire', title: '实验楼烟感报警' });
    const queue = (await security.get('/api/v1/alarms?view=queue&limit=200')).json().items as AlarmSummary[];
    const ids = queue.map((item) => item.id);
    expect(ids.indexOf(fire.id)).toBeLessThan(ids.indexOf(low.id));
    const priorities = queue.map((item) => item.priority);
    expect([...priorities].sort()).toEqual(priorities);
    expect(queue.every((item) => item.state !== 'resolved')).toBe(true);

    const fires = (await security.get('/api/v1/alarms?kind=fire')).json().items as AlarmSummary[];
    expect(fires.length).toBeGreaterThan(0);
    expect(fires.every((item) => item.kind === 'fire')).toBe(true);
    const manualOnly = (await security.get('/api/v1/alarms?source=manual&state=new')).json().items as AlarmSummary[];
    expect(manualOnly.every((item) => item.source === 'manual' && item.state === 'new')).toBe(true);

    // Cursor pages cover the history exactly once.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: AlarmSummary[]; nextCursor: string | null } = (
        await security.get(`/api/v1/alarms?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all = (await security.get('/api/v1/alarms?limit=200')).json().items as AlarmSummary[];
    expect(seen).toEqual(all.map((item) => item.id));

    // A county sees its schools' alarms; a school filter narrows it.
    const county = (await countyOfficer.get(`/api/v1/alarms?orgId=${tree.school.id}&limit=200`)).json();
    expect(county.items.length).toBe(all.length);

    const counts: AlarmCounts = (await security.get('/api/v1/alarms/counts')).json();
    expect(counts.byKind.find((row) => row.kind === 'fire')!.count).toBeGreaterThan(0);
    expect(counts.total).toBe(counts.byKind.reduce((sum, row) => sum + row.count, 0));
  });
});

describe('help requests (师生求助)', () => {
  it('raises a help request from the phone once per Idempotency-Key, visible to the requester with its progress', async () => {
    const headers = { 'idempotency-key': `help-${Date.now()}-abcdef` };
    const body = { locationText: '教学楼三楼女厕', latitude: 32.05, longitude: 118.78, accuracy: 20, placeId };
    const first = await teacher.post('/api/v1/alarms/help', body, headers);
    expect(first.statusCode, first.body).toBe(200);
    const again = await teacher.post('/api/v1/alarms/help', body, headers);
    expect(again.statusCode).toBe(200);
    const help: AlarmDetail = first.json();
    expect(again.json().id).toBe(help.id);
    expect(help).toMatchObject({
      kind: 'help_request',
      source: 'help_request',
      priority: 1,
      reporterId: teacherUser.id,
      latitude: 32.05,
      longitude: 118.78,
      commands: [],
    });
    const count = await t.database.db
      .selectFrom('alarm')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('reporter_id', '=', teacherUser.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    // A different body under the same key is refused.
    const reused = await teacher.post('/api/v1/alarms/help', { locationText: '操场' }, headers);
    expect(reused.statusCode).toBe(422);

    // The security officer is told; the requester follows the progress, sees nothing else.
    expect((await notificationsOf(securityUser.id, 'alarm.help_request')).length).toBeGreaterThan(0);
    expect((await act(security, help.id, 'dispatch', { assigneeId: guardUser.id })).statusCode).toBe(200);
    const progress: AlarmDetail = (await teacher.get(`/api/v1/alarms/${help.id}`)).json();
    expect(progress.state).toBe('dispatched');
    expect(progress.dispatchedToId).toBe(guardUser.id);
    expect((await notificationsOf(teacherUser.id, 'alarm.help_progress')).length).toBe(1);
    const requested = (await teacher.get('/api/v1/alarms/mine?role=requested')).json();
    expect(requested.items.map((item: AlarmSummary) => item.id)).toEqual([help.id]);
    expect((await teacher.get('/api/v1/alarms')).statusCode).toBe(403);
    expect((await otherTeacher.get(`/api/v1/alarms/${help.id}`)).statusCode).toBe(404);
    // The requester cannot handle it.
    expect((await act(teacher, help.id, 'arrive')).statusCode).toBe(403);
  });

  it('refuses help requests without a location, with half coordinates, or another school’s place', async () => {
    const before = await tableCounts(t.database);
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ locationText: '   ' }, 400],
      [{ latitude: 32.1 }, 400],
      [{ latitude: 91, longitude: 0 }, 400],
      [{ latitude: '32', longitude: '118' }, 400],
      [{ locationText: 'x'.repeat(201) }, 400],
      [{ locationText: '操场\u0000' }, 400],
      [{ locationText: '操场', kind: 'fire' }, 400],
      [{ locationText: '操场', placeId: otherPlaceId }, 400],
      [{ locationText: '操场', placeId: 'abc' }, 400],
    ];
    for (const [body, status] of cases) {
      const response = await teacher.post('/api/v1/alarms/help', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBeTruthy();
    }
    expect(
      (await teacher.post('/api/v1/alarms/help', { locationText: '操场' }, { 'idempotency-key': 'bad' })).statusCode,
    ).toBe(400);
    expect(await tableCounts(t.database)).toEqual(before);
  });
});

describe('bad input on the handling routes', () => {
  it('answers 4xx problem+json with a stable code and writes nothing', async () => {
    const alarm = await raised();
    const before = await tableCounts(t.database);
    const cases: [string, unknown, number][] = [
      ['/api/v1/alarms', { orgId: tree.school.id, kind: 'fire' }, 400],
      ['/api/v1/alarms', { orgId: tree.school.id, kind: 'meteor', title: 'x' }, 400],
      ['/api/v1/alarms', { orgId: tree.school.id, kind: 'help_request', title: 'x' }, 400],
      ['/api/v1/alarms', { orgId: tree.school.id, kind: 'fire', title: 'x'.repeat(101) }, 400],
      ['/api/v1/alarms', { orgId: tree.county.id, kind: 'fire', title: '火警' }, 404],
      ['/api/v1/alarms', { orgId: tree.otherSchool.id, kind: 'fire', title: '火警' }, 404],
      ['/api/v1/alarms', { orgId: tree.school.id, kind: 'fire', title: '火警', placeId: otherPlaceId }, 400],
      [`/api/v1/alarms/${alarm.id}/dispatch`, {}, 400],
      [`/api/v1/alarms/${alarm.id}/dispatch`, { assigneeId: '1' }, 400],
      [`/api/v1/alarms/${alarm.id}/resolve`, { outcome: '处置' }, 400],
      [`/api/v1/alarms/${alarm.id}/resolve`, { outcome: '', falseAlarm: true }, 400],
      [`/api/v1/alarms/${alarm.id}/resolve`, { outcome: 'x'.repeat(5000), falseAlarm: true }, 400],
      [`/api/v1/alarms/${alarm.id}/acknowledge`, { note: 'x', extra: 1 }, 400],
      [`/api/v1/alarms/${alarm.id}/hazard`, { category: 'fire' }, 409],
      [`/api/v1/alarms/${alarm.id}/incident`, { kind: 'security', description: '经过' }, 409],
      ['/api/v1/alarms/99999999/acknowledge', {}, 404],
      ['/api/v1/alarms/abc/acknowledge', {}, 400],
    ];
    for (const [url, body, status] of cases) {
      const response = await security.post(url, body);
      expect(response.statusCode, `${url} ${JSON.stringify(body).slice(0, 80)}`).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBeTruthy();
    }
    for (const query of [
      'view=nope',
      'kind=x',
      'from=2026-13-01',
      'limit=0',
      'cursor=%%%',
      'from=2026-05-02&to=2026-05-01',
    ]) {
      const response = await security.get(`/api/v1/alarms?${query}`);
      expect(response.statusCode, query).toBe(400);
    }
    expect((await security.get(`/api/v1/alarms?orgId=${tree.otherSchool.id}`)).statusCode).toBe(404);
    expect((await security.get(`/api/v1/command/overview?orgId=${tree.otherSchool.id}`)).statusCode).toBe(404);
    expect(await tableCounts(t.database)).toEqual(before);
  });
});

describe('after the alarm', () => {
  it('turns a resolved alarm into a hazard through the hazards module and links it', async () => {
    const alarm = await raised({ kind: 'fire', title: '配电间烟感报警', placeId });
    expect(
      (await act(security, alarm.id, 'resolve', { outcome: '线路老化冒烟，已断电', falseAlarm: false })).statusCode,
    ).toBe(200);
    const response = await security.post(`/api/v1/alarms/${alarm.id}/hazard`, {
      category: 'fire',
      description: '配电间线路老化',
    });
    expect(response.statusCode, response.body).toBe(200);
    const linked: AlarmDetail = response.json();
    expect(linked.hazardId).toBeTypeOf('number');
    expect(linked.commands).not.toContain('hazard');
    const hazard = (await security.get(`/api/v1/hazards/${linked.hazardId}`)).json();
    expect(hazard).toMatchObject({ state: 'reported', category: 'fire', placeId, title: '配电间烟感报警' });
    expect(hazard.description).toContain(alarm.code);
    expect(linked.timeline.at(-1)).toMatchObject({ action: 'hazard', data: { hazardId: linked.hazardId } });
    // A second conversion is refused.
    expect((await security.post(`/api/v1/alarms/${alarm.id}/hazard`, { category: 'fire' })).statusCode).toBe(409);

    const incident = await security.post(`/api/v1/alarms/${alarm.id}/incident`, {
      kind: 'fire',
      description: '配电间线路老化冒烟，值班保安断电处置，无人员伤亡',
    });
    expect(incident.statusCode, incident.body).toBe(200);
    expect(incident.json().incident).toMatchObject({ kind: 'fire' });
    expect((await auditActions(alarm.id)).slice(-2)).toEqual(['alarm.resolve', 'alarm.incident']);
  });

  it('keeps false alarms out of the incident records', async () => {
    const alarm = await raised();
    await act(security, alarm.id, 'resolve', { outcome: '误报：树枝晃动', falseAlarm: true });
    const response = await security.post(`/api/v1/alarms/${alarm.id}/incident`, { kind: 'other', description: '无' });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('alarm_false_alarm');
  });
});

describe('SLA escalation', () => {
  it('escalates an unacknowledged alarm once, to the leader on duty, the county and the police liaison', async () => {
    const db = t.database.db;
    const raisedAt = new Date(Date.now() - 3600_000);
    const shift = await db
      .insertInto('duty_shift')
      .values({
        org_id: tree.school.id,
        org_path: tree.school.path,
        starts_at: new Date(raisedAt.getTime() - 3600_000),
        ends_at: new Date(raisedAt.getTime() + 8 * 3600_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('duty_assignment')
      .values({ shift_id: shift.id, user_id: dutyLeaderUser.id, duty_role: 'leader' })
      .execute();

    const id = await db.transaction().execute(async (trx) => {
      const alarm = await raiseAlarm(trx, {
        school: { id: tree.school.id, path: tree.school.path },
        source: 'device',
        kind: 'one_key',
        title: '门卫室一键报警',
        raisedAt,
      });
      return alarm.id;
    });
    const acknowledgedMeanwhile = await db.transaction().execute(
      async (trx) =>
        (
          await raiseAlarm(trx, {
            school: { id: tree.school.id, path: tree.school.path },
            source: 'device',
            kind: 'one_key',
            title: '宿舍一键报警',
            raisedAt,
          })
        ).id,
    );
    expect((await act(security, acknowledgedMeanwhile, 'acknowledge')).statusCode).toBe(200);

    // Not yet due 59 s after raising.
    expect(await escalateDueAlarms(db, ACK_SECONDS, new Date(raisedAt.getTime() + 59_000))).not.toContain(id);
    // Two instances at the same moment: escalated exactly once.
    const at = new Date(raisedAt.getTime() + 61_000);
    const [a, b] = await Promise.all([escalateDueAlarms(db, ACK_SECONDS, at), escalateDueAlarms(db, ACK_SECONDS, at)]);
    expect([...a, ...b].filter((value) => value === id)).toEqual([id]);
    expect([...a, ...b]).not.toContain(acknowledgedMeanwhile);
    // A later run sends nothing again.
    expect(await escalateDueAlarms(db, ACK_SECONDS, new Date(at.getTime() + 600_000))).not.toContain(id);

    const detail: AlarmDetail = (await security.get(`/api/v1/alarms/${id}`)).json();
    expect(detail.escalatedAt).toBe(at.toISOString());
    expect(detail.sla.acknowledgeLate).toBe(true);
    expect(detail.timeline.filter((entry) => entry.action === 'escalate')).toHaveLength(1);
    expect((await eventsOf('alarm.escalated', id)).length).toBe(1);
    expect((await auditActions(id)).filter((action) => action === 'alarm.escalate')).toHaveLength(1);
    // The leader on duty is told, not every leader of the school (the roster names one).
    expect((await notificationsOf(dutyLeaderUser.id, 'alarm.escalated')).length).toBe(1);
    expect((await notificationsOf(leaderUser.id, 'alarm.escalated')).length).toBe(0);
    expect((await notificationsOf(countyOfficerUser.id, 'alarm.escalated')).length).toBeGreaterThanOrEqual(1);
    expect((await notificationsOf(countyPoliceUser.id, 'alarm.escalated')).length).toBeGreaterThanOrEqual(1);
    // The county sees it among the escalated alarms of its schools.
    const escalated = (await countyOfficer.get('/api/v1/alarms?escalated=true')).json().items as AlarmSummary[];
    expect(escalated.map((item) => item.id)).toContain(id);
    await db.deleteFrom('duty_shift').where('id', '=', shift.id).execute();
  });

  it('falls back to the school leaders and security officers when nobody is on duty', async () => {
    const db = t.database.db;
    const raisedAt = new Date(Date.now() - 7200_000);
    const id = await db.transaction().execute(
      async (trx) =>
        (
          await raiseAlarm(trx, {
            school: { id: tree.school.id, path: tree.school.path },
            source: 'device',
            kind: 'fire',
            title: '图书馆火警',
            raisedAt,
          })
        ).id,
    );
    const before = (await notificationsOf(leaderUser.id, 'alarm.escalated')).length;
    expect(await escalateDueAlarms(db, ACK_SECONDS, new Date(raisedAt.getTime() + 120_000))).toContain(id);
    expect((await notificationsOf(leaderUser.id, 'alarm.escalated')).length).toBe(before + 1);
    expect((await notificationsOf(securityUser.id, 'alarm.escalated')).length).toBeGreaterThan(0);
  });
});

describe('the command-center overview', () => {
  it('gives a school its queue, counts, devices, places, duty, health and major hazards in one call', async () => {
    const db = t.database.db;
    const [provinceId, cityId, countyId] = tree.school.path.split('/').filter(Boolean).map(Number) as [
      number,
      number,
      number,
    ];
    const now = Date.now();
    const devices = [
      { code: 'CAM-1', kind: 'camera', last_seen_at: new Date(now - 10_000), fault_since: null },
      { code: 'CAM-2', kind: 'camera', last_seen_at: new Date(now - 3600_000), fault_since: null },
      {
        code: 'KEY-1',
        kind: 'one_key_alarm',
        last_seen_at: new Date(now - 5_000),
        fault_since: new Date(now - 60_000),
      },
      { code: 'BOL-1', kind: 'bollard', last_seen_at: null, fault_since: null },
    ];
    for (const device of devices) {
      await db
        .insertInto('device')
        .values({
          ...device,
          name: device.code,
          org_path: tree.school.path,
          province_id: provinceId,
          city_id: cityId,
          county_id: countyId,
          school_id: tree.school.id,
          place_id: placeId,
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute();
    }
    const open = await raised({ kind: 'fire', title: '食堂烟感' });
    const response = await security.get('/api/v1/command/overview');
    expect(response.statusCode, response.body).toBe(200);
    const overview: CommandOverview = response.json();
    expect(overview.org.id).toBe(tree.school.id);
    expect(overview.queue.map((item) => item.id)).toContain(open.id);
    expect(overview.queue.every((item) => item.state !== 'resolved')).toBe(true);
    expect(overview.devices.map((device) => [device.code, device.status]).sort()).toEqual([
      ['BOL-1', 'passive'],
      ['CAM-1', 'online'],
      ['CAM-2', 'offline'],
      ['KEY-1', 'fault'],
    ]);
    expect(overview.health).toMatchObject({ total: 4, online: 1, offline: 1, fault: 1, passive: 1 });
    expect(overview.health.onlineRate).toBeCloseTo(1 / 3);
    expect(overview.health.intactRate).toBeCloseTo(2 / 4);
    expect(overview.places.map((place) => place.name)).toContain('南门');
    expect(overview.counts.byKind.find((row) => row.kind === 'fire')!.count).toBeGreaterThan(0);
    expect(overview.acknowledgeSeconds).toBe(ACK_SECONDS);

    const county: CommandOverview = (await countyOfficer.get('/api/v1/command/overview')).json();
    expect(county.org.id).toBe(tree.county.id);
    expect(county.queue.map((item) => item.id)).toContain(open.id);
    expect(county.devices).toEqual([]);
    expect(county.health.total).toBe(4);
    expect(county.schools.find((row) => row.schoolId === tree.school.id)!.openAlarms).toBeGreaterThan(0);
    const far: CommandOverview = (await farOfficer.get('/api/v1/command/overview')).json();
    expect(far.queue.map((item) => item.id)).not.toContain(open.id);
    expect((await teacher.get('/api/v1/command/overview')).statusCode).toBe(403);
  });
});
