import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, buildUser, TEST_PASSWORD } from '../factories.js';
import { clientFor, cookieFrom, createTestApp, login } from '../harness.js';
import { type CaseResult, formatTable, hasAccess, prepare, runMatrix, send } from './matrix.js';
import { buildUrl, defaultAuditAction, type Operation, readOperations } from './openapi.js';
import { changedTables, snapshot } from './snapshot.js';
import { recordStats } from './stats.js';
import { buildWorld, type World } from './world.js';

// Security controls as tests (等保 level 3 application controls; docs/security.md maps them).

let world: World;
let operations: Operation[];
const figures: Record<string, number> = {};
let getCases: CaseResult[] = [];

beforeAll(async () => {
  world = await buildWorld();
  operations = (await readOperations(world.t.app)).filter((o) => o.problems.length === 0);
}, 120_000);
afterAll(async () => {
  recordStats('security', figures);
  await world?.t.close();
});

describe('session cookie', () => {
  it('is httpOnly and SameSite=Strict, and Secure when the request came over TLS', async () => {
    const user = await world.ctx.userAt(world.tree.school);
    const plain = await world.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: TEST_PASSWORD },
    });
    const cookie = String(plain.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);

    const behindProxy = await createTestApp({ trustProxy: true });
    try {
      const tree = await buildTree(behindProxy.database.db);
      const teacher = await buildUser(behindProxy.database.db, { role: 'teacher', org: tree.school });
      const tls = await behindProxy.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { username: teacher.username, password: TEST_PASSWORD },
      });
      expect(tls.statusCode).toBe(200);
      const secure = String(tls.headers['set-cookie']);
      expect(secure).toMatch(/;\s*Secure/i);
      expect(secure).toMatch(/HttpOnly/i);
      expect(secure).toMatch(/SameSite=Strict/i);
    } finally {
      await behindProxy.close();
    }
  });

  it('logout revokes the session on the server', async () => {
    const caller = await world.ctx.freshCaller('teacher', world.tree.school);
    expect((await caller.client.post('/api/v1/auth/logout')).statusCode).toBe(200);
    const after = await caller.client.get('/api/v1/auth/me');
    expect(after.statusCode).toBe(401);
  });
});

describe('security headers', () => {
  it('sets CSP with frame-ancestors none, nosniff, HSTS, referrer policy on API answers', async () => {
    for (const url of ['/api/v1/health', '/api/v1/auth/me', '/api/v1/nothing-here']) {
      const response = await world.t.app.inject({ method: 'GET', url });
      const csp = String(response.headers['content-security-policy'] ?? '');
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("object-src 'none'");
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['x-frame-options'], url).toBeDefined();
      expect(response.headers['strict-transport-security'], url).toBeDefined();
      expect(response.headers['referrer-policy'], url).toBeDefined();
      expect(response.headers['x-powered-by'], url).toBeUndefined();
    }
  });
});

