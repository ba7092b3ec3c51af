// A province-sized hazard data set in its own PostgreSQL database (safe_campus_bench): 13 cities,
// 100 counties, 20,000 schools (2 departments and 3 places each), one bureau officer per bureau and two
// accounts per school, and 2,000,000 hazards (`--hazards 10000000` for ten million) whose columns follow
// the lifecycle (closed ⇒ rectified and closed times, assigned ⇒ the five fixes, major ⇒ supervised…).
// Everything is set-based SQL (INSERT … SELECT generate_series), hazards in batches of 250,000 rows.
// A marker table remembers what was generated: a second run with the same sizes reuses the data.
//
//   node --import tsx bench/hazards-data.ts [--hazards 2000000] [--schools 20000] [--force]
import fs from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../server/src/db/database.js';
import { migrate } from '../server/src/db/migrate.js';
import type { DB } from '../server/src/db/schema.js';
import { loadConfig } from '../server/src/platform/config.js';
import { hashPassword } from '../server/src/platform/passwords.js';
import { ROOT } from './lib.js';

/** Another benchmark may work on its own copy (bench/forms.ts sets BENCH_DATABASE before importing this). */
export const BENCH_DATABASE = process.env.BENCH_DATABASE || 'safe_campus_bench';
export const SERVER_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432';
export const BENCH_DATABASE_URL = `${SERVER_URL}/${BENCH_DATABASE}`;
/** Every generated account signs in with this password. */
export const BENCH_PASSWORD = 'Bench#Hazard2026';
const BATCH = 250_000;
/** Bump when the generated rows change: data of another version is regenerated. */
const GENERATOR_VERSION = 2;
const COUNTIES = 100;
const CITY_NAMES = [
  '南京市',
  '无锡市',
  '徐州市',
  '常州市',
  '苏州市',
  '南通市',
  '连云港市',
  '淮安市',
  '盐城市',
  '扬州市',
  '镇江市',
  '泰州市',
  '宿迁市',
];
const CITIES = CITY_NAMES.length;

/** Eight titles per category, as a school security office writes them. */
const TITLES: Record<string, string[]> = {
  fire: [
    '灭火器过期未更换',
    '疏散通道堆放杂物',
    '安全出口指示灯损坏',
    '消火栓被遮挡',
    '应急照明灯不亮',
    '电动车在楼道内充电',
    '防火门常开未闭合',
    '消防控制室无人值守',
  ],
  public_order: [
    '校门口无保安值守',
    '围墙破损可攀爬',
    '监控探头画面模糊',
    '一键报警装置无响应',
    '外来人员未登记入校',
    '护学岗人员不足',
    '宿舍门禁失效',
    '防暴器材配备不全',
  ],
  traffic: [
    '校门口防冲撞设施缺失',
    '校车安全带损坏',
    '上下学时段车辆乱停',
    '减速带破损',
    '校园道路标线模糊',
    '接送学生车辆超载',
    '校门口缺少人行横道',
    '非机动车停放占用消防通道',
  ],
  food: [
    '食堂留样不足48小时',
    '食品仓库生熟混放',
    '从业人员健康证过期',
    '餐具消毒记录缺失',
    '冷藏柜温度超标',
    '食堂排油烟管道未清洗',
    '进货台账不全',
    '校外配餐无资质证明',
  ],
  building: [
    '教学楼外墙瓷砖脱落',
    '楼梯扶手松动',
    '屋面渗漏',
    '围墙出现裂缝',
    '宿舍楼窗户护栏缺失',
    '操场看台栏杆锈蚀',
    '地下室积水',
    '教室吊扇固定件松动',
  ],
  hazardous_chemicals: [
    '实验室危化品未双人双锁',
    '危化品台账与实物不符',
    '废液未分类存放',
    '药品柜通风不良',
    '易制毒化学品未单独存放',
    '实验室缺少洗眼器',
    '危化品领用无审批记录',
    '气瓶未固定',
  ],
  special_equipment: [
    '电梯年检过期',
    '锅炉操作人员无证上岗',
    '压力容器安全阀未校验',
    '电梯困人应急电话不通',
    '食堂蒸汽柜压力表失灵',
    '起重设备无检验标志',
    '电梯维保记录缺失',
    '锅炉房堆放可燃物',
  ],
  surroundings: [
    '校园周边200米内有网吧',
    '校门口流动摊贩聚集',
    '周边施工工地围挡缺失',
    '校外河塘无防护栏',
    '周边道路照明不足',
    '校园周边有废品收购站',
    '附近高压线下有活动场地',
    '周边出租屋人员复杂',
  ],
  other: [
    '心理咨询室未按时开放',
    '安全教育台账缺失',
    '应急演练记录不全',
    '安全责任书未签订',
    '值班记录填写不规范',
    '宿管人员夜间脱岗',
    '安全隐患公示栏未更新',
    '学生午休无人看护',
  ],
};

