import {
  canAssignRoleAt,
  isAdministratorRole,
  maskPhone,
  type OrgLevel,
  passwordProblems,
  ROLE_CODES,
  ROLES,
  type RoleCode,
  type RoleInfo,
} from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { AppUserRow, DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import type { FieldCipher } from '../../platform/crypto.js';
import { AppError, notFound } from '../../platform/errors.js';
import { hashPassword } from '../../platform/passwords.js';
import { inScope } from '../../platform/scope.js';
import { userSummary } from './presenter.js';
import { type AssignmentRow, UserQueries } from './queries.js';

export interface UserView {
  row: AppUserRow;
  /** The user's assignments the caller can see. */
  assignments: AssignmentRow[];
  /** Every assignment, for checks that concern the whole account. */
  allAssignments: AssignmentRow[];
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  phone?: string | null;
  password: string;
  roles: { role: RoleCode; orgId: number }[];
}

export interface UpdateUserInput {
  displayName?: string;
  phone?: string | null;
  disabled?: boolean;
}

/** The role catalogue, with whether the caller may grant each role (三员分立). */
export function roleCatalogue(auth: AuthContext): RoleInfo[] {
  return ROLE_CODES.map((code) => ({
    code,
    levels: [...ROLES[code].levels],
    administrator: ROLES[code].administrator,
    assignable: can(auth, 'role.assign') && (!ROLES[code].administrator || can(auth, 'role.assign_admin')),
  }));
}

/**
 * Users and their role assignments. 三员分立: the system administrator creates users and grants
 * business roles; only the security administrator (role.assign_admin) grants or revokes the
 * three administrator roles; nobody changes their own roles or disabled flag.
 */
export class UserService {
  readonly queries: UserQueries;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly cipher: FieldCipher,
  ) {
    this.queries = new UserQueries(db);
  }

  /** A user the caller can see: at least one assignment inside the caller's scope; 404 otherwise. */
  async get(auth: AuthContext, id: number, executor: Kysely<DB> = this.db, afterRevoke = false): Promise<UserView> {
    const row = await this.queries.byId(id, executor);
    if (!row) throw notFound();
    const allAssignments = await this.queries.assignmentsOf([id], executor);
    const assignments = allAssignments.filter((assignment) => inScope(auth, assignment.org_path));
    // After revoking the last assignment the caller could see, the answer still shows the user once.
    if (assignments.length === 0 && !afterRevoke) throw notFound();
    return { row, assignments, allAssignments };
  }

  /** Visible users with their visible assignments, in list order. */
  async withAssignments(
    auth: AuthContext,
    rows: AppUserRow[],
  ): Promise<{ row: AppUserRow; assignments: AssignmentRow[] }[]> {
    const assignments: AssignmentRow[] = [];
    // Chunked: an export can hold tens of thousands of users, more than one statement's parameters.
    for (let start = 0; start < rows.length; start += 5000) {
      assignments.push(...(await this.queries.assignmentsOf(rows.slice(start, start + 5000).map((row) => row.id))));
    }
    return rows.map((row) => ({
      row,
      assignments: assignments.filter(
        (assignment) => assignment.user_id === row.id && inScope(auth, assignment.org_path),
      ),
    }));
  }

  /** Account-wide changes need every one of the user's units inside the caller's scope. */
  /**
   * Account-wide changes need the whole account in scope, and an administrator's account is
   * changed only by whoever may grant administrator roles: otherwise a system administrator could
   * reset the audit administrator's password and sign in as them (三员分立).
   */
  private assertWholeAccount(auth: AuthContext, view: UserView): void {
    if (view.allAssignments.length !== view.assignments.length) throw new AppError(403, 'forbidden');
    const administrator = view.allAssignments.some((assignment) => isAdministratorRole(assignment.role as RoleCode));
    if (administrator && auth.userId !== view.row.id && !can(auth, 'role.assign_admin'))
      throw new AppError(403, 'role_admin_forbidden');
  }

  private assertNotSelf(auth: AuthContext, userId: number): void {
    if (auth.userId === userId) throw new AppError(403, 'self_modification');
  }

  /** Checks that the caller may grant `role` at `orgId`; returns the unit. */
  private async grantable(executor: Kysely<DB>, auth: AuthContext, role: RoleCode, orgId: number) {
    const org = await executor
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    if (!org || !inScope(auth, org.path)) throw notFound();
    if (isAdministratorRole(role) && !can(auth, 'role.assign_admin')) throw new AppError(403, 'role_admin_forbidden');
    if (!canAssignRoleAt(role, org.level as OrgLevel))
      throw new AppError(400, 'role_level_invalid', { role, level: org.level });
    return org;
  }

  async create(auth: AuthContext, actor: AuditActor, input: CreateUserInput): Promise<UserView> {
    if (passwordProblems(input.password, input.username).length > 0) throw new AppError(400, 'password_too_weak');
    const roles = [...new Map(input.roles.map((entry) => [`${entry.role}@${entry.orgId}`, entry])).values()];
    // Checks before the (deliberately slow) hash, so bad requests fail fast.
    for (const entry of roles) await this.grantable(this.db, auth, entry.role, entry.orgId);
    const passwordHash = await hashPassword(input.password);
    const id = await this.db.transaction().execute(async (trx) => {
      if (await this.queries.byUsername(trx, input.username))
        throw new AppError(409, 'username_taken', { username: input.username });
      const orgs: { path: string }[] = [];
      for (const entry of roles) orgs.push(await this.grantable(trx, auth, entry.role, entry.orgId));
      const user = await trx
        .insertInto('app_user')
        .values({
          username: input.username,
          display_name: input.displayName,
          phone_encrypted: this.cipher.encryptNullable(input.phone ?? null),
          password_hash: passwordHash,
          must_change_password: true,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('role_assignment')
        .values(
          roles.map((entry, index) => ({
            user_id: user.id,
            role: entry.role,
            org_id: entry.orgId,
            org_path: orgs[index]!.path,
          })),
        )
        .execute();
      await appendAudit(trx, actor, {
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        orgPath: orgs[0]!.path,
        detail: {
          after: {
            username: input.username,
            displayName: input.displayName,
            phone: maskPhone(input.phone ?? null),
            mustChangePassword: true,
            roles: roles.map((entry) => ({ role: entry.role, orgId: entry.orgId })),
          },
        },
      });
      return user.id;
    });
    return this.get(auth, id);
  }

  async update(auth: AuthContext, actor: AuditActor, id: number, changes: UpdateUserInput): Promise<UserView> {
    await this.db.transaction().execute(async (trx) => {
      const view = await this.get(auth, id, trx);
      this.assertWholeAccount(auth, view);
      if (changes.disabled !== undefined && changes.disabled !== view.row.disabled) this.assertNotSelf(auth, id);
      const after = await trx
        .updateTable('app_user')
        .set({
          ...(changes.displayName !== undefined ? { display_name: changes.displayName } : {}),
          ...(changes.phone !== undefined ? { phone_encrypted: this.cipher.encryptNullable(changes.phone) } : {}),
          ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      // A disabled account loses its sessions at once.
      if (changes.disabled === true) await this.queries.revokeSessions(trx, id);
      await appendAudit(trx, actor, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        orgPath: view.assignments[0]!.org_path,
        detail: { before: userSummary(view.row, this.cipher), after: userSummary(after, this.cipher) },
      });
    });
    return this.get(auth, id);
  }

  /**
   * `administrators`: the security administrator's route for accounts holding an administrator role,
   * which the system administrator may not reset (三员分立).
   */
  async resetPassword(
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    password: string,
    administrators = false,
  ): Promise<UserView> {
    const target = await this.get(auth, id);
    this.assertNotSelf(auth, id);
    this.assertWholeAccount(auth, target);
    if (
      administrators &&
      !target.allAssignments.some((assignment) => isAdministratorRole(assignment.role as RoleCode))
    ) {
      throw new AppError(409, 'not_administrator');
    }
    if (passwordProblems(password, target.row.username).length > 0) throw new AppError(400, 'password_too_weak');
    const passwordHash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      const view = await this.get(auth, id, trx);
      await trx
        .updateTable('app_user')
        .set({ password_hash: passwordHash, must_change_password: true, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await this.queries.revokeSessions(trx, id);
      await appendAudit(trx, actor, {
        action: 'user.reset_password',
        targetType: 'user',
        targetId: id,
        orgPath: view.assignments[0]!.org_path,
        detail: {
          before: { mustChangePassword: view.row.must_change_password },
          after: { mustChangePassword: true, sessionsRevoked: true },
        },
      });
    });
    return this.get(auth, id);
  }

  async unlock(auth: AuthContext, actor: AuditActor, id: number): Promise<UserView> {
    await this.db.transaction().execute(async (trx) => {
      const view = await this.get(auth, id, trx);
      await trx
        .updateTable('app_user')
        .set({ failed_logins: 0, locked_until: null, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await appendAudit(trx, actor, {
        action: 'user.unlock',
        targetType: 'user',
        targetId: id,
        orgPath: view.assignments[0]!.org_path,
        detail: {
          before: { failedLogins: view.row.failed_logins, lockedUntil: view.row.locked_until?.toISOString() ?? null },
          after: { failedLogins: 0, lockedUntil: null },
        },
      });
    });
    return this.get(auth, id);
  }

  async grantRole(auth: AuthContext, actor: AuditActor, id: number, role: RoleCode, orgId: number): Promise<UserView> {
    await this.db.transaction().execute(async (trx) => {
      await this.get(auth, id, trx);
      this.assertNotSelf(auth, id);
      const org = await this.grantable(trx, auth, role, orgId);
      const existing = await trx
        .selectFrom('role_assignment')
        .select('id')
        .where('user_id', '=', id)
        .where('role', '=', role)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      if (existing) throw new AppError(409, 'role_duplicate');
      const inserted = await trx
        .insertInto('role_assignment')
        .values({ user_id: id, role, org_id: orgId, org_path: org.path })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(trx, actor, {
        action: 'role.grant',
        targetType: 'user',
        targetId: id,
        orgPath: org.path,
        detail: { after: { assignmentId: inserted.id, role, orgId, orgName: org.name } },
      });
    });
    return this.get(auth, id);
  }

  async revokeRole(auth: AuthContext, actor: AuditActor, id: number, assignmentId: number): Promise<UserView> {
    await this.db.transaction().execute(async (trx) => {
      const view = await this.get(auth, id, trx);
      const assignment = view.assignments.find((entry) => entry.id === assignmentId);
      if (!assignment) throw notFound();
      this.assertNotSelf(auth, id);
      if (isAdministratorRole(assignment.role as RoleCode) && !can(auth, 'role.assign_admin')) {
        throw new AppError(403, 'role_admin_forbidden');
      }
      if (view.allAssignments.length <= 1) throw new AppError(409, 'last_assignment');
      await trx.deleteFrom('role_assignment').where('id', '=', assignmentId).execute();
      await appendAudit(trx, actor, {
        action: 'role.revoke',
        targetType: 'user',
        targetId: id,
        orgPath: assignment.org_path,
        detail: {
          before: { assignmentId, role: assignment.role, orgId: assignment.org_id, orgName: assignment.org_name },
        },
      });
    });
    return this.get(auth, id, this.db, true);
  }
}
