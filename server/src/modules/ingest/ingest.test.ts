import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DeviceWithToken } from '@safe-campus/domain';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import type { RealtimeEvent } from '../../platform/realtime.js';
import { sweepOfflineDevices } from '../devices/health.js';
import { MqttIngest } from './mqtt.js';
import { type IngestPipeline, pipelineOf } from './pipeline.js';
import { startMqtt } from './routes.js';

let t: TestApp;
let tree: Tree;
let security: Client;
let securityUserId: number;
let pipeline: IngestPipeline;
let gateId: number;
const events: RealtimeEvent[] = [];

interface Registered {
  id: number;
  code: string;
  token: string;
}

async function register(
  kind = 'one_key_alarm',
  name = '南门一键报警',
  placeId: number | null = gateId,
): Promise<Registered> {
  const response = await security.post('/api/v1/devices', { orgId: tree.school.id, kind, name, placeId });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json() as DeviceWithToken;
  return { id: body.device.id, code: body.device.code, token: body.token! };
}

let sequence = 0;
const eventId = () => `ev-${process.pid}-${++sequence}`;
const alarm = (extra: Record<string, unknown> = {}) => ({
  v: 1,
  eventId: eventId(),
  type: 'alarm',
  kind: 'one_key',
  at: new Date().toISOString(),
  details: { button: 1 },
  ...extra,
});

function ingest(device: Registered, body: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/ingest/events',
    headers: {
      'content-type': 'application/json',
      'x-device-code': device.code,
      'x-school-code': tree.school.code,
      authorization: `Bearer ${device.token}`,
      ...headers,
    },
    payload: JSON.stringify(body),
  });
}

