import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltUser, buildTree, buildUser, TEST_PASSWORD, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';

let t: TestApp;
let tree: Tree;
let sysAdmin: Client;
let secAdmin: Client;
let auditAdmin: Client;
let countySysAdmin: Client;
let otherSysAdmin: Client;
let teacherClient: Client;
let countyOfficer: Client;
let teacher: BuiltUser;

const NEW_PASSWORD = 'Init-Passw0rd!';

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  const as = async (user: BuiltUser) => login(t.app, user.username, user.password);
  sysAdmin = await as(await buildUser(db, { role: 'system_admin', org: tree.school }));
  secAdmin = await as(await buildUser(db, { role: 'security_admin', org: tree.school }));
  auditAdmin = await as(await buildUser(db, { role: 'audit_admin', org: tree.school }));
  countySysAdmin = await as(await buildUser(db, { role: 'system_admin', org: tree.county }));
  otherSysAdmin = await as(await buildUser(db, { role: 'system_admin', org: tree.otherSchool }));
  countyOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.county }));
  teacher = await buildUser(db, { role: 'teacher', org: tree.school });
  teacherClient = await as(teacher);
});
afterAll(() => t.close());

let sequence = 0;
function newUsername(prefix = 'user') {
  return `${prefix}${Date.now().toString(36)}${++sequence}`;
}

async function createUser(client: Client, overrides: Record<string, unknown> = {}) {
  return client.post('/api/v1/users', {
    username: newUsername(),
    displayName: '张老师',
    phone: '13812345678',
    password: NEW_PASSWORD,
    roles: [{ role: 'teacher', orgId: tree.school.id }],
    ...overrides,
  });
}

