// Report forms at province scale on PostgreSQL (issue #7 figures), in its own database safe_campus_forms_bench:
// the hazard benchmark's province (20,000 schools, 2,000,000 hazards; bench/hazards-data.ts) plus what prefill reads
// — 4 guards with profiles, ~20 devices, a dormitory for boarding schools, a 国庆 holiday table and weekend duty per
// school — generated once (set-based SQL) and remembered in bench_marker.
//
//   (b) prefill one school's form: prefillSchool() in-process on 200 different schools (all 18 sources), and
//       through HTTP (POST /forms/submissions/:id/open of a school's task, which runs prefill) — p95 < 200 ms;
//   (a) issue the seed 003 form to the 20,000 schools (POST /forms/collections as the province bureau);
//   (c) province summary of 20,000 submissions (GET /forms/collections/:id/summary) — p95 < 1 s;
//   (d) the Excel export of the province summary (GET …/summary.xlsx): time and the server's peak RSS (VmHWM).
//
//   npm run bench -- forms [--runs 200] [--summary-runs 20]
import fs from 'node:fs';
import os from 'node:os';
import { PREFILL_SOURCES } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pg from 'pg';
import type { DB } from '../server/src/db/schema.js';
import { endOfDay, formatDate, startOfDay } from '../server/src/platform/dates.js';
import { type Figure, latencies, round, signIn, startServer, tempDir, writeResult } from './lib.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const RUNS = arg('runs', 200);
const SUMMARY_RUNS = arg('summary-runs', 20);
const ZONE = 'Asia/Shanghai';
const DB_NAME = 'safe_campus_forms_bench';
// bench/hazards-data.ts reads the database name from the environment: this benchmark works on its own copy.
process.env.BENCH_DATABASE = DB_NAME;
const EXTRAS_VERSION = 1;

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const figures: Figure[] = [];
function record(figure: Figure): void {
  const withLoad = { ...figure, note: `${figure.note ? `${figure.note}; ` : ''}load ${load()}` };
  figures.push(withLoad);
  console.log(`${figure.metric}: ${JSON.stringify({ ...withLoad, metric: undefined })}`);
}

const today = formatDate(new Date(), ZONE);
const year = Number(today.slice(0, 4));
/** The autumn term up to today: the seed's 排查 period; the 国庆 holiday (Oct 1–7) lies inside it. */
const PERIOD = { from: `${year}-09-01`, to: today };
const HOLIDAY = Array.from({ length: 7 }, (_, i) => `${year}-10-0${i + 1}`);

