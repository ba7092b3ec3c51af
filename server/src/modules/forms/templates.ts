import {
  BUILTIN_FORM_TEMPLATES,
  type CreateFormTemplateBody,
  type FormContent,
  type FormTemplateDetail,
  type FormTemplateSummary,
  type FormTemplateVersionDetail,
  fieldCount,
  formContent,
  type PatchFormTemplateBody,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { canonicalJson } from '../../platform/crypto.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';
import { ancestorPaths, BUREAU_LEVELS, callerMaySeeTemplate, orgById, rootOf, validContent } from './common.js';

const TEMPLATE_COLUMNS = [
  'id',
  'owner_org_id',
  'owner_org_path',
  'code',
  'name',
  'description',
  'builtin',
  'copied_from_id',
  'current_version',
  'archived',
  'updated_at',
] as const;

type TemplateRow = {
  id: number;
  owner_org_id: number | null;
  owner_org_path: string | null;
  code: string;
  name: string;
  description: string | null;
  builtin: boolean;
  copied_from_id: number | null;
  current_version: number;
  archived: boolean;
  updated_at: Date;
};

function templateAudit(row: TemplateRow) {
  return { name: row.name, version: row.current_version, archived: row.archived };
}

/** Installs the built-in templates; a release that changed one adds a version (collections keep theirs). */
export async function bootstrapBuiltinFormTemplates(db: Kysely<DB>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(727109)`.execute(trx);
    for (const template of BUILTIN_FORM_TEMPLATES) {
      const content = formContent.parse(template.content);
      const row = await trx
        .selectFrom('form_template')
        .select(['id', 'current_version'])
        .where('owner_org_id', 'is', null)
        .where('code', '=', template.code)
        .executeTakeFirst();
      if (!row) {
        const inserted = await trx
          .insertInto('form_template')
          .values({
            owner_org_id: null,
            owner_org_path: null,
            code: template.code,
            name: template.name,
            description: template.description,
            builtin: true,
            current_version: 1,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('form_template_version')
          .values({
            template_id: inserted.id,
            version: 1,
            content: JSON.stringify(content),
            field_count: fieldCount(content),
          })
          .execute();
        continue;
      }
      const current = await trx
        .selectFrom('form_template_version')
        .select('content')
        .where('template_id', '=', row.id)
        .where('version', '=', row.current_version)
        .executeTakeFirst();
      if (current && canonicalJson(current.content) === canonicalJson(content)) continue;
      const next = row.current_version + 1;
      await trx
        .insertInto('form_template_version')
        .values({
          template_id: row.id,
          version: next,
          content: JSON.stringify(content),
          field_count: fieldCount(content),
        })
        .execute();
      await trx
        .updateTable('form_template')
        .set({ current_version: next, name: template.name, description: template.description, updated_at: new Date() })
        .where('id', '=', row.id)
        .execute();
    }
  });
}

export class FormTemplates {
  constructor(readonly db: Kysely<DB>) {}

  private row(executor: Kysely<DB>, id: number): Promise<TemplateRow | undefined> {
    return executor.selectFrom('form_template').select(TEMPLATE_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async visible(executor: Kysely<DB>, auth: AuthContext, id: number): Promise<TemplateRow> {
    const row = await this.row(executor, id);
    if (!row || !callerMaySeeTemplate(auth, row)) throw notFound();
    return row;
  }

  private editable(auth: AuthContext, row: TemplateRow): boolean {
    return !row.builtin && can(auth, 'report.issue') && inScope(auth, row.owner_org_path);
  }

  private async summaries(auth: AuthContext, rows: TemplateRow[]): Promise<FormTemplateSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const versions = await this.db
      .selectFrom('form_template_version')
      .innerJoin('form_template', 'form_template.id', 'form_template_version.template_id')
      .select([
        'form_template_version.id',
        'form_template_version.template_id',
        'form_template_version.field_count',
        sql<boolean>`coalesce((form_template_version.content->>'cosign')::boolean, false)`.as('cosign'),
      ])
      .whereRef('form_template_version.version', '=', 'form_template.current_version')
      .where('form_template_version.template_id', 'in', ids)
      .execute();
    const byTemplate = new Map(versions.map((version) => [version.template_id, version]));
    const counts = await this.db
      .selectFrom('form_collection')
      .select(['template_id', sql<number>`count(*)::int`.as('count')])
      .where('template_id', 'in', ids)
      .groupBy('template_id')
      .execute();
    const countOf = new Map(counts.map((count) => [count.template_id, count.count]));
    const ownerIds = [...new Set(rows.map((row) => row.owner_org_id).filter((id): id is number => id !== null))];
    const owners = ownerIds.length
      ? await this.db.selectFrom('org_unit').select(['id', 'name']).where('id', 'in', ownerIds).execute()
      : [];
    const ownerNames = new Map(owners.map((owner) => [owner.id, owner.name]));
    return rows.map((row) => ({
      id: row.id,
      code: row.code,
      name: row.name,
      description: row.description,
      builtin: row.builtin,
      archived: row.archived,
      ownerOrgId: row.owner_org_id,
      ownerOrgName: row.owner_org_id ? (ownerNames.get(row.owner_org_id) ?? null) : null,
      copiedFromId: row.copied_from_id,
      currentVersion: row.current_version,
      currentVersionId: byTemplate.get(row.id)?.id ?? 0,
      fieldCount: byTemplate.get(row.id)?.field_count ?? 0,
      cosign: byTemplate.get(row.id)?.cosign ?? false,
      collectionCount: countOf.get(row.id) ?? 0,
      updatedAt: row.updated_at.toISOString(),
      editable: this.editable(auth, row),
    }));
  }

  /** Built-in templates, the unit's own, those of the units above it and of the bureaus below it. */
  async list(auth: AuthContext, query: { orgId?: number; archived?: boolean }): Promise<FormTemplateSummary[]> {
    const org = await rootOf(this.db, auth, query.orgId);
    let q = this.db
      .selectFrom('form_template')
      .select(TEMPLATE_COLUMNS)
      .where((eb) =>
        eb.or([
          eb('builtin', '=', true),
          eb('owner_org_path', 'in', ancestorPaths(org.path)),
          eb('owner_org_path', 'like', `${org.path}%`),
        ]),
      );
    if (!query.archived) q = q.where('archived', '=', false);
    const rows = await q.orderBy('builtin', 'desc').orderBy('id').limit(1000).execute();
    return this.summaries(auth, rows);
  }

  async detail(auth: AuthContext, id: number): Promise<FormTemplateDetail> {
    const row = await this.visible(this.db, auth, id);
    const [summary] = await this.summaries(auth, [row]);
    const versions = await this.db
      .selectFrom('form_template_version')
      .leftJoin('app_user', 'app_user.id', 'form_template_version.created_by')
      .select([
        'form_template_version.id',
        'form_template_version.version',
        'form_template_version.field_count',
        'form_template_version.created_at',
        'form_template_version.content',
        'app_user.display_name',
      ])
      .where('template_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    const current = versions.find((version) => version.version === row.current_version);
    return {
      ...summary!,
      content: formContent.parse(current?.content),
      versions: versions.map((version) => ({
        id: version.id,
        version: version.version,
        fieldCount: version.field_count,
        createdAt: version.created_at.toISOString(),
        createdByName: version.display_name,
      })),
    };
  }

  async version(auth: AuthContext, id: number, version: number): Promise<FormTemplateVersionDetail> {
    const row = await this.visible(this.db, auth, id);
    const found = await this.db
      .selectFrom('form_template_version')
      .leftJoin('app_user', 'app_user.id', 'form_template_version.created_by')
      .select([
        'form_template_version.id',
        'form_template_version.version',
        'form_template_version.field_count',
        'form_template_version.created_at',
        'form_template_version.content',
        'app_user.display_name',
      ])
      .where('template_id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!found) throw notFound();
    return {
      id: found.id,
      templateId: row.id,
      templateName: row.name,
      version: found.version,
      fieldCount: found.field_count,
      content: formContent.parse(found.content),
      createdAt: found.created_at.toISOString(),
      createdByName: found.display_name,
    };
  }

  async create(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, body: CreateFormTemplateBody): Promise<number> {
    const org = await orgById(trx, body.orgId);
    if (!org || !inScope(auth, org.path)) throw notFound();
    if (!BUREAU_LEVELS.includes(org.level)) throw new AppError(400, 'form_owner_not_bureau');
    let name: string;
    let description: string | null;
    let content: FormContent;
    let copiedFrom: number | null = null;
    if ('copyOf' in body) {
      const source = await this.visible(trx, auth, body.copyOf);
      const version = await trx
        .selectFrom('form_template_version')
        .select('content')
        .where('template_id', '=', source.id)
        .where('version', '=', source.current_version)
        .executeTakeFirstOrThrow();
      name = body.name ?? source.name;
      description = source.description;
      content = formContent.parse(version.content);
      copiedFrom = source.id;
    } else {
      name = body.name;
      description = body.description?.trim() ? body.description : null;
      content = validContent(body.content);
    }
    const id = (
      await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('form_template', 'id'))::int AS id`.execute(trx)
    ).rows[0]!.id;
    const row = await trx
      .insertInto('form_template')
      .values({
        id,
        owner_org_id: org.id,
        owner_org_path: org.path,
        code: `F${id}`,
        name,
        description,
        builtin: false,
        copied_from_id: copiedFrom,
        current_version: 1,
        created_by: auth.userId,
      })
      .returning(TEMPLATE_COLUMNS)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('form_template_version')
      .values({
        template_id: id,
        version: 1,
        content: JSON.stringify(content),
        field_count: fieldCount(content),
        created_by: auth.userId,
      })
      .execute();
    await appendAudit(trx, actor, {
      action: 'form.template_create',
      targetType: 'form_template',
      targetId: id,
      orgPath: org.path,
      detail: { after: templateAudit(row), copiedFrom },
    });
    return id;
  }

  private async ownForUpdate(trx: Kysely<DB>, auth: AuthContext, id: number): Promise<TemplateRow> {
    const row = await trx
      .selectFrom('form_template')
      .select(TEMPLATE_COLUMNS)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (row?.builtin) throw new AppError(409, 'form_template_read_only');
    // Templates of the units above are usable but not editable here: like any write outside the subtree, 404.
    if (!row || !inScope(auth, row.owner_org_path)) throw notFound();
    return row;
  }

  /** Saves the next version; collections issued with an earlier one keep it. */
  async putContent(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    body: FormContent,
  ): Promise<void> {
    const content = validContent(body);
    const row = await this.ownForUpdate(trx, auth, id);
    const next = row.current_version + 1;
    await trx
      .insertInto('form_template_version')
      .values({
        template_id: id,
        version: next,
        content: JSON.stringify(content),
        field_count: fieldCount(content),
        created_by: auth.userId,
      })
      .execute();
    const after = await trx
      .updateTable('form_template')
      .set({ current_version: next, updated_at: new Date() })
      .where('id', '=', id)
      .returning(TEMPLATE_COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, {
      action: 'form.template_version',
      targetType: 'form_template',
      targetId: id,
      orgPath: row.owner_org_path,
      detail: { before: templateAudit(row), after: templateAudit(after) },
    });
  }

  async patch(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number, body: PatchFormTemplateBody) {
    const row = await this.ownForUpdate(trx, auth, id);
    const after = await trx
      .updateTable('form_template')
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description?.trim() ? body.description : null } : {}),
        ...(body.archived !== undefined ? { archived: body.archived } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returning(TEMPLATE_COLUMNS)
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, {
      action: 'form.template_update',
      targetType: 'form_template',
      targetId: id,
      orgPath: row.owner_org_path,
      detail: { before: templateAudit(row), after: templateAudit(after) },
    });
  }
}
