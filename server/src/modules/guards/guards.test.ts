import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltUser, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { formatDate } from '../../platform/dates.js';

let t: TestApp;
let tree: Tree;
let admin: Client;
let security: Client;
let county: Client;
let otherAdmin: Client;
let guard: BuiltUser;
let deptGuard: BuiltUser;
let teacher: BuiltUser;
const year = Number(formatDate(new Date(), 'Asia/Shanghai').slice(0, 4));

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false, guardMaxAge: 60 });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  admin = await as(await buildUser(db, { role: 'system_admin', org: tree.school }));
  security = await as(await buildUser(db, { role: 'school_security', org: tree.school }));
  county = await as(await buildUser(db, { role: 'bureau_officer', org: tree.county }));
  otherAdmin = await as(await buildUser(db, { role: 'system_admin', org: tree.otherSchool }));
  guard = await buildUser(db, { role: 'guard', org: tree.school });
  deptGuard = await buildUser(db, { role: 'guard', org: tree.department });
  teacher = await buildUser(db, { role: 'teacher', org: tree.school });
});

async function guardAudits(): Promise<number> {
  const rows = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'guard.update').execute();
  return rows.length;
}

afterAll(async () => {
  await t?.close();
});

describe('guards', () => {
  it('lists the school’s guards (departments included), unprofiled ones counted as unlicensed', async () => {
    const response = await security.get(`/api/v1/guards?orgId=${tree.school.id}`);
    expect(response.statusCode, response.body).toBe(200);
    const list = response.json();
    expect(list.items.map((item: { userId: number }) => item.userId).sort()).toEqual([guard.id, deptGuard.id].sort());
    expect(list).toMatchObject({ maxAge: 60, year, totals: { guards: 2, licensed: 0, overAge: 0, unprofiled: 2 } });
    // A department stands for its school; a bureau reads its schools' lists but is not a school itself.
    expect((await county.get(`/api/v1/guards?orgId=${tree.department.id}`)).json().totals.guards).toBe(2);
    expect((await county.get(`/api/v1/guards?orgId=${tree.county.id}`)).json().code).toBe('guard_org_not_school');
    expect((await otherAdmin.get(`/api/v1/guards?orgId=${tree.school.id}`)).statusCode).toBe(404);
  });

  it('records licence and year of birth: the number encrypted at rest, masked in the answer and the audit', async () => {
    const response = await admin.put(`/api/v1/guards/${guard.id}`, {
      licensed: true,
      licenceNo: 'BA3201-778899',
      birthYear: year - 61,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      userId: guard.id,
      profiled: true,
      licensed: true,
      licenceNo: '****8899',
      age: 61,
      overAge: true,
    });
    expect(response.body).not.toContain('778899');
    const row = await t.database.db
      .selectFrom('guard_profile')
      .selectAll()
      .where('user_id', '=', guard.id)
      .executeTakeFirstOrThrow();
    expect(row.licence_no_encrypted).toMatch(/^v1:/);
    expect(row.licence_no_encrypted).not.toContain('778899');
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['detail', 'org_path'])
      .where('action', '=', 'guard.update')
      .where('target_id', '=', String(guard.id))
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.detail)).not.toContain('778899');
    expect(audit[0]!.org_path).toBe(tree.school.path);

    // Omitting the number keeps it; unlicensed clears it; the list totals follow.
    const kept = await admin.put(`/api/v1/guards/${guard.id}`, { licensed: true, birthYear: year - 40 });
    expect(kept.json()).toMatchObject({ licenceNo: '****8899', overAge: false });
    const cleared = await admin.put(`/api/v1/guards/${guard.id}`, { licensed: false, birthYear: year - 40 });
    expect(cleared.json()).toMatchObject({ licensed: false, licenceNo: null });
    await admin.put(`/api/v1/guards/${deptGuard.id}`, { licensed: true, birthYear: null });
    expect((await admin.get(`/api/v1/guards?orgId=${tree.school.id}`)).json().totals).toEqual({
      guards: 2,
      licensed: 1,
      overAge: 0,
      unprofiled: 0,
    });
  });

  it('refuses bad input with a code and writes nothing', async () => {
    const before = await tableCounts(t.database);
    const audits = await guardAudits();
    const cases: [Record<string, unknown>, string][] = [
      [{ licensed: true, birthYear: year - 10 }, 'guard_birth_year_invalid'],
      [{ licensed: false, licenceNo: 'AB1234', birthYear: 1980 }, 'guard_licence_without_licensed'],
      [{ licensed: true, licenceNo: '证号 123', birthYear: 1980 }, 'validation_failed'],
      [{ licensed: true, birthYear: 1899 }, 'validation_failed'],
      [{ licensed: 'yes', birthYear: 1980 }, 'validation_failed'],
      [{ licensed: true, birthYear: 1980, idNumber: '320102198001010011' }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const response = await admin.put(`/api/v1/guards/${guard.id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe(code);
    }
    expect(await tableCounts(t.database)).toEqual(before);
    expect(await guardAudits()).toBe(audits);
  });

  it('answers 404 for a user who is not a guard in scope, 403 without user.manage', async () => {
    const body = { licensed: true, birthYear: 1980 };
    expect((await admin.put(`/api/v1/guards/${teacher.id}`, body)).statusCode).toBe(404);
    expect((await otherAdmin.put(`/api/v1/guards/${guard.id}`, body)).statusCode).toBe(404);
    expect((await admin.put('/api/v1/guards/999999', body)).statusCode).toBe(404);
    expect((await security.put(`/api/v1/guards/${guard.id}`, body)).statusCode).toBe(403);
    expect((await (await as(guard)).get(`/api/v1/guards?orgId=${tree.school.id}`)).statusCode).toBe(403);
  });
});
