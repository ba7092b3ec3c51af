import type { RoleCode } from '@safe-campus/domain';
import type { Config } from '../../src/platform/config.js';
import { type BuiltOrg, type BuiltUser, buildTree, buildUser, TEST_PASSWORD, type Tree } from '../factories.js';
import type { Caller, FixtureContext } from '../fixtures/index.js';
import { clientFor, cookieFrom, createTestApp, type TestApp } from '../harness.js';

/** Where each role sits in the matrix. Admins appear twice so their scope is tested too (a city admin must not see another city). */
export const PLACEMENTS: { role: RoleCode; at: keyof Tree; label?: string }[] = [
  { role: 'system_admin', at: 'province' },
  { role: 'security_admin', at: 'province' },
  { role: 'audit_admin', at: 'province' },
  { role: 'system_admin', at: 'city', label: 'system_admin@city' },
  { role: 'security_admin', at: 'city', label: 'security_admin@city' },
  { role: 'audit_admin', at: 'city', label: 'audit_admin@city' },
  { role: 'bureau_officer', at: 'county' },
  { role: 'police_liaison', at: 'county' },
  { role: 'school_leader', at: 'school' },
  { role: 'school_security', at: 'school' },
  { role: 'teacher', at: 'school' },
  { role: 'guard', at: 'school' },
  { role: 'student_officer', at: 'school' },
  { role: 'department_officer', at: 'department' },
];

export interface World {
  t: TestApp;
  tree: Tree;
  ctx: FixtureContext;
  callers: Caller[];
  /** Tracked records: resource → id → owning org path. */
  tracked: Map<string, Map<string, string>>;
}

let sequence = 0;

/** Signs in through the real login route; returns the caller with its raw session token. */
export async function signIn(
  t: TestApp,
  user: BuiltUser,
  role: RoleCode,
  org: BuiltOrg,
  label: string = role,
): Promise<Caller> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: user.username, password: TEST_PASSWORD },
  });
  if (response.statusCode !== 200)
    throw new Error(`login ${user.username} failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { csrfToken: string; user: { id: number } };
  const cookie = cookieFrom(response);
  return {
    label,
    role,
    org,
    user,
    client: clientFor(t.app, cookie, body.csrfToken, body.user.id),
    token: cookie.split('=')[1] ?? '',
  };
}

/** A test app with the tree, one signed-in user per placement and the fixture context. */
export async function buildWorld(overrides: Partial<Config> = {}): Promise<World> {
  // TOTP enrolment of administrators has its own test (security.test.ts); here admins sign in with a password.
  const t = await createTestApp({ adminTotpRequired: false, ...overrides });
  const db = t.database.db;
  const tree = await buildTree(db);
  const orgs = Object.values(tree);
  const tracked = new Map<string, Map<string, string>>();
  const track = (resource: string, id: number | string, orgPath: string) => {
    let map = tracked.get(resource);
    if (!map) {
      map = new Map();
      tracked.set(resource, map);
    }
    map.set(String(id), orgPath);
  };
  for (const org of orgs) track('orgs', org.id, org.path);
  const usersAt = new Map<string, Promise<BuiltUser>>();
  const run = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  const ctx: FixtureContext = {
    t,
    app: t.app,
    db,
    tree,
    orgs,
    unique: (prefix = 'x') => `${prefix}-${run}-${++sequence}`,
    userAt(
      org,
      role = org.level === 'department' ? 'department_officer' : org.level === 'school' ? 'teacher' : 'bureau_officer',
    ) {
      const key = `${org.id}:${role}`;
      let user = usersAt.get(key);
      if (!user) {
        user = buildUser(db, { role, org, username: `u${run}x${++sequence}` }).then((built) => {
          track('users', built.id, org.path);
          return built;
        });
        usersAt.set(key, user);
      }
      return user;
    },
    async freshCaller(role, org) {
      const user = await buildUser(db, { role, org, username: `f${run}x${++sequence}` });
      track('users', user.id, org.path);
      return signIn(t, user, role, org);
    },
    track,
  };
  const callers: Caller[] = [];
  for (const placement of PLACEMENTS) {
    const org = tree[placement.at];
    const user = await buildUser(db, { role: placement.role, org, username: `c${run}x${++sequence}` });
    track('users', user.id, org.path);
    callers.push(await signIn(t, user, placement.role, org, placement.label ?? placement.role));
  }
  return { t, tree, ctx, callers, tracked };
}
