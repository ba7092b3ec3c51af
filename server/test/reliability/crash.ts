// Crash and restart: starts the real server as a child process, drives writes over HTTP, kills it
// with SIGKILL at a random moment, restarts it on the same data and checks that every write that
// was answered 2xx is there exactly once. On PostgreSQL a second test restarts the database under
// load: /health must report the outage (503) and the server must reconnect by itself.
//
//   node --import tsx server/test/reliability/crash.ts              (PGlite)
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx server/test/reliability/crash.ts
//   CRASH_ROUNDS=3  CRASH_PG_RESTART=1 (restart the shared PostgreSQL cluster: off unless asked)
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '../../..');
const rounds = Number(process.env.CRASH_ROUNDS ?? 3);
const baseUrl = process.env.DATABASE_URL || null;
const engine = baseUrl ? 'postgresql' : 'pglite';
const pgRestart = process.env.CRASH_PG_RESTART === '1';
const log = (line: string) => console.log(`[crash ${engine}] ${line}`);

interface Write {
  kind: string;
  key: string;
  /** Sequence number (which device sent it). */
  n: number;
  /** refused: 503 while the database was away (an honest failure; the client retries). */
  state: 'pending' | 'acked' | 'rejected' | 'refused' | 'unknown';
  status?: number;
}

interface Server {
  child: ChildProcess;
  url: string;
  output: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServer(env: Record<string, string>): Promise<{ server: Server; ms: number }> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null)
      throw new Error(`server exited with ${child.exitCode}:\n${output.join('').slice(-2000)}`);
    try {
      const response = await fetch(`${url}/api/v1/health`);
      if (response.status === 200) return { server: { child, url, output }, ms: Date.now() - started };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`server not healthy after 120 s:\n${output.join('').slice(-2000)}`);
}

async function kill(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
}

class Session {
  constructor(
    readonly url: string,
    private cookie = '',
    private csrf = '',
  ) {}

