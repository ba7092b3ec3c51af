// A province of 20,000 schools (13 cities, 100 counties, 200 schools per county, 4 departments per
// school unless --no-departments) in PostgreSQL (DATABASE_URL, schema bench_orgtree), then scoped
// org-tree reads over HTTP as a province bureau officer: p50/p95/p99 of sequential requests.
// `--explain` prints EXPLAIN ANALYZE of the underlying queries.
import fs from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../server/src/db/database.js';
import { migrate } from '../server/src/db/migrate.js';
import { loadConfig } from '../server/src/platform/config.js';
import { hashPassword } from '../server/src/platform/passwords.js';
import { type Figure, latencies, round, signIn, startServer, tempDir, writeResult } from './lib.js';

const SCHEMA = 'bench_orgtree';
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const withDepartments = !process.argv.includes('--no-departments');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const CITIES = 13;
const COUNTIES = 100;
const SCHOOLS_PER_COUNTY = 200;
const DEPARTMENTS = ['保卫处', '总务处', '教务处', '学生处'];
const SCHOOL_KINDS = [
  { type: 'primary', suffix: '小学' },
  { type: 'secondary', suffix: '中学' },
  { type: 'kindergarten', suffix: '幼儿园' },
  { type: 'primary', suffix: '实验小学' },
  { type: 'secondary', suffix: '高级中学' },
  { type: 'vocational', suffix: '中等专业学校' },
  { type: 'university', suffix: '学院' },
] as const;
const PASSWORD = 'Bench#Tree2026';

// ---- generate ---------------------------------------------------------------------------------
const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
await admin.end();

const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: SCHEMA });
const database = await openDatabase(config);
const db = database.db;
await migrate(db as never);

interface Row {
  id: number;
  parent_id: number | null;
  level: string;
  code: string;
  name: string;
  school_type: string | null;
  address: string | null;
  path: string;
}
const rows: Row[] = [];
let nextId = 1;
const add = (
  parent: Row | null,
  level: string,
  code: string,
  name: string,
  schoolType: string | null = null,
  address: string | null = null,
) => {
  const id = nextId++;
  const row: Row = {
    id,
    parent_id: parent?.id ?? null,
    level,
    code,
    name,
    school_type: schoolType,
    address,
    path: `${parent?.path ?? '/'}${id}/`,
  };
  rows.push(row);
  return row;
};

const generateStarted = performance.now();
const province = add(null, 'province', 'P', '基准省');
const counties: Row[] = [];
for (let c = 0; c < CITIES; c++) {
  const city = add(province, 'city', `C${c + 1}`, `第${c + 1}市`);
  // 100 counties over 13 cities: the first nine get 8, the rest 7.
  const countyCount = c < COUNTIES - 7 * CITIES ? 8 : 7;
  for (let k = 0; k < countyCount; k++)
    counties.push(add(city, 'county', `C${c + 1}-K${k + 1}`, `${city.name}第${k + 1}区`));
}
let schoolCount = 0;
for (const county of counties) {
  for (let s = 0; s < SCHOOLS_PER_COUNTY; s++) {
    const kind = SCHOOL_KINDS[s % SCHOOL_KINDS.length]!;
    const code = `${county.code}-S${s + 1}`;
    const school = add(
      county,
      'school',
      code,
      `${county.name}第${s + 1}${kind.suffix}`,
      kind.type,
      `${county.name}建设路${s + 1}号`,
    );
    schoolCount++;
    if (withDepartments) {
      for (const [d, name] of DEPARTMENTS.entries()) add(school, 'department', `${code}-D${d + 1}`, name);
    }
  }
}
for (let start = 0; start < rows.length; start += 2000) {
  await db
    .insertInto('org_unit')
    .values(rows.slice(start, start + 2000))
    .execute();
}
await sql`SELECT setval(pg_get_serial_sequence('org_unit', 'id'), ${nextId})`.execute(db);
const user = await db
  .insertInto('app_user')
  .values({
    username: 'bench.province',
    display_name: '省级基准用户',
    password_hash: await hashPassword(PASSWORD),
    must_change_password: false,
  })
  .returning('id')
  .executeTakeFirstOrThrow();
await db
  .insertInto('role_assignment')
  .values({ user_id: user.id, role: 'bureau_officer', org_id: province.id, org_path: province.path })
  .execute();
// As autovacuum would have by the time anyone reads: statistics and the visibility map (index-only scans).
await sql`VACUUM ANALYZE org_unit`.execute(db);
const generateMs = performance.now() - generateStarted;
console.log(`generated ${rows.length} org units (${schoolCount} schools) in ${Math.round(generateMs)} ms`);

const county = counties[Math.floor(counties.length / 2)]!;
const deepPath = (
  await sql<{
    path: string;
  }>`SELECT path FROM org_unit WHERE level = 'school' ORDER BY path OFFSET 10000 LIMIT 1`.execute(db)
).rows[0]!.path;
const deepCursor = Buffer.from(JSON.stringify([deepPath])).toString('base64url');