async function rejections(reason: string, deviceCode: string): Promise<number> {
  await pipeline.flush();
  const row = await t.database.db
    .selectFrom('ingest_rejection')
    .select('count')
    .where('reason', '=', reason)
    .where('device_code', '=', deviceCode)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

async function alarmsOf(deviceId: number) {
  return t.database.db.selectFrom('alarm').selectAll().where('device_id', '=', deviceId).orderBy('id').execute();
}

beforeAll(async () => {
  t = await createTestApp({
    adminTotpRequired: false,
    deviceRatePerSecond: 2,
    deviceRateBurst: 20,
    ingestFlushMs: 60_000,
  });
  tree = await buildTree(t.database.db);
  const user = await buildUser(t.database.db, { role: 'school_security', org: tree.school });
  securityUserId = user.id;
  security = await login(t.app, user.username, user.password);
  const gate = await security.post('/api/v1/places', { orgId: tree.school.id, kind: 'gate', code: 'G1', name: '南门' });
  gateId = gate.json().id;
  pipeline = pipelineOf(t.app.platform)!;
  t.app.platform.realtime.subscribe((event) => events.push(event));
});

afterAll(async () => {
  await t?.close();
});

/** Devices for a burst: registered together. */
async function registerMany(count: number, label: string): Promise<Registered[]> {
  const devices: Registered[] = [];
  for (let index = 0; index < count; index++)
    devices.push(await register('one_key_alarm', `${label}${index}号一键报警`, null));
  return devices;
}

/**
 * A burst for the group commit: three alarms from every device, a third of them sent twice at once, one
 * replayed after it was stored (`late`), one malformed and one the database refuses (the year 0000 passes
 * ISO 8601 validation, but PostgreSQL has no year 0), all in flight together. Returns what to send and what to expect.
 */
function burstOf(devices: Registered[]) {
  const sends: { device: Registered; body: Record<string, unknown> }[] = [];
  const expected = new Map<number, Set<string>>();
  for (const device of devices) {
    expected.set(device.id, new Set());
    for (let index = 0; index < 3; index++) {
      const body = alarm({ details: { n: index } });
      expected.get(device.id)!.add(body.eventId);
      sends.push({ device, body });
      if (sends.length % 3 === 0) sends.push({ device, body });
    }
  }
  const malformed = { device: devices[0]!, body: { ...alarm(), kind: 'meteor' } };
  const poison = { device: devices[1]!, body: alarm({ at: '0000-01-01T00:00:00Z' }) };
  // Interleaved so that the duplicates, the malformed and the poison event share batches with good ones.
  sends.splice(sends.length >> 1, 0, malformed, poison);
  return { sends, expected, malformed, poison, distinct: devices.length * 3 };
}

/** Every expected alarm stored once, with exactly one `alarm.raised` event each; nothing else from the burst. */
async function expectExactlyOnce(expected: Map<number, Set<string>>) {
  const db = t.database.db;
  const total = [...expected.values()].reduce((sum, ids) => sum + ids.size, 0);
  const query = () =>
    db
      .selectFrom('alarm')
      .innerJoin('device_event', 'device_event.id', 'alarm.device_event_id')
      .select(['alarm.id', 'alarm.device_id', 'device_event.event_id'])
      .where('alarm.device_id', 'in', [...expected.keys()])
      .execute();
  // Over MQTT the publisher hears back from the broker, not from the server: wait for the rows.
  await waitFor(async () => (await query()).length >= total);
  const rows = await query();
  const stored = new Map<number, string[]>();
  for (const row of rows) stored.set(row.device_id!, [...(stored.get(row.device_id!) ?? []), row.event_id]);
  for (const [deviceId, ids] of expected) expect((stored.get(deviceId) ?? []).sort()).toEqual([...ids].sort());
  const ids = new Set(rows.map((row) => row.id));
  await waitFor(
    () =>
      events.filter((e) => e.type === 'alarm.raised' && ids.has((e.payload as { id: number }).id)).length >= ids.size,
  );
  const raised = events.filter((e) => e.type === 'alarm.raised' && ids.has((e.payload as { id: number }).id));
  expect(raised).toHaveLength(ids.size);
  expect(new Set(raised.map((e) => (e.payload as { id: number }).id)).size).toBe(ids.size);
}

async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('HTTP ingestion', () => {
  it('an alarm becomes an alarm row and a realtime event for the school; a replay is ignored', async () => {
    const device = await register();
    const body = alarm();
    const response = await ingest(device, body);
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json().results[0];
    expect(result).toMatchObject({ eventId: body.eventId, duplicate: false });
    expect(result.alarmCode).toMatch(/^BJ/);
    const rows = await alarmsOf(device.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'device', kind: 'one_key', school_id: tree.school.id, place_id: gateId });
    const event = await waitFor(() =>
      events.find((e) => e.type === 'alarm.raised' && (e.payload as { code: string }).code === result.alarmCode),
    );
    expect(event.orgPath).toBe(tree.school.path);

    const replay = await ingest(device, body);
    expect(replay.statusCode).toBe(200);
    expect(replay.json().results[0]).toMatchObject({ duplicate: true, alarmCode: null });
    expect(await alarmsOf(device.id)).toHaveLength(1);
  });

  it('a batch of events in one request', async () => {
    const device = await register('intrusion_detector', '东围墙对射', null).catch(async () => {
      const response = await security.post('/api/v1/devices', {
        orgId: tree.school.id,
        kind: 'intrusion_detector',
        name: '东围墙对射',
        zone: 'perimeter',
      });
      const body = response.json() as DeviceWithToken;
      return { id: body.device.id, code: body.device.code, token: body.token! };
    });
    const response = await ingest(device, [
      alarm({ kind: 'intrusion' }),
      { v: 1, eventId: eventId(), type: 'heartbeat', at: new Date().toISOString() },
      { v: 1, eventId: eventId(), type: 'tamper', at: new Date().toISOString() },
    ]);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().results).toHaveLength(3);
    expect((await alarmsOf(device.id)).map((a) => a.kind)).toEqual(['intrusion', 'tamper']);
  });

  it('a burst from many devices is group-committed: each event once, duplicates and bad events set apart', async () => {
    const devices = await registerMany(12, '并发');
    const { sends, expected, malformed, poison, distinct } = burstOf(devices);
    const batchesBefore = pipeline.stats.batches;
    const answers = await Promise.all(sends.map(({ device, body }) => ingest(device, body)));
    const byBody = (body: Record<string, unknown>) => answers[sends.findIndex((send) => send.body === body)]!;
    expect(byBody(malformed.body).statusCode).toBe(400);
    expect(byBody(poison.body).statusCode).toBe(400);
    expect(byBody(poison.body).json()).toMatchObject({ code: 'ingest_malformed', reason: 'malformed' });
    const good = answers.filter((_, index) => sends[index] !== malformed && sends[index] !== poison);
    for (const answer of good) expect(answer.statusCode, answer.body).toBe(200);
    const results = good.map((answer) => answer.json().results[0]);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(distinct);
    expect(results.filter((r) => r.duplicate)).toHaveLength(sends.length - 2 - distinct);
    // Group commit: far fewer transactions than events (the poison batch is retried one by one).
    expect(pipeline.stats.batches - batchesBefore).toBeLessThan(sends.length / 2);
    // A replay after the commit is still a duplicate.
    const late = await ingest(sends[0]!.device, sends[0]!.body);
    expect(late.json().results[0]).toMatchObject({ duplicate: true, alarmCode: null });
    await expectExactlyOnce(expected);
    expect(await rejections('malformed', devices[1]!.code)).toBe(1);
  });

  it('refuses and counts: unknown device, wrong token, school code not its own, malformed payload', async () => {
    const device = await register();
    const before = await tableCounts(t.database, ['ingest_rejection']);
    const unknown = await ingest({ ...device, code: 'DVNOSUCH1' }, alarm());
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json()).toMatchObject({ code: 'ingest_unauthenticated', reason: 'unknown_device' });
    expect(unknown.json().message).toMatch(/[\u4e00-\u9fff]/);
    const wrong = await ingest({ ...device, token: 'sct_wrong' }, alarm());
    expect(wrong.json()).toMatchObject({ code: 'ingest_unauthenticated', reason: 'bad_token' });
    const missing = await ingest(device, alarm(), { authorization: '' });
    expect(missing.statusCode).toBe(401);
    const mismatch = await ingest(device, alarm(), { 'x-school-code': tree.otherSchool.code });
    expect(mismatch.json()).toMatchObject({ reason: 'school_mismatch' });
    for (const bad of [
      { ...alarm(), v: 2 },
      { ...alarm(), eventId: '' },
      { ...alarm(), eventId: 'x'.repeat(101) },
      { ...alarm(), type: 'explode' },
      { ...alarm(), at: 'yesterday' },
      { ...alarm(), extra: true },
      { ...alarm(), details: { note: 'x'.repeat(501) } },
      { ...alarm(), eventId: 'bad\u0000id' },
      { ...alarm(), details: { note: 'a\u0000b' } },
      { ...alarm(), details: { 'no\u0000te': 1 } },
      { ...alarm(), details: { note: 'a\uD800b' } },
      [],
      Array.from({ length: 101 }, () => alarm()),
      'just a string',
    ]) {
      const response = await ingest(device, bad);
      expect(response.statusCode, `${JSON.stringify(bad).slice(0, 80)} ${response.body}`).toBe(400);
      expect(response.json()).toMatchObject({ code: 'ingest_malformed', reason: 'malformed' });
    }
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/events',
      headers: { 'content-type': 'application/json', 'x-device-code': device.code, 'x-school-code': tree.school.code },
      payload: '{"v":1,',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.headers['content-type']).toContain('application/problem+json');
    const noHeaders = await t.app.inject({ method: 'POST', url: '/api/v1/ingest/events', payload: alarm() });
    expect(noHeaders.statusCode).toBe(401);
    expect(await tableCounts(t.database, ['ingest_rejection'])).toEqual(before);
    expect(await rejections('unknown_device', 'DVNOSUCH1')).toBe(1);
    expect(await rejections('bad_token', device.code)).toBe(2);
    expect(await rejections('school_mismatch', device.code)).toBe(1);
    expect(await rejections('malformed', device.code)).toBe(14);
    const health = await security.get(`/api/v1/devices/health?orgId=${tree.school.id}`);
    expect(health.json().rejections.map((r: { reason: string }) => r.reason)).toEqual(
      expect.arrayContaining(['bad_token', 'malformed', 'unknown_device']),
    );
  });

  it('a NUL character anywhere in the details is refused before the database: 400, nothing of the request written', async () => {
    const device = await register('one_key_alarm', '东门一键报警');
    const before = await tableCounts(t.database, ['ingest_rejection']);
    const fine = alarm();
    for (const body of [
      alarm({ details: { note: 'a\u0000b' } }),
      // In a batch the good event is not written either: the request is refused as a whole.
      [fine, alarm({ details: { button: 1, note: '\u0000' } })],
      { ...alarm({ type: 'fault', kind: undefined }), details: { message: 'fan\u0000' } },
    ]) {
      const response = await ingest(device, body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'ingest_malformed', reason: 'malformed' });
      expect(response.json().message).toMatch(/[\u4e00-\u9fff]/);
    }
    await pipeline.flush();
    expect(await tableCounts(t.database, ['ingest_rejection'])).toEqual(before);
    expect(await rejections('malformed', device.code)).toBe(3);
    // The same event without the NUL is taken.
    const retry = await ingest(device, fine);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json().results[0]).toMatchObject({ eventId: fine.eventId, duplicate: false });
  });

  it('a flooding device is rate-limited while another device still gets its alarm through', async () => {
    const flooder = await register('one_key_alarm', '宿舍一键报警');
    const other = await register('one_key_alarm', '南门二号一键报警');
    const answers = await Promise.all(Array.from({ length: 40 }, () => ingest(flooder, alarm())));
    const limited = answers.filter((r) => r.statusCode === 429);
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(limited[0]!.json()).toMatchObject({ code: 'ingest_rate_limited', reason: 'rate_limited' });
    const started = Date.now();
    const through = await ingest(other, alarm({ kind: 'fire' }));
    expect(through.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await alarmsOf(other.id)).toHaveLength(1);
    expect((await alarmsOf(flooder.id)).length).toBeLessThanOrEqual(25);
    expect(await rejections('rate_limited', flooder.code)).toBe(limited.length);
  });

  it('fault and restore set and clear the fault; heartbeats are coalesced and flushed in one batch', async () => {
    const camera = await register('camera', '操场摄像机', null);
    const fault = await ingest(camera, {
      v: 1,
      eventId: eventId(),
      type: 'fault',
      at: new Date().toISOString(),
      details: { message: '视频信号丢失' },
    });
    expect(fault.statusCode).toBe(200);
    let detail = (await security.get(`/api/v1/devices/${camera.id}`)).json();
    expect(detail.status).toBe('fault');
    expect(detail.faultDetail).toContain('视频信号丢失');
    await ingest(camera, { v: 1, eventId: eventId(), type: 'restore', at: new Date().toISOString() });
    detail = (await security.get(`/api/v1/devices/${camera.id}`)).json();
    expect(detail.faultSince).toBeNull();

    const beats = await register('access_control', '东门门禁', null);
    await pipeline.flush();
    const flushesBefore = pipeline.stats.flushes;
    for (let index = 0; index < 5; index++) {
      const response = await ingest(beats, {
        v: 1,
        eventId: eventId(),
        type: 'heartbeat',
        at: new Date().toISOString(),
      });
      expect(response.statusCode).toBe(200);
    }
    expect((await security.get(`/api/v1/devices/${beats.id}`)).json().lastSeenAt).toBeNull();
    await pipeline.flush();
    expect(pipeline.stats.flushes).toBe(flushesBefore + 1);
    expect((await security.get(`/api/v1/devices/${beats.id}`)).json().status).toBe('online');
  });

  it('an offline key device warns the security officer once per outage; heard again, it is online', async () => {
    const db = t.database.db;
    const device = await register('one_key_alarm', '北门一键报警');
    const now = Date.now();
    await db
      .updateTable('device')
      .set({ last_seen_at: new Date(now - 3600_000), offline_since: null, offline_notified_at: null })
      .execute();
    await sweepOfflineDevices(db, new Date(now), t.config.deviceOfflineAfterSeconds);
    await sweepOfflineDevices(db, new Date(now + 60_000), t.config.deviceOfflineAfterSeconds);
    const warnings = await db
      .selectFrom('notification')
      .selectAll()
      .where('user_id', '=', securityUserId)
      .where('kind', '=', 'device.offline')
      .where('link', '=', `/devices/${device.id}`)
      .execute();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.title).toContain('北门一键报警');
    await waitFor(() =>
      events.find((e) => e.type === 'device.offline' && (e.payload as { id: number }).id === device.id),
    );
    expect((await security.get(`/api/v1/devices/${device.id}`)).json().status).toBe('offline');

    await ingest(device, { v: 1, eventId: eventId(), type: 'heartbeat', at: new Date().toISOString() });
    await pipeline.flush();
    const row = await db.selectFrom('device').selectAll().where('id', '=', device.id).executeTakeFirstOrThrow();
    expect(row.offline_since).toBeNull();
    expect(row.offline_notified_at).toBeNull();
    await waitFor(() =>
      events.find((e) => e.type === 'device.online' && (e.payload as { id: number }).id === device.id),
    );
  });
});

