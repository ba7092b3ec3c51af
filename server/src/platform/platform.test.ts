import { sql } from 'kysely';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, buildUser, TEST_PASSWORD, type Tree } from '../../test/factories.js';
import { clientFor, cookieFrom, createTestApp, login, type TestApp } from '../../test/harness.js';
import { enqueueJob } from './jobs.js';
import { notify } from './notifications.js';
import { eventVisibleTo, publish, type RealtimeEvent } from './realtime.js';

let t: TestApp;
let tree: Tree;

beforeAll(async () => {
  t = await createTestApp();
  tree = await buildTree(t.database.db);
});
afterAll(() => t.close());

describe('health and OpenAPI', () => {
  it('reports the engine', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: t.config.databaseUrl ? 'postgresql' : 'pglite' });
  });

  it('serves OpenAPI with the permission of every operation', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json();
    const operations = Object.entries(
      document.paths as Record<string, Record<string, { 'x-permission'?: string }>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, permission: operation['x-permission'] })),
    );
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations)
      expect(operation.permission, `${operation.method} ${operation.path}`).toBeTruthy();
    expect(operations.find((o) => o.path === '/api/v1/orgs/{id}' && o.method === 'get')?.permission).toBe('org.read');
    expect((await t.app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(200);
  });

  it('answers unknown routes with problem+json', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});

describe('audit chain', () => {
  it('verifies, detects a modified row, and the database refuses changes', async () => {
    const auditor = await buildUser(t.database.db, { role: 'audit_admin', org: tree.province });
    const teacher = await buildUser(t.database.db, { role: 'teacher', org: tree.school });
    await login(t.app, teacher.username, TEST_PASSWORD);
    const client = await loginAdmin(auditor.username);
    const ok = (await client.get('/api/v1/audit/verify')).json();
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(0);
    const list = (await client.get('/api/v1/audit?action=auth.login&limit=5')).json();
    expect(list.items.length).toBeGreaterThan(0);

    const target = await t.database.db
      .selectFrom('audit_log')
      .select('id')
      .orderBy('id')
      .limit(1)
      .offset(1)
      .executeTakeFirstOrThrow();
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE id = ${target.id}`.execute(t.database.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM audit_log WHERE id = ${target.id}`.execute(t.database.db)).rejects.toThrow(/180 days/);

    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard`.execute(t.database.db);
    await sql`UPDATE audit_log SET actor_name = 'someone-else' WHERE id = ${target.id}`.execute(t.database.db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_guard`.execute(t.database.db);
    const broken = (await client.get('/api/v1/audit/verify')).json();
    expect(broken.ok).toBe(false);
    expect(broken.brokenAt.id).toBe(target.id);
  });

  it('is readable by the audit administrator only (三员分立)', async () => {
    const admin = await login(
      t.app,
      (await buildUser(t.database.db, { role: 'security_admin', org: tree.province, demo: true })).username,
      TEST_PASSWORD,
    );
    expect((await admin.get('/api/v1/audit')).statusCode).toBe(403);
    const system = await login(
      t.app,
      (await buildUser(t.database.db, { role: 'system_admin', org: tree.province, demo: true })).username,
      TEST_PASSWORD,
    );
    expect((await system.get('/api/v1/audit/verify')).statusCode).toBe(403);
  });
});

