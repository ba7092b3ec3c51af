import { isIdleExpired, isPermission, type OrgLevel, permissionsOf, type RoleCode } from '@safe-campus/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.js';
import type { AuthContext, Pending } from './auth-context.js';
import { Batcher } from './batch.js';
import { sha256 } from './crypto.js';
import { AppError } from './errors.js';

export const SESSION_COOKIE = 'sc_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOUCH_INTERVAL_MS = 60_000;

const PENDING_CODES = {
  totp: 'totp_required',
  password_change: 'password_change_required',
  totp_enrolment: 'totp_enrolment_required',
} as const;

/** A user's role assignments with their units, top of the tree first: the first is the default active org. */
export function assignmentsOf(db: Kysely<DB>, userId: number) {
  return db
    .selectFrom('role_assignment')
    .innerJoin('org_unit', 'org_unit.id', 'role_assignment.org_id')
    .select(['role_assignment.role', 'org_unit.id as org_id', 'org_unit.name', 'org_unit.level', 'org_unit.path'])
    .where('role_assignment.user_id', '=', userId)
    .orderBy('org_unit.path')
    .execute();
}

/** Sessions by id, each with its user and role assignments (top of the tree first). */
function readSessions(db: Kysely<DB>, ids: string[]) {
  return db
    .selectFrom('session')
    .innerJoin('app_user', 'app_user.id', 'session.user_id')
    .select([
      'session.id',
      'session.csrf_token',
      'session.active_org_id',
      'session.pending',
      'session.last_seen_at',
      'session.revoked_at',
      'app_user.id as user_id',
      'app_user.username',
      'app_user.display_name',
      'app_user.demo',
      'app_user.disabled',
      // In the same query: every request loads its session, so one round trip fewer for all of them.
      (eb) =>
        jsonArrayFrom(
          eb
            .selectFrom('role_assignment')
            .innerJoin('org_unit', 'org_unit.id', 'role_assignment.org_id')
            .select([
              'role_assignment.role',
              'org_unit.id as org_id',
              'org_unit.name',
              'org_unit.level',
              'org_unit.path',
            ])
            .whereRef('role_assignment.user_id', '=', 'session.user_id')
            .orderBy('org_unit.path'),
        ).as('assignments'),
    ])
    .where(sql<boolean>`session.id = ANY(${ids}::text[])`)
    .execute();
}

type SessionRow = Awaited<ReturnType<typeof readSessions>>[number];
const sessionLoaders = new WeakMap<Kysely<DB>, Batcher<string, SessionRow | undefined>>();

/**
 * Every request reads its session: the requests arriving while a read is on its way are read together, in one
 * query (platform/batch.ts). Nothing is cached: each lookup is answered by a query that started after it was asked,
 * so a logout or a disabled user counts from the next request on.
 */
function sessionLoader(db: Kysely<DB>): Batcher<string, SessionRow | undefined> {
  let loader = sessionLoaders.get(db);
  if (!loader) {
    loader = new Batcher(
      async (ids: string[]) => {
        const rows = new Map((await readSessions(db, ids)).map((row) => [row.id, row]));
        return ids.map((id) => rows.get(id));
      },
      { maxBatch: 200, maxInFlight: 1 },
    );
    sessionLoaders.set(db, loader);
  }
  return loader;
}

/** Loads the session behind a cookie token into an AuthContext, or null. Also used by the SSE stream. */
export async function loadAuthContext(
  app: FastifyInstance,
  token: string,
  now = new Date(),
  touch = true,
): Promise<{ auth: AuthContext | null; expired: boolean }> {
  const { db, config } = app.platform;
  const sessionId = sha256(token);
  const session = await sessionLoader(db).submit(sessionId);
  if (!session || session.revoked_at || session.disabled) return { auth: null, expired: false };
  if (isIdleExpired(session.last_seen_at, now, config.sessionIdleMinutes)) {
    await db.updateTable('session').set({ revoked_at: now }).where('id', '=', sessionId).execute();
    return { auth: null, expired: true };
  }
  const assignments = session.assignments;
  const active = assignments.find((assignment) => assignment.org_id === session.active_org_id) ?? assignments[0];
  if (!active) return { auth: null, expired: false };
  const roles = assignments
    .filter((assignment) => assignment.org_id === active.org_id)
    .map((assignment) => assignment.role as RoleCode);
  if (touch && now.getTime() - session.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    await db.updateTable('session').set({ last_seen_at: now }).where('id', '=', sessionId).execute();
  }
  return {
    expired: false,
    auth: {
      sessionId,
      csrfToken: session.csrf_token,
      userId: session.user_id,
      username: session.username,
      displayName: session.display_name,
      demo: session.demo,
      activeOrg: { id: active.org_id, name: active.name, level: active.level as OrgLevel, path: active.path },
      roles,
      permissions: permissionsOf(roles),
      scopePath: active.path,
      pending: session.pending as Pending,
    },
  };
}

/**
 * Every API route declares `config.access`; this hook enforces it before the body is even parsed,
 * so an anonymous or unpermitted caller learns nothing from validation errors.
 */
export function registerAccessControl(app: FastifyInstance): void {
  app.decorateRequest('auth', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/')) return;
    const access = route.config?.access;
    if (access === undefined) throw new Error(`Route ${route.method} ${route.url} declares no access`);
    if (access !== 'public' && access !== 'authenticated' && !isPermission(access)) {
      throw new Error(`Route ${route.method} ${route.url} declares unknown permission ${access}`);
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    const access = config?.access;
    if (access === undefined || access === 'public') return;
    const token = request.cookies[SESSION_COOKIE];
    if (!token) throw new AppError(401, 'unauthenticated');
    const { auth, expired } = await loadAuthContext(app, token);
    if (!auth) throw new AppError(401, expired ? 'session_expired' : 'unauthenticated');
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== auth.csrfToken) {
      throw new AppError(403, 'csrf_failed');
    }
    if (auth.pending !== 'none' && !config.allowPending) throw new AppError(403, PENDING_CODES[auth.pending]);
    request.auth = auth;
    if (access !== 'authenticated' && !auth.permissions.has(access)) throw new AppError(403, 'forbidden');
  });
}
