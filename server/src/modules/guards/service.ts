import {
  GUARD_MIN_AGE,
  type GuardItem,
  type GuardList,
  type GuardProfileBody,
  guardAge,
  isOverAge,
  maskLicence,
  type OrgLevel,
  schoolIdOfPath,
} from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import type { FieldCipher } from '../../platform/crypto.js';
import { formatDate } from '../../platform/dates.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';
import { escapeLike } from '../orgs/queries.js';

interface OrgRef {
  id: number;
  path: string;
  level: OrgLevel;
  name: string;
}

interface GuardRow {
  user_id: number;
  display_name: string;
  username: string;
  org_name: string;
  org_path: string;
  licensed: boolean | null;
  licence_no_encrypted: string | null;
  birth_year: number | null;
  updated_at: Date | null;
}

/**
 * Guards (保安员) of a school: users holding the `guard` role at the school or one of its departments, with the
 * guard profile the seed 003 form needs (licence, year of birth). Read with user.read, written with user.manage,
 * both inside the caller's scope; a guard outside it is 404.
 */
export class GuardService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly cipher: FieldCipher,
    private readonly settings: { guardMaxAge: number; timeZone: string },
  ) {}

  private thisYear(now = new Date()): number {
    return Number(formatDate(now, this.settings.timeZone).slice(0, 4));
  }

  /** The school an org id stands for (a department stands for its school); 404 out of scope, 400 for a bureau. */
  async school(auth: AuthContext, orgId: number): Promise<OrgRef> {
    const org = (await this.db
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst()) as OrgRef | undefined;
    if (!org || !inScope(auth, org.path)) throw notFound();
    if (org.level === 'school') return org;
    if (org.level !== 'department') throw new AppError(400, 'guard_org_not_school');
    const schoolId = schoolIdOfPath(org.path);
    const school = (await this.db
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'name'])
      .where('id', '=', schoolId ?? 0)
      .executeTakeFirst()) as OrgRef | undefined;
    if (!school || !inScope(auth, school.path)) throw notFound();
    return school;
  }

  private rows(executor: Kysely<DB>, where: { schoolPath?: string; userId?: number }) {
    let query = executor
      .selectFrom('role_assignment as ra')
      .innerJoin('app_user as u', 'u.id', 'ra.user_id')
      .innerJoin('org_unit as o', 'o.id', 'ra.org_id')
      .leftJoin('guard_profile as g', 'g.user_id', 'ra.user_id')
      .select([
        'ra.user_id',
        'u.display_name',
        'u.username',
        'o.name as org_name',
        'ra.org_path',
        'g.licensed',
        'g.licence_no_encrypted',
        'g.birth_year',
        'g.updated_at',
      ])
      .where('ra.role', '=', 'guard');
    if (where.schoolPath !== undefined)
      query = query.where('ra.org_path', 'like', `${escapeLike(where.schoolPath)}%`).where('u.disabled', '=', false);
    if (where.userId !== undefined) query = query.where('ra.user_id', '=', where.userId);
    return query.orderBy('u.display_name').orderBy('ra.user_id').orderBy('ra.org_path').limit(2000).execute();
  }

  present(row: GuardRow, year: number): GuardItem {
    return {
      userId: row.user_id,
      name: row.display_name,
      username: row.username,
      orgName: row.org_name,
      profiled: row.licensed !== null,
      licensed: row.licensed === true,
      licenceNo: row.licence_no_encrypted ? maskLicence(this.cipher.decrypt(row.licence_no_encrypted)) : null,
      birthYear: row.birth_year,
      age: row.birth_year === null ? null : guardAge(row.birth_year, year),
      overAge: isOverAge(row.birth_year, year, this.settings.guardMaxAge),
      updatedAt: row.updated_at ? row.updated_at.toISOString() : null,
    };
  }

  async list(auth: AuthContext, orgId: number): Promise<GuardList> {
    const school = await this.school(auth, orgId);
    const year = this.thisYear();
    const seen = new Set<number>();
    const items: GuardItem[] = [];
    for (const row of await this.rows(this.db, { schoolPath: school.path })) {
      if (seen.has(row.user_id)) continue; // a guard at the school and one of its departments is listed once
      seen.add(row.user_id);
      items.push(this.present(row, year));
    }
    return {
      items,
      maxAge: this.settings.guardMaxAge,
      year,
      totals: {
        guards: items.length,
        licensed: items.filter((item) => item.licensed).length,
        overAge: items.filter((item) => item.overAge).length,
        unprofiled: items.filter((item) => !item.profiled).length,
      },
    };
  }

  /** Sets a guard's profile; the guard must hold the guard role somewhere inside the caller's scope. */
  async update(auth: AuthContext, actor: AuditActor, userId: number, body: GuardProfileBody): Promise<GuardItem> {
    const year = this.thisYear();
    if (body.birthYear !== null && body.birthYear > year - GUARD_MIN_AGE)
      throw new AppError(400, 'guard_birth_year_invalid', { min: GUARD_MIN_AGE });
    if (!body.licensed && body.licenceNo) throw new AppError(400, 'guard_licence_without_licensed');
    return this.db.transaction().execute(async (trx) => {
      const before = (await this.rows(trx, { userId })).find((row) => inScope(auth, row.org_path));
      if (!before) throw notFound();
      // Unlicensed clears the number; omitted keeps it; null removes it.
      const licence =
        !body.licensed || body.licenceNo === null
          ? null
          : body.licenceNo === undefined
            ? before.licence_no_encrypted
            : this.cipher.encrypt(body.licenceNo);
      await trx
        .insertInto('guard_profile')
        .values({
          user_id: userId,
          licensed: body.licensed,
          licence_no_encrypted: licence,
          birth_year: body.birthYear,
          updated_by: auth.userId,
          updated_at: new Date(),
        })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({
            licensed: body.licensed,
            licence_no_encrypted: licence,
            birth_year: body.birthYear,
            updated_by: auth.userId,
            updated_at: new Date(),
          }),
        )
        .execute();
      const after = (await this.rows(trx, { userId })).find((row) => row.org_path === before.org_path)!;
      const summary = (row: GuardRow) => ({
        licensed: row.licensed,
        licenceNo: row.licence_no_encrypted ? maskLicence(this.cipher.decrypt(row.licence_no_encrypted)) : null,
        birthYear: row.birth_year,
      });
      await appendAudit(trx, actor, {
        action: 'guard.update',
        targetType: 'user',
        targetId: userId,
        orgPath: before.org_path,
        detail: { before: summary(before), after: summary(after) },
      });
      return this.present(after, year);
    });
  }
}
