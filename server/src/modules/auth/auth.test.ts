import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, buildUser, TEST_PASSWORD, type Tree } from '../../../test/factories.js';
import { cookieFrom, createTestApp, login, type TestApp } from '../../../test/harness.js';

let t: TestApp;
let tree: Tree;

beforeAll(async () => {
  t = await createTestApp();
  tree = await buildTree(t.database.db);
});
afterAll(() => t.close());

describe('login', () => {
  it('sets an httpOnly SameSite cookie and answers the user and a CSRF token', async () => {
    const user = await buildUser(t.database.db, { role: 'school_security', org: tree.school });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const body = response.json();
    expect(body.csrfToken).toMatch(/^[\w-]{20,}$/);
    expect(body.user.roles).toEqual(['school_security']);
    expect(body.user.activeOrg.id).toBe(tree.school.id);
    expect(body.user.permissions).toContain('hazard.verify');
    expect(JSON.stringify(body)).not.toContain('argon2');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: cookieFrom(response) } });
    expect(me.statusCode).toBe(200);
  });

  it('answers 401 problem+json with a Chinese message for a wrong password', async () => {
    const user = await buildUser(t.database.db, { role: 'teacher', org: tree.school });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: 'wrong-Passw0rd' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'invalid_credentials', message: '用户名或密码错误' });
  });

  it('locks the account after 5 failures and answers 423 even with the right password', async () => {
    const user = await buildUser(t.database.db, { role: 'teacher', org: tree.school });
    for (let attempt = 1; attempt <= 4; attempt++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user.username, password: 'Wrong-pass1' },
      });
      expect(response.statusCode).toBe(401);
    }
    const fifth = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: 'Wrong-pass1' },
    });
    expect(fifth.statusCode).toBe(423);
    const right = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: TEST_PASSWORD },
    });
    expect(right.statusCode).toBe(423);
    expect(right.json().code).toBe('account_locked');
  });

  it('requires the CSRF header on writes', async () => {
    const user = await buildUser(t.database.db, { role: 'teacher', org: tree.school });
    const client = await login(t.app, user.username, TEST_PASSWORD);
    const without = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: client.cookie },
    });
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe('csrf_failed');
    const withToken = await client.post('/api/v1/auth/logout');
    expect(withToken.statusCode).toBe(200);
    const after = await client.get('/api/v1/auth/me');
    expect(after.statusCode).toBe(401);
  });

  it('forces a first-login password change', async () => {
    const user = await buildUser(t.database.db, { role: 'teacher', org: tree.school, mustChangePassword: true });
    const client = await login(t.app, user.username, TEST_PASSWORD);
    const blocked = await client.get(`/api/v1/orgs/${tree.school.id}`);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('password_change_required');
    const weak = await client.post('/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'password',
    });
    expect(weak.json().code).toBe('password_too_weak');
    const changed = await client.post('/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'New-Passw0rd#1',
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.pending).toBe('none');
    expect((await client.get(`/api/v1/orgs/${tree.school.id}`)).statusCode).toBe(200);
  });
});

describe('login rate limit', () => {
  it('answers 429 problem+json past the per-user limit', async () => {
    const limited = await createTestApp({ loginRateLimit: 3 });
    try {
      const tree2 = await buildTree(limited.database.db);
      const user = await buildUser(limited.database.db, { role: 'teacher', org: tree2.school });
      const codes: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const response = await limited.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: user.username, password: TEST_PASSWORD },
        });
        codes.push(response.statusCode);
        if (response.statusCode === 429) {
          expect(response.headers['content-type']).toContain('application/problem+json');
          expect(response.json().code).toBe('rate_limited');
        }
      }
      expect(codes).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('timeline helper', () => {
  it('appends events and reads them back in order with actor names', async () => {
    const { appendTimeline, readTimeline } = await import('../../platform/timeline.js');
    const user = await buildUser(t.database.db, { role: 'school_security', org: tree.school });
    await t.database.db.transaction().execute(async (trx) => {
      await appendTimeline(trx, {
        recordType: 'sample',
        recordId: 7,
        orgPath: tree.school.path,
        actorId: user.id,
        action: 'report',
        toState: 'reported',
      });
      await appendTimeline(trx, {
        recordType: 'sample',
        recordId: 7,
        orgPath: tree.school.path,
        actorId: user.id,
        action: 'confirm',
        fromState: 'reported',
        toState: 'confirmed',
        note: '已核实',
        data: { grade: 'general' },
      });
    });
    const events = await readTimeline(t.database.db, 'sample', 7);
    expect(events.map((e) => [e.action, e.fromState, e.toState])).toEqual([
      ['report', null, 'reported'],
      ['confirm', 'reported', 'confirmed'],
    ]);
    expect(events[1]).toMatchObject({ note: '已核实', data: { grade: 'general' }, actorName: '测试school_security' });
  });
});