/** Admins must enrol TOTP; this walks enrolment and the second login through the API. */
async function loginAdmin(username: string) {
  const first = await login(t.app, username, TEST_PASSWORD);
  const me = (await first.get('/api/v1/auth/me')).json();
  if (me.user.pending !== 'totp_enrolment') return first;
  expect((await first.get('/api/v1/audit')).json().code).toBe('totp_enrolment_required');
  const enrolment = (await first.post('/api/v1/auth/totp/enrolment')).json();
  expect(enrolment.qrDataUrl).toMatch(/^data:image\/png;base64,/);
  const confirmed = await first.post('/api/v1/auth/totp/confirm', {
    code: await generate({ secret: enrolment.secret }),
  });
  expect(confirmed.json().user.pending).toBe('none');
  // The next login asks for the code.
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: TEST_PASSWORD },
  });
  const body = response.json();
  expect(body.user.pending).toBe('totp');
  const second = clientFor(t.app, cookieFrom(response), body.csrfToken, body.user.id);
  expect((await second.get('/api/v1/audit')).json().code).toBe('totp_required');
  // A code already used (same time step) is refused; wait for the next step is too slow, so check a wrong code, then use the secret at the next step.
  expect((await second.post('/api/v1/auth/totp/verify', { code: '000000' })).statusCode).toBe(400);
  const nextStep = await generate({ secret: enrolment.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
  const verified = await second.post('/api/v1/auth/totp/verify', { code: nextStep });
  expect(verified.json().user.pending).toBe('none');
  return second;
}

describe('sessions', () => {
  it('expires after 30 idle minutes', async () => {
    const user = await buildUser(t.database.db, { role: 'teacher', org: tree.school });
    const client = await login(t.app, user.username, TEST_PASSWORD);
    expect((await client.get('/api/v1/auth/me')).statusCode).toBe(200);
    await t.database.db
      .updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .where('user_id', '=', user.id)
      .execute();
    const expired = await client.get('/api/v1/auth/me');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('session_expired');
  });

  it('switches the active org among the user assignments only', async () => {
    const user = await buildUser(t.database.db, {
      role: 'teacher',
      org: tree.school,
      extraRoles: [{ role: 'bureau_officer', org: tree.county }],
    });
    const client = await login(t.app, user.username, TEST_PASSWORD);
    const me = (await client.get('/api/v1/auth/me')).json();
    expect(me.user.assignments).toHaveLength(2);
    expect(me.user.activeOrg.id).toBe(tree.county.id);
    const switched = (await client.post('/api/v1/auth/switch-org', { orgId: tree.school.id })).json();
    expect(switched.user.activeOrg.id).toBe(tree.school.id);
    expect(switched.user.roles).toEqual(['teacher']);
    expect((await client.get(`/api/v1/orgs/${tree.county.id}`)).statusCode).toBe(404);
    expect((await client.post('/api/v1/auth/switch-org', { orgId: tree.otherSchool.id })).statusCode).toBe(404);
  });
});

describe('sweeper and jobs', () => {
  it('runs each sweep once per slot and jobs once per dedupe key', async () => {
    let runs = 0;
    const handled: unknown[] = [];
    const sweeper = t.app.platform.sweeper;
    sweeper.register(`test.count.${Date.now()}`, async () => {
      runs++;
    });
    sweeper.handle('test.job', async (payload) => {
      handled.push(payload);
    });
    await enqueueJob(t.database.db, { kind: 'test.job', payload: { n: 1 }, dedupeKey: 'job-1' });
    await enqueueJob(t.database.db, { kind: 'test.job', payload: { n: 1 }, dedupeKey: 'job-1' });
    const now = new Date('2030-01-01T00:00:30Z');
    await sweeper.tick(now);
    await sweeper.tick(new Date('2030-01-01T00:00:50Z'));
    expect(runs).toBe(1);
    expect(handled).toEqual([{ n: 1 }]);
    await sweeper.tick(new Date('2030-01-01T00:01:10Z'));
    expect(runs).toBe(2);
  });

  it('runs again a job left running by an instance that stopped, once its lock has run out', async () => {
    const handled: unknown[] = [];
    const sweeper = t.app.platform.sweeper;
    sweeper.handle('test.orphan', async (payload) => {
      handled.push(payload);
    });
    await enqueueJob(t.database.db, { kind: 'test.orphan', payload: { n: 2 }, dedupeKey: 'orphan-1' });
    // Claimed by an instance that was killed mid-job: running, locked for five minutes.
    await t.database.db
      .updateTable('job')
      .set({ status: 'running', locked_until: new Date('2030-01-02T00:05:00Z') })
      .where('dedupe_key', '=', 'orphan-1')
      .execute();
    await sweeper.tick(new Date('2030-01-02T00:01:00Z'));
    expect(handled).toEqual([]);
    await sweeper.tick(new Date('2030-01-02T00:06:00Z'));
    expect(handled).toEqual([{ n: 2 }]);
    const job = await t.database.db
      .selectFrom('job')
      .select(['status', 'attempts'])
      .where('dedupe_key', '=', 'orphan-1')
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'done', attempts: 1 });
  });

  it('runs in the same tick the jobs a sweep queues', async () => {
    const handled: unknown[] = [];
    const sweeper = t.app.platform.sweeper;
    sweeper.handle('test.fanout', async (payload) => {
      handled.push(payload);
    });
    sweeper.register(`test.queues.${Date.now()}`, async ({ db }) => {
      await enqueueJob(db, { kind: 'test.fanout', payload: { n: 3 }, dedupeKey: 'fanout-1' });
    });
    await sweeper.tick(new Date('2030-01-03T00:00:30Z'));
    expect(handled).toEqual([{ n: 3 }]);
  });
});

