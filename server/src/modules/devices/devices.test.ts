import type { Device, DeviceCoverage, DeviceHealth, DeviceWithToken } from '@safe-campus/domain';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { sha256 } from '../../platform/crypto.js';
import { multipartBody } from '../files/test-support.js';

let t: TestApp;
let tree: Tree;
let security: Client;
let otherSecurity: Client;
let county: Client;
let farCounty: Client;
let teacher: Client;
let gateId: number;
let labId: number;
let otherPlaceId: number;

async function place(client: Client, orgId: number, body: Record<string, unknown>): Promise<number> {
  const response = await client.post('/api/v1/places', { orgId, ...body });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().id;
}

async function create(body: Record<string, unknown>, client = security): Promise<DeviceWithToken> {
  const response = await client.post('/api/v1/devices', { orgId: tree.school.id, ...body });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function xlsx(headers: string[], rows: (string | number | null)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('设备');
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  security = await login(t.app, ...creds(await buildUser(db, { role: 'school_security', org: tree.school })));
  otherSecurity = await login(t.app, ...creds(await buildUser(db, { role: 'school_security', org: tree.otherSchool })));
  county = await login(t.app, ...creds(await buildUser(db, { role: 'bureau_officer', org: tree.county })));
  farCounty = await login(t.app, ...creds(await buildUser(db, { role: 'bureau_officer', org: tree.otherCounty })));
  teacher = await login(t.app, ...creds(await buildUser(db, { role: 'teacher', org: tree.school })));
  gateId = await place(security, tree.school.id, { kind: 'gate', code: 'G1', name: '南门' });
  labId = await place(security, tree.school.id, { kind: 'room', code: 'LAB', name: '化学实验室', keyPart: true });
  await place(security, tree.school.id, { kind: 'building', code: 'DORM1', name: '男生宿舍' });
  otherPlaceId = await place(otherSecurity, tree.otherSchool.id, { kind: 'gate', code: 'G1', name: '北门' });
});

afterAll(async () => {
  await t?.close();
});

function creds(user: { username: string; password: string }): [string, string] {
  return [user.username, user.password];
}