describe('web app served by the same server', () => {
  it('starts with a built web app, serves it with the security headers, and keeps API 404s as problem+json', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-campus-web-'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>平安校园</title>');
    let t: Awaited<ReturnType<typeof createTestApp>> | null = null;
    try {
      t = await createTestApp({ webDist: dist });
      const page = await t.app.inject({ method: 'GET', url: '/hazards/12' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      const api = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
      expect(api.statusCode).toBe(404);
      expect(api.headers['content-type']).toContain('application/problem+json');
    } finally {
      await t?.close();
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });
});

describe('CSRF (generated: every non-GET route)', () => {
  it('refuses a write without the x-csrf-token header, or with a wrong one, and writes nothing', async () => {
    const caller = world.callers.find((c) => c.role === 'system_admin')!;
    const writes = operations.filter((o) => o.method !== 'GET' && o.permission !== 'public');
    expect(writes.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const operation of writes) {
      const url = buildUrl(operation.path, Object.fromEntries(operation.pathParams.map((p) => [p, '1'])));
      for (const token of [undefined, 'wrong-token']) {
        const before = await snapshot(world.t.database);
        const headers: Record<string, string> = { cookie: caller.client.cookie, 'content-type': 'application/json' };
        if (token) headers['x-csrf-token'] = token;
        const response = await world.t.app.inject({ method: operation.method, url, headers, payload: '{}' });
        const changed = changedTables(before, await snapshot(world.t.database));
        if (response.statusCode !== 403 || response.json().code !== 'csrf_failed' || changed.length > 0) {
          failures.push(
            `${operation.key} ${token ? 'wrong token' : 'no token'}: ${response.statusCode} ${response.body.slice(0, 120)} ${changed.join(',')}`,
          );
        }
      }
    }
    figures.csrfRoutes = writes.length;
    expect(failures).toEqual([]);
  });
});

describe('authentication', () => {
  it('locks the account after 5 failed logins (423, even with the right password)', async () => {
    const user = await world.ctx.userAt(world.tree.otherSchool, 'guard');
    const attempt = (password: string) =>
      world.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password } });
    for (let i = 1; i <= 4; i++) expect((await attempt('Wrong-Passw0rd!')).statusCode).toBe(401);
    const fifth = await attempt('Wrong-Passw0rd!');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.headers['content-type']).toContain('application/problem+json');
    const right = await attempt(TEST_PASSWORD);
    expect(right.statusCode).toBe(423);
    expect(right.json().code).toBe('account_locked');
    const audit = await world.t.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', String(user.id))
      .execute();
    expect(audit.map((a) => a.action)).toContain('auth.lockout');
  });

  it('does not tell unknown users from wrong passwords', async () => {
    const user = await world.ctx.userAt(world.tree.farSchool, 'guard');
    const unknown = await world.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody-here', password: 'Wrong-Passw0rd!' },
    });
    const wrong = await world.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: 'Wrong-Passw0rd!' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().code).toBe(wrong.json().code);
  });

  it('expires a session idle for 31 minutes (401 session_expired)', async () => {
    const caller = await world.ctx.freshCaller('teacher', world.tree.school);
    expect((await caller.client.get('/api/v1/auth/me')).statusCode).toBe(200);
    await sql`UPDATE session SET last_seen_at = now() - interval '31 minutes' WHERE user_id = ${caller.user.id}`.execute(
      world.t.database.db,
    );
    const expired = await caller.client.get('/api/v1/auth/me');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('session_expired');
    expect((await caller.client.get('/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('requires TOTP enrolment for administrators, then the code at every login', async () => {
    const t = await createTestApp();
    try {
      const tree = await buildTree(t.database.db);
      for (const role of ['system_admin', 'security_admin', 'audit_admin'] as const) {
        const admin = await buildUser(t.database.db, { role, org: tree.province });
        const first = await login(t.app, admin.username, TEST_PASSWORD);
        const me = (await first.get('/api/v1/auth/me')).json();
        expect(me.user.pending, role).toBe('totp_enrolment');
        const blocked = await first.get(`/api/v1/orgs/${tree.province.id}`);
        expect(blocked.statusCode, role).toBe(403);
        expect(blocked.json().code).toBe('totp_enrolment_required');
        const enrolment = (await first.post('/api/v1/auth/totp/enrolment')).json();
        expect(enrolment.secret).toMatch(/^[A-Z2-7]+=*$/);
        expect((await first.post('/api/v1/auth/totp/confirm', { code: '000000' })).statusCode).toBe(400);
        const confirmed = await first.post('/api/v1/auth/totp/confirm', {
          code: await generate({ secret: enrolment.secret }),
        });
        expect(confirmed.json().user.pending, role).toBe('none');
        // The secret is stored encrypted.
        const stored = await t.database.db
          .selectFrom('app_user')
          .select('totp_secret_encrypted')
          .where('id', '=', admin.id)
          .executeTakeFirstOrThrow();
        expect(stored.totp_secret_encrypted).not.toContain(enrolment.secret);

        const again = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: admin.username, password: TEST_PASSWORD },
        });
        const body = again.json();
        expect(body.user.pending).toBe('totp');
        const second = clientFor(t.app, cookieFrom(again), body.csrfToken, body.user.id);
        expect((await second.get(`/api/v1/orgs/${tree.province.id}`)).json().code).toBe('totp_required');
        expect((await second.post('/api/v1/auth/totp/verify', { code: '000000' })).statusCode).toBe(400);
        const next = await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
        const verified = await second.post('/api/v1/auth/totp/verify', { code: next });
        expect(verified.json().user.pending).toBe('none');
        // A code is accepted once only.
        const replay = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: admin.username, password: TEST_PASSWORD },
        });
        const replayClient = clientFor(t.app, cookieFrom(replay), replay.json().csrfToken);
        expect((await replayClient.post('/api/v1/auth/totp/verify', { code: next })).statusCode).toBe(400);
        // Administrators cannot switch the second factor off.
        expect(
          (await second.post('/api/v1/auth/totp/disable', { code: await generate({ secret: enrolment.secret }) }))
            .statusCode,
        ).toBe(403);
      }
    } finally {
      await t.close();
    }
  });
});

