// Hazards at province scale on PostgreSQL: 20,000 schools and 2,000,000 hazards (bench/hazards-data.ts,
// database safe_campus_bench, generated once and reused). The real server runs as a child process on port
// 3901 (BENCH_PORT) with real login sessions; measured, sequentially unless said otherwise:
//   - the ledger GET /hazards: first page and a deep cursor page (nextCursor followed 50 pages), with two
//     filters (state + category), for a school security officer and a province bureau officer;
//   - GET /hazards/stats for the province (by city), a city (by county) and a county (by school);
//   - POST /hazards throughput with autocannon next to a bare Fastify + pg endpoint inserting one row into
//     a copy of the table, alternating rounds in the same run;
//   - GET /hazards/export.xlsx of ≥50,000 rows and of ~5,000 rows: time and the server's peak RSS.
// `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the queries the routes run.
//
// `--only ledger,stats,create,export` runs some parts (figures of the others are not written).
//
//   npm run bench -- hazards [--hazards 2000000] [--explain] [--only stats,create]
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import type { DB } from '../server/src/db/schema.js';
import { BENCH_DATABASE_URL, ensureHazardData, type HazardDataSet } from './hazards-data.js';
import { type Figure, freePort, latencies, median, ROOT, round, signIn, spread, writeResult } from './lib.js';

const BUSINESS_TZ = 'Asia/Shanghai';

// ---- the bare endpoint ---------------------------------------------------------------------------------
/**
 * What the create route is compared with: Fastify, a pg pool of the same size as the server's, and one
 * INSERT … RETURNING into a table with the hazard table's columns, defaults, checks and indexes.
 */