describe('creating users', () => {
  it('creates a user with roles, masks the phone, encrypts it at rest and forces a password change', async () => {
    const username = newUsername('zhang');
    const response = await createUser(sysAdmin, {
      username,
      roles: [
        { role: 'teacher', orgId: tree.school.id },
        { role: 'department_officer', orgId: tree.department.id },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      username,
      displayName: '张老师',
      phone: '138****5678',
      mustChangePassword: true,
      disabled: false,
      locked: false,
    });
    expect(body.roles.map((r: { role: string }) => r.role).sort()).toEqual(['department_officer', 'teacher']);
    expect(response.body).not.toMatch(/argon2|password_hash|totp_secret|13812345678/);

    const row = await t.database.db
      .selectFrom('app_user')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row.phone_encrypted).not.toContain('13812345678');
    expect(t.app.platform.cipher.decrypt(row.phone_encrypted!)).toBe('13812345678');

    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.create')
      .where('target_id', '=', String(body.id))
      .executeTakeFirstOrThrow();
    const detail = JSON.stringify(audit.detail);
    expect(detail).not.toContain(NEW_PASSWORD);
    expect(detail).not.toContain('13812345678');
    expect(audit.detail).toMatchObject({ after: { username, phone: '138****5678' } });

    const client = await login(t.app, username, NEW_PASSWORD);
    expect((await client.get(`/api/v1/orgs/${tree.school.id}`)).json().code).toBe('password_change_required');
  });

  it('enforces password strength, role levels, 三员分立 and scope without writing anything', async () => {
    const before = await tableCounts(t.database);
    const weak = await createUser(sysAdmin, { password: 'password' });
    expect(weak.json().code).toBe('password_too_weak');
    const containsName = await createUser(sysAdmin, { username: 'wangwu88', password: 'Wangwu88-xyz' });
    expect(containsName.json().code).toBe('password_too_weak');
    const level = await createUser(sysAdmin, { roles: [{ role: 'school_leader', orgId: tree.department.id }] });
    expect(level.statusCode).toBe(400);
    expect(level.json().code).toBe('role_level_invalid');
    const admin = await createUser(sysAdmin, { roles: [{ role: 'security_admin', orgId: tree.school.id }] });
    expect(admin.statusCode).toBe(403);
    expect(admin.json().code).toBe('role_admin_forbidden');
    const foreign = await createUser(sysAdmin, { roles: [{ role: 'teacher', orgId: tree.otherSchool.id }] });
    expect(foreign.statusCode).toBe(404);
    const county = await createUser(sysAdmin, { roles: [{ role: 'bureau_officer', orgId: tree.county.id }] });
    expect(county.statusCode).toBe(404);
    const taken = await createUser(sysAdmin, { username: teacher.username.toUpperCase() });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('username_taken');
    expect((await createUser(secAdmin)).statusCode).toBe(403);
    expect((await createUser(auditAdmin)).statusCode).toBe(403);
    expect((await createUser(teacherClient)).statusCode).toBe(403);
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('rejects malformed bodies with problem+json and no writes', async () => {
    const before = await tableCounts(t.database);
    const huge = 'x'.repeat(1024 * 1024);
    const base = {
      username: 'valid_name',
      displayName: '李',
      password: NEW_PASSWORD,
      roles: [{ role: 'teacher', orgId: tree.school.id }],
    };
    const cases: [unknown, number][] = [
      [{ ...base, username: 42 }, 400],
      [{ ...base, username: undefined }, 400],
      [{ ...base, roles: [] }, 400],
      [{ ...base, roles: [{ role: 'emperor', orgId: tree.school.id }] }, 400],
      [{ ...base, roles: [{ role: 'teacher', orgId: '1' }] }, 400],
      [{ ...base, phone: 'call me' }, 400],
      [{ ...base, displayName: 'a\u0000b' }, 400],
      [{ ...base, username: 'a b' }, 400],
      [{ ...base, isAdmin: true }, 400],
      [{ ...base, displayName: huge }, 413],
      [{ ...base, roles: [{ role: 'teacher', orgId: tree.farSchool.id }] }, 404],
    ];
    for (const [body, status] of cases) {
      const response = await sysAdmin.post('/api/v1/users', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 100)).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await sysAdmin.get('/api/v1/users/abc')).statusCode).toBe(400);
    expect((await sysAdmin.get('/api/v1/users?keyword=a%00b')).statusCode).toBe(400);
    expect((await sysAdmin.get('/api/v1/users?role=king')).statusCode).toBe(400);
    expect((await sysAdmin.get('/api/v1/users?limit=100000')).statusCode).toBe(400);
    expect((await sysAdmin.patch(`/api/v1/users/${teacher.id}`, { username: 'rename' })).statusCode).toBe(400);
    expect((await sysAdmin.patch(`/api/v1/users/${teacher.id}`, { disabled: 'yes' })).statusCode).toBe(400);
    expect((await sysAdmin.post(`/api/v1/users/${teacher.id}/roles`, { role: 'teacher' })).statusCode).toBe(400);
    expect((await sysAdmin.post(`/api/v1/users/${teacher.id}/reset-password`, { password: huge })).statusCode).toBe(
      413,
    );
    expect(await tableCounts(t.database)).toEqual(before);
  });
});