describe('confidentiality of responses', () => {
  it('never returns password hashes, session tokens, TOTP secrets or encrypted fields in any GET (whole matrix)', async () => {
    // A user with TOTP enrolled and phones set, so there is something to leak.
    const caller = await world.ctx.freshCaller('teacher', world.tree.school);
    const enrolment = (await caller.client.post('/api/v1/auth/totp/enrolment')).json();
    expect(
      (await caller.client.post('/api/v1/auth/totp/confirm', { code: await generate({ secret: enrolment.secret }) }))
        .statusCode,
    ).toBe(200);
    const rows = await world.t.database.db
      .selectFrom('app_user')
      .select(['password_hash', 'totp_secret_encrypted', 'phone_encrypted'])
      .execute();
    const sessions = await world.t.database.db.selectFrom('session').select('id').execute();
    const secrets = [
      enrolment.secret,
      ...rows
        .flatMap((r) => [r.password_hash, r.totp_secret_encrypted, r.phone_encrypted])
        .filter((v): v is string => Boolean(v)),
      ...sessions.map((s) => s.id),
      caller.token,
    ];
    const result = await runMatrix(world, operations, {
      methods: ['GET'],
      allowedOnly: true,
      scopes: ['own', 'otherSchool'],
      secrets,
    });
    getCases = result.cases;
    const leaking = result.cases.filter((c) => c.leaks.length > 0);
    figures.secretScanCases = result.cases.length;
    figures.secretLeaks = leaking.length;
    expect(result.cases.length).toBeGreaterThan(50);
    expect(leaking.length, formatTable(leaking, false)).toBe(0);
  });

  it('marks every signed-in GET answer Cache-Control: no-store (residual information)', () => {
    expect(getCases.length).toBeGreaterThan(50);
    const cacheable = getCases.filter(
      (c) => c.got === 200 && c.route !== 'GET /api/v1/health' && !/no-store|private/.test(c.cacheControl ?? ''),
    );
    const routes = [...new Set(cacheable.map((c) => `${c.route} (${c.cacheControl || 'no Cache-Control'})`))];
    figures.cacheableRoutes = routes.length;
    expect(routes, 'authenticated GET answers without Cache-Control: no-store').toEqual([]);
  });

  it('removes the TOTP secret when the second factor is switched off', async () => {
    const caller = await world.ctx.freshCaller('guard', world.tree.school);
    const enrolment = (await caller.client.post('/api/v1/auth/totp/enrolment')).json();
    await caller.client.post('/api/v1/auth/totp/confirm', { code: await generate({ secret: enrolment.secret }) });
    const next = await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const disabled = await caller.client.post('/api/v1/auth/totp/disable', { code: next });
    expect(disabled.statusCode, disabled.body).toBe(200);
    const row = await world.t.database.db
      .selectFrom('app_user')
      .select(['totp_enabled', 'totp_secret_encrypted'])
      .where('id', '=', caller.user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ totp_enabled: false, totp_secret_encrypted: null });
  });

  it('masks phone numbers in user lists, details and the export', async () => {
    const admin = world.callers.find((c) => c.role === 'system_admin')!;
    const list = operations.find((o) => o.key === 'GET /api/v1/users');
    if (!list) return; // no users module: nothing to mask yet
    const username = world.ctx.unique('phone').toLowerCase();
    const created = await admin.client.post('/api/v1/users', {
      username,
      displayName: '手机测试',
      phone: '13812345678',
      password: 'Fixture-Passw0rd!9',
      roles: [{ role: 'teacher', orgId: world.tree.school.id }],
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.body).not.toContain('13812345678');
    const id = created.json().id;
    const bodies = [
      (await admin.client.get(`/api/v1/users?orgId=${world.tree.school.id}&keyword=${username}`)).body,
      (await admin.client.get(`/api/v1/users/${id}`)).body,
    ];
    for (const body of bodies) {
      expect(body).not.toContain('13812345678');
      expect(body).toContain('138****5678');
    }
    const exported = await admin.client.get(`/api/v1/users/export.xlsx?orgId=${world.tree.school.id}`);
    expect(exported.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.rawPayload as unknown as ArrayBuffer);
    const cells: string[] = [];
    workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value ?? '')))));
    expect(cells.join('|')).not.toContain('13812345678');
    expect(cells.join('|')).toContain('138****5678');
    const stored = await world.t.database.db
      .selectFrom('app_user')
      .select('phone_encrypted')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.phone_encrypted).not.toContain('13812345678');
  });
});

