import {
  checkTemplate,
  type FormContent,
  type FormFieldError,
  formContent,
  isWithin,
  type OrgLevel,
  ROLE_PERMISSIONS,
  type RoleCode,
} from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';

export const BUREAU_LEVELS: readonly OrgLevel[] = ['province', 'city', 'county'];
export const HANDED_IN = ['submitted', 'signed', 'cosigned', 'accepted'] as const;
export const EDITABLE = ['draft', 'returned'] as const;

export interface OrgRef {
  id: number;
  name: string;
  level: OrgLevel;
  path: string;
}

export async function orgById(db: Kysely<DB>, id: number): Promise<OrgRef | undefined> {
  const row = await db
    .selectFrom('org_unit')
    .select(['id', 'name', 'level', 'path'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { ...row, level: row.level as OrgLevel } : undefined;
}

/** `orgId` or the caller's active org, inside the caller's scope; 404 otherwise. */
export async function rootOf(db: Kysely<DB>, auth: AuthContext, orgId: number | undefined): Promise<OrgRef> {
  const org = await orgById(db, orgId ?? auth.activeOrg.id);
  if (!org || !inScope(auth, org.path)) throw notFound();
  return org;
}

/** `/1/`, `/1/12/`, … `/1/12/305/` for `/1/12/305/`. */
export function ancestorPaths(path: string): string[] {
  const ids = path.split('/').filter(Boolean);
  return ids.map((_, index) => `/${ids.slice(0, index + 1).join('/')}/`);
}

/**
 * A template is usable by a bureau when it is built in, its own, or owned by a bureau above it; the caller sees
 * those plus the templates of the units below it.
 */
export function callerMaySeeTemplate(
  auth: AuthContext,
  template: { builtin: boolean; owner_org_path: string | null },
): boolean {
  if (template.builtin) return true;
  if (!template.owner_org_path) return false;
  return inScope(auth, template.owner_org_path) || isWithin(auth.scopePath, template.owner_org_path);
}

/** A collection is visible to the bureaus at or above its issuer and to every unit in the issuer's subtree. */
export function callerMaySeeCollection(auth: AuthContext, issuerPath: string): boolean {
  return inScope(auth, issuerPath) || isWithin(auth.scopePath, issuerPath);
}

/** The issuing bureau or one above it (may review, close). */
export function callerIsIssuerOrAbove(auth: AuthContext, issuerPath: string): boolean {
  return inScope(auth, issuerPath) && BUREAU_LEVELS.includes(auth.activeOrg.level);
}

/** Parses stored content (defaults filled) and checks it; a template with problems is a 400. */
export function validContent(content: unknown): FormContent {
  const parsed = formContent.parse(content);
  const problems = checkTemplate(parsed);
  if (problems.length > 0) {
    throw new AppError(
      400,
      'form_template_invalid',
      { first: problems[0]!.message },
      { errors: problems.map((problem) => ({ path: problem.path, code: problem.code, message: problem.message })) },
    );
  }
  return parsed;
}

/** 400 form_invalid with every field error (Chinese messages) — nothing is written. */
export function formInvalid(errors: FormFieldError[]): AppError {
  return new AppError(
    400,
    'form_invalid',
    { first: errors[0]?.message ?? '' },
    { errors: errors.slice(0, 100).map((error) => ({ path: error.field, code: error.code, message: error.message })) },
  );
}

/** Roles holding a permission (e.g. who fills in a school's forms). */
export function rolesWith(permission: 'report.fill' | 'report.sign' | 'report.cosign' | 'report.review'): RoleCode[] {
  return (Object.keys(ROLE_PERMISSIONS) as RoleCode[]).filter((role) => ROLE_PERMISSIONS[role].includes(permission));
}

export const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
