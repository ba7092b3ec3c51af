import type { PrefillSourceId } from '@safe-campus/domain';
import { PREFILL_SOURCES } from '@safe-campus/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltUser, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp } from '../../../test/harness.js';
import { endOfDay, formatDate, startOfDay } from '../../platform/dates.js';
import { pipelineOf } from '../ingest/pipeline.js';
import { prefillSchool } from './prefill.js';

// Every source read from data created through the HTTP routes of the modules that own it, on a real database.

const ZONE = 'Asia/Shanghai';
const DAY = 24 * 3600_000;
let t: TestApp;
let tree: Tree;
let security: Client;
let admin: Client;
let county: Client;
let teacherUser: BuiltUser;
let leaderUser: BuiltUser;
let countyUser: BuiltUser;
let guards: BuiltUser[];

const day = (offset: number) => formatDate(new Date(Date.now() + offset * DAY), ZONE);
/** The reporting period: 5 days ago to 40 days on, as FORMS-CORE passes it (start of the first day, end of the last). */
const period = { from: startOfDay(day(-5), ZONE), to: endOfDay(day(40), ZONE) };
const periodYear = Number(day(40).slice(0, 4));
const ALL = PREFILL_SOURCES;

async function ok(response: { statusCode: number; body: string; json(): unknown }) {
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Record<string, unknown> & { id: number };
}

const prefill = (school: { id: number; path: string }, sources: readonly PrefillSourceId[] = ALL, p = period) =>
  prefillSchool(t.database.db, school, p, sources, { timeZone: ZONE, guardMaxAge: 60, offlineAfterSeconds: 300 });

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false, ingestFlushMs: 60_000 });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  const securityUser = await buildUser(db, { role: 'school_security', org: tree.school });
  security = await login(t.app, securityUser.username, securityUser.password);
  const adminUser = await buildUser(db, { role: 'system_admin', org: tree.school });
  admin = await login(t.app, adminUser.username, adminUser.password);
  teacherUser = await buildUser(db, { role: 'teacher', org: tree.school });
  leaderUser = await buildUser(db, { role: 'school_leader', org: tree.school });
  countyUser = await buildUser(db, { role: 'bureau_officer', org: tree.county });
  county = await login(t.app, countyUser.username, countyUser.password);
  guards = [
    await buildUser(db, { role: 'guard', org: tree.school }),
    await buildUser(db, { role: 'guard', org: tree.school }),
    await buildUser(db, { role: 'guard', org: tree.department }),
    await buildUser(db, { role: 'guard', org: tree.school }),
  ];
});

afterAll(async () => {
  await t?.close();
});