// ------------------------------------------------------------------------------------------------ MQTT

const BROKER = { host: '127.0.0.1', port: 1883 };

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const brokerUp = await portOpen(BROKER.port);
if (!brokerUp && process.env.CI === 'true') throw new Error('CI=true and no MQTT broker on 127.0.0.1:1883');

describe.skipIf(!brokerUp)('MQTT ingestion (real Mosquitto)', () => {
  let publisher: mqtt.MqttClient;
  const run = crypto.randomBytes(4).toString('hex');

  beforeAll(async () => {
    // Its own share group and sessions that end at disconnect: nothing is left behind on the shared broker.
    await startMqtt(t.app, {
      url: `mqtt://${BROKER.host}:${BROKER.port}`,
      clientId: `sc-test-${run}`,
      shareGroup: `sc-test-${run}`,
      sessionExpirySeconds: 0,
    });
    publisher = await mqtt.connectAsync(`mqtt://${BROKER.host}:${BROKER.port}`, { clientId: `sc-test-pub-${run}` });
  });

  afterAll(async () => {
    await publisher?.endAsync();
  });

  const topic = (device: Registered, channel = 'alarm', school = tree.school.code) =>
    `safe-campus/${school}/${device.code}/${channel}`;
  const message = (device: Registered, body: Record<string, unknown>) =>
    JSON.stringify({ ...body, token: device.token });

  it('publish → alarm row and realtime event; replay ignored; wrong token and wrong school counted', async () => {
    const device = await register('one_key_alarm', 'MQTT一键报警');
    const body = alarm();
    await publisher.publishAsync(topic(device), message(device, body), { qos: 1 });
    const [row] = await waitFor(async () => {
      const rows = await alarmsOf(device.id);
      return rows.length > 0 ? rows : null;
    });
    await waitFor(() => events.find((e) => e.type === 'alarm.raised' && (e.payload as { id: number }).id === row!.id));
    await publisher.publishAsync(topic(device), message(device, body), { qos: 1 });
    await publisher.publishAsync(topic(device), JSON.stringify({ ...alarm(), token: 'sct_wrong' }), { qos: 1 });
    await publisher.publishAsync(topic(device, 'alarm', tree.otherSchool.code), message(device, alarm()), { qos: 1 });
    await publisher.publishAsync(topic(device), 'not json', { qos: 1 });
    await publisher.publishAsync(topic(device), message(device, { ...alarm(), v: 9 }), { qos: 1 });
    // A NUL in the details: refused by validation and counted as malformed, like any other bad payload.
    await publisher.publishAsync(topic(device), message(device, alarm({ details: { note: 'a\u0000b' } })), { qos: 1 });
    await waitFor(async () => (await rejections('malformed', device.code)) === 3);
    expect(await rejections('bad_token', device.code)).toBe(1);
    expect(await rejections('school_mismatch', device.code)).toBe(1);
    expect(pipeline.stats.duplicates).toBeGreaterThanOrEqual(1);
    expect(await alarmsOf(device.id)).toHaveLength(1);
  });

  it('a burst over MQTT from many devices: each event once, with its realtime event; bad ones acknowledged', async () => {
    const devices = await registerMany(12, 'MQTT并发');
    const { sends, expected, poison } = burstOf(devices);
    const batchesBefore = pipeline.stats.batches;
    await Promise.all(
      sends.map(({ device, body }) => publisher.publishAsync(topic(device), message(device, body), { qos: 1 })),
    );
    await expectExactlyOnce(expected);
    // Messages were in flight together, so they shared transactions.
    expect(pipeline.stats.batches - batchesBefore).toBeLessThan(sends.length / 2);
    await waitFor(async () => (await rejections('malformed', devices[0]!.code)) === 1);
    expect(await rejections('malformed', poison.device.code)).toBe(1);
    // Every message was acknowledged: a replay of the whole burst changes nothing.
    await Promise.all(
      sends.map(({ device, body }) => publisher.publishAsync(topic(device), message(device, body), { qos: 1 })),
    );
    await waitFor(async () => (await rejections('malformed', devices[0]!.code)) === 2);
    await expectExactlyOnce(expected);
  });

  it("a flood from one device is cut off while another device's alarm arrives", async () => {
    const flooder = await register('one_key_alarm', 'MQTT洪泛设备');
    const other = await register('one_key_alarm', 'MQTT正常设备');
    await Promise.all(
      Array.from({ length: 200 }, () => publisher.publishAsync(topic(flooder), message(flooder, alarm()), { qos: 1 })),
    );
    const started = Date.now();
    await publisher.publishAsync(topic(other), message(other, alarm({ kind: 'fire' })), { qos: 1 });
    await waitFor(async () => (await alarmsOf(other.id)).length === 1);
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(
      async () => (await alarmsOf(flooder.id)).length + (await rejections('rate_limited', flooder.code)) === 200,
    );
    expect((await alarmsOf(flooder.id)).length).toBeLessThanOrEqual(25);
  });
});