export interface HazardDataSet {
  databaseUrl: string;
  schools: number;
  hazards: number;
  /** Hazards with a larger id were made by a benchmark run and are removed before the next one. */
  maxHazardId: number;
  provinceId: number;
  cityIds: number[];
  /** A county and a school with an average amount of data, and their bureau / security accounts. */
  countyId: number;
  schoolId: number;
  accounts: { province: string; city: string; county: string; school: string; staff: string; password: string };
  generatedAt: string;
  generateSeconds: number;
  tableBytes: number;
  indexBytes: number;
}

interface Options {
  hazards: number;
  schools: number;
  force?: boolean;
  log?: (line: string) => void;
}

/** A digest of the migrations: data made by other migrations is regenerated. */
function migrationsDigest(): string {
  const folder = path.join(ROOT, 'server/src/db/migrations');
  return (
    fs
      .readdirSync(folder)
      .filter((file) => /^\d{4}_/.test(file))
      // The migrations up to the hazards' own (later ones run too, but do not force a regeneration).
      .filter((file) => Number(file.slice(0, 4)) <= 3)
      .sort()
      .map((file) => {
        // Index lines of the hazard table may be tuned without regenerating (synced below).
        const text = fs
          .readFileSync(path.join(folder, file), 'utf8')
          .replace(/CREATE (UNIQUE )?INDEX[^;]*;/g, '')
          .replace(/--[^\n]*/g, '');
        return `${file}:${text.length}:${[...text].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) | 0, 7)}`;
      })
      .join(',')
      .concat(`;generator ${GENERATOR_VERSION}`)
  );
}

async function ensureDatabase(recreate: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: `${SERVER_URL}/postgres` });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE])).rowCount;
    if (exists && recreate) await admin.query(`DROP DATABASE ${BENCH_DATABASE} WITH (FORCE)`);
    if (!exists || recreate) await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  } finally {
    await admin.end();
  }
}

async function readMarker(): Promise<(HazardDataSet & { digest: string }) | null> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    const table = await client.query(`SELECT to_regclass('bench_marker') AS name`);
    if (!table.rows[0].name) return null;
    const row = await client.query(`SELECT value FROM bench_marker WHERE key = 'hazards'`);
    return row.rows[0]?.value ?? null;
  } finally {
    await client.end();
  }
}

/**
 * The hazard indexes declared in 0003_hazards.ts and 0008_hazard_rollup.ts, so that tuning an index line there reaches an existing
 * data set without regenerating it.
 */
function declaredHazardIndexes(): Map<string, string> {
  const indexes = new Map<string, string>();
  for (const file of HAZARD_INDEX_MIGRATIONS) {
    const text = fs.readFileSync(path.join(ROOT, 'server/src/db/migrations', file), 'utf8');
    for (const match of text.matchAll(/CREATE (?:UNIQUE )?INDEX (\w+) ON hazard\b[^;]*;/g))
      indexes.set(match[1]!, match[0].replace(/\s+/g, ' '));
  }
  return indexes;
}

/** The migrations that declare indexes on the hazard table. */
const HAZARD_INDEX_MIGRATIONS = ['0003_hazards.ts', '0008_hazard_rollup.ts'];