describe('prefillSchool', () => {
  it('answers every asked source and only those', async () => {
    const values = await prefill(tree.school, ['cameras.count', 'hazards.found']);
    expect(Object.keys(values).sort()).toEqual(['cameras.count', 'hazards.found']);
    const all = await prefill(tree.otherSchool);
    expect(Object.keys(all).sort()).toEqual([...ALL].sort());
    for (const value of Object.values(all)) expect(value?.basis.length).toBeGreaterThan(4);
  });

  it('duty: a holiday of the period (set by the bureau above) with a gap in the table and a day without leader', async () => {
    const shift = (orgId: number, offset: number, people: { userId: number; role: string }[], holiday?: string) => ({
      orgId,
      startsAt: startOfDay(day(offset), ZONE).toISOString(),
      endsAt: endOfDay(day(offset), ZONE).toISOString(),
      people,
      ...(holiday ? { kind: 'holiday', holidayName: holiday } : {}),
    });
    // The county's own holiday table names the holiday: days +20, +21, +22.
    for (const offset of [20, 21, 22])
      await ok(
        await county.post(
          '/api/v1/duty/shifts',
          shift(tree.county.id, offset, [{ userId: countyUser.id, role: 'leader' }], '国庆'),
        ),
      );
    // The school: day +20 holiday shift with a leader, day +21 a regular shift with a guard only, day +22 nothing.
    await ok(
      await security.post(
        '/api/v1/duty/shifts',
        shift(tree.school.id, 20, [{ userId: leaderUser.id, role: 'leader' }], '国庆'),
      ),
    );
    await ok(
      await security.post('/api/v1/duty/shifts', shift(tree.school.id, 21, [{ userId: guards[0]!.id, role: 'guard' }])),
    );
    let values = await prefill(tree.school, ['duty.holidayTable', 'duty.leaderOnDuty']);
    expect(values['duty.holidayTable']?.value).toBe(false);
    expect(values['duty.holidayTable']?.basis).toContain('国庆');
    expect(values['duty.holidayTable']?.basis).toContain('共 3 天');
    expect(values['duty.leaderOnDuty']?.value).toBe(false);

    await ok(
      await security.post(
        '/api/v1/duty/shifts',
        shift(tree.school.id, 22, [{ userId: leaderUser.id, role: 'leader' }], '国庆'),
      ),
    );
    values = await prefill(tree.school, ['duty.holidayTable', 'duty.leaderOnDuty']);
    expect(values['duty.holidayTable']).toMatchObject({ value: true });
    expect(values['duty.leaderOnDuty']?.value).toBe(false);
    const [, month, date] = day(21).split('-').map(Number);
    expect(values['duty.leaderOnDuty']?.basis).toContain(`${month}月${date}日 无领导带班`);

    // The other school of the county has the holiday and no table at all.
    const other = await prefill(tree.otherSchool, ['duty.holidayTable', 'duty.leaderOnDuty']);
    expect(other['duty.holidayTable']?.value).toBe(false);
    expect(other['duty.leaderOnDuty']?.value).toBe(false);
    // A school under another county does not inherit this county's holiday: the period has none for it.
    const far = await prefill(tree.farSchool, ['duty.holidayTable']);
    expect(far['duty.holidayTable']?.value).toBeNull();
    expect(far['duty.holidayTable']?.basis).toContain('没有假期');
    // A period before the holiday has none either.
    const early = await prefill(tree.school, ['duty.leaderOnDuty'], {
      from: period.from,
      to: endOfDay(day(10), ZONE),
    });
    expect(early['duty.leaderOnDuty']).toMatchObject({ value: null });
  });

  it('guards: enabled guards of the school and its departments, licensed and over-age at the period end', async () => {
    const put = (user: BuiltUser, body: Record<string, unknown>) => admin.put(`/api/v1/guards/${user.id}`, body);
    await ok(await put(guards[0]!, { licensed: true, licenceNo: 'BA-2020-0001', birthYear: 1990 }));
    await ok(await put(guards[1]!, { licensed: true, birthYear: periodYear - 61 }));
    await ok(await put(guards[2]!, { licensed: false, birthYear: periodYear - 60 }));
    // guards[3] has no profile: counted, unlicensed, age unknown.
    const outsider = await buildUser(t.database.db, { role: 'guard', org: tree.otherSchool });
    const otherAdminUser = await buildUser(t.database.db, { role: 'system_admin', org: tree.otherSchool });
    const otherAdmin = await login(t.app, otherAdminUser.username, otherAdminUser.password);
    await ok(await otherAdmin.put(`/api/v1/guards/${outsider.id}`, { licensed: true, birthYear: 1950 }));
    const values = await prefill(tree.school, ['guards.total', 'guards.licensed', 'guards.overAge']);
    expect(values['guards.total']?.value).toBe(4);
    expect(values['guards.licensed']?.value).toBe(2);
    expect(values['guards.licensed']?.basis).toContain('1 人未登记持证情况');
    expect(values['guards.overAge']?.value).toBe(1);
    expect(values['guards.overAge']?.basis).toContain('超过 60 岁');
    // A stricter limit counts the 60-year-old too.
    const strict = await prefillSchool(t.database.db, tree.school, period, ['guards.overAge'], {
      timeZone: ZONE,
      guardMaxAge: 59,
    });
    expect(strict['guards.overAge']?.value).toBe(2);
    // A disabled account is not a guard any more.
    await t.database.db.updateTable('app_user').set({ disabled: true }).where('id', '=', guards[3]!.id).execute();
    expect((await prefill(tree.school, ['guards.total']))['guards.total']?.value).toBe(3);
    await t.database.db.updateTable('app_user').set({ disabled: false }).where('id', '=', guards[3]!.id).execute();
  });

  it('devices: cameras, retention, intrusion, one-key alarms at gates and dormitories, running state, barriers', async () => {
    const place = async (body: Record<string, unknown>) =>
      (await ok(await security.post('/api/v1/places', { orgId: tree.school.id, ...body }))).id;
    const south = await place({ kind: 'gate', code: 'G1', name: '南门' });
    await place({ kind: 'gate', code: 'G2', name: '北门' });
    const dorm = await place({ kind: 'building', code: 'DORM1', name: '学生宿舍楼' });
    const dormHall = await place({ kind: 'floor', code: 'DORM1-1', name: '宿舍一层', parentId: dorm });
    const device = async (body: Record<string, unknown>) =>
      (await ok(await security.post('/api/v1/devices', { orgId: tree.school.id, ...body }))) as unknown as {
        device: { id: number; code: string };
        token: string | null;
      };
    const online = [
      await device({ kind: 'camera', name: '南门摄像机', placeId: south, retentionDays: 30 }),
      await device({ kind: 'camera', name: '操场摄像机', retentionDays: 90 }),
      await device({ kind: 'camera', name: '走廊摄像机', retentionDays: 15 }),
      await device({ kind: 'intrusion_detector', name: '东墙红外对射', zone: 'perimeter' }),
      await device({ kind: 'one_key_alarm', name: '南门一键报警', placeId: south }),
      await device({ kind: 'one_key_alarm', name: '宿舍值班室一键报警', placeId: dormHall }),
    ];
    await device({ kind: 'camera', name: '停用摄像机', disabled: true, retentionDays: 7 });
    for (const name of ['南门升降柱', '南门防撞墩', '校门隔离栏']) await device({ kind: 'bollard', name });

    let values = await prefill(tree.school);
    expect(values['cameras.count']?.value).toBe(3);
    expect(values['video.retention30']?.value).toBe(false);
    expect(values['video.retention30']?.basis).toContain('1 台录像保存不足 30 天（最短 15 天）');
    expect(values['intrusion.perimeter']?.value).toBe(true);
    expect(values['intrusion.keyParts']?.value).toBe(false);
    expect(values['oneKeyAlarm.gate']?.value).toBe(false);
    expect(values['oneKeyAlarm.gate']?.basis).toContain('北门无一键报警');
    expect(values['oneKeyAlarm.dormitory']?.value).toBe(true);
    expect(values['tech.allRunning']?.value).toBe(false);
    expect(values['tech.allRunning']?.basis).toContain('从未上线 6 台');
    expect(values['barrier.fence']?.value).toBe(true);
    expect(values['barrier.antiRam']).toMatchObject({ value: true, basis: expect.stringContaining('防冲撞设施 2 处') });
    expect(values['barrier.bollard']?.value).toBe(true);

    // Heartbeats from every online device, then a fault on one camera.
    const send = (target: { device: { code: string }; token: string | null }, body: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/ingest/events',
        headers: {
          'content-type': 'application/json',
          'x-device-code': target.device.code,
          'x-school-code': tree.school.code,
          authorization: `Bearer ${target.token}`,
        },
        payload: JSON.stringify({ v: 1, at: new Date().toISOString(), ...body }),
      });
    let sequence = 0;
    for (const target of online)
      expect((await send(target, { eventId: `hb-${++sequence}`, type: 'heartbeat' })).statusCode).toBe(200);
    await pipelineOf(t.app.platform)!.flush();
    values = await prefill(tree.school, ['tech.allRunning']);
    expect(values['tech.allRunning']).toMatchObject({ value: true, basis: expect.stringContaining('全部正常') });
    expect((await send(online[1]!, { eventId: `f-${++sequence}`, type: 'fault' })).statusCode).toBe(200);
    values = await prefill(tree.school, ['tech.allRunning']);
    expect(values['tech.allRunning']).toMatchObject({ value: false, basis: expect.stringContaining('故障 1 台') });

    // The short-retention camera fixed, the key part watched, the north gate given its button.
    await ok(await security.patch(`/api/v1/devices/${online[2]!.device.id}`, { retentionDays: 30 }));
    await device({ kind: 'intrusion_detector', name: '配电房入侵探测器', zone: 'key_part' });
    const north = (await security.get(`/api/v1/places?orgId=${tree.school.id}&keyword=北门`)).json().items[0].id;
    await device({ kind: 'one_key_alarm', name: '北门一键报警', placeId: north });
    values = await prefill(tree.school, ['video.retention30', 'intrusion.keyParts', 'oneKeyAlarm.gate']);
    expect(values['video.retention30']?.value).toBe(true);
    expect(values['intrusion.keyParts']?.value).toBe(true);
    expect(values['oneKeyAlarm.gate']).toMatchObject({ value: true, basis: expect.stringContaining('2 个校门均装有') });

    // A school without a dormitory: not applicable; without devices: nothing counted.
    const other = await prefill(tree.otherSchool);
    expect(other['oneKeyAlarm.dormitory']?.value).toBe('n/a');
    expect(other['cameras.count']?.value).toBe(0);
    expect(other['tech.allRunning']?.value).toBe(false);
    expect(other['barrier.antiRam']?.value).toBe(false);
  });

  it('hazards: found (not rejected), rectified (closed) and unrectified of the period, as the statistics count', async () => {
    const teacher = await login(t.app, teacherUser.username, teacherUser.password);
    const report = async (title: string, orgId = tree.school.id, client = security) =>
      (await ok(await client.post('/api/v1/hazards', { orgId, title, category: 'fire' }))).id;
    const act = (client: Client, id: number, command: string, body: Record<string, unknown>) =>
      client.post(`/api/v1/hazards/${id}/${command}`, body);
    const closed = await report('消防通道堆放杂物');
    await ok(await act(security, closed, 'confirm', { grade: 'general', riskLevel: 'blue' }));
    await ok(
      await act(security, closed, 'assign', {
        responsibleUnit: '总务处',
        responsibleUserId: teacherUser.id,
        measures: '清理杂物',
        deadline: new Date(Date.now() + 3 * DAY).toISOString(),
        interimMeasures: '设置警示带',
      }),
    );
    await ok(await act(teacher, closed, 'rectify', { note: '已清理' }));
    await ok(await act(security, closed, 'verify', { note: '复查合格' }));
    const rejected = await report('灯管闪烁');
    await ok(await act(security, rejected, 'reject', { reason: '属日常维修' }));
    await report('围墙破损');
    await report('灭火器过期');
    const otherSecurity = await buildUser(t.database.db, { role: 'school_security', org: tree.otherSchool });
    await report('他校隐患', tree.otherSchool.id, await login(t.app, otherSecurity.username, otherSecurity.password));

    const values = await prefill(tree.school, ['hazards.found', 'hazards.rectified', 'hazards.unrectified']);
    expect(values['hazards.found']?.value).toBe(3);
    expect(values['hazards.rectified']?.value).toBe(1);
    expect(values['hazards.unrectified']?.value).toBe(2);
    // The same numbers as the school's hazard statistics for the period.
    const stats = (
      await security.get(`/api/v1/hazards/stats?orgId=${tree.school.id}&from=${day(-5)}&to=${day(40)}`)
    ).json();
    expect(stats.totals).toMatchObject({ found: 3, rectified: 1, unrectified: 2 });
    // A period that ended before the reports counts none.
    const before = await prefill(tree.school, ['hazards.found'], {
      from: startOfDay(day(-30), ZONE),
      to: startOfDay(day(-5), ZONE),
    });
    expect(before['hazards.found']?.value).toBe(0);
  });
});