if (process.argv.includes('--explain')) {
  const plans: [string, ReturnType<typeof sql>][] = [
    [
      'children of the province',
      sql`SELECT o.*, (SELECT count(*) FROM org_unit c WHERE c.parent_id = o.id) AS child_count FROM org_unit o WHERE o.parent_id = ${province.id} ORDER BY o.code`,
    ],
    [
      'subtree to county',
      sql`SELECT o.*, (SELECT count(*) FROM org_unit c WHERE c.parent_id = o.id) AS child_count FROM org_unit o WHERE o.path LIKE ${`${province.path}%`} AND o.level IN ('province','city','county') ORDER BY o.path`,
    ],
    [
      'schools, deep page',
      sql`SELECT o.*, (SELECT count(*) FROM org_unit c WHERE c.parent_id = o.id) AS child_count FROM org_unit o WHERE o.path LIKE ${`${province.path}%`} AND o.level = 'school' AND o.path > ${deepPath} ORDER BY o.path LIMIT 51`,
    ],
    [
      'subtree to school',
      sql`SELECT o.*, (SELECT count(*) FROM org_unit c WHERE c.parent_id = o.id) AS child_count FROM org_unit o WHERE o.path LIKE ${`${province.path}%`} AND o.level IN ('province','city','county','school') ORDER BY o.path`,
    ],
  ];
  for (const [label, query] of plans) {
    const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ANALYZE ${query}`.execute(db);
    console.log(`\n-- ${label}\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
  }
}
await database.close();

// ---- measure ----------------------------------------------------------------------------------
const dataDir = tempDir('orgtree');
const server = await startServer({
  DATABASE_URL: databaseUrl,
  DATABASE_SCHEMA: SCHEMA,
  DATA_DIR: dataDir,
  DEMO: '0',
  API_RATE_LIMIT: '0',
});
const session = await signIn(server.url, 'bench.province', PASSWORD);

async function measure(path: string, expectItems: (count: number) => boolean, count = REQUESTS) {
  const times: number[] = [];
  let bytes = 0;
  let items = 0;
  for (let i = 0; i < count + 10; i++) {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/v1${path}`, { headers: { cookie: session.cookie } });
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
    if (i < 10) continue; // warm-up
    times.push(elapsed);
    bytes = body.length;
    items = (JSON.parse(body) as { items: unknown[] }).items.length;
  }
  if (!expectItems(items)) throw new Error(`${path}: unexpected item count ${items}`);
  return { times, bytes, items };
}

const cases: { metric: string; path: string; expect: (n: number) => boolean; target?: number; count?: number }[] = [
  {
    metric: 'children of the province (13 cities)',
    path: `/orgs/${province.id}/children`,
    expect: (n) => n === CITIES,
    target: 50,
  },
  {
    metric: `children of a county (${SCHOOLS_PER_COUNTY} schools)`,
    path: `/orgs/${county.id}/children`,
    expect: (n) => n === SCHOOLS_PER_COUNTY,
    target: 50,
  },
  {
    metric: 'subtree to county level (114 units)',
    path: `/orgs/${province.id}/subtree?maxLevel=county`,
    expect: (n) => n === 1 + CITIES + COUNTIES,
    target: 50,
  },
  {
    metric: 'schools list, first page of 50',
    path: '/orgs?level=school&limit=50',
    expect: (n) => n === 50,
    target: 50,
  },
  {
    metric: 'schools list, deep cursor page (after 10,000)',
    path: `/orgs?level=school&limit=50&cursor=${deepCursor}`,
    expect: (n) => n === 50,
    target: 50,
  },
  {
    metric: `whole subtree to school level (${schoolCount + 1 + CITIES + COUNTIES} units)`,
    path: `/orgs/${province.id}/subtree?maxLevel=school`,
    expect: (n) => n === schoolCount + 1 + CITIES + COUNTIES,
    count: Number(process.env.BENCH_BIG_REQUESTS ?? REQUESTS),
  },
];

const figures: Figure[] = [];
for (const item of cases) {
  const { times, bytes, items } = await measure(item.path, item.expect, item.count);
  const stats = latencies(times);
  figures.push({
    metric: item.metric,
    unit: 'ms',
    ...stats,
    ...(item.target ? { target: `p95 < ${item.target}`, ok: stats.p95! < item.target } : {}),
    note: `${items} items, ${round(bytes / 1024, 1)} KiB; GET ${item.path.replace(deepCursor, '<cursor>')}`,
  });
  console.log(`${item.metric}: p50 ${stats.p50} ms, p95 ${stats.p95} ms`);
}
figures.push({
  metric: 'generate and insert the province',
  unit: 'ms',
  value: Math.round(generateMs),
  note: `${rows.length} org units`,
});
const rss = server.rssMiB();
await server.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
figures.push({ metric: 'server RSS after the run', unit: 'MiB', value: Math.round(rss) });
writeResult('orgtree', figures, {
  database: 'postgresql',
  orgUnits: rows.length,
  schools: schoolCount,
  counties: COUNTIES,
  cities: CITIES,
  departments: withDepartments,
  requestsPerCase: REQUESTS,
  caller: 'bureau_officer at the province (whole province in scope)',
});