  static async login(url: string, username: string, password: string): Promise<Session> {
    const response = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { csrfToken: string; user: { pending: string } };
    if (body.user.pending !== 'none') throw new Error(`login ${username}: pending ${body.user.pending}`);
    const cookie = (response.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
    return new Session(url, cookie, body.csrfToken);
  }

  async request(method: string, pathname: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.url}${pathname}`, {
      method,
      headers: {
        cookie: this.cookie,
        ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrf }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }
}

interface Demo {
  admin: { username: string; password: string };
  /** The school security officer of the same school (hazards, devices). */
  security: { username: string; password: string };
  schoolId: number;
}

function readDemo(dataDir: string): Demo {
  const accounts = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as {
    username: string;
    password: string;
    role: string;
    orgId: number;
    orgLevel: string;
  }[];
  const admin = accounts.find((a) => a.role === 'system_admin' && a.orgLevel === 'province');
  const security = accounts.find((a) => a.role === 'school_security' && a.orgLevel === 'school');
  if (!admin || !security)
    throw new Error('demo-accounts.json has no provincial system_admin or no school security officer');
  return { admin, security, schoolId: security.orgId };
}

/**
 * The kinds of write the test drives. A module that lands adds an entry (its create route, a body,
 * and how to find the record again by its key); entries whose route is not in the OpenAPI document
 * are left out, so hazard and device-event writes join as soon as those modules exist.
 */
interface WriteKind {
  kind: string;
  route: string;
  /** Relative weight in the mix (user creates hash a password: fewer of them). */
  weight: number;
  /** Who sends it: the provincial system admin, the school security officer, or a device (ingest). */
  as: 'admin' | 'security' | 'device';
  body(key: string, n: number, demo: Demo): unknown;
  /** A GET that lists the record by its key, and whether an item is the record. */
  find(key: string, demo: Demo): string;
  matches(item: Record<string, unknown>, key: string): boolean;
  /** The GET lists every record of the kind (pages followed), read once and counted for all keys. */
  listsAll?: boolean;
}

/** Devices the device writes come from (created through the API before the rounds; tokens kept here). */
const devices: { code: string; token: string }[] = [];
let schoolCode = '';

const WRITE_KINDS: WriteKind[] = [
  {
    kind: 'org',
    route: 'POST /api/v1/orgs',
    weight: 2,
    body: (key, n, demo) => ({ parentId: demo.schoolId, level: 'department', code: key, name: `崩溃测试部门${n}` }),
    find: (key, demo) => `/api/v1/orgs?rootId=${demo.schoolId}&keyword=${encodeURIComponent(key)}&limit=10`,
    matches: (item, key) => item.code === key,
    as: 'admin',
  },
  {
    kind: 'place',
    route: 'POST /api/v1/places',
    weight: 2,
    body: (key, n, demo) => ({ orgId: demo.schoolId, kind: 'room', code: key, name: `崩溃测试房间${n}` }),
    find: (key, demo) => `/api/v1/places?orgId=${demo.schoolId}&keyword=${encodeURIComponent(key)}&limit=10`,
    matches: (item, key) => item.code === key,
    as: 'admin',
  },
  {
    kind: 'user',
    route: 'POST /api/v1/users',
    weight: 1,
    body: (key, n, demo) => ({
      username: key,
      displayName: `崩溃测试${n}`,
      password: 'Crash-Passw0rd!1',
      roles: [{ role: 'teacher', orgId: demo.schoolId }],
    }),
    find: (key) => `/api/v1/users?keyword=${encodeURIComponent(key)}&limit=10`,
    matches: (item, key) => item.username === key,
    as: 'admin',
  },
  {
    kind: 'hazard',
    route: 'POST /api/v1/hazards',
    weight: 2,
    as: 'security',
    // The title ends the key with 。 so that the keyword search for crash-x-5 does not also find crash-x-50….
    body: (key, _n, demo) => ({ orgId: demo.schoolId, title: `崩溃测试隐患 ${key}。`, category: 'fire' }),
    find: (key, demo) => `/api/v1/hazards?orgId=${demo.schoolId}&keyword=${encodeURIComponent(`${key}。`)}&limit=10`,
    matches: (item, key) => item.title === `崩溃测试隐患 ${key}。`,
  },
  {
    // A one-key alarm from a device over HTTP ingestion: an acknowledged event must be one alarm, never two,
    // also when the device sends it again after the server died mid-request (devices retry; QoS 1 redelivers).
    kind: 'device-alarm',
    route: 'POST /api/v1/ingest/events',
    weight: 2,
    as: 'device',
    body: (key) => ({
      v: 1,
      eventId: key,
      type: 'alarm',
      kind: 'one_key',
      at: new Date().toISOString(),
      details: { crash: key },
    }),
    find: (_key, demo) => `/api/v1/alarms?orgId=${demo.schoolId}&view=history&source=device&limit=200`,
    matches: (item, key) => item.description === `crash: ${key}`,
    listsAll: true,
  },
];

let activeKinds: WriteKind[] = WRITE_KINDS;

/** Keeps the kinds whose create route the server has. */
async function detectKinds(url: string): Promise<string[]> {
  const document = (await (await fetch(`${url}/api/docs/json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = new Set(
    Object.entries(document.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    ),
  );
  activeKinds = WRITE_KINDS.filter((k) => routes.has(k.route));
  return activeKinds.map((k) => k.kind);
}

function kindAt(n: number): WriteKind {
  const wheel = activeKinds.flatMap((k) => Array.from({ length: k.weight }, () => k));
  return wheel[n % wheel.length]!;
}

/** One write of the next kind, with a key unique to the run. */
async function send(sessions: Sessions, demo: Demo, kind: WriteKind, key: string, n: number) {
  const pathname = kind.route.replace(/^POST /, '');
  if (kind.as !== 'device') return sessions[kind.as].request('POST', pathname, kind.body(key, n, demo));
  const device = devices[n % devices.length]!;
  const response = await fetch(`${sessions.admin.url}${pathname}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-device-code': device.code,
      'x-school-code': schoolCode,
      authorization: `Bearer ${device.token}`,
    },
    body: JSON.stringify(kind.body(key, n, demo)),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

async function writeOnce(sessions: Sessions, demo: Demo, writes: Write[], n: number, run: string): Promise<void> {
  const kind = kindAt(n);
  const key = `crash-${run}-${n}`;
  const write: Write = { kind: kind.kind, key, state: 'pending', n };
  writes.push(write);
  try {
    const response = await send(sessions, demo, kind, key, n);
    write.status = response.status;
    write.state = response.status < 300 ? 'acked' : response.status === 503 ? 'refused' : 'rejected';
  } catch {
    write.state = 'unknown';
  }
}

/** Drives writes from `workers` concurrent loops until `stop()` resolves. */
interface Sessions {
  admin: Session;
  security: Session;
}

async function signIn(url: string, demo: Demo): Promise<Sessions> {
  return {
    admin: await Session.login(url, demo.admin.username, demo.admin.password),
    security: await Session.login(url, demo.security.username, demo.security.password),
  };
}

/** Devices for the device writes: created through the API as the school's security officer. */
async function prepareDevices(sessions: Sessions, demo: Demo): Promise<void> {
  if (!activeKinds.some((kind) => kind.as === 'device')) return;
  const school = await sessions.security.request('GET', `/api/v1/orgs/${demo.schoolId}`);
  schoolCode = (school.json as { code: string }).code;
  // Several devices, so the per-device rate limit never refuses the test's own traffic.
  for (let i = 0; i < 12; i++) {
    const created = await sessions.security.request('POST', '/api/v1/devices', {
      orgId: demo.schoolId,
      kind: 'one_key_alarm',
      name: `崩溃测试一键报警${i}`,
    });
    if (created.status !== 200) throw new Error(`device create: ${created.status} ${JSON.stringify(created.json)}`);
    const body = created.json as { device: { code: string }; token: string };
    devices.push({ code: body.device.code, token: body.token });
  }
}

/** After a restart, devices send again what they got no answer for (as a device or a QoS 1 broker would). */
async function resendUnanswered(sessions: Sessions, demo: Demo, writes: Write[]): Promise<number> {
  let resent = 0;
  for (const write of writes) {
    if (write.kind !== 'device-alarm' || write.state !== 'unknown') continue;
    const kind = WRITE_KINDS.find((k) => k.kind === write.kind)!;
    const response = await send(sessions, demo, kind, write.key, write.n);
    if (response.status < 300) {
      write.state = 'acked';
      write.status = response.status;
      resent++;
    }
  }
  return resent;
}

async function drive(sessions: Sessions, demo: Demo, writes: Write[], run: string, until: Promise<void>, workers = 4) {
  let n = writes.length;
  let stopped = false;
  void until.then(() => {
    stopped = true;
  });
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stopped) {
        await writeOnce(sessions, demo, writes, n++, run);
        if (writes[writes.length - 1]?.state === 'unknown') await sleep(50);
      }
    }),
  );
}

/** How many times each write is present after the restart. */
const listed = new Map<string, Record<string, unknown>[]>();

async function itemsFor(
  session: Session,
  kind: WriteKind,
  key: string,
  demo: Demo,
): Promise<Record<string, unknown>[]> {
  const url = kind.find(key, demo);
  if (kind.listsAll && listed.has(kind.kind)) return listed.get(kind.kind)!;
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const pageUrl: string = cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url;
    const response = await session.request('GET', pageUrl);
    if (response.status !== 200) throw new Error(`GET ${pageUrl}: ${response.status} ${JSON.stringify(response.json)}`);
    const page = response.json as { items: Record<string, unknown>[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = kind.listsAll ? page.nextCursor : null;
  } while (cursor);
  if (kind.listsAll) listed.set(kind.kind, items);
  return items;
}

async function countPresent(sessions: Sessions, demo: Demo, write: Write): Promise<number> {
  const kind = WRITE_KINDS.find((k) => k.kind === write.kind)!;
  const session = kind.as === 'admin' ? sessions.admin : sessions.security;
  const items = await itemsFor(session, kind, write.key, demo);
  return items.filter((item) => kind.matches(item, write.key)).length;
}

async function verify(sessions: Sessions, demo: Demo, writes: Write[]) {
  let lost = 0;
  let doubled = 0;
  const problems: string[] = [];
  for (const write of writes) {
    if (write.state === 'pending') write.state = 'unknown';
    if (write.state === 'rejected') problems.push(`${write.kind} ${write.key} was rejected with ${write.status}`);
    if (write.state === 'rejected') continue;
    const present = await countPresent(sessions, demo, write);
    if (write.state === 'acked' && present === 0) {
      lost++;
      problems.push(`acknowledged ${write.kind} ${write.key} is missing`);
    }
    if (present > 1) {
      doubled++;
      problems.push(`${write.kind} ${write.key} is there ${present} times`);
    }
  }
  return { lost, doubled, problems };
}

async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  if (!baseUrl) return null;
  const name = `crash_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function pgRestartTest(server: Server, sessions: Sessions, demo: Demo, writes: Write[], run: string) {
  const session = sessions.admin;
  const version = fs.readdirSync('/etc/postgresql')[0]!;
  const health: { at: number; status: number }[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        const response = await fetch(`${server.url}/api/v1/health`, { signal: AbortSignal.timeout(3000) });
        health.push({ at: Date.now(), status: response.status });
      } catch {
        health.push({ at: Date.now(), status: 0 });
      }
      await sleep(100);
    }
  })();
  let stopLoad: () => void = () => {};
  const loadDone = drive(sessions, demo, writes, run, new Promise<void>((resolve) => (stopLoad = resolve)), 2);
  await sleep(1000);
  const restartStarted = Date.now();
  log(`restarting PostgreSQL ${version} under load`);
  // Asynchronously: the health poller and the load keep running while the cluster restarts.
  await promisify(execFile)('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '-m', 'fast']);
  const restartEnded = Date.now();
  // Until writes go through again.
  let recoveredAt: number | null = null;
  for (let i = 0; i < 150 && recoveredAt === null; i++) {
    const probe = await session
      .request('POST', '/api/v1/orgs', {
        parentId: demo.schoolId,
        level: 'department',
        code: `probe-${run}-${i}`,
        name: `恢复探测${i}`,
      })
      .catch(() => ({ status: 0 }));
    if (probe.status === 200) recoveredAt = Date.now();
    else await sleep(200);
  }
  stopLoad();
  await loadDone;
  await sleep(300);
  polling = false;
  await poller;
  const during = health.filter((h) => h.at >= restartStarted - 200 && h.at <= restartEnded + 500);
  const sawOutage = during.some((h) => h.status === 503);
  const healthyAfter = health.length > 0 && health[health.length - 1]!.status === 200;
  return {
    outageMs: restartEnded - restartStarted,
    recoveredMs: recoveredAt === null ? null : recoveredAt - restartEnded,
    sawOutage,
    healthyAfter,
    healthStatuses: [...new Set(during.map((h) => h.status))],
  };
}

async function main(): Promise<number> {
  const run = crypto.randomBytes(3).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-campus-crash-'));
  const database = await createDatabase();
  const env: Record<string, string> = {
    DEMO: '1',
    DATA_DIR: dataDir,
    // The crash test is about the data, not the web bundle.
    WEB_DIST: path.join(dataDir, 'no-web'),
    SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    DATABASE_URL: database?.url ?? '',
  };
  const writes: Write[] = [];
  const summary: Record<string, unknown> = { engine, rounds };
  const problems: string[] = [];
  let server: Server | null = null;
  try {
    const first = await startServer(env);
    server = first.server;
    summary.firstStartMs = first.ms;
    log(`first start (demo load) healthy in ${first.ms} ms`);
    const demo = readDemo(dataDir);
    summary.writeKinds = await detectKinds(server.url);
    log(`writes: ${(summary.writeKinds as string[]).join(', ')}`);
    await prepareDevices(await signIn(server.url, demo), demo);
    const restarts: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const sessions = await signIn(server.url, demo);
      const killAfter = 500 + Math.floor(Math.random() * 2500);
      const before = writes.length;
      let stop: () => void = () => {};
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const load = drive(sessions, demo, writes, run, stopped);
      await sleep(killAfter);
      // No new requests after this point; the ones in flight are cut by the kill.
      stop();
      await kill(server);
      await load;
      const roundWrites = writes.slice(before);
      log(
        `round ${round}: SIGKILL after ${killAfter} ms, ${roundWrites.filter((w) => w.state === 'acked').length} acknowledged, ${roundWrites.filter((w) => w.state !== 'acked').length} in flight`,
      );
      const restarted = await startServer(env);
      server = restarted.server;
      restarts.push(restarted.ms);
    }
    summary.restartMs = restarts;
    let sessions = await signIn(server.url, demo);
    if (baseUrl && pgRestart) {
      summary.pgRestart = await pgRestartTest(server, sessions, demo, writes, run);
      const result = summary.pgRestart as { sawOutage: boolean; healthyAfter: boolean; recoveredMs: number | null };
      log(`PostgreSQL restart: ${JSON.stringify(result)}`);
      if (!result.sawOutage)
        problems.push('health did not report the database outage (no 503 while PostgreSQL restarted)');
      if (!result.healthyAfter) problems.push('health did not come back to 200 after the restart');
      if (result.recoveredMs === null) problems.push('writes did not succeed again within 30 s of the restart');
      if (server.child.exitCode !== null) {
        problems.push(
          `the server exited during the PostgreSQL restart (${server.child.exitCode}): ${server.output.join('').slice(-600)}`,
        );
        // Start it again so the acknowledged writes can still be counted.
        server = (await startServer(env)).server;
      }
      sessions = await signIn(server.url, demo);
    } else if (baseUrl) {
      summary.pgRestart = 'skipped (set CRASH_PG_RESTART=1: restarts the shared cluster)';
    }
    summary.deviceAlarmsResent = await resendUnanswered(sessions, demo, writes);
    const checked = await verify(sessions, demo, writes);
    problems.push(...checked.problems);
    // A 500 is a server bug: show what the server logged for it.
    if (writes.some((write) => write.state === 'rejected' && (write.status ?? 0) >= 500)) {
      const errors = server.output
        .join('')
        .split('\n')
        .filter((line) => line.includes('unhandled error'));
      for (const line of errors.slice(0, 3)) log(`server log: ${line.slice(0, 1500)}`);
    }
    summary.writesAcknowledged = writes.filter((w) => w.state === 'acked').length;
    summary.writesInFlight = writes.filter((w) => w.state === 'unknown').length;
    summary.writesRefused503 = writes.filter((w) => w.state === 'refused').length;
    summary.writesLost = checked.lost;
    summary.writesDoubled = checked.doubled;
    const alarms = writes.filter((w) => w.kind === 'device-alarm');
    summary.alarmsAcknowledged = alarms.filter((w) => w.state === 'acked').length;
    summary.alarmsLost = checked.problems.filter((p) => p.startsWith('acknowledged device-alarm')).length;
    summary.alarmsDoubled = checked.problems.filter((p) => p.startsWith('device-alarm') && p.includes('times')).length;
    // The audit chain survives the kills (every audit row commits with its write).
    const auditAdmin = (
      JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as {
        username: string;
        password: string;
        role: string;
      }[]
    ).find((a) => a.role === 'audit_admin');
    if (auditAdmin) {
      const auditor = await Session.login(server.url, auditAdmin.username, auditAdmin.password);
      const verification = (await auditor.request('GET', '/api/v1/audit/verify')).json as {
        ok: boolean;
        checked: number;
      };
      summary.auditChain = verification;
      if (!verification.ok) problems.push(`audit chain broken after crashes: ${JSON.stringify(verification)}`);
    }
  } catch (error) {
    problems.push(`harness error: ${(error as Error).message}`);
    if (server && server.child.exitCode !== null) {
      problems.push(`the server exited (${server.child.exitCode}): ${server.output.join('').slice(-1500)}`);
    }
  } finally {
    if (server) await kill(server);
    await database?.drop().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  summary.problems = problems;
  console.log(`CRASH_RESULT ${JSON.stringify(summary)}`);
  for (const problem of problems) log(`✖ ${problem}`);
  log(problems.length === 0 ? '✓ every acknowledged write survived, exactly once' : `${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

process.exit(await main());