describe('reading users', () => {
  it('lists users with an assignment in scope, with filters and a cursor', async () => {
    const keyword = newUsername('pager');
    for (let index = 0; index < 3; index++) await createUser(sysAdmin, { username: `${keyword}x${index}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/users?keyword=${keyword}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await sysAdmin.get(url)).json();
      seen.push(...page.items.map((u: { username: string }) => u.username));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([`${keyword}x0`, `${keyword}x1`, `${keyword}x2`]);

    const officers = (await countyOfficer.get(`/api/v1/users?orgId=${tree.school.id}&role=teacher`)).json().items;
    expect(officers.map((u: { id: number }) => u.id)).toContain(teacher.id);
    expect(officers.every((u: { phone: string | null }) => u.phone === null || u.phone.includes('****'))).toBe(true);
    const other = (await otherSysAdmin.get('/api/v1/users?limit=200')).json().items;
    expect(other.map((u: { id: number }) => u.id)).not.toContain(teacher.id);
    expect((await otherSysAdmin.get(`/api/v1/users?orgId=${tree.school.id}`)).statusCode).toBe(404);
    expect((await otherSysAdmin.get(`/api/v1/users/${teacher.id}`)).statusCode).toBe(404);
    expect((await countyOfficer.get(`/api/v1/users/${teacher.id}`)).statusCode).toBe(200);
    expect((await auditAdmin.get('/api/v1/users')).statusCode).toBe(403);
    expect((await teacherClient.get('/api/v1/users')).statusCode).toBe(403);
  });

  it('shows only the assignments the caller can see, and keeps account-wide changes for whoever sees them all', async () => {
    const db = t.database.db;
    const shared = await buildUser(db, {
      role: 'teacher',
      org: tree.school,
      extraRoles: [{ role: 'teacher', org: tree.otherSchool }],
    });
    const seen = (await sysAdmin.get(`/api/v1/users/${shared.id}`)).json();
    expect(seen.roles.map((r: { orgId: number }) => r.orgId)).toEqual([tree.school.id]);
    const patch = await sysAdmin.patch(`/api/v1/users/${shared.id}`, { disabled: true });
    expect(patch.statusCode).toBe(403);
    expect((await countySysAdmin.patch(`/api/v1/users/${shared.id}`, { displayName: '共享老师' })).statusCode).toBe(
      200,
    );
  });

  it('documents every users route with its permission in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(document.paths['/api/v1/users/{id}/roles/{assignmentId}'].delete['x-permission']).toBe('role.assign');
    expect(document.paths['/api/v1/users/{id}/unlock'].post['x-permission']).toBe('account.unlock');
    expect(document.paths['/api/v1/places/import'].post['x-permission']).toBe('place.manage');
    expect(document.paths['/api/v1/orgs/import'].post['x-permission']).toBe('org.manage');
    expect(document.paths['/api/v1/files'].post['x-permission']).toBe('file.upload');
  });

  it('serves the role catalogue with what the caller may grant', async () => {
    const sys = (await sysAdmin.get('/api/v1/roles')).json().items;
    expect(sys.find((r: { code: string }) => r.code === 'security_admin')).toMatchObject({
      administrator: true,
      assignable: false,
    });
    expect(sys.find((r: { code: string }) => r.code === 'teacher')).toMatchObject({
      administrator: false,
      assignable: true,
      levels: ['school', 'department'],
    });
    const sec = (await secAdmin.get('/api/v1/roles')).json().items;
    expect(sec.find((r: { code: string }) => r.code === 'audit_admin').assignable).toBe(true);
  });

  it('exports a masked ledger and audits the export', async () => {
    const response = await countyOfficer.get('/api/v1/users/export.xlsx');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toContain("filename*=UTF-8''");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(2).getCell(1).value).toBe('用户名');
    const usernames: string[] = [];
    const phones: string[] = [];
    sheet.eachRow((row, number) => {
      if (number <= 2) return;
      usernames.push(String(row.getCell(1).value));
      if (row.getCell(3).value) phones.push(String(row.getCell(3).value));
    });
    expect(usernames).toContain(teacher.username);
    expect(phones.length).toBeGreaterThan(0);
    expect(phones.every((phone) => phone.includes('****'))).toBe(true);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.export')
      .executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(countyOfficer.userId);
  });
});

describe('changing users', () => {
  it('disabling revokes the sessions; nobody disables themselves', async () => {
    const created = (await createUser(sysAdmin)).json();
    const client = await login(t.app, created.username, NEW_PASSWORD);
    expect((await client.get('/api/v1/auth/me')).statusCode).toBe(200);
    const disabled = await sysAdmin.patch(`/api/v1/users/${created.id}`, { disabled: true, phone: '13900001111' });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ disabled: true, phone: '139****1111' });
    expect((await client.get('/api/v1/auth/me')).statusCode).toBe(401);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'user.update')
      .where('target_id', '=', String(created.id))
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({
      before: { disabled: false, phone: '138****5678' },
      after: { disabled: true, phone: '139****1111' },
    });

    const self = await sysAdmin.patch(`/api/v1/users/${sysAdmin.userId}`, { disabled: true });
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('self_modification');
    expect((await sysAdmin.patch(`/api/v1/users/${sysAdmin.userId}`, { displayName: '系统管理员' })).statusCode).toBe(
      200,
    );
    expect((await otherSysAdmin.patch(`/api/v1/users/${created.id}`, { disabled: false })).statusCode).toBe(404);
  });

  it('resets a password: forced change, sessions revoked, strength checked', async () => {
    const created = (await createUser(sysAdmin)).json();
    const client = await login(t.app, created.username, NEW_PASSWORD);
    expect((await sysAdmin.post(`/api/v1/users/${created.id}/reset-password`, { password: 'short' })).json().code).toBe(
      'password_too_weak',
    );
    const reset = await sysAdmin.post(`/api/v1/users/${created.id}/reset-password`, { password: 'Reset-Passw0rd!' });
    expect(reset.statusCode).toBe(200);
    expect(reset.json().mustChangePassword).toBe(true);
    expect((await client.get('/api/v1/auth/me')).statusCode).toBe(401);
    await login(t.app, created.username, 'Reset-Passw0rd!');
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'user.reset_password')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.detail)).not.toContain('Reset-Passw0rd!');
    expect(
      (await secAdmin.post(`/api/v1/users/${created.id}/reset-password`, { password: 'Reset-Passw0rd!' })).statusCode,
    ).toBe(403);
    expect(
      (await sysAdmin.post(`/api/v1/users/${sysAdmin.userId}/reset-password`, { password: 'Reset-Passw0rd!' })).json()
        .code,
    ).toBe('self_modification');
  });

  it('unlocks a locked account (security admin only)', async () => {
    const locked = await buildUser(t.database.db, { role: 'guard', org: tree.school });
    for (let attempt = 0; attempt < 5; attempt++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: locked.username, password: 'Wrong-pass1' },
      });
    }
    expect((await sysAdmin.get(`/api/v1/users/${locked.id}`)).json().locked).toBe(true);
    expect((await sysAdmin.post(`/api/v1/users/${locked.id}/unlock`)).statusCode).toBe(403);
    const unlocked = await secAdmin.post(`/api/v1/users/${locked.id}/unlock`);
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json().locked).toBe(false);
    await login(t.app, locked.username, TEST_PASSWORD);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'user.unlock')
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ before: { failedLogins: 5 }, after: { failedLogins: 0, lockedUntil: null } });
  });
});

describe('roles and 三员分立', () => {
  it('system admin grants business roles but not administrator roles; security admin grants and revokes any', async () => {
    const created = (await createUser(sysAdmin)).json();
    const guard = await sysAdmin.post(`/api/v1/users/${created.id}/roles`, {
      role: 'guard',
      orgId: tree.department.id,
    });
    expect(guard.statusCode).toBe(200);
    expect(guard.json().roles).toHaveLength(2);
    const duplicate = await sysAdmin.post(`/api/v1/users/${created.id}/roles`, {
      role: 'guard',
      orgId: tree.department.id,
    });
    expect(duplicate.statusCode).toBe(409);
    const adminBySys = await sysAdmin.post(`/api/v1/users/${created.id}/roles`, {
      role: 'audit_admin',
      orgId: tree.school.id,
    });
    expect(adminBySys.statusCode).toBe(403);
    expect(adminBySys.json().code).toBe('role_admin_forbidden');
    const wrongLevel = await secAdmin.post(`/api/v1/users/${created.id}/roles`, {
      role: 'audit_admin',
      orgId: tree.department.id,
    });
    expect(wrongLevel.json().code).toBe('role_level_invalid');
    const adminBySec = await secAdmin.post(`/api/v1/users/${created.id}/roles`, {
      role: 'audit_admin',
      orgId: tree.school.id,
    });
    expect(adminBySec.statusCode).toBe(200);
    const adminAssignment = adminBySec.json().roles.find((r: { role: string }) => r.role === 'audit_admin');
    const grantAudit = await t.database.db
      .selectFrom('audit_log')
      .select(['detail', 'org_path'])
      .where('action', '=', 'role.grant')
      .where('target_id', '=', String(created.id))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(grantAudit.detail).toMatchObject({ after: { role: 'audit_admin', orgId: tree.school.id } });

    const revokeBySys = await sysAdmin.delete(`/api/v1/users/${created.id}/roles/${adminAssignment.id}`);
    expect(revokeBySys.json().code).toBe('role_admin_forbidden');
    const revokeBySec = await secAdmin.delete(`/api/v1/users/${created.id}/roles/${adminAssignment.id}`);
    expect(revokeBySec.statusCode).toBe(200);
    expect(revokeBySec.json().roles.map((r: { role: string }) => r.role)).not.toContain('audit_admin');
    const revokeAudit = await t.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'role.revoke')
      .executeTakeFirstOrThrow();
    expect(revokeAudit.detail).toMatchObject({ before: { role: 'audit_admin' } });
    expect(
      (await auditAdmin.post(`/api/v1/users/${created.id}/roles`, { role: 'guard', orgId: tree.school.id })).statusCode,
    ).toBe(403);
  });

  it('keeps at least one role and refuses changes to one’s own roles', async () => {
    const created = (await createUser(sysAdmin)).json();
    const only = created.roles[0].id;
    const last = await sysAdmin.delete(`/api/v1/users/${created.id}/roles/${only}`);
    expect(last.statusCode).toBe(409);
    expect(last.json().code).toBe('last_assignment');
    const self = await secAdmin.post(`/api/v1/users/${secAdmin.userId}/roles`, {
      role: 'system_admin',
      orgId: tree.school.id,
    });
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('self_modification');
    const selfRoles = (await secAdmin.get(`/api/v1/users/${secAdmin.userId}`)).json().roles;
    expect((await secAdmin.delete(`/api/v1/users/${secAdmin.userId}/roles/${selfRoles[0].id}`)).json().code).toBe(
      'self_modification',
    );
  });

  it('answers 404 for assignments and users outside scope', async () => {
    const created = (await createUser(sysAdmin)).json();
    expect(
      (await otherSysAdmin.post(`/api/v1/users/${created.id}/roles`, { role: 'guard', orgId: tree.otherSchool.id }))
        .statusCode,
    ).toBe(404);
    expect(
      (await sysAdmin.post(`/api/v1/users/${created.id}/roles`, { role: 'guard', orgId: tree.otherSchool.id }))
        .statusCode,
    ).toBe(404);
    expect((await sysAdmin.delete(`/api/v1/users/${created.id}/roles/999999`)).statusCode).toBe(404);
    expect((await sysAdmin.delete(`/api/v1/users/999999/roles/1`)).statusCode).toBe(404);
  });
});

describe('administrator accounts (三员分立)', () => {
  it('refuses a system administrator resetting or disabling an administrator account', async () => {
    const auditor = await buildUser(t.database.db, { role: 'audit_admin', org: tree.school });
    const reset = await sysAdmin.post(`/api/v1/users/${auditor.id}/reset-password`, { password: NEW_PASSWORD });
    expect(reset.statusCode).toBe(403);
    expect(reset.json().code).toBe('role_admin_forbidden');
    const disable = await sysAdmin.patch(`/api/v1/users/${auditor.id}`, { disabled: true });
    expect(disable.statusCode).toBe(403);
    const row = await t.database.db
      .selectFrom('app_user')
      .select(['disabled', 'must_change_password'])
      .where('id', '=', auditor.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ disabled: false, must_change_password: false });
  });
});

describe('administrator password reset', () => {
  it('lets the security administrator reset an administrator account, and nothing else', async () => {
    const auditor = await buildUser(t.database.db, { role: 'audit_admin', org: tree.school });
    const reset = await secAdmin.post(`/api/v1/users/${auditor.id}/admin-reset-password`, { password: NEW_PASSWORD });
    expect(reset.statusCode).toBe(200);
    expect(reset.json().mustChangePassword).toBe(true);
    const relogin = await login(t.app, auditor.username, NEW_PASSWORD);
    expect((await relogin.get('/api/v1/auth/me')).json().user.pending).toBe('password_change');

    const plain = await secAdmin.post(`/api/v1/users/${teacher.id}/admin-reset-password`, { password: NEW_PASSWORD });
    expect(plain.statusCode).toBe(409);
    expect(plain.json().code).toBe('not_administrator');
    const bySystemAdmin = await sysAdmin.post(`/api/v1/users/${auditor.id}/admin-reset-password`, {
      password: NEW_PASSWORD,
    });
    expect(bySystemAdmin.statusCode).toBe(403);
  });
});
