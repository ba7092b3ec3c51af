import crypto from 'node:crypto';
import {
  type CreateDeviceBody,
  type DetectorZone,
  type DeviceKind,
  isOnlineKind,
  type OrgLevel,
  pathIds,
  schoolIdOfPath,
  type UpdateDeviceBody,
} from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB, DeviceRow } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';
import type { DeviceListRow } from './presenter.js';
import { deviceSummary } from './presenter.js';
import { DeviceQueries } from './queries.js';

export interface OrgRef {
  id: number;
  path: string;
  level: OrgLevel;
  code: string;
  name: string;
}

// Crockford base32 without I, L, O, U: codes are read aloud and typed into device configuration screens.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `DV` + 8 random characters: unique across the deployment (the unique index catches the rare collision). */
export function newDeviceCode(): string {
  const bytes = crypto.randomBytes(8);
  let code = 'DV';
  for (const byte of bytes) code += CODE_ALPHABET[byte % 32];
  return code;
}

/** A new secret device token: shown once; the database keeps its SHA-256 and its last 4 characters. */
export function newDeviceToken(): { token: string; hash: string; hint: string } {
  const token = `sct_${randomToken(24)}`;
  return { token, hash: sha256(token), hint: token.slice(-4) };
}

/** Fields that only some kinds carry; the rest must be left empty. */
export interface DeviceFields {
  kind: DeviceKind;
  zone: DetectorZone | null;
  retentionDays: number | null;
}

export function checkKindFields(fields: DeviceFields): void {
  if (fields.kind === 'intrusion_detector' && fields.zone === null)
    throw new AppError(400, 'device_field_invalid', { field: 'zone' });
  if (fields.kind !== 'intrusion_detector' && fields.zone !== null)
    throw new AppError(400, 'device_field_invalid', { field: 'zone' });
  if (fields.kind !== 'camera' && fields.retentionDays !== null)
    throw new AppError(400, 'device_field_invalid', { field: 'retentionDays' });
}

/**
 * The device registry. A device belongs to its school; the school's security office manages it;
 * bureaus read the devices of the schools in their subtree. Outside scope: 404.
 */
export class DeviceService {
  readonly queries: DeviceQueries;

  constructor(private readonly db: Kysely<DB>) {
    this.queries = new DeviceQueries(db);
  }