describe('device registry', () => {
  it('creates an online device with a generated code and a token shown once; only its hash is stored', async () => {
    const { device, token } = await create({ kind: 'camera', name: '南门枪机', placeId: gateId, retentionDays: 30 });
    expect(device.code).toMatch(/^DV[0-9A-Z]{8}$/);
    expect(token).toMatch(/^sct_/);
    expect(device.hasToken).toBe(true);
    expect(device.tokenHint).toBe(token!.slice(-4));
    expect(device.status).toBe('unknown');
    expect(device.placeKey).toBe(true);
    const row = await t.database.db
      .selectFrom('device')
      .selectAll()
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(sha256(token!));
    const again = await security.get(`/api/v1/devices/${device.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.body).not.toContain(token!);
    expect(again.body).not.toContain(row.token_hash!);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('target_type', '=', 'device')
      .where('target_id', '=', String(device.id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['device.create']);
    expect(JSON.stringify(audit)).not.toContain(token!);
  });

  it('passive bollards get a code but no token; rotating their token is refused', async () => {
    const { device, token } = await create({
      kind: 'bollard',
      name: '南门升降柱',
      placeId: gateId,
      lastInspectedOn: '2026-02-20',
    });
    expect(token).toBeNull();
    expect(device.status).toBe('passive');
    expect(device.lastInspectedOn).toBe('2026-02-20');
    const rotate = await security.post(`/api/v1/devices/${device.id}/rotate-token`);
    expect(rotate.statusCode).toBe(400);
    expect(rotate.json().code).toBe('device_passive');
  });

  it('rotating a token replaces the hash; the new token is shown once', async () => {
    const { device, token } = await create({ kind: 'one_key_alarm', name: '南门一键报警', placeId: gateId });
    const response = await security.post(`/api/v1/devices/${device.id}/rotate-token`);
    expect(response.statusCode).toBe(200);
    const rotated = response.json() as DeviceWithToken;
    expect(rotated.token).not.toBe(token);
    const row = await t.database.db
      .selectFrom('device')
      .select('token_hash')
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(sha256(rotated.token!));
  });

  it('checks kind-specific fields and the place', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'intrusion_detector', name: '围墙' }, 'device_field_invalid'],
      [{ kind: 'camera', name: '摄像机', zone: 'perimeter' }, 'device_field_invalid'],
      [{ kind: 'one_key_alarm', name: '报警', retentionDays: 30 }, 'device_field_invalid'],
      [{ kind: 'camera', name: '摄像机', placeId: otherPlaceId }, 'device_place_invalid'],
      [{ kind: 'camera', name: '摄像机', placeId: 2_000_000_000 }, 'device_place_invalid'],
      [{ kind: 'toaster', name: '摄像机' }, 'validation_failed'],
      [{ kind: 'camera', name: 'x'.repeat(101) }, 'validation_failed'],
      [{ kind: 'camera', name: '坏\u0000名' }, 'validation_failed'],
      [{ kind: 'camera', name: '摄像机', retentionDays: '30' }, 'validation_failed'],
      [{ kind: 'camera', name: '摄像机', retentionDays: 99999 }, 'validation_failed'],
      [{ kind: 'camera', name: '摄像机', installedOn: '2026-13-45' }, 'validation_failed'],
      [{ kind: 'camera', name: '摄像机', tokenHash: 'x' }, 'validation_failed'],
      [{ kind: 'camera' }, 'validation_failed'],
    ];
    const before = await tableCounts(t.database);
    for (const [body, code] of cases) {
      const response = await security.post('/api/v1/devices', { orgId: tree.school.id, ...body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code, JSON.stringify(body)).toBe(code);
      expect(response.json().message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('scope: another school is 404 for reads and writes; bureaus read their subtree only; no manage for bureaus', async () => {
    const { device } = await create({ kind: 'camera', name: '实验室摄像机', placeId: labId, retentionDays: 15 });
    for (const response of [
      await otherSecurity.get(`/api/v1/devices/${device.id}`),
      await otherSecurity.patch(`/api/v1/devices/${device.id}`, { name: '改' }),
      await otherSecurity.post(`/api/v1/devices/${device.id}/rotate-token`),
      await otherSecurity.delete(`/api/v1/devices/${device.id}`),
      await farCounty.get(`/api/v1/devices/${device.id}`),
      await otherSecurity.post('/api/v1/devices', { orgId: tree.school.id, kind: 'camera', name: '越权' }),
      await otherSecurity.get(`/api/v1/devices?orgId=${tree.school.id}`),
      await farCounty.get(`/api/v1/devices/health?orgId=${tree.county.id}`),
      await farCounty.get(`/api/v1/devices/coverage?orgId=${tree.school.id}`),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain(device.code);
    }
    expect((await county.get(`/api/v1/devices/${device.id}`)).statusCode).toBe(200);
    const list = await county.get(`/api/v1/devices?orgId=${tree.county.id}&kind=camera`);
    expect(list.statusCode).toBe(200);
    expect((list.json().items as Device[]).map((d) => d.id)).toContain(device.id);
    expect((await county.patch(`/api/v1/devices/${device.id}`, { name: '改' })).statusCode).toBe(403);
    expect((await teacher.get(`/api/v1/devices/${device.id}`)).statusCode).toBe(403);
  });

  it('updates and deletes with one audit row each', async () => {
    const { device } = await create({ kind: 'access_control', name: '门禁' });
    const patched = await security.patch(`/api/v1/devices/${device.id}`, {
      name: '东门门禁',
      placeId: gateId,
      disabled: true,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ name: '东门门禁', placeId: gateId, disabled: true });
    expect((await security.patch(`/api/v1/devices/${device.id}`, { kind: 'camera' })).statusCode).toBe(400);
    expect((await security.delete(`/api/v1/devices/${device.id}`)).statusCode).toBe(200);
    expect((await security.get(`/api/v1/devices/${device.id}`)).statusCode).toBe(404);
    expect((await security.get('/api/v1/devices/abc')).statusCode).toBe(400);
    expect((await security.get(`/api/v1/devices/${'9'.repeat(300)}`)).statusCode).toBeLessThan(500);
    expect((await security.get(`/api/v1/devices?orgId=${tree.school.id}&cursor=%%%`)).statusCode).toBe(400);
    expect((await security.get(`/api/v1/devices?orgId=${tree.school.id}&status=weird`)).statusCode).toBe(400);
  });

  it('lists with filters and a keyset cursor', async () => {
    for (let index = 0; index < 3; index++) await create({ kind: 'access_control', name: `门禁${index}` });
    const first = await security.get(`/api/v1/devices?orgId=${tree.school.id}&limit=2`);
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    const second = await security.get(`/api/v1/devices?orgId=${tree.school.id}&limit=2&cursor=${page.nextCursor}`);
    expect(second.json().items[0].code > page.items[1].code).toBe(true);
    const unknown = await security.get(`/api/v1/devices?orgId=${tree.school.id}&status=unknown&kind=access_control`);
    expect((unknown.json().items as Device[]).every((d) => d.status === 'unknown')).toBe(true);
  });
});

describe('coverage', () => {
  it('a key place without a camera is a gap; gate, dormitory, perimeter and anti-ram requirements', async () => {
    const response = await security.get(`/api/v1/devices/coverage?orgId=${tree.school.id}`);
    expect(response.statusCode, response.body).toBe(200);
    const coverage = response.json() as DeviceCoverage;
    const gate = coverage.places.find((p) => p.code === 'G1')!;
    expect(gate.gap).toBe(false);
    expect(gate.counts.camera).toBeGreaterThan(0);
    const dorm = coverage.places.find((p) => p.code === 'DORM1')!;
    expect(dorm.keyPart).toBe(false);
    const requirement = (key: string) => coverage.requirements.find((r) => r.key === key)!;
    expect(requirement('one_key_alarm_at_gate').met).toBe(true);
    expect(requirement('anti_ram_at_gate').met).toBe(true);
    expect(requirement('one_key_alarm_at_dormitory')).toMatchObject({ met: false, detail: '缺：男生宿舍' });
    expect(requirement('perimeter_intrusion').met).toBe(false);
    expect(requirement('fire_alarm_panel').met).toBe(false);
    // A new key place with no camera shows as a gap.
    await place(security, tree.school.id, { kind: 'key_part', code: 'KP9', name: '财务室' });
    const again = (await security.get(`/api/v1/devices/coverage?orgId=${tree.school.id}`)).json() as DeviceCoverage;
    expect(again.places.find((p) => p.code === 'KP9')!.gap).toBe(true);
    expect(again.requirements.find((r) => r.key === 'camera_at_key_places')!.detail).toContain('财务室');
    expect((await county.get(`/api/v1/devices/coverage?orgId=${tree.county.id}`)).json().code).toBe(
      'device_org_not_school',
    );
  });
});

describe('health', () => {
  it('counts online, offline, fault and retention per school of a bureau subtree', async () => {
    const db = t.database.db;
    const online = await create({ kind: 'camera', name: '在线摄像机', retentionDays: 90 });
    const offline = await create({ kind: 'camera', name: '离线摄像机', retentionDays: 7 });
    await db.updateTable('device').set({ last_seen_at: new Date() }).where('id', '=', online.device.id).execute();
    await db
      .updateTable('device')
      .set({ last_seen_at: new Date(Date.now() - 3600_000), fault_since: null })
      .where('id', '=', offline.device.id)
      .execute();
    const response = await county.get(`/api/v1/devices/health?orgId=${tree.county.id}`);
    expect(response.statusCode, response.body).toBe(200);
    const health = response.json() as DeviceHealth;
    const school = health.schools.find((s) => s.schoolId === tree.school.id)!;
    expect(school.online).toBe(1);
    expect(school.offline).toBe(1);
    expect(school.cameras).toBeGreaterThanOrEqual(2);
    expect(school.camerasRetentionOk).toBeLessThan(school.cameras);
    expect(school.onlineRate).toBeGreaterThan(0);
    expect(school.onlineRate).toBeLessThan(1);
    expect(health.schools.find((s) => s.schoolId === tree.otherSchool.id)!.devices).toBe(0);
    expect(health.problems.map((d) => d.id)).toContain(offline.device.id);
    expect(health.problems.map((d) => d.id)).not.toContain(online.device.id);
    expect(health.target).toBe(0.95);
  });
});

describe('Excel', () => {
  it('template, import (all rows checked first, tokens once), export', async () => {
    const template = await security.get('/api/v1/devices/import/template.xlsx');
    expect(template.statusCode).toBe(200);
    const headers = ['设备编码', '设备名称', '设备类型', '场所编码', '防区类型', '录像保存天数'];
    const before = await tableCounts(t.database);
    const bad = await xlsx(headers, [
      [null, '好摄像机', '视频监控摄像机', 'G1', null, 30],
      [null, '坏探测器', '入侵探测器', 'NOPE', null, null],
      ['DVNOTHERE', '不存在', '门禁', null, null, null],
      [null, null, '烤面包机', null, null, 'abc'],
    ]);
    const { payload, headers: h } = multipartBody(bad, 'devices.xlsx');
    const refused = await security.post(`/api/v1/devices/import?orgId=${tree.school.id}`, payload, h);
    expect(refused.statusCode).toBe(400);
    const problem = refused.json();
    expect(problem.code).toBe('import_invalid');
    const places = problem.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`);
    expect(places).toEqual(
      expect.arrayContaining(['3:场所编码', '3:防区类型', '4:设备编码', '5:设备名称', '5:设备类型']),
    );
    expect(await tableCounts(t.database)).toEqual(before);

    const existing = await create({ kind: 'camera', name: '旧名摄像机', retentionDays: 10 });
    const good = await xlsx(headers, [
      [null, '导入摄像机', '视频监控摄像机', 'G1', null, 60],
      [null, '东围墙对射', '入侵探测器', null, '周界', null],
      [null, '导入升降柱', '防冲撞设施', 'G1', null, null],
      [existing.device.code, '新名摄像机', '视频监控摄像机', null, null, 45],
    ]);
    const upload = multipartBody(good, 'devices.xlsx');
    const imported = await security.post(
      `/api/v1/devices/import?orgId=${tree.school.id}`,
      upload.payload,
      upload.headers,
    );
    expect(imported.statusCode, imported.body).toBe(200);
    const report = imported.json();
    expect(report).toMatchObject({ created: 3, updated: 1 });
    expect(report.tokens).toHaveLength(2);
    const renamed = (await security.get(`/api/v1/devices/${existing.device.id}`)).json();
    expect(renamed).toMatchObject({ name: '新名摄像机', retentionDays: 45 });

    const exported = await county.get(`/api/v1/devices/export.xlsx?orgId=${tree.county.id}`);
    expect(exported.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.rawPayload as unknown as ExcelJS.Buffer);
    const text = JSON.stringify(workbook.worksheets[0]!.getSheetValues());
    expect(text).toContain('导入摄像机');
    expect(text).not.toContain(report.tokens[0].token);
  });
});