async function bareServer(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const pool = new pg.Pool({ connectionString: BENCH_DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  const app = Fastify({ logger: false });
  app.post<{ Body: { orgId: number; title: string; category: string } }>('/bare/hazards', async (request, reply) => {
    const { orgId, title, category } = request.body;
    const result = await pool.query(
      `INSERT INTO bench_bare_hazard (code, org_path, province_id, city_id, county_id, school_id, title, category,
         reported_by, reported_at)
       SELECT 'B' || gen_random_uuid(), path, 1, 1, 1, id, $2, $3, 1, now() FROM org_unit WHERE id = $1
       RETURNING *`,
      [orgId, title, category],
    );
    reply.code(201);
    return result.rows[0];
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => {
    void app.close().then(() => pool.end().then(() => process.exit(0)));
  });
}

// ---- harness -------------------------------------------------------------------------------------------
interface Child {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

async function spawnChild(args: string[], env: Record<string, string>, port: number, health: string): Promise<Child> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', SKIP_WEB_BUILD: '1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = performance.now();
  const fail = (message: string) => {
    child.kill('SIGKILL');
    return new Error(message);
  };
  for (;;) {
    if (child.exitCode !== null) throw fail(`${args.join(' ')} exited with ${child.exitCode}:\n${output}`);
    if (performance.now() - started > 120_000) throw fail(`not ready after 120 s:\n${output}`);
    try {
      const response = await fetch(`${url}${health}`, { method: health.startsWith('/bare') ? 'OPTIONS' : 'GET' });
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return {
    child,
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
}

interface Session {
  cookie: string;
  csrfToken: string;
}

async function get(url: string, session: Session): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie: session.cookie } });
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

async function timeGets(url: string, session: Session, count: number, warmUp = 3): Promise<number[]> {
  for (let i = 0; i < warmUp; i++) await get(url, session);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const { ms, status, body } = await get(url, session);
    if (status !== 200) throw new Error(`${url}: ${status} ${body.slice(0, 300)}`);
    times.push(ms);
  }
  return times;
}

/** Walks nextCursor up to `pages` pages; returns each page's time and the deepest page's cursor. */
async function walk(base: string, session: Session, pages: number) {
  const times: number[] = [];
  let cursor: string | null = null;
  let deepest: string | null = null;
  let rows = 0;
  for (let page = 0; page < pages; page++) {
    const url = cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base;
    const { ms, status, body } = await get(url, session);
    if (status !== 200) throw new Error(`${url}: ${status} ${body.slice(0, 300)}`);
    const parsed = JSON.parse(body) as { items: unknown[]; nextCursor: string | null };
    times.push(ms);
    rows += parsed.items.length;
    deepest = cursor;
    if (!parsed.nextCursor) break;
    cursor = parsed.nextCursor;
  }
  return { times, deepest, pagesWalked: times.length, rows };
}

// ---- main ----------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const flag = (name: string, fallback: number) => {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? Number(process.argv[index + 1]) : fallback;
  };
  const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
  const STATS_RUNS = Number(process.env.BENCH_STATS_RUNS ?? 20);
  const DURATION = Number(process.env.BENCH_DURATION ?? 10);
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
  const EXPORT_RUNS = Number(process.env.BENCH_EXPORT_RUNS ?? 3);
  const PORT = Number(process.env.BENCH_PORT ?? 3901);
  const onlyIndex = process.argv.indexOf('--only');
  const parts = new Set(
    onlyIndex >= 0 ? process.argv[onlyIndex + 1]!.split(',') : ['ledger', 'stats', 'create', 'export'],
  );

  const data = await ensureHazardData({ hazards: flag('hazards', 2_000_000), schools: flag('schools', 20_000) });
  if (process.argv.includes('--explain')) {
    await explainQueries(data);
    return;
  }
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  const scalar = async (text: string, values: unknown[] = []) =>
    Number(Object.values((await client.query(text, values)).rows[0] as object)[0]);

  const server = await spawnChild(
    // BENCH_SERVER_ENTRY runs another build of the server (e.g. a patched copy) against the same data.
    ['--import', 'tsx', process.env.BENCH_SERVER_ENTRY ?? 'server/src/main.ts'],
    {
      DATABASE_URL: BENCH_DATABASE_URL,
      DATABASE_SCHEMA: '',
      DEMO: '0',
      DATA_DIR: path.join(ROOT, '.tmp/bench-hazards'),
      WEB_DIST: '/nonexistent',
      LOGIN_RATE_LIMIT: '1000',
    },
    PORT,
    '/api/v1/health',
  );
  const pid = server.child.pid!;
  const api = `${server.url}/api/v1`;
  console.log(`server on ${server.url} (PostgreSQL ${BENCH_DATABASE_URL}), pid ${pid}`);

  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  try {
    const province = await signIn(server.url, data.accounts.province, data.accounts.password);
    // The school user works at the school with the most hazards: the heaviest school ledger.
    const busiest = (
      await client.query(
        `SELECT h.school_id, count(*)::int AS hazards, u.username FROM hazard h
         JOIN role_assignment r ON r.org_id = h.school_id AND r.role = 'school_security'
         JOIN app_user u ON u.id = r.user_id
         WHERE h.id <= $1 GROUP BY 1, 3 ORDER BY 2 DESC LIMIT 1`,
        [data.maxHazardId],
      )
    ).rows[0] as { school_id: number; hazards: number; username: string };
    const schoolId = busiest.school_id;
    const school = await signIn(server.url, busiest.username, data.accounts.password);
    console.log(`school user ${busiest.username}: school ${schoolId} with ${busiest.hazards} hazards`);
    details.schoolUser = { username: busiest.username, schoolId, hazards: busiest.hazards };

    // ---- ledger ----
    const filters = [
      { label: 'state=closed & category=fire', query: 'state=closed&category=fire' },
      { label: 'state=rectifying & category=building', query: 'state=rectifying&category=building' },
    ];
    const users = [
      { label: 'school', session: school },
      { label: 'province', session: province },
    ];
    for (const user of parts.has('ledger') ? users : []) {
      for (const filter of filters) {
        const base = `${api}/hazards?${filter.query}`;
        const matching =
          user.label === 'school'
            ? await scalar('SELECT count(*) FROM hazard WHERE school_id = $1 AND state = $2 AND category = $3', [
                schoolId,
                ...filter.query.split('&').map((part) => part.split('=')[1]),
              ])
            : await scalar('SELECT count(*) FROM hazard WHERE state = $1 AND category = $2', [
                ...filter.query.split('&').map((part) => part.split('=')[1]),
              ]);
        const first = await timeGets(base, user.session, REQUESTS);
        figures.push({
          metric: `ledger first page, ${user.label} user, ${filter.label} (${matching} rows match)`,
          unit: 'ms',
          ...latencies(first),
          target: 'p95 < 50',
          ok: latencies(first).p95! < 50,
        });
        const walked = await walk(base, user.session, 50);
        const deepUrl = walked.deepest ? `${base}&cursor=${encodeURIComponent(walked.deepest)}` : base;
        const deep = await timeGets(deepUrl, user.session, REQUESTS);
        figures.push({
          metric: `ledger page ${walked.pagesWalked} (cursor), ${user.label} user, ${filter.label}`,
          unit: 'ms',
          ...latencies(deep),
          target: 'p95 < 50',
          ok: latencies(deep).p95! < 50,
          note: `walk of ${walked.pagesWalked} pages (${walked.rows} rows): p50 ${round(median(walked.times))} ms, max ${round(Math.max(...walked.times))} ms`,
        });
      }
    }

    // ---- statistics ----
    const city = data.cityIds[0]!;
    const statsTargets = [
      { label: 'province by city', orgId: data.provinceId, session: province, column: 'province_id' },
      { label: 'city by county', orgId: city, session: province, column: 'city_id' },
      { label: 'county by school', orgId: data.countyId, session: province, column: 'county_id' },
    ];
    for (const target of parts.has('stats') ? statsTargets : []) {
      const rows = await scalar(`SELECT count(*) FROM hazard WHERE ${target.column} = $1`, [target.orgId]);
      const times = await timeGets(`${api}/hazards/stats?orgId=${target.orgId}`, target.session, STATS_RUNS, 2);
      figures.push({
        metric: `stats ${target.label} (${rows} hazards)`,
        unit: 'ms',
        ...latencies(times),
        target: 'p95 < 500',
        ok: latencies(times).p95! < 500,
      });
    }

    // ---- create throughput ----
    if (parts.has('create')) await createThroughput();
    async function createThroughput() {
      await client.query(`
      DROP TABLE IF EXISTS bench_bare_hazard;
      CREATE TABLE bench_bare_hazard (LIKE hazard INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS
        INCLUDING INDEXES)`);
      const barePort = await freePort();
      const bare = await spawnChild(
        ['--import', 'tsx', 'bench/hazards.ts', '--bare-server'],
        {},
        barePort,
        '/bare/hazards',
      );
      const titles = ['灭火器过期未更换', '疏散通道堆放杂物', '校门口防冲撞设施缺失', '楼梯扶手松动'];
      const categories = ['fire', 'fire', 'traffic', 'building'];
      // Which status the create route answers with (200 or 201), found out once.
      const probe = await fetch(`${api}/hazards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: school.cookie, 'x-csrf-token': school.csrfToken },
        body: JSON.stringify({ orgId: schoolId, title: '基准探测隐患', category: 'other' }),
      });
      const createStatus = probe.status;
      await probe.text();
      if (createStatus >= 300) throw new Error(`POST /hazards answered ${createStatus}`);
      // 'session' is a reference, not a target: GET /auth/me only loads the caller's session and user, the
      // lightest signed-in route, so it shows what being signed in costs next to the bare endpoint.
      const load = async (target: 'app' | 'bare' | 'session', seconds: number) => {
        const okStatus = target === 'app' ? createStatus : target === 'bare' ? 201 : 200;
        let next = 0;
        const statuses = new Map<number, number>();
        const signedIn = { cookie: school.cookie, 'x-csrf-token': school.csrfToken };
        const instance = autocannon({
          url: target === 'bare' ? bare.url : server.url,
          connections: CONNECTIONS,
          duration: seconds,
          timeout: 30,
          requests: [
            target === 'session'
              ? { method: 'GET', path: '/api/v1/auth/me', headers: signedIn }
              : {
                  method: 'POST',
                  path: target === 'app' ? '/api/v1/hazards' : '/bare/hazards',
                  headers:
                    target === 'app'
                      ? { 'content-type': 'application/json', ...signedIn }
                      : { 'content-type': 'application/json' },
                  setupRequest: (request) => {
                    const n = next++ % titles.length;
                    return {
                      ...request,
                      body: JSON.stringify({ orgId: schoolId, title: titles[n], category: categories[n] }),
                    };
                  },
                },
          ],
        });
        instance.on('response', (_client: unknown, statusCode: number) => {
          statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
        });
        const result = await instance;
        const created = statuses.get(okStatus) ?? 0;
        const other = [...statuses].filter(([status]) => status !== okStatus);
        if (other.length > 0 || result.errors > 0) {
          console.log(`${target}: statuses ${JSON.stringify(Object.fromEntries(statuses))}, errors ${result.errors}`);
        }
        return { perSecond: created / result.duration, p50: result.latency.p50, p99: result.latency.p99, statuses };
      };
      const appRates: number[] = [];
      const bareRates: number[] = [];
      const sessionRates: number[] = [];
      const appLatency: number[] = [];
      const bareLatency: number[] = [];
      await load('bare', 3);
      await load('app', 3);
      await load('session', 3);
      for (let round_ = 0; round_ < ROUNDS; round_++) {
        const b = await load('bare', DURATION);
        bareRates.push(b.perSecond);
        bareLatency.push(b.p50);
        const a = await load('app', DURATION);
        appRates.push(a.perSecond);
        appLatency.push(a.p50);
        sessionRates.push((await load('session', DURATION)).perSecond);
      }
      await bare.stop();
      const appRate = median(appRates);
      const bareRate = median(bareRates);
      figures.push({
        metric: `POST /hazards, ${CONNECTIONS} connections, ${ROUNDS}×${DURATION} s`,
        unit: 'req/s',
        ...spread(appRates, 0),
        note: `latency p50 per round ${appLatency.join(', ')} ms`,
      });
      figures.push({
        metric: `bare Fastify + pg INSERT, ${CONNECTIONS} connections, ${ROUNDS}×${DURATION} s`,
        unit: 'req/s',
        ...spread(bareRates, 0),
        note: `latency p50 per round ${bareLatency.join(', ')} ms`,
      });
      figures.push({
        metric: `reference: GET /auth/me (session and user only), ${CONNECTIONS} connections`,
        unit: 'req/s',
        ...spread(sessionRates, 0),
        note: `${round((median(sessionRates) / bareRate) * 100, 0)} % of bare: the lightest signed-in route`,
      });
      figures.push({
        metric: 'create throughput, app / bare (medians)',
        unit: '%',
        value: round((appRate / bareRate) * 100, 0),
        target: '≥ 50',
        ok: appRate / bareRate >= 0.5,
      });
      await client.query('DROP TABLE bench_bare_hazard');
    }

    // ---- export ----
    if (parts.has('export')) await exportsRun();
    async function exportsRun() {
      // A city and a reporting period (business days) that give about 50,000 and about 5,000 rows.
      const since = async (rows: number) => {
        const result = await client.query(
          `SELECT to_char(reported_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day FROM hazard WHERE city_id = $1
         ORDER BY reported_at DESC OFFSET $2 LIMIT 1`,
          [city, rows, BUSINESS_TZ],
        );
        return result.rows[0].day as string;
      };
      const today = await scalar(`SELECT to_char(now() AT TIME ZONE $1, 'YYYYMMDD')`, [BUSINESS_TZ]);
      const todayText = String(today).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3');
      const exports = [
        { label: 'small', from: await since(5_000) },
        { label: 'large', from: await since(50_000) },
      ];
      const exportRows = new Map<string, number>();
      for (const e of exports) {
        exportRows.set(
          e.label,
          await scalar(
            `SELECT count(*) FROM hazard WHERE city_id = $1 AND reported_at >= ($2::date)::timestamp AT TIME ZONE $3`,
            [city, e.from, BUSINESS_TZ],
          ),
        );
      }
      const exportTimes = new Map<string, number[]>();
      const exportPeaks = new Map<string, number[]>();
      const exportBytes = new Map<string, number>();
      const baselineRss = procStatus(pid, 'VmRSS');
      // All small runs first: RSS that a large export leaves behind would hide a small one's peak.
      for (const e of exports) {
        for (let run = 0; run < EXPORT_RUNS; run++) {
          // Reset the peak (VmHWM) to the current RSS, then read it after the download.
          fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
          const before = procStatus(pid, 'VmRSS');
          const started = performance.now();
          const response = await fetch(`${api}/hazards/export.xlsx?orgId=${city}&from=${e.from}&to=${todayText}`, {
            headers: { cookie: province.cookie },
          });
          if (response.status !== 200)
            throw new Error(`export ${e.label}: ${response.status} ${await response.text()}`);
          let bytes = 0;
          for await (const chunk of response.body!) bytes += (chunk as Uint8Array).byteLength;
          const ms = performance.now() - started;
          const peak = procStatus(pid, 'VmHWM');
          exportTimes.set(e.label, [...(exportTimes.get(e.label) ?? []), ms]);
          exportPeaks.set(e.label, [...(exportPeaks.get(e.label) ?? []), peak]);
          exportBytes.set(e.label, bytes);
          console.log(
            `export ${e.label} (${exportRows.get(e.label)} rows): ${Math.round(ms)} ms, ${bytes} bytes, RSS ${Math.round(before)} → peak ${Math.round(peak)} MiB`,
          );
          await sleep(500);
        }
      }
      for (const e of exports) {
        const rows = exportRows.get(e.label)!;
        figures.push({
          metric: `export.xlsx ${rows} rows (city ${city}, from ${e.from}), time`,
          unit: 'ms',
          ...spread(exportTimes.get(e.label)!, 0),
          note: `${round(exportBytes.get(e.label)! / 2 ** 20, 1)} MiB file`,
        });
        figures.push({
          metric: `export.xlsx ${rows} rows, server peak RSS (VmHWM)`,
          unit: 'MiB',
          ...spread(exportPeaks.get(e.label)!, 0),
          note: `RSS before the exports ${Math.round(baselineRss)} MiB`,
        });
      }
      details.exports = Object.fromEntries(
        exports.map((e) => [e.label, { from: e.from, rows: exportRows.get(e.label) }]),
      );
      details.serverRssAtEndMiB = Math.round(procStatus(pid, 'VmRSS'));
    }
  } catch (error) {
    console.log(server.output());
    throw error;
  } finally {
    await server.stop();
    await client.end();
  }

  writeResult(process.env.BENCH_RESULT_NAME ?? 'hazards', figures, {
    serverEntry: process.env.BENCH_SERVER_ENTRY ?? 'server/src/main.ts',
    engine: 'postgresql 15',
    note: 'machine shared by other sessions; 2 cores; PostgreSQL with default settings (shared_buffers 128 MB)',
    data: dataSummary(data),
    requestsPerFigure: REQUESTS,
    statsRuns: STATS_RUNS,
    connections: CONNECTIONS,
    ...details,
  });
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements the routes run, captured from the server's own query code
 * (HazardQueries.page, hazardStatistics) through Kysely's query log.
 */
async function explainQueries(data: HazardDataSet): Promise<void> {
  const { Kysely, PostgresDialect } = await import('kysely');
  const { HazardQueries } = await import('../server/src/modules/hazards/queries.js');
  const { hazardStatistics } = await import('../server/src/modules/hazards/stats.js');
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: BENCH_DATABASE_URL, max: 2 }) }),
    log: (event) => {
      if (event.level === 'query') captured.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  const explain = async (label: string, run: () => Promise<unknown>) => {
    captured.length = 0;
    await run();
    const query = captured[0]!;
    const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.parameters as unknown[]);
    console.log(`\n=== ${label}\n${query.sql}\n${JSON.stringify(query.parameters)}`);
    console.log(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
  };
  const queries = new HazardQueries(db);
  const now = new Date();
  const province = { id: data.provinceId, level: 'province' as const, path: `/${data.provinceId}/` };
  const filter = { root: province, now, state: 'rectifying', category: 'building' };
  let after: [string, number] | undefined;
  for (let page = 1; page < 50; page++) {
    const rows = await queries.page(filter, after, 50);
    const last = rows[rows.length - 1]!;
    after = [last.reported_at.toISOString(), last.id];
  }
  await explain('ledger page 50, province, rectifying + building', () => queries.page(filter, after, 50));
  const city = { id: data.cityIds[0]!, level: 'city' as const, path: `/${data.provinceId}/${data.cityIds[0]}/` };
  await explain('stats, province by city', () =>
    hazardStatistics(db, { ...province, name: 'province' }, { labels: { from: null, to: null } }, now),
  );
  await explain('stats, city by county', () =>
    hazardStatistics(db, { ...city, name: 'city' }, { labels: { from: null, to: null } }, now),
  );
  await client.end();
  await db.destroy();
}

function dataSummary(data: HazardDataSet) {
  return {
    schools: data.schools,
    hazards: data.hazards,
    hazardTableMiB: Math.round(data.tableBytes / 2 ** 20),
    hazardIndexesMiB: Math.round(data.indexBytes / 2 ** 20),
    generatedAt: data.generatedAt,
    generateSeconds: data.generateSeconds,
  };
}

// Last, so that every declaration above is initialised.
if (process.argv.includes('--bare-server')) {
  await bareServer();
} else {
  await main();
}