/** Guards, devices, dormitories and duty shifts for every school, once. */
async function ensureExtras(db: Kysely<DB>, log: (line: string) => void): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS bench_marker (key text PRIMARY KEY, value jsonb NOT NULL)`.execute(db);
  const marker = await sql<{ value: { version: number; period: string } }>`
    SELECT value FROM bench_marker WHERE key = 'forms_extras'`.execute(db);
  const existing = marker.rows[0]?.value;
  if (existing && existing.version === EXTRAS_VERSION && existing.period === PERIOD.from) {
    log('reusing the guards, devices and duty shifts of an earlier run');
    return;
  }
  const started = performance.now();
  const hash = (
    await sql<{ password_hash: string }>`SELECT password_hash FROM app_user ORDER BY id LIMIT 1`.execute(db)
  ).rows[0]!.password_hash;
  const holidayStarts = HOLIDAY.map((day) => startOfDay(day, ZONE).toISOString());
  const weekendStarts: string[] = [];
  for (let at = startOfDay(PERIOD.from, ZONE).getTime(); at < endOfDay(PERIOD.to, ZONE).getTime(); at += 86_400_000) {
    const day = formatDate(new Date(at), ZONE);
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if ((weekday === 0 || weekday === 6) && !HOLIDAY.includes(day)) weekendStarts.push(new Date(at).toISOString());
  }
  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM duty_assignment WHERE shift_id IN (SELECT id FROM duty_shift WHERE note = 'bench')`.execute(
      trx,
    );
    await sql`DELETE FROM duty_shift WHERE note = 'bench'`.execute(trx);
    await sql`DELETE FROM device WHERE vendor = 'bench'`.execute(trx);
    await sql`DELETE FROM place WHERE code = 'DORM-1'`.execute(trx);
    await sql`DELETE FROM guard_profile`.execute(trx);
    await sql`DELETE FROM role_assignment WHERE role = 'guard'`.execute(trx);
    await sql`DELETE FROM app_user WHERE username LIKE 'bench.g%'`.execute(trx);

    // Four guards per school, with a profile: ~85 % licensed, born 1956–2000 (some over 60).
    await sql`
      INSERT INTO app_user (username, display_name, password_hash, must_change_password, password_changed_at)
      SELECT 'bench.g' || o.id || '.' || g, '保安' || o.id || '-' || g, ${hash}, false, now()
      FROM org_unit o, generate_series(1, 4) g WHERE o.level = 'school'`.execute(trx);
    await sql`
      INSERT INTO role_assignment (user_id, role, org_id, org_path)
      SELECT u.id, 'guard', o.id, o.path FROM app_user u
      JOIN org_unit o ON o.id = substring(u.username FROM '^bench\\.g(\\d+)\\.')::int
      WHERE u.username LIKE 'bench.g%'`.execute(trx);
    await sql`
      INSERT INTO guard_profile (user_id, licensed, birth_year)
      SELECT ra.user_id, (ra.user_id % 7) <> 0, 1956 + (ra.user_id * 37) % 45
      FROM role_assignment ra WHERE ra.role = 'guard'`.execute(trx);

    // A dormitory for boarding schools (secondary, vocational, university).
    await sql`
      INSERT INTO place (org_id, org_path, kind, code, name, key_part)
      SELECT id, path, 'building', 'DORM-1', '学生宿舍楼', true FROM org_unit
      WHERE level = 'school' AND school_type IN ('secondary', 'vocational', 'university')`.execute(trx);

    // ~20 devices per school: 12 cameras (10 % of schools keep one camera 15 days), 2 perimeter detectors,
    // a key-part detector at 70 %, one-key alarms at the gate and the dormitory, 2 anti-ram devices (one a
    // rising bollard), a fence; heard from a minute ago, 3 % offline for an hour, 1 % faulty.
    await sql`
      INSERT INTO device (code, org_path, province_id, city_id, county_id, school_id, place_id, kind, name, zone,
        vendor, retention_days, last_seen_at, fault_since)
      SELECT 'BD' || s.id || '-' || d.n, s.path, split_part(s.path, '/', 2)::int, split_part(s.path, '/', 3)::int,
        split_part(s.path, '/', 4)::int, s.id,
        CASE WHEN d.kind = 'one_key_alarm' AND d.n = 16 THEN gate.id WHEN d.kind = 'one_key_alarm' THEN dorm.id END,
        d.kind, d.name, d.zone, 'bench',
        CASE WHEN d.kind = 'camera' THEN CASE WHEN d.n = 1 AND s.id % 10 = 0 THEN 15 ELSE 30 END END,
        CASE WHEN d.kind = 'bollard' THEN NULL
          WHEN (s.id + d.n) % 33 = 0 THEN now() - interval '1 hour' ELSE now() - interval '1 minute' END,
        CASE WHEN d.kind <> 'bollard' AND (s.id * 7 + d.n) % 100 = 0 THEN now() - interval '2 days' END
      FROM org_unit s
      JOIN place gate ON gate.org_id = s.id AND gate.kind = 'gate'
      LEFT JOIN place dorm ON dorm.org_id = s.id AND dorm.code = 'DORM-1'
      CROSS JOIN LATERAL (
        SELECT n, 'camera' AS kind, '摄像机' || n AS name, NULL::text AS zone FROM generate_series(1, 12) n
        UNION ALL SELECT 13, 'intrusion_detector', '东墙红外对射', 'perimeter'
        UNION ALL SELECT 14, 'intrusion_detector', '西墙红外对射', 'perimeter'
        UNION ALL SELECT 15, 'intrusion_detector', '配电房入侵探测器', 'key_part' WHERE s.id % 10 < 7
        UNION ALL SELECT 16, 'one_key_alarm', '门卫一键报警', NULL
        UNION ALL SELECT 17, 'one_key_alarm', '宿舍一键报警', NULL WHERE dorm.id IS NOT NULL
        UNION ALL SELECT 18, 'bollard', '南门升降柱', NULL
        UNION ALL SELECT 19, 'bollard', '南门防撞墩', NULL
        UNION ALL SELECT 20, 'bollard', '校门隔离栏', NULL
      ) d
      WHERE s.level = 'school'`.execute(trx);

    // 国庆: each county's own holiday table names the holiday; 95 % of schools cover every day with a leader,
    // the others miss 10月3日. Weekends of the term: a regular shift with a guard.
    await sql`
      INSERT INTO duty_shift (org_id, org_path, starts_at, ends_at, kind, holiday_name, note)
      SELECT o.id, o.path, d.at, d.at + interval '24 hours', 'holiday', '国庆', 'bench'
      FROM org_unit o, unnest(${holidayStarts}::timestamptz[]) d(at) WHERE o.level = 'county'`.execute(trx);
    await sql`
      INSERT INTO duty_assignment (shift_id, user_id, duty_role)
      SELECT s.id, s.org_id, 'leader' FROM duty_shift s JOIN org_unit o ON o.id = s.org_id
      WHERE s.note = 'bench' AND o.level = 'county'`.execute(trx);
    await sql`
      INSERT INTO duty_shift (org_id, org_path, starts_at, ends_at, kind, holiday_name, note)
      SELECT o.id, o.path, d.at, d.at + interval '24 hours', 'holiday', '国庆', 'bench'
      FROM org_unit o, unnest(${holidayStarts}::timestamptz[]) WITH ORDINALITY d(at, i)
      WHERE o.level = 'school' AND NOT (o.id % 20 = 0 AND d.i = 3)`.execute(trx);
    await sql`
      INSERT INTO duty_shift (org_id, org_path, starts_at, ends_at, kind, note)
      SELECT o.id, o.path, d.at, d.at + interval '24 hours', 'regular', 'bench'
      FROM org_unit o, unnest(${weekendStarts}::timestamptz[]) d(at) WHERE o.level = 'school'`.execute(trx);
    // The school's security officer leads on holidays; a guard is on every school shift.
    await sql`
      INSERT INTO duty_assignment (shift_id, user_id, duty_role)
      SELECT s.id, ra.user_id, 'leader' FROM duty_shift s
      JOIN role_assignment ra ON ra.org_id = s.org_id AND ra.role = 'school_security'
      WHERE s.note = 'bench' AND s.kind = 'holiday'`.execute(trx);
    await sql`
      WITH first_guard AS (
        SELECT org_id, min(user_id) AS user_id FROM role_assignment WHERE role = 'guard' GROUP BY org_id)
      INSERT INTO duty_assignment (shift_id, user_id, duty_role)
      SELECT s.id, g.user_id, 'guard' FROM duty_shift s JOIN first_guard g ON g.org_id = s.org_id
      WHERE s.note = 'bench'`.execute(trx);
    await sql`
      INSERT INTO bench_marker (key, value)
      VALUES ('forms_extras', ${JSON.stringify({ version: EXTRAS_VERSION, period: PERIOD.from })}::jsonb)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`.execute(trx);
  });
  await sql`VACUUM ANALYZE app_user, role_assignment, guard_profile, place, device, duty_shift, duty_assignment`.execute(
    db,
  );
  const counts = await sql<Record<string, number>>`
    SELECT (SELECT count(*)::int FROM guard_profile) AS guards, (SELECT count(*)::int FROM device) AS devices,
           (SELECT count(*)::int FROM duty_shift) AS shifts, (SELECT count(*)::int FROM duty_assignment) AS assignments`.execute(
    db,
  );
  log(
    `extras: ${JSON.stringify(counts.rows[0])} in ${((performance.now() - started) / 1000).toFixed(1)} s (load ${load()})`,
  );
}

