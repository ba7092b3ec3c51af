import {
  type ChecklistContent,
  type CreatePatrolRouteBody,
  type CreatePlanBody,
  type CreateTemplateBody,
  checklistContent,
  completionRate,
  type PatchPatrolRouteBody,
  type PatchPlanBody,
  type PatchTemplateBody,
  type PatrolRouteDetail,
  type PatrolRouteSummary,
  type PlanDetail,
  type PlanSchedule,
  type PlanSummary,
  planSchedule,
  type TemplateDetail,
  type TemplateKind,
  type TemplateSummary,
  type TemplateVersionDetail,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { canonicalJson } from '../../platform/crypto.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';
import { BUILTIN_TEMPLATES } from './builtin.js';
import {
  callerMaySeeTemplate,
  checkpointQr,
  isBureauLevel,
  itemCountOf,
  orgById,
  rootOf,
  schoolInScope,
  schoolOfPath,
  templateVisibleTo,
} from './common.js';
import { generateTasks } from './tasks.js';

type TemplateRow = {
  id: number;
  owner_org_id: number | null;
  owner_org_path: string | null;
  code: string;
  name: string;
  kind: string;
  description: string | null;
  builtin: boolean;
  published: boolean;
  copied_from_id: number | null;
  current_version: number;
  archived: boolean;
  updated_at: Date;
};

/** Seeds or refreshes the built-in templates; idempotent, safe on every start and on several instances. */
export async function bootstrapBuiltinTemplates(db: Kysely<DB>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(727101)`.execute(trx);
    for (const template of BUILTIN_TEMPLATES) {
      let row = await trx
        .selectFrom('inspection_template')
        .select(['id', 'current_version'])
        .where('owner_org_id', 'is', null)
        .where('code', '=', template.code)
        .executeTakeFirst();
      if (!row) {
        row = await trx
          .insertInto('inspection_template')
          .values({
            owner_org_id: null,
            owner_org_path: null,
            code: template.code,
            name: template.name,
            kind: template.kind,
            description: template.description,
            builtin: true,
            current_version: 1,
          })
          .returning(['id', 'current_version'])
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('inspection_template_version')
          .values({
            template_id: row.id,
            version: 1,
            content: JSON.stringify(template.content),
            item_count: itemCountOf(template.content),
          })
          .execute();
        continue;
      }
      // A new release that changed a built-in template adds a version; running tasks keep theirs.
      const current = await trx
        .selectFrom('inspection_template_version')
        .select('content')
        .where('template_id', '=', row.id)
        .where('version', '=', row.current_version)
        .executeTakeFirst();
      if (current && canonicalJson(current.content) === canonicalJson(template.content)) continue;
      const next = row.current_version + 1;
      await trx
        .insertInto('inspection_template_version')
        .values({
          template_id: row.id,
          version: next,
          content: JSON.stringify(template.content),
          item_count: itemCountOf(template.content),
        })
        .execute();
      await trx
        .updateTable('inspection_template')
        .set({ current_version: next, name: template.name, updated_at: new Date() })
        .where('id', '=', row.id)
        .execute();
    }
  });
}

function templateAudit(row: TemplateRow) {
  return {
    name: row.name,
    kind: row.kind,
    version: row.current_version,
    published: row.published,
    archived: row.archived,
  };
}

export class InspectionService {
  constructor(
    readonly db: Kysely<DB>,
    readonly qrKey: Buffer,
    readonly timeZone: string,
  ) {}

  // -------------------------------------------------------------------------------------------- templates

  private async templateRow(executor: Kysely<DB>, id: number): Promise<TemplateRow | undefined> {
    return executor
      .selectFrom('inspection_template')
      .select([
        'id',
        'owner_org_id',
        'owner_org_path',
        'code',
        'name',
        'kind',
        'description',
        'builtin',
        'published',
        'copied_from_id',
        'current_version',
        'archived',
        'updated_at',
      ])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async visibleTemplate(executor: Kysely<DB>, auth: AuthContext, id: number): Promise<TemplateRow> {
    const row = await this.templateRow(executor, id);
    if (!row || !callerMaySeeTemplate(auth, row)) throw notFound();
    return row;
  }

  private editable(auth: AuthContext, row: TemplateRow): boolean {
    return !row.builtin && can(auth, 'inspection.manage') && inScope(auth, row.owner_org_path);
  }

  private async summaries(auth: AuthContext, rows: TemplateRow[]): Promise<TemplateSummary[]> {
    if (rows.length === 0) return [];
    const versions = await this.db
      .selectFrom('inspection_template_version')
      .innerJoin('inspection_template', 'inspection_template.id', 'inspection_template_version.template_id')
      .select([
        'inspection_template_version.id',
        'inspection_template_version.template_id',
        'inspection_template_version.item_count',
      ])
      .whereRef('inspection_template_version.version', '=', 'inspection_template.current_version')
      .where(
        'inspection_template_version.template_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    const byTemplate = new Map(versions.map((v) => [v.template_id, v]));
    const ownerIds = [...new Set(rows.map((row) => row.owner_org_id).filter((id): id is number => id !== null))];
    const owners = ownerIds.length
      ? await this.db.selectFrom('org_unit').select(['id', 'name']).where('id', 'in', ownerIds).execute()
      : [];
    const ownerNames = new Map(owners.map((o) => [o.id, o.name]));
    return rows.map((row) => ({
      id: row.id,
      code: row.code,
      name: row.name,
      kind: row.kind as TemplateKind,
      description: row.description,
      builtin: row.builtin,
      published: row.published,
      archived: row.archived,
      ownerOrgId: row.owner_org_id,
      ownerOrgName: row.owner_org_id ? (ownerNames.get(row.owner_org_id) ?? null) : null,
      copiedFromId: row.copied_from_id,
      currentVersion: row.current_version,
      currentVersionId: byTemplate.get(row.id)?.id ?? 0,
      itemCount: byTemplate.get(row.id)?.item_count ?? 0,
      updatedAt: row.updated_at.toISOString(),
      editable: this.editable(auth, row),
    }));
  }

  async listTemplates(
    auth: AuthContext,
    query: { orgId?: number; kind?: TemplateKind; archived?: boolean },
  ): Promise<TemplateSummary[]> {
    const org = await rootOf(this.db, auth, query.orgId);
    const ancestors = org.path
      .split('/')
      .filter(Boolean)
      .map((_, index, ids) => `/${ids.slice(0, index + 1).join('/')}/`);
    let q = this.db
      .selectFrom('inspection_template')
      .select([
        'id',
        'owner_org_id',
        'owner_org_path',
        'code',
        'name',
        'kind',
        'description',
        'builtin',
        'published',
        'copied_from_id',
        'current_version',
        'archived',
        'updated_at',
      ])
      .where((eb) =>
        eb.or([
          eb('builtin', '=', true),
          eb('owner_org_id', '=', org.id),
          eb.and([eb('published', '=', true), eb('owner_org_path', 'in', ancestors)]),
        ]),
      );
    if (!query.archived) q = q.where('archived', '=', false);
    if (query.kind) q = q.where('kind', '=', query.kind);
    const rows = await q.orderBy('builtin', 'desc').orderBy('kind').orderBy('id').limit(1000).execute();
    return this.summaries(auth, rows);
  }

  async templateDetail(auth: AuthContext, id: number): Promise<TemplateDetail> {
    const row = await this.visibleTemplate(this.db, auth, id);
    const [summary] = await this.summaries(auth, [row]);
    const versions = await this.db
      .selectFrom('inspection_template_version')
      .leftJoin('app_user', 'app_user.id', 'inspection_template_version.created_by')
      .select([
        'inspection_template_version.id',
        'inspection_template_version.version',
        'inspection_template_version.item_count',
        'inspection_template_version.created_at',
        'inspection_template_version.content',
        'app_user.display_name',
      ])
      .where('template_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    const current = versions.find((v) => v.version === row.current_version);
    return {
      ...summary!,
      content: current?.content as ChecklistContent,
      versions: versions.map((v) => ({
        id: v.id,
        version: v.version,
        itemCount: v.item_count,
        createdAt: v.created_at.toISOString(),
        createdByName: v.display_name,
      })),
    };
  }

  async templateVersion(auth: AuthContext, id: number, version: number): Promise<TemplateVersionDetail> {
    const row = await this.visibleTemplate(this.db, auth, id);
    const v = await this.db
      .selectFrom('inspection_template_version')
      .leftJoin('app_user', 'app_user.id', 'inspection_template_version.created_by')
      .select([
        'inspection_template_version.id',
        'inspection_template_version.version',
        'inspection_template_version.item_count',
        'inspection_template_version.created_at',
        'inspection_template_version.content',
        'app_user.display_name',
      ])
      .where('template_id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!v) throw notFound();
    return {
      id: v.id,
      templateId: row.id,
      templateName: row.name,
      kind: row.kind as TemplateKind,
      version: v.version,
      itemCount: v.item_count,
      content: v.content as ChecklistContent,
      createdAt: v.created_at.toISOString(),
      createdByName: v.display_name,
    };
  }

  async createTemplate(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, body: CreateTemplateBody) {
    const org = await orgById(trx, body.orgId);
    if (!org || !inScope(auth, org.path)) throw notFound();
    if (org.level === 'department') throw new AppError(400, 'inspection_template_owner_invalid');
    let name: string;
    let kind: string;
    let description: string | null;
    let content: ChecklistContent;
    let copiedFrom: number | null = null;
    if ('copyOf' in body) {
      const source = await this.templateRow(trx, body.copyOf);
      // A unit copies what it may use: built-in, its own, or published above it.
      if (!source || !callerMaySeeTemplate(auth, source) || !templateVisibleTo(source, org.path)) throw notFound();
      const version = await trx
        .selectFrom('inspection_template_version')
        .select('content')
        .where('template_id', '=', source.id)
        .where('version', '=', source.current_version)
        .executeTakeFirstOrThrow();
      name = body.name ?? source.name;
      kind = source.kind;
      description = source.description;
      content = checklistContent.parse(version.content);
      copiedFrom = source.id;
    } else {
      name = body.name;
      kind = body.kind;
      description = body.description?.trim() ? body.description : null;
      content = body.content;
    }
    const id = (
      await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('inspection_template', 'id'))::int AS id`.execute(
        trx,
      )
    ).rows[0]!.id;
    const row = await trx
      .insertInto('inspection_template')
      .values({
        id,
        owner_org_id: org.id,
        owner_org_path: org.path,
        code: `T${id}`,
        name,
        kind,
        description,
        builtin: false,
        copied_from_id: copiedFrom,
        current_version: 1,
        created_by: auth.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('inspection_template_version')
      .values({
        template_id: id,
        version: 1,
        content: JSON.stringify(content),
        item_count: itemCountOf(content),
        created_by: auth.userId,
      })
      .execute();
    await appendAudit(trx, actor, {
      action: 'inspection.template_create',
      targetType: 'inspection_template',
      targetId: id,
      orgPath: org.path,
      detail: { after: templateAudit(row), copiedFrom },
    });
    return id;
  }

  private async ownTemplateForUpdate(trx: Kysely<DB>, auth: AuthContext, id: number): Promise<TemplateRow> {
    const row = await trx
      .selectFrom('inspection_template')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row || !callerMaySeeTemplate(auth, row)) throw notFound();
    if (row.builtin || !inScope(auth, row.owner_org_path)) throw new AppError(409, 'inspection_template_read_only');
    return row;
  }

  async putContent(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number, content: ChecklistContent) {
    const row = await this.ownTemplateForUpdate(trx, auth, id);
    const next = row.current_version + 1;
    await trx
      .insertInto('inspection_template_version')
      .values({
        template_id: id,
        version: next,
        content: JSON.stringify(content),
        item_count: itemCountOf(content),
        created_by: auth.userId,
      })
      .execute();
    const after = await trx
      .updateTable('inspection_template')
      .set({ current_version: next, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, {
      action: 'inspection.template_version',
      targetType: 'inspection_template',
      targetId: id,
      orgPath: row.owner_org_path,
      detail: { before: templateAudit(row), after: templateAudit(after) },
    });
  }

  async patchTemplate(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number, body: PatchTemplateBody) {
    const row = await this.ownTemplateForUpdate(trx, auth, id);
    if (body.published === true) {
      const owner = await orgById(trx, row.owner_org_id!);
      if (!owner || !isBureauLevel(owner.level)) throw new AppError(400, 'inspection_publish_not_bureau');
    }
    const after = await trx
      .updateTable('inspection_template')
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description?.trim() ? body.description : null } : {}),
        ...(body.archived !== undefined ? { archived: body.archived } : {}),
        ...(body.published !== undefined ? { published: body.published } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, {
      action: 'inspection.template_update',
      targetType: 'inspection_template',
      targetId: id,
      orgPath: row.owner_org_path,
      detail: { before: templateAudit(row), after: templateAudit(after) },
    });
  }

  // -------------------------------------------------------------------------------------------- patrol routes

  private async routeRow(executor: Kysely<DB>, auth: AuthContext, id: number) {
    const row = await executor
      .selectFrom('patrol_route')
      .innerJoin('org_unit', 'org_unit.id', 'patrol_route.school_id')
      .select([
        'patrol_route.id',
        'patrol_route.school_id',
        'patrol_route.org_path',
        'patrol_route.name',
        'patrol_route.archived',
        'patrol_route.updated_at',
        'org_unit.name as school_name',
      ])
      .where('patrol_route.id', '=', id)
      .executeTakeFirst();
    if (!row || !inScope(auth, row.org_path)) throw notFound();
    return row;
  }

  async checkpointsOf(executor: Kysely<DB>, routeIds: number[]) {
    if (routeIds.length === 0) return new Map<number, PatrolRouteDetail['checkpoints']>();
    const rows = await executor
      .selectFrom('patrol_checkpoint')
      .innerJoin('place', 'place.id', 'patrol_checkpoint.place_id')
      .select([
        'patrol_checkpoint.id',
        'patrol_checkpoint.route_id',
        'patrol_checkpoint.seq',
        'patrol_checkpoint.place_id',
        'place.name',
      ])
      .where('patrol_checkpoint.route_id', 'in', routeIds)
      .where('patrol_checkpoint.retired_at', 'is', null)
      .orderBy('patrol_checkpoint.route_id')
      .orderBy('patrol_checkpoint.seq')
      .execute();
    const map = new Map<number, PatrolRouteDetail['checkpoints']>();
    for (const row of rows) {
      const list = map.get(row.route_id) ?? [];
      list.push({
        id: row.id,
        seq: row.seq,
        placeId: row.place_id,
        placeName: row.name,
        qr: checkpointQr(this.qrKey, row.id),
      });
      map.set(row.route_id, list);
    }
    return map;
  }

  async routeDetail(auth: AuthContext, id: number): Promise<PatrolRouteDetail> {
    const row = await this.routeRow(this.db, auth, id);
    const checkpoints = (await this.checkpointsOf(this.db, [id])).get(id) ?? [];
    return {
      id: row.id,
      schoolId: row.school_id,
      schoolName: row.school_name,
      name: row.name,
      archived: row.archived,
      checkpointCount: checkpoints.length,
      updatedAt: row.updated_at.toISOString(),
      checkpoints,
    };
  }

  async listRoutes(auth: AuthContext, query: { orgId?: number; archived?: boolean }): Promise<PatrolRouteSummary[]> {
    const root = await rootOf(this.db, auth, query.orgId);
    let q = this.db
      .selectFrom('patrol_route')
      .innerJoin('org_unit', 'org_unit.id', 'patrol_route.school_id')
      .select((eb) => [
        'patrol_route.id',
        'patrol_route.school_id',
        'patrol_route.name',
        'patrol_route.archived',
        'patrol_route.updated_at',
        'org_unit.name as school_name',
        eb
          .selectFrom('patrol_checkpoint')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('patrol_checkpoint.route_id', '=', 'patrol_route.id')
          .where('patrol_checkpoint.retired_at', 'is', null)
          .as('checkpoint_count'),
      ])
      .where('patrol_route.org_path', 'like', `${root.path}%`);
    if (!query.archived) q = q.where('patrol_route.archived', '=', false);
    const rows = await q.orderBy('patrol_route.school_id').orderBy('patrol_route.id').limit(1000).execute();
    return rows.map((row) => ({
      id: row.id,
      schoolId: row.school_id,
      schoolName: row.school_name,
      name: row.name,
      archived: row.archived,
      checkpointCount: Number(row.checkpoint_count ?? 0),
      updatedAt: row.updated_at.toISOString(),
    }));
  }

  private async checkPlaces(trx: Kysely<DB>, schoolId: number, placeIds: number[]): Promise<void> {
    if (placeIds.length === 0) return;
    const rows = await trx
      .selectFrom('place')
      .select('id')
      .where('id', 'in', placeIds)
      .where('org_id', '=', schoolId)
      .execute();
    if (rows.length !== new Set(placeIds).size) throw new AppError(400, 'inspection_place_invalid');
  }

  async createRoute(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, body: CreatePatrolRouteBody) {
    const school = await schoolInScope(trx, auth, body.orgId);
    await this.checkPlaces(trx, school.id, body.placeIds);
    const route = await trx
      .insertInto('patrol_route')
      .values({ school_id: school.id, org_path: school.path, name: body.name })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('patrol_checkpoint')
      .values(body.placeIds.map((placeId, index) => ({ route_id: route.id, seq: index + 1, place_id: placeId })))
      .execute();
    await appendAudit(trx, actor, {
      action: 'inspection.route_create',
      targetType: 'patrol_route',
      targetId: route.id,
      orgPath: school.path,
      detail: { after: { name: body.name, placeIds: body.placeIds } },
    });
    return route.id;
  }

  async patchRoute(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number, body: PatchPatrolRouteBody) {
    const row = await this.routeRow(trx, auth, id);
    await trx.selectFrom('patrol_route').select('id').where('id', '=', id).forUpdate().execute();
    const before = await trx
      .selectFrom('patrol_checkpoint')
      .select(['id', 'place_id', 'seq'])
      .where('route_id', '=', id)
      .where('retired_at', 'is', null)
      .orderBy('seq')
      .execute();
    if (body.placeIds) {
      await this.checkPlaces(trx, row.school_id, body.placeIds);
      const now = new Date();
      const kept = new Map(before.map((c) => [c.place_id, c.id]));
      // Move the live checkpoints out of the way first: the (route, seq) index is checked row by row.
      await trx
        .updateTable('patrol_checkpoint')
        .set({ seq: sql`seq + 100000` })
        .where('route_id', '=', id)
        .where('retired_at', 'is', null)
        .execute();
      const retire = before.filter((c) => !body.placeIds!.includes(c.place_id)).map((c) => c.id);
      if (retire.length) {
        await trx
          .updateTable('patrol_checkpoint')
          .set({ retired_at: now, seq: sql`-id` })
          .where('id', 'in', retire)
          .execute();
      }
      for (const [index, placeId] of body.placeIds.entries()) {
        const existing = kept.get(placeId);
        if (existing !== undefined) {
          await trx
            .updateTable('patrol_checkpoint')
            .set({ seq: index + 1 })
            .where('id', '=', existing)
            .execute();
        } else {
          await trx
            .insertInto('patrol_checkpoint')
            .values({ route_id: id, seq: index + 1, place_id: placeId })
            .execute();
        }
      }
    }
    await trx
      .updateTable('patrol_route')
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.archived !== undefined ? { archived: body.archived } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await appendAudit(trx, actor, {
      action: 'inspection.route_update',
      targetType: 'patrol_route',
      targetId: id,
      orgPath: row.org_path,
      detail: {
        before: { name: row.name, archived: row.archived, placeIds: before.map((c) => c.place_id) },
        after: { name: body.name ?? row.name, archived: body.archived ?? row.archived, placeIds: body.placeIds },
      },
    });
  }

  // -------------------------------------------------------------------------------------------- plans

  private planQuery(executor: Kysely<DB>) {
    return executor
      .selectFrom('inspection_plan as p')
      .innerJoin('org_unit as s', 's.id', 'p.school_id')
      .innerJoin('inspection_template as t', 't.id', 'p.template_id')
      .leftJoin('patrol_route as r', 'r.id', 'p.route_id')
      .select([
        'p.id',
        'p.org_id',
        'p.org_path',
        'p.school_id',
        'p.name',
        'p.template_id',
        'p.route_id',
        'p.place_ids',
        'p.assignee_ids',
        'p.duty_role',
        'p.schedule',
        'p.active',
        'p.created_at',
        'p.updated_at',
        's.name as school_name',
        't.name as template_name',
        't.kind as template_kind',
        'r.name as route_name',
      ]);
  }

  private async presentPlans(rows: Awaited<ReturnType<ReturnType<InspectionService['planQuery']>['execute']>>) {
    const placeIds = [...new Set(rows.flatMap((r) => r.place_ids))];
    const userIds = [...new Set(rows.flatMap((r) => r.assignee_ids))];
    const places = placeIds.length
      ? await this.db.selectFrom('place').select(['id', 'name']).where('id', 'in', placeIds).execute()
      : [];
    const users = userIds.length
      ? await this.db.selectFrom('app_user').select(['id', 'display_name as name']).where('id', 'in', userIds).execute()
      : [];
    const placeNames = new Map(places.map((p) => [p.id, p.name]));
    const userNames = new Map(users.map((u) => [u.id, u.name]));
    return rows.map(
      (row): PlanSummary => ({
        id: row.id,
        orgId: row.org_id,
        schoolId: row.school_id,
        schoolName: row.school_name,
        name: row.name,
        templateId: row.template_id,
        templateName: row.template_name,
        templateKind: row.template_kind as TemplateKind,
        routeId: row.route_id,
        routeName: row.route_name,
        places: row.place_ids.map((id) => ({ id, name: placeNames.get(id) ?? '' })),
        assignees: row.assignee_ids.map((id) => ({ id, name: userNames.get(id) ?? '' })),
        dutyRole: row.duty_role as PlanSummary['dutyRole'],
        schedule: row.schedule as PlanSchedule,
        active: row.active,
        updatedAt: row.updated_at.toISOString(),
      }),
    );
  }

  async listPlans(
    auth: AuthContext,
    query: { orgId?: number; active?: boolean; templateId?: number; limit: number; after?: number },
  ) {
    const root = await rootOf(this.db, auth, query.orgId);
    let q = this.planQuery(this.db).where('p.org_path', 'like', `${root.path}%`);
    if (query.active !== undefined) q = q.where('p.active', '=', query.active);
    if (query.templateId) q = q.where('p.template_id', '=', query.templateId);
    if (query.after) q = q.where('p.id', '>', query.after);
    const rows = await q
      .orderBy('p.id')
      .limit(query.limit + 1)
      .execute();
    return this.presentPlans(rows);
  }

  async planDetail(auth: AuthContext, id: number): Promise<PlanDetail> {
    const row = await this.planQuery(this.db).where('p.id', '=', id).executeTakeFirst();
    if (!row || !inScope(auth, row.org_path)) throw notFound();
    const [summary] = await this.presentPlans([row]);
    const counts = await this.db
      .selectFrom('inspection_task')
      .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
      .where('plan_id', '=', id)
      .groupBy('state')
      .execute();
    const n = (state: string) => Number(counts.find((c) => c.state === state)?.n ?? 0);
    return {
      ...summary!,
      createdAt: row.created_at.toISOString(),
      counts: {
        pending: n('pending'),
        done: n('done'),
        missed: n('missed'),
        completionRate: completionRate(n('done'), n('missed')),
      },
    };
  }

  private async checkPlanRefs(
    trx: Kysely<DB>,
    school: { id: number; path: string },
    unitPath: string,
    refs: { templateId: number; routeId?: number | null; placeIds?: number[]; assigneeIds?: number[] },
  ) {
    const template = await this.templateRow(trx, refs.templateId);
    if (!template || !templateVisibleTo(template, unitPath) || template.archived) {
      throw new AppError(400, 'inspection_template_invalid');
    }
    if (refs.routeId != null) {
      const route = await trx
        .selectFrom('patrol_route')
        .select(['school_id', 'archived'])
        .where('id', '=', refs.routeId)
        .executeTakeFirst();
      if (!route || route.school_id !== school.id || route.archived)
        throw new AppError(400, 'inspection_route_invalid');
    }
    await this.checkPlaces(trx, school.id, refs.placeIds ?? []);
    const assignees = [...new Set(refs.assigneeIds ?? [])];
    if (assignees.length) {
      const rows = await trx
        .selectFrom('role_assignment')
        .innerJoin('app_user', 'app_user.id', 'role_assignment.user_id')
        .select('role_assignment.user_id')
        .distinct()
        .where('role_assignment.user_id', 'in', assignees)
        .where('role_assignment.org_path', 'like', `${school.path}%`)
        .where('app_user.disabled', '=', false)
        .execute();
      if (rows.length !== assignees.length) throw new AppError(400, 'inspection_assignee_invalid');
    }
  }

  async createPlan(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, body: CreatePlanBody, now = new Date()) {
    const unit = await orgById(trx, body.orgId);
    if (!unit || !inScope(auth, unit.path)) throw notFound();
    const school = await schoolInScope(trx, auth, body.orgId);
    await this.checkPlanRefs(trx, school, unit.path, body);
    const plan = await trx
      .insertInto('inspection_plan')
      .values({
        org_id: unit.id,
        org_path: unit.path,
        school_id: school.id,
        county_id: school.countyId,
        name: body.name,
        template_id: body.templateId,
        route_id: body.routeId ?? null,
        place_ids: body.routeId ? [] : [...new Set(body.placeIds ?? [])],
        assignee_ids: [...new Set(body.assigneeIds ?? [])],
        duty_role: body.dutyRole ?? null,
        schedule: JSON.stringify(body.schedule),
        tasks_from: now,
        created_by: auth.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await generateTasks(trx, this.timeZone, now, { planId: plan.id });
    await appendAudit(trx, actor, {
      action: 'inspection.plan_create',
      targetType: 'inspection_plan',
      targetId: plan.id,
      orgPath: unit.path,
      detail: { after: { ...body } },
    });
    return plan.id;
  }

  async patchPlan(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    body: PatchPlanBody,
    now = new Date(),
  ) {
    const before = await trx
      .selectFrom('inspection_plan')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before || !inScope(auth, before.org_path)) throw notFound();
    const merged = {
      templateId: body.templateId ?? before.template_id,
      routeId: body.routeId !== undefined ? body.routeId : before.route_id,
      placeIds: body.placeIds ?? before.place_ids,
      assigneeIds: body.assigneeIds ?? before.assignee_ids,
      dutyRole: body.dutyRole !== undefined ? body.dutyRole : before.duty_role,
    };
    if (merged.routeId && body.placeIds?.length) throw new AppError(400, 'inspection_route_or_places');
    if (merged.assigneeIds.length === 0 && !merged.dutyRole) throw new AppError(400, 'inspection_assignee_required');
    const school = schoolOfPath(before.org_path)!;
    await this.checkPlanRefs(trx, school, before.org_path, merged);
    const schedule = body.schedule ?? planSchedule.parse(before.schedule);
    // Changing what or when: pending tasks not yet open are replaced; running and finished ones stay.
    const reshaped =
      body.schedule !== undefined ||
      body.templateId !== undefined ||
      body.routeId !== undefined ||
      body.placeIds !== undefined ||
      body.assigneeIds !== undefined ||
      body.dutyRole !== undefined ||
      body.active !== undefined;
    const after = await trx
      .updateTable('inspection_plan')
      .set({
        name: body.name ?? before.name,
        template_id: merged.templateId,
        route_id: merged.routeId ?? null,
        place_ids: merged.routeId ? [] : [...new Set(merged.placeIds)],
        assignee_ids: [...new Set(merged.assigneeIds)],
        duty_role: merged.dutyRole ?? null,
        schedule: JSON.stringify(schedule),
        active: body.active ?? before.active,
        ...(reshaped ? { tasks_from: now } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (reshaped) {
      await trx
        .deleteFrom('inspection_task')
        .where('plan_id', '=', id)
        .where('state', '=', 'pending')
        .where('record_id', 'is', null)
        .where('window_start', '>', now)
        .execute();
      if (after.active) await generateTasks(trx, this.timeZone, now, { planId: id });
    }
    await appendAudit(trx, actor, {
      action: 'inspection.plan_update',
      targetType: 'inspection_plan',
      targetId: id,
      orgPath: before.org_path,
      detail: {
        before: { name: before.name, schedule: before.schedule, active: before.active },
        after: { name: after.name, schedule: after.schedule, active: after.active },
      },
    });
  }
}