describe('audit (generated: every write route)', () => {
  it('appends exactly one audit row with the declared action for every successful write', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const operation of operations.filter((o) => o.method !== 'GET' && !o.fixture?.allowedStatus)) {
      const base = [...world.callers]
        .sort((a, b) => b.org.path.length - a.org.path.length)
        .find((c) => hasAccess(c, operation.permission ?? ''));
      if (!base) continue;
      const caller = operation.fixture?.freshSession ? await world.ctx.freshCaller(base.role, base.org) : base;
      const prepared = await prepare(world, operation, caller, 'own', true);
      if (!prepared) {
        failures.push(`${operation.key}: no fixture case at the caller's own scope`);
        continue;
      }
      const expected = operation.fixture?.audit === undefined ? defaultAuditAction(operation) : operation.fixture.audit;
      const mark = await world.t.database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirstOrThrow();
      const url = buildUrl(operation.path, prepared.record?.params ?? {}, prepared.query?.query);
      const reply = await send(world, caller, operation.method, url, prepared.body);
      const rows = await world.t.database.db
        .selectFrom('audit_log')
        .select(['action', 'actor_id', 'outcome'])
        .where('id', '>', Number(mark.id ?? 0))
        .orderBy('id')
        .execute();
      checked++;
      if (reply.status >= 300) {
        failures.push(`${operation.key} as ${caller.label}: ${reply.status} ${reply.body.slice(0, 150)}`);
        continue;
      }
      const actions = rows.map((r) => r.action);
      if (expected === null) {
        if (rows.length !== 0) failures.push(`${operation.key}: declared no audit but logged ${actions.join(', ')}`);
      } else if (rows.length !== 1 || actions[0] !== expected) {
        failures.push(
          `${operation.key}: expected one '${expected}' audit row, got [${actions.join(', ')}] (declare \`audit\` in its fixture if the action name differs)`,
        );
      } else if (operation.permission !== 'public' && rows[0]!.actor_id !== caller.user.id) {
        failures.push(`${operation.key}: audit row names actor ${rows[0]!.actor_id}, not ${caller.user.id}`);
      }
    }
    figures.auditRoutes = checked;
    figures.auditFailures = failures.length;
    expect(checked).toBeGreaterThan(5);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('verifies the chain, detects a modified row, and the database refuses UPDATE and DELETE', async () => {
    const db = world.t.database.db;
    const auditor = world.callers.find((c) => c.role === 'audit_admin' && c.org.level === 'province')!;
    const ok = (await auditor.client.get('/api/v1/audit/verify')).json();
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(10);
    const target = await db
      .selectFrom('audit_log')
      .select('id')
      .orderBy('id')
      .offset(3)
      .limit(1)
      .executeTakeFirstOrThrow();
    await expect(sql`UPDATE audit_log SET action = 'tampered' WHERE id = ${target.id}`.execute(db)).rejects.toThrow();
    await expect(sql`DELETE FROM audit_log WHERE id = ${target.id}`.execute(db)).rejects.toThrow();
    // TRUNCATE skips row triggers: it must be refused too (a statement trigger). Tried in a rolled-back transaction.
    const truncated = await db
      .transaction()
      .execute(async (trx) => {
        await sql`TRUNCATE audit_log`.execute(trx);
        throw new Error('rollback');
      })
      .then(
        () => true,
        (error: Error) => error.message === 'rollback',
      );
    const still = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(still.n)).toBeGreaterThan(0);
    expect(truncated, 'TRUNCATE audit_log succeeded: add a BEFORE TRUNCATE trigger').toBe(false);

    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard`.execute(db);
    try {
      await sql`UPDATE audit_log SET detail = '{"changed": true}'::jsonb WHERE id = ${target.id}`.execute(db);
    } finally {
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_guard`.execute(db);
    }
    const broken = (await auditor.client.get('/api/v1/audit/verify')).json();
    expect(broken.ok).toBe(false);
    expect(broken.brokenAt.id).toBe(target.id);
    // Non-auditors cannot read or verify the log (三员分立).
    for (const caller of world.callers.filter((c) => c.role !== 'audit_admin')) {
      expect((await caller.client.get('/api/v1/audit/verify')).statusCode, caller.label).toBe(403);
    }
  });
});
