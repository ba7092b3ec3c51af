// Alarm latency and heartbeat load on PostgreSQL with a real Mosquitto (issue #6 figures).
//
//   1. MQTT: ALARM_RATE alarms/s (default 1,000) for ALARM_SECONDS (default 60) from 10,000 simulated devices in
//      10 schools of one county, QoS 1 through a private Mosquitto; latency from `publish()` to the
//      `alarm.raised` event on an SSE client of one school and on an SSE client of the county; lost, duplicated.
//   2. The same through POST /api/v1/ingest/events.
//   3. Heartbeats of 100,000 devices at one per minute (1,667/s) for HEARTBEAT_SECONDS (default 60): server CPU,
//      PostgreSQL backends' CPU, transactions and rows written.
//
// Its own database (safe_campus_alarms_bench, recreated each run) and its own broker on a free port.
//
//   npm run bench -- alarms [--seconds 60] [--rate 1000]
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { hashPassword } from '../server/src/platform/passwords.js';
import { type Figure, freePort, percentile, round, signIn, startServer, tempDir, writeResult } from './lib.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const SECONDS = arg('seconds', Number(process.env.ALARM_SECONDS ?? 60));
const RATE = arg('rate', Number(process.env.ALARM_RATE ?? 1000));
const HEARTBEAT_SECONDS = arg('heartbeat-seconds', Number(process.env.HEARTBEAT_SECONDS ?? 60));
/** `--only mqtt,http,heartbeats`: the phases to run (all by default). */
const ONLY = new Set(
  (args.includes('--only') ? args[args.indexOf('--only') + 1]! : 'mqtt,http,heartbeats').split(',').filter(Boolean),
);
const DEVICES = 10_000;
const HEARTBEAT_DEVICES = 100_000;
const SCHOOLS = 10;
const ADMIN_URL = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'safe_campus_alarms_bench';
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB_NAME}`);
const PASSWORD = 'Bench-Passw0rd!';

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const tokenOf = (index: number) => `sct_bench_${index}`;
const codeOf = (index: number) => `DVB${String(index).padStart(7, '0')}`;

async function recreateDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
}

async function startBroker(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = tempDir('mosquitto');
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    config,
    `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\n`,
  );
  const child: ChildProcess = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 });
      await client.endAsync();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    port,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface World {
  schools: { id: number; code: string; path: string }[];
  countyId: number;
}

/** Province → city → county → 10 schools; a security officer at school 0 and a bureau officer at the county. */
async function seed(client: pg.Client, deviceCount: number, offset = 0, existing?: World): Promise<World> {
  let world = existing;
  if (!world) {
    const insertOrg = async (
      parent: { id: number; path: string } | null,
      level: string,
      code: string,
      name: string,
    ) => {
      const row = await client.query(
        `INSERT INTO org_unit (parent_id, level, code, name, school_type, path) VALUES ($1, $2, $3, $4, $5, '/x/') RETURNING id`,
        [parent?.id ?? null, level, code, name, level === 'school' ? 'secondary' : null],
      );
      const id = row.rows[0].id as number;
      const orgPath = `${parent?.path ?? '/'}${id}/`;
      await client.query('UPDATE org_unit SET path = $1 WHERE id = $2', [orgPath, id]);
      return { id, path: orgPath, code };
    };
    const province = await insertOrg(null, 'province', 'BP', '压测省');
    const city = await insertOrg(province, 'city', 'BC', '压测市');
    const county = await insertOrg(city, 'county', 'BX', '压测区');
    const schools = [];
    for (let index = 0; index < SCHOOLS; index++)
      schools.push(await insertOrg(county, 'school', `BS${index}`, `压测学校${index}`));
    const hash = await hashPassword(PASSWORD);
    for (const [username, role, org] of [
      ['bench.school', 'school_security', schools[0]!],
      ['bench.county', 'bureau_officer', county],
    ] as const) {
      const user = await client.query(
        `INSERT INTO app_user (username, display_name, password_hash, must_change_password, demo)
         VALUES ($1, $1, $2, false, true) RETURNING id`,
        [username, hash],
      );
      await client.query('INSERT INTO role_assignment (user_id, role, org_id, org_path) VALUES ($1, $2, $3, $4)', [
        user.rows[0].id,
        role,
        org.id,
        org.path,
      ]);
    }
    world = { schools, countyId: county.id };
  }
  const [provinceId, cityId, countyId] = world.schools[0]!.path.split('/').filter(Boolean).map(Number);
  for (let start = offset; start < offset + deviceCount; start += 5000) {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let index = start; index < Math.min(offset + deviceCount, start + 5000); index++) {
      const school = world.schools[index % SCHOOLS]!;
      const base = values.length;
      values.push(codeOf(index), school.path, school.id, `压测一键报警${index}`, sha256(tokenOf(index)));
      rows.push(
        `($${base + 1}, $${base + 2}, ${provinceId}, ${cityId}, ${countyId}, $${base + 3}, 'one_key_alarm', $${base + 4}, $${base + 5}, 'xxxx')`,
      );
    }
    await client.query(
      `INSERT INTO device (code, org_path, province_id, city_id, county_id, school_id, kind, name, token_hash, token_hint)
       VALUES ${rows.join(', ')}`,
      values,
    );
  }
  return world;
}

/** An SSE client that records the arrival time of every `alarm.raised` event by device id. */
async function sseClient(url: string, cookie: string) {
  const controller = new AbortController();
  const arrivals: { deviceId: number; kind: string; at: number }[] = [];
  const response = await fetch(`${url}/api/v1/stream`, { headers: { cookie }, signal: controller.signal });
  if (response.status !== 200) throw new Error(`stream: ${response.status}`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (frame.includes('event: ready')) ready();
          if (!frame.includes('event: alarm.raised')) continue;
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data) {
            const event = JSON.parse(data.slice(6));
            arrivals.push({ deviceId: event.deviceId, kind: event.kind, at });
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  await Promise.race([isReady, new Promise((resolve) => setTimeout(resolve, 5000))]);
  return { arrivals, close: () => controller.abort() };
}

interface Sent {
  deviceId: number;
  at: number;
}

/** Waits until no new arrival for 5 s (at most `maxMs`): a backlog still draining is late, not lost. */
async function drain(arrivals: unknown[], maxMs = 120_000): Promise<void> {
  const until = performance.now() + maxMs;
  let count = -1;
  while (arrivals.length !== count && performance.now() < until) {
    count = arrivals.length;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

/** Latencies by matching each device's arrivals to its sends in order. */
function match(sent: Sent[], arrivals: { deviceId: number; at: number }[]) {
  const queues = new Map<number, number[]>();
  for (const send of sent) {
    const queue = queues.get(send.deviceId) ?? [];
    queue.push(send.at);
    queues.set(send.deviceId, queue);
  }
  const latencies: number[] = [];
  let duplicated = 0;
  for (const arrival of arrivals) {
    const queue = queues.get(arrival.deviceId);
    const sentAt = queue?.shift();
    if (sentAt === undefined) duplicated++;
    else latencies.push(arrival.at - sentAt);
  }
  let lost = 0;
  for (const queue of queues.values()) lost += queue.length;
  return { latencies, duplicated, lost };
}

function latencyFigures(label: string, result: ReturnType<typeof match>, sent: number): Figure[] {
  const { latencies, duplicated, lost } = result;
  const p99 = percentile(latencies, 99);
  return [
    {
      metric: `${label}: publish → SSE`,
      unit: 'ms',
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(p99),
      max: round(Math.max(...latencies)),
      runs: latencies.length,
      target: 'p99 < 500',
      ok: p99 < 500,
    },
    {
      metric: `${label}: lost / duplicated`,
      unit: 'events',
      value: lost + duplicated,
      note: `${sent} expected, ${lost} lost, ${duplicated} duplicated`,
      target: '0',
      ok: lost === 0 && duplicated === 0,
    },
  ];
}

/**
 * Gateways keep their connections open: a keep-alive agent of 256 sockets. (fetch() opening a connection per
 * request, tens of thousands at once, stalled the bench process itself.)
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Device ids by index, to know which SSE client should see which event. */
async function deviceIds(client: pg.Client): Promise<Map<number, { id: number; school: number }>> {
  const rows = await client.query('SELECT id, code, school_id FROM device');
  const map = new Map<number, { id: number; school: number }>();
  for (const row of rows.rows) map.set(Number(row.code.slice(3)), { id: row.id, school: row.school_id });
  return map;
}

/** Sends `rate` events/s for `seconds`, device i = k mod 10,000, in 10 ms slices. */
async function drive(seconds: number, rate: number, send: (index: number, sequence: number) => void): Promise<number> {
  const started = performance.now();
  let sentCount = 0;
  const total = seconds * rate;
  while (sentCount < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (sentCount < due) {
      send(sentCount % DEVICES, sentCount);
      sentCount++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return (performance.now() - started) / 1000;
}

function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU of each PostgreSQL backend serving the bench database, by pid. */
function postgresCpuMs(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('postgres:') && cmdline.includes(DB_NAME)) byPid.set(Number(entry), cpuMs(Number(entry)));
    } catch {
      // gone
    }
  }
  return byPid;
}

/**
 * CPU the backends used between two samples. A backend that exited in between (the pool closes idle connections)
 * is not counted (an undercount); a new one counts from zero.
 */
function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

async function dbStats(client: pg.Client) {
  const row = await client.query(
    `SELECT xact_commit::bigint AS commits, tup_updated::bigint AS updated, tup_inserted::bigint AS inserted,
            blks_hit::bigint + blks_read::bigint AS blocks
     FROM pg_stat_database WHERE datname = $1`,
    [DB_NAME],
  );
  return Object.fromEntries(Object.entries(row.rows[0]).map(([key, value]) => [key, Number(value)]));
}

/** 1-, 5- and 15-minute load averages (`uptime`), for the note of each phase: other work shares the machine. */
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');

/** Transactions per second committed in the bench database while `phase` ran (group commit shows here). */
async function commitsDuring<T>(client: pg.Client, phase: () => Promise<T>): Promise<{ result: T; perSecond: number }> {
  const before = await dbStats(client);
  const started = performance.now();
  const result = await phase();
  const after = await dbStats(client);
  return { result, perSecond: (after.commits! - before.commits!) / ((performance.now() - started) / 1000) };
}

async function main(): Promise<void> {
  console.log(`alarms bench: ${RATE}/s for ${SECONDS} s from ${DEVICES} devices; heartbeats of ${HEARTBEAT_DEVICES}`);
  await recreateDatabase();
  const broker = await startBroker();
  const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
  const server = await startServer({
    DATABASE_URL,
    DEMO: '0',
    MQTT_URL: mqttUrl,
    MQTT_CLIENT_ID: `bench-${process.pid}`,
    SWEEP_INTERVAL_MS: '600000',
    // Nobody acknowledges the bench's alarms: escalating 60,000 of them a minute later would measure the
    // escalation job, not ingestion (it runs in the HTTP phase otherwise).
    ALARM_ACK_SECONDS: '86400',
    DATA_DIR: tempDir('alarms'),
    ADMIN_TOTP_REQUIRED: '0',
  });
  const figures: Figure[] = [];
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const world = await seed(db, DEVICES);
    const ids = await deviceIds(db);
    const school = await signIn(server.url, 'bench.school', PASSWORD);
    const county = await signIn(server.url, 'bench.county', PASSWORD);
    const schoolId = world.schools[0]!.id;

    // ---- 1. MQTT
    if (ONLY.has('mqtt')) {
      const KIND = 'one_key';
      const schoolSse = await sseClient(server.url, school.cookie);
      const countySse = await sseClient(server.url, county.cookie);
      const publisher = await mqtt.connectAsync(mqttUrl, { clientId: `bench-pub-${process.pid}` });
      const sent: Sent[] = [];
      const at = new Date().toISOString();
      const loadBefore = load();
      const { result: elapsed, perSecond } = await commitsDuring(db, async () => {
        const seconds = await drive(SECONDS, RATE, (index, sequence) => {
          const device = ids.get(index)!;
          sent.push({ deviceId: device.id, at: performance.now() });
          void publisher.publishAsync(
            `safe-campus/${world.schools[index % SCHOOLS]!.code}/${codeOf(index)}/alarm`,
            JSON.stringify({
              v: 1,
              eventId: `m${sequence}`,
              type: 'alarm',
              kind: 'one_key',
              at,
              token: tokenOf(index),
            }),
            { qos: 1 },
          );
        });
        await drain(countySse.arrivals);
        return seconds;
      });
      figures.push({
        metric: 'MQTT: sent',
        unit: 'events/s',
        value: round(sent.length / elapsed),
        note: `${sent.length} in ${round(elapsed)} s; load average (1/5/15 min) ${loadBefore} before, ${load()} after; ${round(perSecond)} DB commits/s`,
      });
      const schoolDevices = new Set([...ids.values()].filter((d) => d.school === schoolId).map((d) => d.id));
      figures.push(
        ...latencyFigures(
          'MQTT, school SSE',
          match(
            sent.filter((s) => schoolDevices.has(s.deviceId)),
            schoolSse.arrivals.filter((a) => a.kind === KIND),
          ),
          sent.filter((s) => schoolDevices.has(s.deviceId)).length,
        ),
        ...latencyFigures(
          'MQTT, county SSE',
          match(
            sent,
            countySse.arrivals.filter((a) => a.kind === KIND),
          ),
          sent.length,
        ),
      );
      schoolSse.close();
      countySse.close();
      await publisher.endAsync();
    }

    // ---- 2. HTTP (fire alarms: a late MQTT arrival is not counted here)
    if (ONLY.has('http')) {
      const KIND = 'fire';
      const schoolSse = await sseClient(server.url, school.cookie);
      const countySse = await sseClient(server.url, county.cookie);
      const sent: Sent[] = [];
      let failed = 0;
      const at = new Date().toISOString();
      const pending: Promise<unknown>[] = [];
      const loadBefore = load();
      const commitsBefore = await dbStats(db);
      const phaseStarted = performance.now();
      const elapsed = await drive(SECONDS, RATE, (index, sequence) => {
        const device = ids.get(index)!;
        sent.push({ deviceId: device.id, at: performance.now() });
        pending.push(
          post(
            `${server.url}/api/v1/ingest/events`,
            {
              'x-device-code': codeOf(index),
              'x-school-code': world.schools[index % SCHOOLS]!.code,
              authorization: `Bearer ${tokenOf(index)}`,
            },
            JSON.stringify({ v: 1, eventId: `h${sequence}`, type: 'alarm', kind: 'fire', at }),
          ).then(
            (status) => {
              if (status !== 200) failed++;
            },
            () => {
              failed++;
            },
          ),
        );
      });
      await Promise.all(pending);
      await drain(countySse.arrivals);
      const commits =
        ((await dbStats(db)).commits! - commitsBefore.commits!) / ((performance.now() - phaseStarted) / 1000);
      figures.push({
        metric: 'HTTP: sent',
        unit: 'events/s',
        value: round(sent.length / elapsed),
        note: `${sent.length} in ${round(elapsed)} s, ${failed} non-200; load average (1/5/15 min) ${loadBefore} before, ${load()} after; ${round(commits)} DB commits/s`,
      });
      const schoolDevices = new Set([...ids.values()].filter((d) => d.school === schoolId).map((d) => d.id));
      figures.push(
        ...latencyFigures(
          'HTTP, school SSE',
          match(
            sent.filter((s) => schoolDevices.has(s.deviceId)),
            schoolSse.arrivals.filter((a) => a.kind === KIND),
          ),
          sent.filter((s) => schoolDevices.has(s.deviceId)).length,
        ),
        ...latencyFigures(
          'HTTP, county SSE',
          match(
            sent,
            countySse.arrivals.filter((a) => a.kind === KIND),
          ),
          sent.length,
        ),
      );
      schoolSse.close();
      countySse.close();
    }

    // ---- 3. heartbeats
    if (ONLY.has('heartbeats')) {
      await seed(db, HEARTBEAT_DEVICES - DEVICES, DEVICES, world);
      const publisher = await mqtt.connectAsync(mqttUrl, { clientId: `bench-hb-${process.pid}` });
      const rate = HEARTBEAT_DEVICES / 60;
      const before = {
        server: cpuMs(server.child.pid!),
        postgres: postgresCpuMs(),
        db: await dbStats(db),
        at: performance.now(),
      };
      const at = new Date().toISOString();
      const loadBefore = load();
      let index = 0;
      const started = performance.now();
      const total = Math.round(HEARTBEAT_SECONDS * rate);
      while (index < total) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
        while (index < due) {
          const device = index % HEARTBEAT_DEVICES;
          void publisher.publishAsync(
            `safe-campus/${world.schools[device % SCHOOLS]!.code}/${codeOf(device)}/status`,
            JSON.stringify({ v: 1, eventId: `b${index}`, type: 'heartbeat', at, token: tokenOf(device) }),
            { qos: 1 },
          );
          index++;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const after = {
        server: cpuMs(server.child.pid!),
        postgres: postgresCpuMs(),
        db: await dbStats(db),
        at: performance.now(),
      };
      const wall = (after.at - before.at) / 1000;
      const seen = await db.query(
        `SELECT count(*)::int AS n FROM device WHERE last_seen_at IS NOT NULL AND code >= $1`,
        [codeOf(DEVICES)],
      );
      figures.push(
        {
          metric: 'heartbeats: sent',
          unit: 'msgs/s',
          value: round(index / ((performance.now() - started) / 1000)),
          note: `${index} messages from ${HEARTBEAT_DEVICES} devices; load average (1/5/15 min) ${loadBefore} before, ${load()} after`,
        },
        {
          metric: 'heartbeats: server CPU',
          unit: '% of one core',
          value: round(((after.server - before.server) / 1000 / wall) * 100),
        },
        {
          metric: 'heartbeats: PostgreSQL CPU (bench db backends)',
          unit: '% of one core',
          value: round((postgresCpuBetween(before.postgres, after.postgres) / 1000 / wall) * 100),
          note: 'backends that closed during the phase are not counted',
        },
        {
          metric: 'heartbeats: DB transactions',
          unit: 'per s',
          value: round((after.db.commits! - before.db.commits!) / wall),
        },
        {
          metric: 'heartbeats: DB rows updated',
          unit: 'per s',
          value: round((after.db.updated! - before.db.updated!) / wall),
        },
        {
          metric: 'heartbeats: devices with last_seen_at',
          unit: 'devices',
          value: seen.rows[0].n,
          note: `of ${HEARTBEAT_DEVICES - DEVICES} heartbeat-only devices`,
        },
      );
      await publisher.endAsync();
    }
    writeResult('alarms', figures, {
      rate: RATE,
      seconds: SECONDS,
      devices: DEVICES,
      heartbeatDevices: HEARTBEAT_DEVICES,
      phases: [...ONLY],
    });
  } finally {
    agent.destroy();
    await db.end();
    await server.stop();
    await broker.stop();
  }
}

await main();
