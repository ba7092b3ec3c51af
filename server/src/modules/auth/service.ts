import {
  afterFailedLogin,
  afterSuccessfulLogin,
  isAdministratorRole,
  isLocked,
  type OrgLevel,
  passwordProblems,
  permissionsOf,
  type RoleCode,
  type SessionUser,
} from '@safe-campus/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assignmentsOf } from '../../platform/access.js';
import { type AuditActor, appendAudit, auditStandalone } from '../../platform/audit.js';
import type { AuthContext, Pending } from '../../platform/auth-context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../platform/passwords.js';
import { checkTotp, newTotpSecret, totpEnrolment } from './totp.js';

interface UserForLogin {
  id: number;
  username: string;
  password_hash: string;
  must_change_password: boolean;
  failed_logins: number;
  locked_until: Date | null;
  totp_enabled: boolean;
  disabled: boolean;
  demo: boolean;
}

function requestActor(request: FastifyRequest, user?: { id: number; username: string }): AuditActor {
  return {
    actorId: user?.id ?? request.auth?.userId ?? null,
    actorName: user?.username ?? request.auth?.username ?? null,
    ip: request.ip,
  };
}

/** What a new or upgraded session must do before it can use the platform. */
function pendingAfter(
  user: { totp_enabled: boolean; must_change_password: boolean; demo: boolean },
  roles: RoleCode[],
  adminTotpRequired: boolean,
  totpPassed: boolean,
): Pending {
  if (user.totp_enabled && !totpPassed) return 'totp';
  if (user.must_change_password && !user.demo) return 'password_change';
  if (adminTotpRequired && !user.demo && !user.totp_enabled && roles.some(isAdministratorRole)) return 'totp_enrolment';
  return 'none';
}

export class AuthService {
  constructor(private readonly app: FastifyInstance) {}

  private get db() {
    return this.app.platform.db;
  }

