/**
 * "Who is on duty now" and the holiday coverage report for a county of 20,000 schools, timed through
 * HTTP. Slow (bulk data), so it runs only with DUTY_SCALE=1, best on PostgreSQL:
 *
 *   DUTY_SCALE=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx vitest run server/src/modules/duty/scale.test.ts
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltOrg, buildOrg, buildTree, buildUser } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp } from '../../../test/harness.js';
import { coverageSql } from './queries.js';
import { periodOf } from './service.js';

const SCHOOLS = 20_000;
let t: TestApp;
let officer: Client;
let county: BuiltOrg;

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

describe.skipIf(!process.env.DUTY_SCALE)('duty at 20,000 schools', () => {
  beforeAll(async () => {
    t = await createTestApp({ adminTotpRequired: false });
    const db = t.database.db;
    const tree = await buildTree(db);
    county = await buildOrg(db, { parent: tree.city, level: 'county', name: '大县' });
    const user = await buildUser(db, { role: 'bureau_officer', org: county });
    officer = await login(t.app, user.username, user.password);
    await timed('schools', async () => {
      await sql`
        INSERT INTO org_unit (parent_id, level, code, name, school_type, path)
        SELECT ${county.id}, 'school', 'BIG' || i, '规模学校' || i, 'primary', 'pending' || i
        FROM generate_series(1, ${SCHOOLS}) i`.execute(db);
      await sql`UPDATE org_unit SET path = ${county.path} || id || '/' WHERE parent_id = ${county.id}`.execute(db);
    });
    // 90 % of the schools: day and night shifts from two days ago to the end of 元旦 2027 (9 of 10 with a leader).
    await timed('shifts', async () => {
      await sql`
        INSERT INTO duty_shift (org_id, org_path, starts_at, ends_at, kind)
        SELECT o.id, o.path, s, s + interval '12 hours', 'regular'
        FROM org_unit o
        CROSS JOIN generate_series(date_trunc('hour', now()) - interval '2 days', date_trunc('hour', now()) + interval '1 day', interval '12 hours') s
        WHERE o.parent_id = ${county.id} AND o.id % 10 <> 0`.execute(db);
      await sql`
        INSERT INTO duty_shift (org_id, org_path, starts_at, ends_at, kind, holiday_name)
        SELECT o.id, o.path, s, s + interval '12 hours', 'holiday', '元旦'
        FROM org_unit o
        CROSS JOIN generate_series(timestamptz '2027-01-01 08:00+08', timestamptz '2027-01-03 20:00+08', interval '12 hours') s
        WHERE o.parent_id = ${county.id} AND o.id % 10 <> 0`.execute(db);
      await sql`
        INSERT INTO duty_assignment (shift_id, user_id, duty_role)
        SELECT s.id, ${user.id}, CASE WHEN s.org_id % 9 = 0 THEN 'officer' ELSE 'leader' END
        FROM duty_shift s WHERE s.org_path LIKE ${`${county.path}%`}`.execute(db);
      await sql`ANALYZE`.execute(db);
    });
  }, 600_000);

  afterAll(async () => {
    await t?.close();
  });

  it('pages who is on duty now and the nobody filter', async () => {
    const first = await timed('GET /duty/now (first page of 100, with totals)', () =>
      officer.get('/api/v1/duty/now?limit=100'),
    );
    expect(first.statusCode).toBe(200);
    expect(first.json().totals.units).toBe(SCHOOLS + 1);
    const second = await timed('GET /duty/now (second page)', () =>
      officer.get(`/api/v1/duty/now?limit=100&cursor=${first.json().nextCursor}`),
    );
    expect(second.json().items).toHaveLength(100);
    const nobody = await timed('GET /duty/now?nobody=true', () =>
      officer.get('/api/v1/duty/now?limit=100&nobody=true'),
    );
    expect(nobody.json().items.every((u: { nobody: boolean }) => u.nobody)).toBe(true);
    expect(nobody.json().totals.nobody).toBeGreaterThanOrEqual(SCHOOLS / 10);
  });

  it('reports holiday coverage for the whole county', async () => {
    if (process.env.DUTY_EXPLAIN) {
      const period = periodOf('2027-01-01', '2027-01-03', 'Asia/Shanghai');
      const inner = coverageSql(county.path, period, 'Asia/Shanghai', { limit: 101 });
      const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ANALYZE ${inner}`.execute(t.database.db);
      console.log(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
    }
    const page = await timed('GET /duty/holiday-coverage (first page, totals)', () =>
      officer.get('/api/v1/duty/holiday-coverage?from=2027-01-01&to=2027-01-03&limit=100'),
    );
    expect(page.statusCode).toBe(200);
    const totals = page.json().totals;
    expect(totals.schools).toBe(SCHOOLS);
    expect(totals.withoutTable).toBe(SCHOOLS / 10);
    const gaps = await timed('GET /duty/holiday-coverage?gaps=true', () =>
      officer.get('/api/v1/duty/holiday-coverage?from=2027-01-01&to=2027-01-03&gaps=true&limit=100'),
    );
    expect(gaps.json().items.length).toBe(100);
    const xlsx = await timed('GET /duty/holiday-coverage/export.xlsx', () =>
      officer.get('/api/v1/duty/holiday-coverage/export.xlsx?from=2027-01-01&to=2027-01-03'),
    );
    expect(xlsx.statusCode).toBe(200);
  });
});