describe('realtime stream and notifications', () => {
  it('delivers events to clients whose scope contains them, and catches up after a reconnect', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const schoolUser = await login(
      t.app,
      (await buildUser(t.database.db, { role: 'school_security', org: tree.school })).username,
      TEST_PASSWORD,
    );
    const otherSchoolUser = await login(
      t.app,
      (await buildUser(t.database.db, { role: 'school_security', org: tree.otherSchool })).username,
      TEST_PASSWORD,
    );
    const countyUser = await login(
      t.app,
      (await buildUser(t.database.db, { role: 'bureau_officer', org: tree.county })).username,
      TEST_PASSWORD,
    );

    const open = (cookie: string, lastEventId?: number) => {
      const controller = new AbortController();
      const received: { id: number; type: string; data: Record<string, unknown> }[] = [];
      const ready = fetch(`${address}/api/v1/stream`, {
        headers: { cookie, ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}) },
        signal: controller.signal,
      }).then(async (response) => {
        expect(response.headers.get('content-type')).toContain('text/event-stream');
        const reader = response.body!.getReader();
        let buffer = '';
        void (async () => {
          for (;;) {
            const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
            if (done) return;
            buffer += new TextDecoder().decode(value);
            for (let index = buffer.indexOf('\n\n'); index >= 0; index = buffer.indexOf('\n\n')) {
              const chunk = buffer.slice(0, index);
              buffer = buffer.slice(index + 2);
              const id = /^id: (\d+)$/m.exec(chunk)?.[1];
              const type = /^event: (.+)$/m.exec(chunk)?.[1];
              const data = /^data: (.+)$/m.exec(chunk)?.[1];
              if (id && type && data) received.push({ id: Number(id), type, data: JSON.parse(data) });
            }
          }
        })();
      });
      return { received, ready, close: () => controller.abort() };
    };

    const school = open(schoolUser.cookie);
    const other = open(otherSchoolUser.cookie);
    const county = open(countyUser.cookie);
    await Promise.all([school.ready, other.ready, county.ready]);
    await publish(t.database.db, { type: 'test.alarm', orgPath: tree.school.path, payload: { n: 1 } });
    await notify(t.database.db, { userIds: [schoolUser.userId], kind: 'test', title: '测试通知' });
    await waitFor(() => school.received.length >= 2 && county.received.length >= 1);
    expect(school.received.map((e) => e.type)).toEqual(['test.alarm', 'notification']);
    expect(county.received.map((e) => e.type)).toEqual(['test.alarm']);
    expect(other.received).toEqual([]);

    // Disconnect, miss an event, reconnect with Last-Event-ID.
    const lastSeen = school.received.at(-1)!.id;
    school.close();
    await publish(t.database.db, { type: 'test.alarm', orgPath: `${tree.department.path}`, payload: { n: 2 } });
    const again = open(schoolUser.cookie, lastSeen);
    await again.ready;
    await waitFor(() => again.received.length >= 1);
    expect(again.received[0]).toMatchObject({ type: 'test.alarm', data: { n: 2 } });
    again.close();
    other.close();
    county.close();

    const inbox = (await schoolUser.get('/api/v1/notifications')).json();
    expect(inbox.unreadCount).toBe(1);
    expect((await schoolUser.post(`/api/v1/notifications/${inbox.items[0].id}/read`)).statusCode).toBe(200);
    expect((await otherSchoolUser.post(`/api/v1/notifications/${inbox.items[0].id}/read`)).statusCode).toBe(404);
    expect((await schoolUser.get('/api/v1/notifications')).json().unreadCount).toBe(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('who receives a realtime event', () => {
  const event = (type: string, payload: Record<string, unknown> = {}): RealtimeEvent => ({
    id: 1,
    type,
    orgPath: '/1/2/3/4/',
    userId: null,
    payload,
    at: new Date().toISOString(),
  });
  const school = { scopePath: '/1/2/3/4/', userId: 7 };

  it("gives module events to that module's readers only, and to the people the event names", () => {
    const reader = { ...school, permissions: new Set(['alarm.read']) };
    const teacher = { ...school, permissions: new Set(['alarm.help_request']) };
    expect(eventVisibleTo(event('alarm.raised'), reader)).toBe(true);
    expect(eventVisibleTo(event('alarm.raised'), teacher)).toBe(false);
    expect(eventVisibleTo(event('alarm.changed', { audience: [7] }), teacher)).toBe(true);
    expect(eventVisibleTo(event('alarm.changed', { audience: [8] }), teacher)).toBe(false);
    expect(eventVisibleTo(event('hazard.changed'), teacher)).toBe(false);
    // Platform events (notifications, …) follow scope alone.
    expect(eventVisibleTo(event('org.changed'), teacher)).toBe(true);
    expect(eventVisibleTo(event('alarm.raised'), { ...reader, scopePath: '/1/2/9/' })).toBe(false);
    expect(eventVisibleTo({ ...event('notification'), userId: 7, orgPath: null }, teacher)).toBe(true);
  });
});