  async login(
    request: FastifyRequest,
    username: string,
    password: string,
  ): Promise<{ token: string; csrfToken: string; userId: number }> {
    const now = new Date();
    const { config } = this.app.platform;
    const user = (await this.db
      .selectFrom('app_user')
      .select([
        'id',
        'username',
        'password_hash',
        'must_change_password',
        'failed_logins',
        'locked_until',
        'totp_enabled',
        'disabled',
        'demo',
      ])
      .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
      .executeTakeFirst()) as UserForLogin | undefined;

    if (!user) {
      await verifyPassword(await dummyPasswordHash(), password);
      await auditStandalone(
        this.db,
        { actorId: null, actorName: username.slice(0, 64), ip: request.ip },
        {
          action: 'auth.login',
          outcome: 'failure',
          detail: { reason: 'unknown_user' },
        },
      );
      throw new AppError(401, 'invalid_credentials');
    }
    const actor = requestActor(request, user);
    if (isLocked({ failedLogins: user.failed_logins, lockedUntil: user.locked_until }, now)) {
      await auditStandalone(this.db, actor, {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        detail: { reason: 'locked' },
      });
      throw lockedError(user.locked_until!, now);
    }
    if (!(await verifyPassword(user.password_hash, password))) {
      const counters = afterFailedLogin(
        { failedLogins: user.failed_logins, lockedUntil: user.locked_until },
        now,
        config.lockoutMinutes,
      );
      await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('app_user')
          .set({ failed_logins: counters.failedLogins, locked_until: counters.lockedUntil })
          .where('id', '=', user.id)
          .execute();
        await appendAudit(trx, actor, {
          action: counters.lockedUntil ? 'auth.lockout' : 'auth.login',
          targetType: 'user',
          targetId: user.id,
          outcome: 'failure',
          detail: { reason: 'wrong_password', failedLogins: counters.failedLogins },
        });
      });
      if (counters.lockedUntil) throw lockedError(counters.lockedUntil, now);
      throw new AppError(401, 'invalid_credentials');
    }
    if (user.disabled) {
      await auditStandalone(this.db, actor, {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        detail: { reason: 'disabled' },
      });
      throw new AppError(403, 'account_disabled');
    }
    const assignments = await assignmentsOf(this.db, user.id);
    const first = assignments[0];
    if (!first) {
      await auditStandalone(this.db, actor, {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        detail: { reason: 'no_role' },
      });
      throw new AppError(403, 'account_disabled');
    }
    const rolesAtFirst = assignments.filter((a) => a.org_id === first.org_id).map((a) => a.role as RoleCode);
    const allRoles = assignments.map((a) => a.role as RoleCode);
    const pending = pendingAfter(user, allRoles, config.adminTotpRequired, false);
    const token = randomToken();
    const csrfToken = randomToken();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('app_user')
        .set({ ...toColumns(afterSuccessfulLogin()), last_login_at: now })
        .where('id', '=', user.id)
        .execute();
      await trx
        .insertInto('session')
        .values({
          id: sha256(token),
          user_id: user.id,
          csrf_token: csrfToken,
          active_org_id: first.org_id,
          pending,
          ip: request.ip,
          user_agent: (request.headers['user-agent'] ?? '').slice(0, 300),
          created_at: now,
          last_seen_at: now,
        })
        .execute();
      await appendAudit(trx, actor, {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        orgPath: first.path,
        detail: { pending, roles: rolesAtFirst },
      });
    });
    return { token, csrfToken, userId: user.id };
  }

  async logout(request: FastifyRequest, auth: AuthContext): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('session').set({ revoked_at: new Date() }).where('id', '=', auth.sessionId).execute();
      await appendAudit(trx, requestActor(request), {
        action: 'auth.logout',
        targetType: 'user',
        targetId: auth.userId,
      });
    });
  }

  async changePassword(
    request: FastifyRequest,
    auth: AuthContext,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const user = await this.db
      .selectFrom('app_user')
      .select(['password_hash', 'username'])
      .where('id', '=', auth.userId)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, currentPassword))) throw new AppError(400, 'current_password_wrong');
    if (passwordProblems(newPassword, user.username).length > 0) throw new AppError(400, 'password_too_weak');
    if (currentPassword === newPassword) throw new AppError(400, 'password_reused');
    const passwordHash = await hashPassword(newPassword);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('app_user')
        .set({
          password_hash: passwordHash,
          must_change_password: false,
          password_changed_at: new Date(),
          updated_at: new Date(),
        })
        .where('id', '=', auth.userId)
        .execute();
      // Other sessions of the user end with the old password.
      await trx
        .updateTable('session')
        .set({ revoked_at: new Date() })
        .where('user_id', '=', auth.userId)
        .where('id', '!=', auth.sessionId)
        .where('revoked_at', 'is', null)
        .execute();
      await this.advancePending(trx, auth, 'password_change');
      await appendAudit(trx, requestActor(request), {
        action: 'auth.password_change',
        targetType: 'user',
        targetId: auth.userId,
      });
    });
  }

  async verifyTotp(request: FastifyRequest, auth: AuthContext, code: string): Promise<void> {
    if (auth.pending !== 'totp') throw new AppError(409, 'conflict');
    const user = await this.db
      .selectFrom('app_user')
      .select(['totp_secret_encrypted', 'totp_last_step', 'username'])
      .where('id', '=', auth.userId)
      .executeTakeFirstOrThrow();
    const secret = this.app.platform.cipher.decryptNullable(user.totp_secret_encrypted);
    const step = secret ? await checkTotp(secret, code, user.totp_last_step) : null;
    if (step === null) {
      await auditStandalone(this.db, requestActor(request), {
        action: 'auth.totp',
        targetType: 'user',
        targetId: auth.userId,
        outcome: 'failure',
      });
      throw new AppError(400, 'totp_invalid');
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('app_user').set({ totp_last_step: step }).where('id', '=', auth.userId).execute();
      await this.advancePending(trx, auth, 'totp');
      await appendAudit(trx, requestActor(request), { action: 'auth.totp', targetType: 'user', targetId: auth.userId });
    });
  }

  async startTotpEnrolment(request: FastifyRequest, auth: AuthContext) {
    const secret = await newTotpSecret();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('app_user')
        .set({
          totp_secret_encrypted: this.app.platform.cipher.encrypt(secret),
          totp_enabled: false,
          totp_last_step: null,
        })
        .where('id', '=', auth.userId)
        .where('totp_enabled', '=', false)
        .execute();
      await appendAudit(trx, requestActor(request), {
        action: 'auth.totp_enrol_start',
        targetType: 'user',
        targetId: auth.userId,
      });
    });
    const user = await this.db
      .selectFrom('app_user')
      .select(['totp_enabled'])
      .where('id', '=', auth.userId)
      .executeTakeFirstOrThrow();
    if (user.totp_enabled) throw new AppError(409, 'conflict');
    return totpEnrolment(secret, auth.username);
  }

  async confirmTotpEnrolment(request: FastifyRequest, auth: AuthContext, code: string): Promise<void> {
    const user = await this.db
      .selectFrom('app_user')
      .select(['totp_secret_encrypted', 'totp_enabled'])
      .where('id', '=', auth.userId)
      .executeTakeFirstOrThrow();
    if (user.totp_enabled || !user.totp_secret_encrypted) throw new AppError(409, 'totp_not_enrolled');
    const step = await checkTotp(this.app.platform.cipher.decrypt(user.totp_secret_encrypted), code, null);
    if (step === null) throw new AppError(400, 'totp_invalid');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('app_user')
        .set({ totp_enabled: true, totp_last_step: step })
        .where('id', '=', auth.userId)
        .execute();
      await this.advancePending(trx, auth, 'totp_enrolment');
      await appendAudit(trx, requestActor(request), {
        action: 'auth.totp_enrol',
        targetType: 'user',
        targetId: auth.userId,
      });
    });
  }

  async disableTotp(request: FastifyRequest, auth: AuthContext, code: string): Promise<void> {
    const { config, cipher } = this.app.platform;
    if (config.adminTotpRequired && !auth.demo && auth.roles.some(isAdministratorRole))
      throw new AppError(403, 'totp_enrolment_required');
    const user = await this.db
      .selectFrom('app_user')
      .select(['totp_secret_encrypted', 'totp_enabled', 'totp_last_step'])
      .where('id', '=', auth.userId)
      .executeTakeFirstOrThrow();
    if (!user.totp_enabled || !user.totp_secret_encrypted) throw new AppError(409, 'totp_not_enrolled');
    if ((await checkTotp(cipher.decrypt(user.totp_secret_encrypted), code, user.totp_last_step)) === null)
      throw new AppError(400, 'totp_invalid');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('app_user')
        .set({ totp_enabled: false, totp_secret_encrypted: null, totp_last_step: null })
        .where('id', '=', auth.userId)
        .execute();
      await appendAudit(trx, requestActor(request), {
        action: 'auth.totp_disable',
        targetType: 'user',
        targetId: auth.userId,
      });
    });
  }

  async switchOrg(request: FastifyRequest, auth: AuthContext, orgId: number): Promise<void> {
    const held = await this.db
      .selectFrom('role_assignment')
      .select('org_path')
      .where('user_id', '=', auth.userId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!held) throw new AppError(404, 'not_found');
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('session').set({ active_org_id: orgId }).where('id', '=', auth.sessionId).execute();
      await appendAudit(trx, requestActor(request), {
        action: 'auth.switch_org',
        targetType: 'org',
        targetId: orgId,
        orgPath: held.org_path,
      });
    });
  }

  /** Moves the session past `done` to whatever is still required. */
  private async advancePending(trx: typeof this.db, auth: AuthContext, done: Pending): Promise<void> {
    const user = await trx
      .selectFrom('app_user')
      .select(['totp_enabled', 'must_change_password', 'demo'])
      .where('id', '=', auth.userId)
      .executeTakeFirstOrThrow();
    const roles = await trx.selectFrom('role_assignment').select('role').where('user_id', '=', auth.userId).execute();
    const totpPassed = done === 'totp' || auth.pending !== 'totp';
    const pending = pendingAfter(
      user,
      roles.map((r) => r.role as RoleCode),
      this.app.platform.config.adminTotpRequired,
      totpPassed,
    );
    await trx.updateTable('session').set({ pending }).where('id', '=', auth.sessionId).execute();
  }

  /** The signed-in user as the web app sees them. */
  async sessionUser(sessionId: string): Promise<SessionUser> {
    const session = await this.db
      .selectFrom('session')
      .innerJoin('app_user', 'app_user.id', 'session.user_id')
      .select([
        'session.active_org_id',
        'session.pending',
        'app_user.id',
        'app_user.username',
        'app_user.display_name',
        'app_user.totp_enabled',
      ])
      .where('session.id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const assignments = await assignmentsOf(this.db, session.id);
    const active = assignments.find((a) => a.org_id === session.active_org_id) ?? assignments[0]!;
    const trailIds = active.path.split('/').filter(Boolean).map(Number);
    const trail = await this.db
      .selectFrom('org_unit')
      .select(['id', 'name', 'level'])
      .where('id', 'in', trailIds)
      .execute();
    trail.sort((a, b) => trailIds.indexOf(a.id) - trailIds.indexOf(b.id));
    const roles = assignments.filter((a) => a.org_id === active.org_id).map((a) => a.role as RoleCode);
    return {
      id: session.id,
      username: session.username,
      displayName: session.display_name,
      assignments: assignments.map((a) => ({
        role: a.role as RoleCode,
        orgId: a.org_id,
        orgName: a.name,
        orgLevel: a.level as OrgLevel,
      })),
      activeOrg: {
        id: active.org_id,
        name: active.name,
        level: active.level as OrgLevel,
        path: active.path,
        trail: trail.map((t) => ({ id: t.id, name: t.name, level: t.level as OrgLevel })),
      },
      roles,
      permissions: [...permissionsOf(roles)],
      totpEnabled: session.totp_enabled,
      pending: session.pending as Pending,
    };
  }
}

function toColumns(counters: { failedLogins: number; lockedUntil: Date | null }) {
  return { failed_logins: counters.failedLogins, locked_until: counters.lockedUntil };
}

function lockedError(lockedUntil: Date, now: Date): AppError {
  const minutes = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000));
  return new AppError(423, 'account_locked', { minutes }, { lockedUntil: lockedUntil.toISOString() });
}
