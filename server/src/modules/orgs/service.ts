import { canBeChildOf, childPath, ORG_LEVELS, type OrgLevel, type SchoolType } from '@safe-campus/domain';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { actorOf, appendAudit } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { AppError, notFound } from '../../platform/errors.js';
import { assertInScope } from '../../platform/scope.js';
import { OrgQueries, type OrgWithCount } from './queries.js';

export interface OrgInput {
  parentId: number | null;
  level: OrgLevel;
  code: string;
  name: string;
  schoolType?: SchoolType | null;
  address?: string | null;
}

/** Level rules shared by the API and the Excel import. Returns the problem, or null. */
export function orgInputProblem(
  input: { level: OrgLevel; schoolType?: SchoolType | null },
  parentLevel: OrgLevel | null,
): {
  code: 'org_level_invalid' | 'school_type_required' | 'school_type_not_allowed';
  params?: Record<string, string>;
} | null {
  if (!canBeChildOf(input.level, parentLevel)) {
    return { code: 'org_level_invalid', params: { child: input.level, parent: parentLevel ?? '—' } };
  }
  if (input.level === 'school' && !input.schoolType) return { code: 'school_type_required' };
  if (input.level !== 'school' && input.schoolType) return { code: 'school_type_not_allowed' };
  return null;
}

export class OrgService {
  readonly queries: OrgQueries;

  constructor(private readonly db: Kysely<DB>) {
    this.queries = new OrgQueries(db);
  }

  async get(auth: AuthContext, id: number): Promise<OrgWithCount> {
    const org = await this.queries.byId(id);
    if (!org) throw notFound();
    assertInScope(auth, org.path);
    return org;
  }

  async children(auth: AuthContext, id: number): Promise<OrgWithCount[]> {
    await this.get(auth, id);
    return this.queries.children(id);
  }

  async subtree(auth: AuthContext, id: number, maxLevel: OrgLevel = 'department'): Promise<OrgWithCount[]> {
    const root = await this.get(auth, id);
    const levels = ORG_LEVELS.slice(0, ORG_LEVELS.indexOf(maxLevel) + 1);
    return this.queries.subtree(root.path, levels);
  }

  /** Creates one unit inside `executor` (a transaction); the import uses it row by row. */
  async insert(executor: Kysely<DB>, auth: AuthContext, request: FastifyRequest, input: OrgInput): Promise<number> {
    if (input.parentId === null) throw new AppError(400, 'org_level_invalid', { child: input.level, parent: '—' });
    const parent = await executor
      .selectFrom('org_unit')
      .select(['id', 'path', 'level'])
      .where('id', '=', input.parentId)
      .executeTakeFirst();
    if (!parent) throw notFound();
    assertInScope(auth, parent.path);
    const problem = orgInputProblem(input, parent.level as OrgLevel);
    if (problem) throw new AppError(400, problem.code, problem.params ?? {});
    if (await executor.selectFrom('org_unit').select('id').where('code', '=', input.code).executeTakeFirst()) {
      throw new AppError(409, 'code_taken', { code: input.code });
    }
    const id = await this.queries.nextId(executor);
    const path = childPath(parent.path, id);
    await executor
      .insertInto('org_unit')
      .values({
        id,
        parent_id: parent.id,
        level: input.level,
        code: input.code,
        name: input.name,
        school_type: input.schoolType ?? null,
        address: input.address ?? null,
        path,
      })
      .execute();
    await appendAudit(executor, actorOf(request), {
      action: 'org.create',
      targetType: 'org',
      targetId: id,
      orgPath: path,
      detail: { after: { ...input } },
    });
    return id;
  }

  async create(auth: AuthContext, request: FastifyRequest, input: OrgInput): Promise<OrgWithCount> {
    const id = await this.db.transaction().execute((trx) => this.insert(trx, auth, request, input));
    return (await this.queries.byId(id))!;
  }

  async update(
    auth: AuthContext,
    request: FastifyRequest,
    id: number,
    changes: { code?: string; name?: string; schoolType?: SchoolType | null; address?: string | null },
  ): Promise<OrgWithCount> {
    const before = await this.get(auth, id);
    const problem = orgInputProblem(
      {
        level: before.level as OrgLevel,
        schoolType: changes.schoolType === undefined ? (before.school_type as SchoolType | null) : changes.schoolType,
      },
      before.level === 'province' ? null : (ORG_LEVELS[ORG_LEVELS.indexOf(before.level as OrgLevel) - 1] ?? null),
    );
    if (problem && problem.code !== 'org_level_invalid') throw new AppError(400, problem.code, problem.params ?? {});
    await this.db.transaction().execute(async (trx) => {
      if (changes.code && changes.code !== before.code) {
        const taken = await trx.selectFrom('org_unit').select('id').where('code', '=', changes.code).executeTakeFirst();
        if (taken) throw new AppError(409, 'code_taken', { code: changes.code });
      }
      await trx
        .updateTable('org_unit')
        .set({
          ...(changes.code !== undefined ? { code: changes.code } : {}),
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.schoolType !== undefined ? { school_type: changes.schoolType } : {}),
          ...(changes.address !== undefined ? { address: changes.address } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
      await appendAudit(trx, actorOf(request), {
        action: 'org.update',
        targetType: 'org',
        targetId: id,
        orgPath: before.path,
        detail: {
          before: { code: before.code, name: before.name, schoolType: before.school_type, address: before.address },
          after: changes,
        },
      });
    });
    return (await this.queries.byId(id))!;
  }

  async remove(auth: AuthContext, request: FastifyRequest, id: number): Promise<void> {
    const org = await this.get(auth, id);
    if (org.path === auth.scopePath || org.parent_id === null) throw new AppError(403, 'forbidden');
    await this.db.transaction().execute(async (trx) => {
      if (await this.queries.hasDependants(trx, id)) throw new AppError(409, 'org_has_children');
      await trx.deleteFrom('org_unit').where('id', '=', id).execute();
      await appendAudit(trx, actorOf(request), {
        action: 'org.delete',
        targetType: 'org',
        targetId: id,
        orgPath: org.path,
        detail: { before: { code: org.code, name: org.name, level: org.level } },
      });
    });
  }
}
