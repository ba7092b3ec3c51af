import crypto from 'node:crypto';
import { type ChecklistContent, isWithin, type OrgLevel, pathIds } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';

export const BUREAU_LEVELS: readonly OrgLevel[] = ['province', 'city', 'county'];

export interface OrgRef {
  id: number;
  name: string;
  level: OrgLevel;
  path: string;
}

export function isBureauLevel(level: string): boolean {
  return (BUREAU_LEVELS as readonly string[]).includes(level);
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

/** The school a unit is or lies in (id and path), or null above schools. */
export function schoolOfPath(path: string): { id: number; path: string; countyId: number } | null {
  const ids = pathIds(path);
  if (ids.length < 4) return null;
  return { id: ids[3]!, path: `/${ids.slice(0, 4).join('/')}/`, countyId: ids[2]! };
}

/** A school (or a department's school) in scope; `code` when the unit is above schools. */
export async function schoolInScope(
  db: Kysely<DB>,
  auth: AuthContext,
  orgId: number,
  code: 'inspection_org_not_school' = 'inspection_org_not_school',
): Promise<OrgRef & { countyId: number }> {
  const org = await orgById(db, orgId);
  if (!org || !inScope(auth, org.path)) throw notFound();
  const school = schoolOfPath(org.path);
  if (!school) throw new AppError(400, code);
  const schoolOrg = school.id === org.id ? org : await orgById(db, school.id);
  if (!schoolOrg) throw notFound();
  return { ...schoolOrg, countyId: school.countyId };
}

// ------------------------------------------------------------------------------------------------ QR codes

export const QR_PREFIX = 'SCQ1';

/** `SCQ1.<checkpointId>.<first 16 hex of HMAC-SHA256(key, "checkpoint:<id>")>` */
export function checkpointQr(key: Buffer, checkpointId: number): string {
  const mac = crypto.createHmac('sha256', key).update(`checkpoint:${checkpointId}`).digest('hex').slice(0, 16);
  return `${QR_PREFIX}.${checkpointId}.${mac}`;
}

/** The checkpoint a scanned string names when its signature is genuine; null for anything forged or malformed. */
export function verifyQr(key: Buffer, qr: string): number | null {
  const match = /^SCQ1\.(\d{1,10})\.([0-9a-f]{16})$/.exec(qr.trim());
  if (!match) return null;
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) return null;
  const expected = Buffer.from(checkpointQr(key, id));
  const given = Buffer.from(`${QR_PREFIX}.${id}.${match[2]}`);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? id : null;
}

// ------------------------------------------------------------------------------------------------ templates

export function itemCountOf(content: ChecklistContent): number {
  return content.reduce((sum, section) => sum + section.items.length, 0);
}

/** Template rows visible to a unit: built-in, the unit's own, and those published by units above it. */
export function templateVisibleTo(
  template: { builtin: boolean; owner_org_path: string | null; published: boolean },
  unitPath: string,
): boolean {
  if (template.builtin) return true;
  if (!template.owner_org_path) return false;
  if (template.owner_org_path === unitPath) return true;
  return template.published && isWithin(unitPath, template.owner_org_path);
}

/** Whether the caller may read a template: built-in, in scope, or published above the caller's unit. */
export function callerMaySeeTemplate(
  auth: AuthContext,
  template: { builtin: boolean; owner_org_path: string | null; published: boolean },
): boolean {
  if (template.builtin) return true;
  if (inScope(auth, template.owner_org_path)) return true;
  return template.published && template.owner_org_path !== null && isWithin(auth.scopePath, template.owner_org_path);
}

export const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
