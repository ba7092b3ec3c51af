import { type OrgLevel, type PlaceKind, schoolIdOfPath } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB, PlaceRow } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';
import { placeSummary } from './presenter.js';
import { PlaceQueries } from './queries.js';

export interface PlaceInput {
  parentId?: number | null;
  kind: PlaceKind;
  code: string;
  name: string;
  keyPart?: boolean;
  description?: string | null;
  floorPlanFileId?: string | null;
  planX?: number | null;
  planY?: number | null;
}

export type PlaceChanges = Partial<PlaceInput>;

export interface OrgRef {
  id: number;
  path: string;
  level: OrgLevel;
  code: string;
  name: string;
}

/**
 * Places belong to a school. Anyone working inside the school (departments included) reads all of
 * the school's places; bureaus read the places of the schools in their subtree.
 */
export function canReadPlacesOf(auth: AuthContext, schoolPath: string): boolean {
  return inScope(auth, schoolPath) || auth.scopePath.startsWith(schoolPath);
}

export class PlaceService {
  readonly queries: PlaceQueries;

  constructor(private readonly db: Kysely<DB>) {
    this.queries = new PlaceQueries(db);
  }

  private async org(executor: Kysely<DB>, id: number): Promise<OrgRef | undefined> {
    return (await executor
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'code', 'name'])
      .where('id', '=', id)
      .executeTakeFirst()) as OrgRef | undefined;
  }

  /** The school an org id stands for: itself, or the school a department belongs to. */
  private async schoolOf(executor: Kysely<DB>, org: OrgRef): Promise<OrgRef | null> {
    if (org.level === 'school') return org;
    if (org.level !== 'department') return null;
    const schoolId = schoolIdOfPath(org.path);
    return schoolId === null ? null : ((await this.org(executor, schoolId)) ?? null);
  }

  /**
   * What a list or export under `orgId` covers: a school's places (given the school or one of its
   * departments), or every school's places under a bureau. 404 when the caller cannot see it.
   */
  async listRoot(auth: AuthContext, orgId: number): Promise<{ path: string; org: OrgRef; school: OrgRef | null }> {
    const org = await this.org(this.db, orgId);
    if (!org) throw notFound();
    const school = await this.schoolOf(this.db, org);
    if (school) {
      if (!canReadPlacesOf(auth, school.path) && !inScope(auth, org.path)) throw notFound();
      return { path: school.path, org, school };
    }
    if (!inScope(auth, org.path)) throw notFound();
    return { path: org.path, org, school: null };
  }

  /** The school that will own places written under `orgId`; the caller must manage it. */
  async schoolForWrite(auth: AuthContext, orgId: number, executor: Kysely<DB> = this.db): Promise<OrgRef> {
    const org = await this.org(executor, orgId);
    if (!org || !inScope(auth, org.path)) throw notFound();
    const school = await this.schoolOf(executor, org);
    if (!school) throw new AppError(400, 'place_org_not_school');
    if (!inScope(auth, school.path)) throw notFound();
    return school;
  }

  async get(auth: AuthContext, id: number): Promise<PlaceRow> {
    const place = await this.queries.byId(id);
    if (!place || !canReadPlacesOf(auth, place.org_path)) throw notFound();
    return place;
  }

  /** A place the caller may change (its school inside the caller's scope). */
  private async forWrite(executor: Kysely<DB>, auth: AuthContext, id: number): Promise<PlaceRow> {
    const place = await this.queries.byId(id, executor);
    if (!place || !inScope(auth, place.org_path)) throw notFound();
    return place;
  }

  async create(auth: AuthContext, actor: AuditActor, orgId: number, input: PlaceInput): Promise<PlaceRow> {
    const id = await this.db.transaction().execute(async (trx) => {
      const school = await this.schoolForWrite(auth, orgId, trx);
      return this.insert(trx, auth, actor, school, input);
    });
    return (await this.queries.byId(id))!;
  }

  /** Creates one place inside `executor` (a transaction), with its audit row. */
  async insert(
    executor: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    school: OrgRef,
    input: PlaceInput,
  ): Promise<number> {
    await this.checkParent(executor, school, input.parentId ?? null, null);
    if (await this.queries.byCode(executor, school.id, input.code))
      throw new AppError(409, 'code_taken', { code: input.code });
    const plan = normalisePlan(input.floorPlanFileId ?? null, input.planX ?? null, input.planY ?? null);
    const attach = plan.fileId ? await this.checkFloorPlan(executor, auth, plan.fileId, school) : false;
    const row = await executor
      .insertInto('place')
      .values({
        org_id: school.id,
        org_path: school.path,
        parent_id: input.parentId ?? null,
        kind: input.kind,
        code: input.code,
        name: input.name,
        key_part: input.kind === 'key_part' || (input.keyPart ?? false),
        description: input.description ?? null,
        floor_plan_file_id: plan.fileId,
        plan_x: plan.x,
        plan_y: plan.y,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (attach && plan.fileId) await attachFloorPlan(executor, plan.fileId, row.id, school.path);
    await appendAudit(executor, actor, {
      action: 'place.create',
      targetType: 'place',
      targetId: row.id,
      orgPath: school.path,
      detail: { after: placeSummary(row) },
    });
    return row.id;
  }

  async update(auth: AuthContext, actor: AuditActor, id: number, changes: PlaceChanges): Promise<PlaceRow> {
    await this.db.transaction().execute(async (trx) => {
      const before = await this.forWrite(trx, auth, id);
      const school = (await this.org(trx, before.org_id))!;
      if (changes.parentId !== undefined) await this.checkParent(trx, school, changes.parentId, id);
      if (changes.code !== undefined && changes.code !== before.code) {
        if (await this.queries.byCode(trx, school.id, changes.code))
          throw new AppError(409, 'code_taken', { code: changes.code });
      }
      const plan = normalisePlan(
        changes.floorPlanFileId !== undefined ? changes.floorPlanFileId : before.floor_plan_file_id,
        changes.planX !== undefined ? changes.planX : toNumber(before.plan_x),
        changes.planY !== undefined ? changes.planY : toNumber(before.plan_y),
      );
      const attach =
        plan.fileId && plan.fileId !== before.floor_plan_file_id
          ? await this.checkFloorPlan(trx, auth, plan.fileId, school)
          : false;
      const kind = changes.kind ?? (before.kind as PlaceKind);
      const keyPart = kind === 'key_part' || (changes.keyPart ?? before.key_part);
      const after = await trx
        .updateTable('place')
        .set({
          ...(changes.parentId !== undefined ? { parent_id: changes.parentId } : {}),
          ...(changes.code !== undefined ? { code: changes.code } : {}),
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.description !== undefined ? { description: changes.description } : {}),
          kind,
          key_part: keyPart,
          floor_plan_file_id: plan.fileId,
          plan_x: plan.x,
          plan_y: plan.y,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (attach && plan.fileId) await attachFloorPlan(trx, plan.fileId, id, school.path);
      await appendAudit(trx, actor, {
        action: 'place.update',
        targetType: 'place',
        targetId: id,
        orgPath: before.org_path,
        detail: { before: placeSummary(before), after: placeSummary(after) },
      });
    });
    return (await this.queries.byId(id))!;
  }

  async remove(auth: AuthContext, actor: AuditActor, id: number): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const place = await this.forWrite(trx, auth, id);
        if (await this.queries.hasChildren(trx, id)) throw new AppError(409, 'place_has_children');
        await trx.deleteFrom('place').where('id', '=', id).execute();
        // A floor plan shared with other places of the school moves to one of them, so it stays readable.
        if (place.floor_plan_file_id) {
          const heir = await trx
            .selectFrom('place')
            .select('id')
            .where('floor_plan_file_id', '=', place.floor_plan_file_id)
            .where('org_id', '=', place.org_id)
            .orderBy('id')
            .limit(1)
            .executeTakeFirst();
          if (heir) {
            await trx
              .updateTable('stored_file')
              .set({ owner_id: heir.id })
              .where('id', '=', place.floor_plan_file_id)
              .where('owner_type', '=', 'place')
              .where('owner_id', '=', id)
              .execute();
          }
        }
        await appendAudit(trx, actor, {
          action: 'place.delete',
          targetType: 'place',
          targetId: id,
          orgPath: place.org_path,
          detail: { before: placeSummary(place) },
        });
      });
    } catch (error) {
      // Rows of other modules (hazards, devices…) that point at the place.
      if ((error as { code?: string }).code === '23503') throw new AppError(409, 'place_in_use');
      throw error;
    }
  }

  /** The parent must be a place of the same school and, on update, not the place itself or below it. */
  private async checkParent(
    executor: Kysely<DB>,
    school: OrgRef,
    parentId: number | null,
    selfId: number | null,
  ): Promise<void> {
    if (parentId === null) return;
    const parent = await this.queries.byId(parentId, executor);
    if (!parent || parent.org_id !== school.id) throw new AppError(400, 'place_parent_invalid');
    if (selfId !== null && (await this.queries.ancestorIds(executor, parentId)).includes(selfId)) {
      throw new AppError(400, 'place_parent_cycle');
    }
  }

  /**
   * A floor plan is an image the caller uploaded and has not used yet (it gets attached to the
   * place), or one already attached to a place of the same school (rooms share their floor's plan).
   * Returns whether the file must be attached.
   */
  private async checkFloorPlan(
    executor: Kysely<DB>,
    auth: AuthContext,
    fileId: string,
    school: OrgRef,
  ): Promise<boolean> {
    const file = await executor
      .selectFrom('stored_file')
      .select(['id', 'mime', 'owner_type', 'owner_id', 'uploaded_by', 'org_path'])
      .where('id', '=', fileId)
      .executeTakeFirst();
    if (!file?.mime.startsWith('image/')) throw new AppError(400, 'floor_plan_invalid');
    if (file.owner_type === null) {
      if (file.uploaded_by !== auth.userId || !inScope(auth, file.org_path))
        throw new AppError(400, 'floor_plan_invalid');
      return true;
    }
    if (file.owner_type === 'place' && file.owner_id !== null) {
      const owner = await executor
        .selectFrom('place')
        .select('org_id')
        .where('id', '=', file.owner_id)
        .executeTakeFirst();
      if (owner?.org_id === school.id) return false;
    }
    throw new AppError(400, 'floor_plan_invalid');
  }
}

async function attachFloorPlan(executor: Kysely<DB>, fileId: string, placeId: number, orgPath: string): Promise<void> {
  await executor
    .updateTable('stored_file')
    .set({ owner_type: 'place', owner_id: placeId, org_path: orgPath })
    .where('id', '=', fileId)
    .where('owner_type', 'is', null)
    .execute();
}

function toNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** Coordinates come in pairs and only on a floor plan. */
function normalisePlan(fileId: string | null, x: number | null, y: number | null) {
  if ((x === null) !== (y === null)) throw new AppError(400, 'place_plan_invalid');
  if (x !== null && fileId === null) throw new AppError(400, 'place_plan_invalid');
  return { fileId, x, y };
}

/** Floor-plan files are readable by whoever can read the place they belong to. */
export async function canReadPlaceFile(db: Kysely<DB>, auth: AuthContext, placeId: number): Promise<boolean> {
  if (!can(auth, 'place.read')) return false;
  const place = await db.selectFrom('place').select('org_path').where('id', '=', placeId).executeTakeFirst();
  return place !== undefined && canReadPlacesOf(auth, place.org_path);
}
