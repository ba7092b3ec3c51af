import {
  addRoleBody,
  createUserBody,
  exportUsersQuery,
  idParam,
  idParams,
  listUsersQuery,
  pageOf,
  type RoleCode,
  resetPasswordBody,
  roleInfo,
  updateUserBody,
  user,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ORG_LEVEL_LABELS, ROLE_LABELS } from '../../i18n/labels.js';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { authOf } from '../../platform/context.js';
import { notFound } from '../../platform/errors.js';
import { buildLedger, dateStamp, sendXlsx } from '../../platform/excel.js';
import { decodeCursor, toPage } from '../../platform/pagination.js';
import { inScope } from '../../platform/scope.js';
import { maskedPhone, presentUser } from './presenter.js';
import { roleCatalogue, UserService, type UserView } from './service.js';

const tags = ['users'];
const EXPORT_MAX_ROWS = 50_000;
const assignmentParams = z.strictObject({ id: idParam, assignmentId: idParam });

export async function usersModule(app: FastifyInstance): Promise<void> {
  const { db, cipher, config } = app.platform;
  const service = new UserService(db, cipher);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const present = (view: UserView) => presentUser(view.row, view.assignments, cipher);

  /** The path a list is limited to: the caller's scope, or a unit inside it. */
  async function listPath(auth: AuthContext, orgId: number | undefined): Promise<string | undefined> {
    if (orgId === undefined) return undefined;
    const org = await db.selectFrom('org_unit').select('path').where('id', '=', orgId).executeTakeFirst();
    if (!org || !inScope(auth, org.path)) throw notFound();
    return org.path;
  }

  routes.get(
    '/roles',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '角色目录（三员分立标记、可分配层级）',
        response: { 200: z.object({ items: z.array(roleInfo) }) },
      },
    },
    async (request) => ({ items: roleCatalogue(authOf(request)) }),
  );

  routes.get(
    '/users',
    {
      config: { access: 'user.read' },
      schema: {
        tags,
        summary: '查询用户（在本人范围内有角色的用户）',
        querystring: listUsersQuery,
        response: { 200: pageOf(user) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const query = request.query;
      const [afterId] = query.cursor ? (decodeCursor(query.cursor, ['number']) as [number]) : [undefined];
      const rows = await service.queries.search({
        scopePath: auth.scopePath,
        orgPath: await listPath(auth, query.orgId),
        role: query.role,
        keyword: query.keyword?.trim(),
        afterId,
        limit: query.limit + 1,
      });
      const page = toPage(
        rows,
        query.limit,
        (row) => row,
        (row) => [row.id],
      );
      const views = await service.withAssignments(auth, page.items);
      return {
        items: views.map((view) => presentUser(view.row, view.assignments, cipher)),
        nextCursor: page.nextCursor,
      };
    },
  );

  routes.get(
    '/users/export.xlsx',
    {
      config: { access: 'user.read' },
      schema: { tags, summary: '导出用户台账（Excel，手机号脱敏）', querystring: exportUsersQuery },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const query = request.query;
      const rows = await service.queries.search({
        scopePath: auth.scopePath,
        orgPath: await listPath(auth, query.orgId),
        role: query.role,
        keyword: query.keyword?.trim(),
        limit: EXPORT_MAX_ROWS,
      });
      const views = await service.withAssignments(auth, rows);
      const zone = config.businessTimeZone;
      const time = (value: Date | null) =>
        value ? value.toLocaleString('zh-CN', { timeZone: zone, hour12: false }) : '';
      const now = new Date();
      const buffer = await buildLedger({
        sheetName: '用户台账',
        title: `${auth.activeOrg.name}用户台账`,
        columns: [
          { header: '用户名', width: 18 },
          { header: '姓名', width: 14 },
          { header: '手机号', width: 16 },
          { header: '角色（单位）', width: 48 },
          { header: '状态', width: 10 },
          { header: '最近登录', width: 20 },
          { header: '创建时间', width: 20 },
        ],
        rows: views.map(({ row, assignments }) => [
          row.username,
          row.display_name,
          maskedPhone(cipher, row.phone_encrypted),
          assignments
            .map(
              (a) =>
                `${ROLE_LABELS[a.role as RoleCode] ?? a.role}（${a.org_name}，${ORG_LEVEL_LABELS[a.org_level as keyof typeof ORG_LEVEL_LABELS] ?? a.org_level}）`,
            )
            .join('；'),
          row.disabled ? '停用' : row.locked_until && row.locked_until > now ? '锁定' : '正常',
          time(row.last_login_at),
          time(row.created_at),
        ]),
      });
      await auditStandalone(db, actorOf(request), {
        action: 'user.export',
        targetType: 'user',
        orgPath: auth.scopePath,
        detail: { rows: views.length, filter: query },
      });
      return sendXlsx(reply, buffer, `用户台账-${dateStamp(zone)}.xlsx`);
    },
  );

  routes.get(
    '/users/:id',
    {
      config: { access: 'user.read' },
      schema: { tags, summary: '用户详情', params: idParams, response: { 200: user } },
    },
    async (request) => present(await service.get(authOf(request), request.params.id)),
  );

  routes.post(
    '/users',
    {
      config: { access: 'user.manage' },
      schema: { tags, summary: '新建用户（首次登录须改密码）', body: createUserBody, response: { 200: user } },
    },
    async (request) => present(await service.create(authOf(request), actorOf(request), request.body)),
  );

  routes.patch(
    '/users/:id',
    {
      config: { access: 'user.manage' },
      schema: {
        tags,
        summary: '修改用户（姓名、手机号、停用）',
        params: idParams,
        body: updateUserBody,
        response: { 200: user },
      },
    },
    async (request) =>
      present(await service.update(authOf(request), actorOf(request), request.params.id, request.body)),
  );

  routes.post(
    '/users/:id/reset-password',
    {
      config: { access: 'user.manage' },
      schema: {
        tags,
        summary: '重置密码（须在下次登录时修改，已登录会话失效）',
        params: idParams,
        body: resetPasswordBody,
        response: { 200: user },
      },
    },
    async (request) =>
      present(await service.resetPassword(authOf(request), actorOf(request), request.params.id, request.body.password)),
  );

  routes.post(
    '/users/:id/admin-reset-password',
    {
      config: { access: 'role.assign_admin' },
      schema: {
        tags,
        summary: '重置管理员账号密码（安全管理员；须在下次登录时修改）',
        params: idParams,
        body: resetPasswordBody,
        response: { 200: user },
      },
    },
    async (request) =>
      present(
        await service.resetPassword(authOf(request), actorOf(request), request.params.id, request.body.password, true),
      ),
  );

  routes.post(
    '/users/:id/unlock',
    {
      config: { access: 'account.unlock' },
      schema: { tags, summary: '解除登录锁定', params: idParams, response: { 200: user } },
    },
    async (request) => present(await service.unlock(authOf(request), actorOf(request), request.params.id)),
  );

  routes.post(
    '/users/:id/roles',
    {
      config: { access: 'role.assign' },
      schema: {
        tags,
        summary: '授予角色（管理员角色仅安全管理员可授予）',
        params: idParams,
        body: addRoleBody,
        response: { 200: user },
      },
    },
    async (request) =>
      present(
        await service.grantRole(
          authOf(request),
          actorOf(request),
          request.params.id,
          request.body.role,
          request.body.orgId,
        ),
      ),
  );

  routes.delete(
    '/users/:id/roles/:assignmentId',
    {
      config: { access: 'role.assign' },
      schema: { tags, summary: '撤销角色（至少保留一个）', params: assignmentParams, response: { 200: user } },
    },
    async (request) =>
      present(
        await service.revokeRole(authOf(request), actorOf(request), request.params.id, request.params.assignmentId),
      ),
  );
}