// A private broker the test can stop and start without disturbing the shared one.
async function startBroker(port: number, dir: string): Promise<ChildProcess> {
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    config,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\nautosave_interval 1\n`,
  );
  const broker = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
  await waitFor(() => portOpen(port));
  return broker;
}

async function stopBroker(broker: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => broker.once('exit', resolve));
  broker.kill('SIGTERM');
  await exited;
}

const mosquittoInstalled = fs.existsSync('/usr/sbin/mosquitto') || fs.existsSync('/usr/bin/mosquitto');
if (!mosquittoInstalled && process.env.CI === 'true') throw new Error('CI=true and mosquitto is not installed');

describe.skipIf(!mosquittoInstalled)('MQTT broker restart and server downtime (private Mosquitto)', () => {
  it('reconnects after a broker restart; a QoS 1 message sent while the server was away is processed once', async () => {
    const port = 18_830 + (process.pid % 1000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-mosquitto-'));
    let broker = await startBroker(port, dir);
    const url = `mqtt://127.0.0.1:${port}`;
    const clientId = `sc-restart-${crypto.randomBytes(4).toString('hex')}`;
    const device = await register('one_key_alarm', '重启测试一键报警');
    const options = { url, clientId, consumers: 2, shareGroup: 'safe-campus', log: quietLog };
    const publisher = mqtt.connect(url, { clientId: `${clientId}-pub`, reconnectPeriod: 200 });
    const send = (body: Record<string, unknown>) =>
      publisher.publishAsync(
        `safe-campus/${tree.school.code}/${device.code}/alarm`,
        JSON.stringify({ ...body, token: device.token }),
        { qos: 1 },
      );
    let consumer = new MqttIngest(pipeline, options);
    try {
      await consumer.start();
      expect(consumer.connected).toBe(true);
      // The broker goes away and comes back: the consumers reconnect and resubscribe by themselves.
      await stopBroker(broker);
      broker = await startBroker(port, dir);
      await waitFor(() => consumer.connected, 15_000);
      await waitFor(() => publisher.connected, 15_000);
      await send(alarm());
      await waitFor(async () => (await alarmsOf(device.id)).length === 1, 15_000);

      // The server goes away; a device publishes; the server comes back with the same client id.
      await consumer.stop();
      const whileDown = alarm({ kind: 'fire' });
      await send(whileDown);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await alarmsOf(device.id)).toHaveLength(1);
      consumer = new MqttIngest(pipeline, options);
      await consumer.start();
      await waitFor(async () => (await alarmsOf(device.id)).length === 2, 15_000);
      // Delivered again (e.g. a crash before PUBACK): the event id keeps it single.
      await send(whileDown);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const rows = await alarmsOf(device.id);
      expect(rows).toHaveLength(2);
      expect(rows[1]!.kind).toBe('fire');
    } finally {
      await consumer.stop();
      publisher.end(true);
      await stopBroker(broker);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

const quietLog = { info: () => {}, warn: () => {}, error: () => {} };