async function syncHazardIndexes(db: Kysely<DB>, log: (line: string) => void): Promise<void> {
  const declared = declaredHazardIndexes();
  const existing = await sql<{ name: string; constraint: boolean }>`
    SELECT i.relname AS name, EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) AS constraint
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = 'hazard'::regclass`.execute(db);
  // The statement each index was built from, to rebuild the ones whose line changed.
  await sql`CREATE TABLE IF NOT EXISTS bench_index (name text PRIMARY KEY, statement text NOT NULL)`.execute(db);
  const built = new Map(
    (await sql<{ name: string; statement: string }>`SELECT name, statement FROM bench_index`.execute(db)).rows.map(
      (row) => [row.name, row.statement],
    ),
  );
  const present = new Set<string>();
  for (const row of existing.rows) {
    if (row.constraint) continue;
    const statement = declared.get(row.name);
    if (statement !== undefined && built.get(row.name) === statement) {
      present.add(row.name);
      continue;
    }
    log(`dropping index ${row.name} (${statement === undefined ? 'no longer declared' : 'changed'} in the migrations)`);
    await sql.raw(`DROP INDEX ${row.name}`).execute(db);
  }
  await sql`SET maintenance_work_mem = '512MB'`.execute(db);
  for (const [name, statement] of declared) {
    if (present.has(name)) continue;
    const started = performance.now();
    await sql.raw(statement).execute(db);
    await sql`
      INSERT INTO bench_index (name, statement) VALUES (${name}, ${statement})
      ON CONFLICT (name) DO UPDATE SET statement = excluded.statement`.execute(db);
    log(`created index ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Creates (or reuses) the data set; returns what the benchmark needs to know about it. */
export async function ensureHazardData(options: Options): Promise<HazardDataSet> {
  const log = options.log ?? ((line: string) => console.log(line));
  const digest = migrationsDigest();
  await ensureDatabase(false);
  let marker = await readMarker();
  const sameTree = marker && marker.schools === options.schools && marker.digest === digest;
  if (!sameTree || options.force) {
    // Whatever is there (an interrupted run, other migrations) is dropped.
    log(`creating the benchmark database ${BENCH_DATABASE}`);
    await ensureDatabase(true);
    marker = null;
  }
  const config = loadConfig({ ...process.env, DATABASE_URL: BENCH_DATABASE_URL, DATABASE_SCHEMA: '' });
  const database = await openDatabase(config);
  const db = database.db;
  try {
    await migrate(db as never);
    await sql`CREATE TABLE IF NOT EXISTS bench_marker (key text PRIMARY KEY, value jsonb NOT NULL)`.execute(db);
    if (marker && marker.hazards === options.hazards) {
      // Remove what earlier benchmark runs created, so every run starts from the same rows.
      const removed = await sql`DELETE FROM hazard WHERE id > ${marker.maxHazardId}`.execute(db);
      await sql`DELETE FROM timeline_event WHERE record_type = 'hazard' AND record_id > ${marker.maxHazardId}`.execute(
        db,
      );
      await sql`DELETE FROM idempotency_key`.execute(db);
      await sql`DELETE FROM session`.execute(db);
      if (Number(removed.numAffectedRows ?? 0) > 0) {
        log(`removed ${removed.numAffectedRows} hazards left by an earlier run`);
        await sql`VACUUM ANALYZE hazard`.execute(db);
      }
      await syncHazardIndexes(db, log);
      log(`reusing ${marker.hazards.toLocaleString('en')} hazards generated ${marker.generatedAt}`);
      return marker;
    }
    const started = performance.now();
    if (!marker) await generateTree(db, options.schools, log);
    await generateHazards(db, options.schools, options.hazards, log);
    const generateSeconds = Math.round((performance.now() - started) / 1000);
    const sizes = await sql<{ table: number; indexes: number }>`
      SELECT pg_table_size('hazard') AS table, pg_indexes_size('hazard') AS indexes`.execute(db);
    const dataSet = describe(options, generateSeconds, sizes.rows[0]!.table, sizes.rows[0]!.indexes);
    await sql`
      INSERT INTO bench_marker (key, value) VALUES ('hazards', ${JSON.stringify({ ...dataSet, digest })}::jsonb)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`.execute(db);
    log(
      `generated in ${generateSeconds} s: hazard table ${mib(dataSet.tableBytes)}, indexes ${mib(dataSet.indexBytes)}`,
    );
    return dataSet;
  } finally {
    await database.close();
  }
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

// ---- ids ------------------------------------------------------------------------------------------
// Fixed id ranges make every relation arithmetic: school s (1-based) lies in county ((s-1) % 100) + 1,
// county k in city ((k-1) % 13) + 1.
const PROVINCE_ID = 1;
const cityId = (c: number) => 1 + c;
const countyId = (k: number) => 1 + CITIES + k;
const FIRST_SCHOOL_ID = 2 + CITIES + COUNTIES;
/** Users: 1 province, 2..14 cities, 15..114 counties, then security and staff of each school. */
const PROVINCE_USER = 1;
const FIRST_SCHOOL_USER = 2 + CITIES + COUNTIES;

function describe(options: Options, generateSeconds: number, tableBytes: number, indexBytes: number): HazardDataSet {
  // County 50 and a school in it: an average amount of data (skew favours no county in particular).
  const county = 50;
  const school = county + COUNTIES * 37;
  return {
    databaseUrl: BENCH_DATABASE_URL,
    schools: options.schools,
    hazards: options.hazards,
    maxHazardId: options.hazards,
    provinceId: PROVINCE_ID,
    cityIds: Array.from({ length: CITIES }, (_, c) => cityId(c + 1)),
    countyId: countyId(county),
    schoolId: FIRST_SCHOOL_ID + school - 1,
    accounts: {
      province: 'bench.province',
      city: 'bench.city01',
      county: `bench.county${String(county).padStart(3, '0')}`,
      school: `bench.s${String(school).padStart(5, '0')}.security`,
      staff: `bench.s${String(school).padStart(5, '0')}.staff`,
      password: BENCH_PASSWORD,
    },
    generatedAt: new Date().toISOString(),
    generateSeconds,
    tableBytes,
    indexBytes,
  };
}

async function generateTree(db: Kysely<DB>, schools: number, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const firstDepartment = FIRST_SCHOOL_ID + schools;
  const hash = await hashPassword(BENCH_PASSWORD);
  await db.transaction().execute(async (trx) => {
    await sql`
      INSERT INTO org_unit (id, parent_id, level, code, name, path)
      VALUES (${PROVINCE_ID}, NULL, 'province', 'BP', '基准省', ${`/${PROVINCE_ID}/`})`.execute(trx);
    await sql`
      INSERT INTO org_unit (id, parent_id, level, code, name, path)
      SELECT ${PROVINCE_ID} + c, ${PROVINCE_ID}, 'city', 'BP-C' || lpad(c::text, 2, '0'), (${CITY_NAMES}::text[])[c],
        '/' || ${PROVINCE_ID} || '/' || (${PROVINCE_ID} + c) || '/'
      FROM generate_series(1, ${CITIES}) c`.execute(trx);
    await sql`
      INSERT INTO org_unit (id, parent_id, level, code, name, path)
      SELECT ${1 + CITIES} + k, ${PROVINCE_ID} + city, 'county', 'BP-K' || lpad(k::text, 3, '0'),
        (${CITY_NAMES}::text[])[city] || '第' || ((k - 1) / ${CITIES} + 1) || '区',
        '/' || ${PROVINCE_ID} || '/' || (${PROVINCE_ID} + city) || '/' || (${1 + CITIES} + k) || '/'
      FROM generate_series(1, ${COUNTIES}) k, LATERAL (SELECT (k - 1) % ${CITIES} + 1 AS city) c`.execute(trx);
    const kinds = ['primary', 'secondary', 'kindergarten', 'primary', 'secondary', 'vocational', 'university'];
    const suffixes = ['小学', '中学', '幼儿园', '实验小学', '高级中学', '中等专业学校', '学院'];
    await sql`
      INSERT INTO org_unit (id, parent_id, level, code, name, school_type, address, path)
      SELECT ${FIRST_SCHOOL_ID - 1} + s, county.id, 'school', 'BP-S' || lpad(s::text, 5, '0'),
        county.name || '第' || ((s - 1) / ${COUNTIES} + 1) || (${suffixes}::text[])[(s - 1) % 7 + 1],
        (${kinds}::text[])[(s - 1) % 7 + 1], county.name || '建设路' || ((s - 1) / ${COUNTIES} + 1) || '号',
        county.path || (${FIRST_SCHOOL_ID - 1} + s) || '/'
      FROM generate_series(1, ${schools}) s
      JOIN org_unit county ON county.id = ${1 + CITIES} + (s - 1) % ${COUNTIES} + 1`.execute(trx);
    await sql`
      INSERT INTO org_unit (id, parent_id, level, code, name, path)
      SELECT ${firstDepartment} + 2 * (school.id - ${FIRST_SCHOOL_ID}) + d, school.id, 'department',
        school.code || '-D' || d, (ARRAY['总务处', '保卫处'])[d + 1],
        school.path || (${firstDepartment} + 2 * (school.id - ${FIRST_SCHOOL_ID}) + d) || '/'
      FROM org_unit school, generate_series(0, 1) d WHERE school.level = 'school'`.execute(trx);
    await sql`SELECT setval(pg_get_serial_sequence('org_unit', 'id'), (SELECT max(id) FROM org_unit))`.execute(trx);

    // Accounts: one bureau officer per bureau, a security officer and a staff member per school.
    await sql`
      INSERT INTO app_user (id, username, display_name, password_hash, must_change_password, password_changed_at)
      SELECT u.id, u.username, u.display_name, ${hash}, false, now() FROM (
        SELECT ${PROVINCE_USER} AS id, 'bench.province' AS username, '省教育厅安全处' AS display_name
        UNION ALL
        SELECT ${PROVINCE_USER} + c, 'bench.city' || lpad(c::text, 2, '0'), (${CITY_NAMES}::text[])[c] || '教育局'
        FROM generate_series(1, ${CITIES}) c
        UNION ALL
        SELECT ${1 + CITIES} + k, 'bench.county' || lpad(k::text, 3, '0'), '区县教育局' || k
        FROM generate_series(1, ${COUNTIES}) k
        UNION ALL
        SELECT ${FIRST_SCHOOL_USER} + 2 * (s - 1) + r,
          'bench.s' || lpad(s::text, 5, '0') || (ARRAY['.security', '.staff'])[r + 1],
          (ARRAY['安保主任', '总务主任'])[r + 1] || s
        FROM generate_series(1, ${schools}) s, generate_series(0, 1) r
      ) u`.execute(trx);
    await sql`SELECT setval(pg_get_serial_sequence('app_user', 'id'), (SELECT max(id) FROM app_user))`.execute(trx);
    await sql`
      INSERT INTO role_assignment (user_id, role, org_id, org_path)
      SELECT u.id, CASE WHEN u.id < ${FIRST_SCHOOL_USER} THEN 'bureau_officer'
          WHEN (u.id - ${FIRST_SCHOOL_USER}) % 2 = 0 THEN 'school_security' ELSE 'teacher' END,
        o.id, o.path
      FROM app_user u JOIN org_unit o ON o.id = CASE WHEN u.id < ${FIRST_SCHOOL_USER} THEN u.id
        ELSE ${FIRST_SCHOOL_ID} + (u.id - ${FIRST_SCHOOL_USER}) / 2 END`.execute(trx);

    // Three places per school: the main gate, a teaching building, the canteen.
    await sql`
      INSERT INTO place (id, org_id, org_path, kind, code, name, key_part)
      SELECT 3 * (school.id - ${FIRST_SCHOOL_ID}) + p, school.id, school.path,
        (ARRAY['gate', 'building', 'building'])[p], (ARRAY['G-S', 'B-1', 'B-C'])[p],
        (ARRAY['南门（正门）', '1号教学楼', '学生食堂'])[p], p <> 2
      FROM org_unit school, generate_series(1, 3) p WHERE school.level = 'school'`.execute(trx);
    await sql`SELECT setval(pg_get_serial_sequence('place', 'id'), (SELECT max(id) FROM place))`.execute(trx);
  });
  await sql`VACUUM ANALYZE org_unit, app_user, role_assignment, place`.execute(db);
  log(
    `org tree: ${CITIES} cities, ${COUNTIES} counties, ${schools} schools, ${2 * schools} departments, ` +
      `${2 * schools + 1 + CITIES + COUNTIES} accounts in ${Math.round(performance.now() - started)} ms`,
  );
}

async function generateHazards(
  db: Kysely<DB>,
  schools: number,
  hazards: number,
  log: (line: string) => void,
): Promise<void> {
  // CASCADE: later modules' rows that point at hazards (none in a fresh database).
  await sql`TRUNCATE hazard, idempotency_key CASCADE`.execute(db);
  await sql`DELETE FROM timeline_event WHERE record_type = 'hazard'`.execute(db);
  // Indexes are built once after the load (much faster than maintaining them row by row); the
  // constraint indexes (id, code) stay.
  const indexes = await sql<{ name: string }>`
    SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = 'hazard'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)`.execute(
    db,
  );
  for (const { name } of indexes.rows) await sql.raw(`DROP INDEX ${name}`).execute(db);

  const titles = Object.entries(TITLES).flatMap(([category, list]) => list.map((title, i) => ({ category, i, title })));
  await sql`DROP TABLE IF EXISTS bench_title`.execute(db);
  await sql`CREATE TABLE bench_title (category text, i integer, title text, PRIMARY KEY (category, i))`.execute(db);
  await db
    .insertInto('bench_title' as never)
    .values(titles as never)
    .execute();

  const firstDepartment = FIRST_SCHOOL_ID + schools;
  for (let low = 1; low <= hazards; low += BATCH) {
    const high = Math.min(hazards, low + BATCH - 1);
    const started = performance.now();
    await db.connection().execute(async (connection) => {
      // Foreign keys hold by construction (fixed id ranges); skipping their per-row triggers makes the load
      // several times faster. Needs a superuser, which the local benchmark database has.
      await sql`SET session_replication_role = replica`.execute(connection);
      await sql`SET synchronous_commit = off`.execute(connection);
      await sql`SELECT setseed(${(low % 997) / 997})`.execute(connection);
      try {
        await hazardBatch(low, high, schools, firstDepartment).execute(connection);
      } finally {
        await sql`SET session_replication_role = DEFAULT`.execute(connection);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    log(`hazards ${low.toLocaleString('en')}–${high.toLocaleString('en')} in ${seconds.toFixed(1)} s`);
  }
  await sql`SELECT setval(pg_get_serial_sequence('hazard', 'id'), ${hazards})`.execute(db);
  await sql`DROP TABLE bench_title`.execute(db);
  // The load ran without triggers (session_replication_role = replica): the monthly roll-up is recomputed.
  const rollupStarted = performance.now();
  await sql`SELECT hazard_rollup_rebuild()`.execute(db);
  await sql`VACUUM ANALYZE hazard_rollup`.execute(db);
  log(`hazard_rollup rebuilt in ${((performance.now() - rollupStarted) / 1000).toFixed(1)} s`);
  const started = performance.now();
  await syncHazardIndexes(db, log);
  log(`indexes in ${Math.round((performance.now() - started) / 1000)} s`);
  const vacuumStarted = performance.now();
  // As autovacuum would have by the time anyone reads: statistics and the visibility map.
  await sql`VACUUM ANALYZE hazard`.execute(db);
  log(`VACUUM ANALYZE in ${Math.round((performance.now() - vacuumStarted) / 1000)} s`);
}

/** Escalation period the generated escalation levels assume (the sweeper's default grace period). */
const GRACE_HOURS = 72;
/** Reminder this many hours before the deadline. */
const REMINDER_HOURS = 24;

/**
 * Hazards low..high. Per row: a school (skewed: a few schools report many hazards, most a few), a
 * category weighted to fire / building / surroundings, a grade (≈92% general, 7% larger, 1% major), a
 * report time over the last two years, and a state by age (old ones ≈85% closed, 5% rejected, the rest
 * stuck and overdue; the last two months still moving). The lifecycle times follow one another:
 * report → confirm (5% of the time to close) → assign (10%) → rectified (75%) → closed (95%).
 */
function hazardBatch(low: number, high: number, schools: number, firstDepartment: number) {
  return sql`
    INSERT INTO hazard (id, code, org_path, province_id, city_id, county_id, school_id, department_id, title,
      description, category, place_id, plan_x, plan_y, source, inspection_id, reported_by, reported_at, state,
      grade, risk_level, reject_reason, responsible_unit, responsible_user_id, measures, funds, deadline,
      interim_measures, rectification_note, rectified_at, closed_at, closed_by, supervised, supervising_org_id,
      supervision_deadline, supervision_requirements, supervised_at, reminded_at, overdue_notified_at,
      escalation_level, escalated_at, next_alert_at, created_at, updated_at)
    WITH r AS (
      SELECT n,
        -- a multiplicative permutation spreads the busy schools over all counties
        (floor(${schools} * power(random(), 1.6))::bigint * 7919) % ${schools} + 1 AS s,
        random() AS r_cat, random() AS r_state, random() AS r_grade, random() AS r_src, random() AS r_dept,
        random() AS r_title, random() AS r_dl, random() AS r_fix, random() AS r_sup, random() AS r_place,
        random() AS r_funds,
        -- two years back, a little denser in recent months as use of the platform grows
        730 * power(random(), 1.2) AS age_days
      FROM generate_series(${low}::int, ${high}::int) n
    ), a AS (
      SELECT r.*,
        (s - 1) % ${COUNTIES} + 1 AS county,
        ((s - 1) % ${COUNTIES}) % ${CITIES} + 1 AS city,
        ${FIRST_SCHOOL_ID - 1} + s AS school_id,
        ${FIRST_SCHOOL_USER} + 2 * (s - 1) AS security_user,
        ${FIRST_SCHOOL_USER} + 2 * (s - 1) + 1 AS staff_user,
        now() - age_days * interval '1 day' AS reported_at,
        CASE WHEN r_cat < 0.24 THEN 'fire' WHEN r_cat < 0.42 THEN 'building' WHEN r_cat < 0.57 THEN 'surroundings'
          WHEN r_cat < 0.67 THEN 'public_order' WHEN r_cat < 0.76 THEN 'traffic' WHEN r_cat < 0.84 THEN 'food'
          WHEN r_cat < 0.89 THEN 'hazardous_chemicals' WHEN r_cat < 0.94 THEN 'special_equipment'
          ELSE 'other' END AS category,
        CASE WHEN r_grade < 0.01 THEN 'major' WHEN r_grade < 0.08 THEN 'larger' ELSE 'general' END AS grade0,
        CASE WHEN r_src < 0.85 THEN 'report' WHEN r_src < 0.97 THEN 'inspection' ELSE 'spot_check' END AS source,
        CASE WHEN age_days > 60 THEN
            CASE WHEN r_state < 0.855 THEN 'closed' WHEN r_state < 0.905 THEN 'rejected'
              WHEN r_state < 0.97 THEN 'rectifying' WHEN r_state < 0.985 THEN 'rectified'
              WHEN r_state < 0.995 THEN 'confirmed' ELSE 'reported' END
          ELSE
            CASE WHEN r_state < 0.30 THEN 'closed' WHEN r_state < 0.34 THEN 'rejected'
              WHEN r_state < 0.64 THEN 'rectifying' WHEN r_state < 0.76 THEN 'rectified'
              WHEN r_state < 0.88 THEN 'confirmed' ELSE 'reported' END
          END AS state
      FROM r
    ), b AS (
      SELECT a.*,
        county + ${1 + CITIES} AS county_id,
        city + ${PROVINCE_ID} AS city_id,
        CASE WHEN grade0 = 'major' THEN 2.5 WHEN grade0 = 'larger' THEN 1.5 ELSE 1 END AS factor,
        state NOT IN ('reported', 'rejected') AS graded,
        state IN ('rectifying', 'rectified', 'closed') AS assigned,
        state IN ('rectified', 'closed') AS done,
        CASE WHEN r_dept < 0.1 THEN ${firstDepartment} + 2 * (s - 1) + (CASE WHEN r_dept < 0.05 THEN 0 ELSE 1 END)
          END AS department_id
      FROM a
    ), c AS (
      SELECT b.*,
        '/' || ${PROVINCE_ID} || '/' || city_id || '/' || county_id || '/' || school_id || '/' AS school_path,
        -- time from report to closure, days, compressed for hazards younger than that
        least(age_days, (2 + r_fix * 38) * factor) AS span,
        -- a supervision notice (挂牌督办) for every major hazard and a few larger ones
        graded AND (grade0 = 'major' OR (grade0 = 'larger' AND r_sup < 0.05)) AS noticed
      FROM b
    ), t AS (
      SELECT c.*,
        -- a bureau's spot check is supervised by that bureau from the start
        noticed OR source = 'spot_check' AS supervised,
        reported_at + span * 0.05 * interval '1 day' AS confirmed_at,
        reported_at + span * 0.08 * interval '1 day' AS supervise_at,
        reported_at + span * 0.10 * interval '1 day' AS assigned_at,
        CASE WHEN done THEN reported_at + span * 0.6 * interval '1 day' END AS rectified_at,
        CASE WHEN state = 'closed' THEN reported_at + span * 0.9 * interval '1 day' END AS closed_at,
        CASE WHEN assigned THEN reported_at + span * 0.10 * interval '1 day'
          + (10 + r_dl * 30) * (CASE WHEN grade0 = 'major' THEN 3 ELSE factor END) * interval '1 day' END AS deadline,
        CASE WHEN source = 'spot_check' THEN county_id WHEN noticed AND grade0 = 'major' AND r_sup < 0.3 THEN city_id
          WHEN noticed THEN county_id END AS supervising_org_id
      FROM c
    ), u AS (
      SELECT t.*,
        -- how long the hazard has been (or was) past its deadline while still being rectified
        CASE WHEN deadline IS NULL THEN NULL
          WHEN state = 'rectifying' AND deadline < now() THEN now() - deadline
          WHEN rectified_at > deadline THEN rectified_at - deadline END AS late
      FROM t
    ), v AS (
      SELECT u.*,
        CASE WHEN late IS NULL THEN 0
          ELSE least(3, floor(extract(epoch FROM late) / ${GRACE_HOURS * 3600}))::int END AS escalation
      FROM u
    )
    SELECT n,
      'YH' || to_char(reported_at AT TIME ZONE 'UTC', 'YYYY') || lpad(n::text, greatest(7, length(n::text)), '0'),
      CASE WHEN department_id IS NULL THEN school_path ELSE school_path || department_id || '/' END,
      ${PROVINCE_ID}, city_id, county_id, school_id, department_id,
      title.title,
      (CASE source WHEN 'inspection' THEN '日常检查发现：' WHEN 'spot_check' THEN '教育局抽查发现：'
        ELSE '师生报告：' END) || title.title || '，存在安全隐患，需尽快整改。',
      v.category,
      CASE WHEN r_place < 0.7 THEN 3 * (s - 1) + 1 + floor(r_place / 0.7 * 3)::int END,
      NULL::numeric, NULL::numeric,
      source, NULL::integer,
      CASE WHEN source = 'spot_check' THEN county_id WHEN source = 'inspection' OR r_src < 0.5 THEN security_user
        ELSE staff_user END,
      reported_at,
      state,
      CASE WHEN graded THEN grade0 END,
      CASE WHEN NOT graded THEN NULL WHEN grade0 = 'major' THEN 'red' WHEN grade0 = 'larger' THEN 'orange'
        WHEN r_grade < 0.5 THEN 'yellow' ELSE 'blue' END,
      CASE WHEN state = 'rejected' THEN '经现场核实不属于安全隐患，已在日常管理中处理' END,
      CASE WHEN assigned THEN CASE WHEN v.category IN ('fire', 'public_order', 'traffic') THEN '保卫处' ELSE '总务处' END
        END,
      CASE WHEN assigned THEN staff_user END,
      CASE WHEN assigned THEN '按规范整改：' || title.title || '；整改后复查确认' END,
      CASE WHEN assigned THEN round((power(r_funds, 3) * 20000 * factor * factor)::numeric, 2) END,
      deadline,
      CASE WHEN assigned THEN '设置警示标识，安排专人看护，整改完成前停止使用相关区域或设备' END,
      CASE WHEN done THEN '已按要求整改完毕，隐患已消除，附整改后照片' END,
      rectified_at,
      closed_at,
      CASE WHEN state = 'closed' THEN coalesce(supervising_org_id, security_user) END,
      supervised,
      supervising_org_id,
      CASE WHEN noticed THEN coalesce(deadline, supervise_at + interval '60 days') END,
      CASE WHEN noticed THEN '挂牌督办：限期整改到位，每周报送整改进展，整改完成后报督办单位验收销号' END,
      CASE WHEN source = 'spot_check' THEN reported_at WHEN supervised THEN supervise_at END,
      CASE WHEN deadline IS NOT NULL AND deadline - interval '${sql.raw(String(REMINDER_HOURS))} hours' < now()
          AND (rectified_at IS NULL OR rectified_at > deadline - interval '${sql.raw(String(REMINDER_HOURS))} hours')
        THEN deadline - interval '${sql.raw(String(REMINDER_HOURS))} hours' END,
      CASE WHEN late IS NOT NULL THEN deadline + interval '1 minute' END,
      escalation,
      CASE WHEN escalation > 0 THEN deadline + escalation * interval '${sql.raw(String(GRACE_HOURS))} hours' END,
      -- domain nextAlertAt: the reminder, then the overdue notice, then each escalation period
      CASE WHEN state <> 'rectifying' THEN NULL
        WHEN late IS NULL AND deadline - interval '${sql.raw(String(REMINDER_HOURS))} hours' >= now()
          THEN deadline - interval '${sql.raw(String(REMINDER_HOURS))} hours'
        WHEN late IS NULL THEN deadline
        WHEN escalation >= 3 THEN NULL
        ELSE deadline + (escalation + 1) * interval '${sql.raw(String(GRACE_HOURS))} hours' END,
      reported_at,
      CASE state WHEN 'closed' THEN closed_at WHEN 'rectified' THEN rectified_at
        WHEN 'rectifying' THEN greatest(assigned_at, CASE WHEN late IS NOT NULL THEN deadline + interval '1 minute' END,
          CASE WHEN escalation > 0 THEN deadline + escalation * interval '${sql.raw(String(GRACE_HOURS))} hours' END)
        WHEN 'confirmed' THEN CASE WHEN supervised THEN supervise_at ELSE confirmed_at END
        WHEN 'rejected' THEN confirmed_at ELSE reported_at END
    FROM v JOIN bench_title title ON title.category = v.category AND title.i = floor(v.r_title * 8)::int`;
}

// ---- command line ------------------------------------------------------------------------------------
if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string, fallback: number) => {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? Number(process.argv[index + 1]) : fallback;
  };
  const dataSet = await ensureHazardData({
    hazards: flag('hazards', 2_000_000),
    schools: flag('schools', 20_000),
    force: process.argv.includes('--force'),
  });
  console.log(JSON.stringify(dataSet, null, 2));
}
