// Login throughput and latency over loopback with autocannon: POST /api/v1/auth/login, rotating over
// every demo account (a correct password each time), the per-user rate limit lifted
// (LOGIN_RATE_LIMIT=100000) so that argon2id verification and the session + audit writes are measured.
// `--pg` runs the server on PostgreSQL (DATABASE_URL, own schema bench_login) instead of PGlite.
import fs from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { hashPassword, verifyPassword } from '../server/src/platform/passwords.js';
import { type Figure, latencies, round, spread, startServer, tempDir, writeResult } from './lib.js';

const onPostgres = process.argv.includes('--pg');
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

// Cost of one hash and one verification in this process, one at a time.
const hashMs: number[] = [];
const verifyMs: number[] = [];
let stored = '';
for (let i = 0; i < 20; i++) {
  let started = performance.now();
  stored = await hashPassword(`Bench-Passw0rd-${i}`);
  hashMs.push(performance.now() - started);
  started = performance.now();
  if (!(await verifyPassword(stored, `Bench-Passw0rd-${i}`))) throw new Error('verify failed');
  verifyMs.push(performance.now() - started);
}
const parameters = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
const argon2 = {
  algorithm: 'argon2id',
  version: Number(parameters?.[1]),
  memoryKiB: Number(parameters?.[2]),
  iterations: Number(parameters?.[3]),
  parallelism: Number(parameters?.[4]),
};
console.log('argon2 parameters', argon2);

const dataDir = tempDir('login');
const env: Record<string, string> = { DATA_DIR: dataDir, LOGIN_RATE_LIMIT: '100000', DATABASE_URL: '' };
if (onPostgres) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query('DROP SCHEMA IF EXISTS bench_login CASCADE; CREATE SCHEMA bench_login');
  await admin.end();
  Object.assign(env, { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: 'bench_login' });
}
const server = await startServer(env, { via: 'npm-start' });
const accounts = JSON.parse(fs.readFileSync(`${dataDir}/demo-accounts.json`, 'utf8')) as {
  username: string;
  password: string;
}[];
console.log(`server on ${server.url} (${onPostgres ? 'PostgreSQL' : 'PGlite'}), ${accounts.length} demo accounts`);

async function load(seconds: number) {
  let next = 0;
  const times: number[] = [];
  const statuses = new Map<number, number>();
  const instance = autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const account = accounts[next++ % accounts.length]!;
          return { ...request, body: JSON.stringify({ username: account.username, password: account.password }) };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
    statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
  });
  const result = await instance;
  return { result, times, statuses };
}

await load(3); // warm-up: JIT, PGlite caches
const { result, times, statuses } = await load(DURATION);
const rss = server.rssMiB();
await server.stop();
fs.rmSync(dataDir, { recursive: true, force: true });

const ok = statuses.get(200) ?? 0;
const figures: Figure[] = [
  {
    metric: `logins per second (${CONNECTIONS} connections, ${DURATION} s)`,
    unit: 'req/s',
    value: round(ok / result.duration, 1),
  },
  { metric: 'login latency', unit: 'ms', ...latencies(times) },
  { metric: 'argon2id hash, one at a time', unit: 'ms', ...spread(hashMs, 1) },
  { metric: 'argon2id verify, one at a time', unit: 'ms', ...spread(verifyMs, 1) },
  { metric: 'server RSS after the run', unit: 'MiB', value: Math.round(rss) },
  {
    metric: 'responses other than 200',
    unit: 'count',
    value: times.length - ok + result.errors + result.timeouts,
    note: `statuses ${JSON.stringify(Object.fromEntries(statuses))}, errors ${result.errors}, timeouts ${result.timeouts}`,
  },
];
writeResult(onPostgres ? 'login-pg' : 'login', figures, {
  engine: onPostgres ? 'postgresql' : 'pglite',
  argon2,
  connections: CONNECTIONS,
  durationSeconds: DURATION,
  accounts: accounts.length,
});