  async org(executor: Kysely<DB>, id: number): Promise<OrgRef | undefined> {
    return (await executor
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'code', 'name'])
      .where('id', '=', id)
      .executeTakeFirst()) as OrgRef | undefined;
  }

  /** What a list, export or health view under `orgId` covers; 404 when the caller cannot see it. */
  async readRoot(auth: AuthContext, orgId: number): Promise<OrgRef> {
    const org = await this.org(this.db, orgId);
    if (!org || !inScope(auth, org.path)) throw notFound();
    return org;
  }

  /** The school named by `orgId` (or the school of a department), read-visible to the caller. */
  async schoolForRead(auth: AuthContext, orgId: number): Promise<OrgRef> {
    const org = await this.readRoot(auth, orgId);
    const school = await this.schoolOf(this.db, org);
    if (!school) throw new AppError(400, 'device_org_not_school');
    return school;
  }

  private async schoolOf(executor: Kysely<DB>, org: OrgRef): Promise<OrgRef | null> {
    if (org.level === 'school') return org;
    if (org.level !== 'department') return null;
    const schoolId = schoolIdOfPath(org.path);
    return schoolId === null ? null : ((await this.org(executor, schoolId)) ?? null);
  }

  /** The school that owns devices written under `orgId`; the caller must have it in scope. */
  async schoolForWrite(auth: AuthContext, orgId: number, executor: Kysely<DB> = this.db): Promise<OrgRef> {
    const org = await this.org(executor, orgId);
    if (!org || !inScope(auth, org.path)) throw notFound();
    const school = await this.schoolOf(executor, org);
    if (!school) throw new AppError(400, 'device_org_not_school');
    if (!inScope(auth, school.path)) throw notFound();
    return school;
  }

  async get(auth: AuthContext, id: number): Promise<DeviceListRow> {
    const device = await this.queries.byId(id);
    if (!device || !inScope(auth, device.org_path)) throw notFound();
    return device;
  }

  private async forWrite(executor: Kysely<DB>, auth: AuthContext, id: number): Promise<DeviceRow> {
    const device = await executor.selectFrom('device').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!device || !inScope(auth, device.org_path)) throw notFound();
    return device;
  }

  /** A place must belong to the device's school. */
  async checkPlace(executor: Kysely<DB>, schoolId: number, placeId: number | null): Promise<void> {
    if (placeId === null) return;
    const place = await executor.selectFrom('place').select('org_id').where('id', '=', placeId).executeTakeFirst();
    if (place?.org_id !== schoolId) throw new AppError(400, 'device_place_invalid');
  }

  async create(
    auth: AuthContext,
    actor: AuditActor,
    input: CreateDeviceBody,
  ): Promise<{ device: DeviceListRow; token: string | null }> {
    const { id, token } = await this.db.transaction().execute(async (trx) => {
      const school = await this.schoolForWrite(auth, input.orgId, trx);
      return this.insert(trx, actor, school, input);
    });
    return { device: (await this.queries.byId(id))!, token };
  }

  /** Inserts one device with its audit row inside `executor` (a transaction). */
  async insert(
    executor: Kysely<DB>,
    actor: AuditActor,
    school: OrgRef,
    input: Omit<CreateDeviceBody, 'orgId'>,
  ): Promise<{ id: number; code: string; token: string | null }> {
    const zone = input.zone ?? null;
    const retentionDays = input.retentionDays ?? null;
    checkKindFields({ kind: input.kind, zone, retentionDays });
    await this.checkPlace(executor, school.id, input.placeId ?? null);
    const secret = isOnlineKind(input.kind) ? newDeviceToken() : null;
    const [provinceId, cityId, countyId] = pathIds(school.path) as [number, number, number];
    const row = await executor
      .insertInto('device')
      .values({
        code: newDeviceCode(),
        org_path: school.path,
        province_id: provinceId,
        city_id: cityId,
        county_id: countyId,
        school_id: school.id,
        place_id: input.placeId ?? null,
        kind: input.kind,
        name: input.name,
        zone,
        vendor: input.vendor ?? null,
        model: input.model ?? null,
        retention_days: retentionDays,
        token_hash: secret?.hash ?? null,
        token_hint: secret?.hint ?? null,
        last_inspected_on: input.lastInspectedOn ?? null,
        installed_on: input.installedOn ?? null,
        disabled: input.disabled ?? false,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(executor, actor, {
      action: 'device.create',
      targetType: 'device',
      targetId: row.id,
      orgPath: school.path,
      detail: { after: deviceSummary(row) },
    });
    return { id: row.id, code: row.code, token: secret?.token ?? null };
  }

  async update(auth: AuthContext, actor: AuditActor, id: number, changes: UpdateDeviceBody): Promise<DeviceListRow> {
    await this.db.transaction().execute(async (trx) => {
      const before = await this.forWrite(trx, auth, id);
      const kind = before.kind as DeviceKind;
      const zone = changes.zone !== undefined ? changes.zone : (before.zone as DetectorZone | null);
      const retentionDays = changes.retentionDays !== undefined ? changes.retentionDays : before.retention_days;
      checkKindFields({ kind, zone, retentionDays });
      if (changes.placeId !== undefined) await this.checkPlace(trx, before.school_id, changes.placeId);
      const after = await trx
        .updateTable('device')
        .set({
          ...(changes.placeId !== undefined ? { place_id: changes.placeId } : {}),
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.vendor !== undefined ? { vendor: changes.vendor } : {}),
          ...(changes.model !== undefined ? { model: changes.model } : {}),
          ...(changes.lastInspectedOn !== undefined ? { last_inspected_on: changes.lastInspectedOn } : {}),
          ...(changes.installedOn !== undefined ? { installed_on: changes.installedOn } : {}),
          ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
          zone,
          retention_days: retentionDays,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, actor, {
        action: 'device.update',
        targetType: 'device',
        targetId: id,
        orgPath: before.org_path,
        detail: { before: deviceSummary(before), after: deviceSummary(after) },
      });
    });
    return (await this.queries.byId(id))!;
  }

  /** A new token replaces the old one at once; the old one stops working (other instances within 30 s). */
  async rotateToken(
    auth: AuthContext,
    actor: AuditActor,
    id: number,
  ): Promise<{ device: DeviceListRow; token: string }> {
    const token = await this.db.transaction().execute(async (trx) => {
      const before = await this.forWrite(trx, auth, id);
      if (!isOnlineKind(before.kind as DeviceKind)) throw new AppError(400, 'device_passive');
      const secret = newDeviceToken();
      await trx
        .updateTable('device')
        .set({ token_hash: secret.hash, token_hint: secret.hint, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await appendAudit(trx, actor, {
        action: 'device.rotate_token',
        targetType: 'device',
        targetId: id,
        orgPath: before.org_path,
        detail: { code: before.code, hint: secret.hint },
      });
      return secret.token;
    });
    return { device: (await this.queries.byId(id))!, token };
  }

  async remove(auth: AuthContext, actor: AuditActor, id: number): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const before = await this.forWrite(trx, auth, id);
        await trx.deleteFrom('device').where('id', '=', id).execute();
        await appendAudit(trx, actor, {
          action: 'device.delete',
          targetType: 'device',
          targetId: id,
          orgPath: before.org_path,
          detail: { before: deviceSummary(before) },
        });
      });
    } catch (error) {
      // Alarms keep pointing at the device that raised them: disable it instead.
      if ((error as { code?: string }).code === '23503') throw new AppError(409, 'device_in_use');
      throw error;
    }
  }
}