async function main(): Promise<void> {
  const { ensureHazardData, BENCH_DATABASE_URL } = await import('./hazards-data.js');
  const { openDatabase } = await import('../server/src/db/database.js');
  const { loadConfig } = await import('../server/src/platform/config.js');
  const { prefillSchool } = await import('../server/src/modules/forms/prefill.js');
  if (!BENCH_DATABASE_URL.endsWith(`/${DB_NAME}`)) throw new Error(`expected the database ${DB_NAME}`);

  const dataStarted = performance.now();
  const data = await ensureHazardData({ hazards: 2_000_000, schools: 20_000 });
  const config = loadConfig({ ...process.env, DATABASE_URL: BENCH_DATABASE_URL, DATABASE_SCHEMA: '' });
  const database = await openDatabase(config);
  const db = database.db;
  await ensureExtras(db, console.log);
  await sql`DELETE FROM session`.execute(db);
  console.log(`data ready in ${((performance.now() - dataStarted) / 1000).toFixed(1)} s`);

  const schools = (
    await sql<{ id: number; path: string }>`
      SELECT id, path FROM org_unit WHERE level = 'school' ORDER BY md5(id::text) LIMIT ${RUNS + 20}`.execute(db)
  ).rows;
  const period = { from: startOfDay(PERIOD.from, ZONE), to: endOfDay(PERIOD.to, ZONE) };
  const options = { timeZone: ZONE, guardMaxAge: config.guardMaxAge, offlineAfterSeconds: 300 };

  // (b) in-process: one call per school form, 20 warm-up calls, then RUNS different schools.
  for (const school of schools.slice(0, 20)) await prefillSchool(db, school, period, PREFILL_SOURCES, options);
  const direct: number[] = [];
  let sample: unknown = null;
  for (const school of schools.slice(20)) {
    const started = performance.now();
    const values = await prefillSchool(db, school, period, PREFILL_SOURCES, options);
    direct.push(performance.now() - started);
    sample ??= { schoolId: school.id, values };
  }
  record({
    metric: 'prefill one school form, prefillSchool() in-process (18 sources)',
    unit: 'ms',
    ...latencies(direct),
    target: 'p95 < 200 ms',
    ok: latencies(direct).p95! < 200,
    note: `${direct.length} different schools, period ${PERIOD.from}..${PERIOD.to}`,
  });
  console.log(JSON.stringify(sample, null, 2).slice(0, 3000));
  // Each source group alone (one per module), to see where a form's time goes.
  const groups: [string, readonly (typeof PREFILL_SOURCES)[number][]][] = [
    ['duty (holiday table, leader)', ['duty.holidayTable', 'duty.leaderOnDuty']],
    ['guards', ['guards.total', 'guards.licensed', 'guards.overAge']],
    ['devices and places', ['cameras.count', 'tech.allRunning', 'oneKeyAlarm.gate', 'barrier.antiRam']],
    ['hazards of the period', ['hazards.found', 'hazards.rectified', 'hazards.unrectified']],
  ];
  for (const [name, sources] of groups) {
    const times: number[] = [];
    for (const school of schools.slice(20, 120)) {
      const started = performance.now();
      await prefillSchool(db, school, period, sources, options);
      times.push(performance.now() - started);
    }
    record({ metric: `  prefill group alone: ${name}`, unit: 'ms', ...latencies(times), note: '100 schools' });
  }
  await database.close();

  // The HTTP figures need FORMS-CORE's routes.
  const server = await startServer(
    {
      DATABASE_URL: BENCH_DATABASE_URL,
      DATABASE_SCHEMA: '',
      DEMO: '0',
      DATA_DIR: tempDir('forms'),
      API_RATE_LIMIT: '0',
    },
    { timeoutMs: 120_000 },
  );
  const pool = new pg.Pool({ connectionString: BENCH_DATABASE_URL, max: 2 });
  try {
    const province = await signIn(server.url, data.accounts.province, data.accounts.password);
    const call = async (
      session: { cookie: string; csrfToken: string },
      method: string,
      path: string,
      body?: unknown,
    ): Promise<Response> =>
      fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: {
          cookie: session.cookie,
          'x-csrf-token': session.csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const listed = await call(province, 'GET', '/forms/templates');
    if (listed.status !== 200) throw new Error(`templates: ${listed.status} ${(await listed.text()).slice(0, 300)}`);
    const templates = (await listed.json()) as { items: { id: number; name: string }[] };
    const template = templates.items.find((item) => item.name.includes('安全')) ?? templates.items[0];
    if (!template) throw new Error(`no form template: ${JSON.stringify(templates).slice(0, 300)}`);

    // (a) issue to the whole province.
    await pool.query(`DELETE FROM form_collection WHERE title LIKE '基准%'`).catch(() => undefined);
    const issueStarted = performance.now();
    const issued = await call(province, 'POST', '/forms/collections', {
      orgId: data.provinceId,
      templateId: template.id,
      title: `基准学校及周边安全排查整改情况报表 ${new Date().toISOString()}`,
      periodFrom: PERIOD.from,
      periodTo: PERIOD.to,
      deadline: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    });
    const issueMs = performance.now() - issueStarted;
    if (issued.status !== 200) throw new Error(`issue: ${issued.status} ${(await issued.text()).slice(0, 500)}`);
    const collection = (await issued.json()) as { id: number };
    const tasks = Number(
      (await pool.query('SELECT count(*) FROM form_submission WHERE collection_id = $1', [collection.id])).rows[0]
        .count,
    );
    record({
      metric: 'issue the seed 003 form to every school (POST /forms/collections)',
      unit: 'ms',
      value: round(issueMs, 0),
      note: `${tasks} tasks created`,
    });

    // (b) through HTTP: a school's security officer opens its draft (prefill runs on open).
    const opened: number[] = [];
    const openSchools = (
      await pool.query(
        `SELECT s.id, u.username FROM form_submission s
         JOIN role_assignment ra ON ra.org_id = s.school_id AND ra.role = 'school_security'
         JOIN app_user u ON u.id = ra.user_id
         WHERE s.collection_id = $1 ORDER BY md5(s.id::text) LIMIT $2`,
        [collection.id, Math.min(RUNS, 100) + 5],
      )
    ).rows as { id: number; username: string }[];
    for (const [index, row] of openSchools.entries()) {
      const session = await signIn(server.url, row.username, data.accounts.password);
      const started = performance.now();
      const response = await call(session, 'POST', `/forms/submissions/${row.id}/open`, {});
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`open: ${response.status} ${(await response.text()).slice(0, 500)}`);
      await response.arrayBuffer();
      if (index >= 5) opened.push(ms);
    }
    record({
      metric: 'prefill one school form through HTTP (POST /forms/submissions/:id/open)',
      unit: 'ms',
      ...latencies(opened),
      target: 'p95 < 200 ms',
      ok: latencies(opened).p95! < 200,
      note: `${opened.length} schools, each its own session; first open of the draft runs prefillSchool and stores it`,
    });

    // (c) 20,000 submissions: every task filled and handed in, written set-based (the fill route is measured above).
    const fillStarted = performance.now();
    // Opened drafts hand in their prefilled answers; the others the answers of one opened school.
    await pool.query(
      `WITH filled AS (
         SELECT s.id, (SELECT jsonb_object_agg(e.key, e.value -> 'value') FROM jsonb_each(s.prefilled) e) AS answers
         FROM form_submission s WHERE s.collection_id = $1 AND s.prefilled IS NOT NULL),
       one AS (SELECT answers FROM filled LIMIT 1)
       UPDATE form_submission s
       SET answers = COALESCE(filled.answers, (SELECT answers FROM one)), status = 'submitted', submitted_at = now()
       FROM form_submission t LEFT JOIN filled ON filled.id = t.id
       WHERE t.id = s.id AND s.collection_id = $1`,
      [collection.id],
    );
    await pool.query('VACUUM ANALYZE form_submission');
    console.log(`submissions handed in (set-based) in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);
    const summary: number[] = [];
    let summaryBytes = 0;
    for (let run = 0; run < SUMMARY_RUNS + 3; run++) {
      const started = performance.now();
      const response = await call(province, 'GET', `/forms/collections/${collection.id}/summary`);
      const text = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`summary: ${response.status} ${text.slice(0, 500)}`);
      summaryBytes = text.length;
      if (run >= 3) summary.push(ms);
    }
    record({
      metric: 'province summary of 20,000 submissions (GET /forms/collections/:id/summary)',
      unit: 'ms',
      ...latencies(summary),
      target: 'p95 < 1000 ms',
      ok: latencies(summary).p95! < 1000,
      note: `${tasks} submissions, ${Math.round(summaryBytes / 1024)} KB answer`,
    });

    // (d) Excel export of the province summary: time and the server's peak RSS (VmHWM of its process).
    const hwm = () => {
      const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
    };
    const before = { rss: server.rssMiB(), hwm: hwm() };
    let peak = before.rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, server.rssMiB());
    }, 10);
    const exportStarted = performance.now();
    const exported = await call(province, 'GET', `/forms/collections/${collection.id}/summary.xlsx`);
    const bytes = (await exported.arrayBuffer()).byteLength;
    const exportMs = performance.now() - exportStarted;
    clearInterval(sampler);
    if (exported.status !== 200) throw new Error(`export: ${exported.status}`);
    record({
      metric: 'Excel export of the province summary (GET …/summary.xlsx)',
      unit: 'ms',
      value: round(exportMs, 0),
      note: `${Math.round(bytes / 1024)} KB; server RSS ${round(before.rss, 0)} MiB before, peak ${round(peak, 0)} MiB during the export (sampled every 10 ms); process high-water mark ${round(hwm(), 0)} MiB`,
    });
  } catch (error) {
    console.error(error);
    record({ metric: 'HTTP figures (a), (c), (d)', unit: '-', note: `not measured: ${String(error).slice(0, 300)}` });
  } finally {
    await pool.end();
    await server.stop();
  }

  writeResult('forms', figures, {
    dataSet: {
      database: DB_NAME,
      schools: data.schools,
      hazards: data.hazards,
      hazardsGeneratedSeconds: data.generateSeconds,
      period: PERIOD,
    },
  });
}

await main();
