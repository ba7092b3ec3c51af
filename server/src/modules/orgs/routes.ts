import {
  createOrgBody,
  idParams,
  listOrgsQuery,
  orgUnit,
  pageOf,
  subtreeQuery,
  updateOrgBody,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf } from '../../platform/context.js';
import { decodeCursor, toPage } from '../../platform/pagination.js';
import { orgImportRoutes } from './import-routes.js';
import { presentOrg } from './presenter.js';
import { OrgService } from './service.js';

const tags = ['orgs'];

export async function orgsModule(app: FastifyInstance): Promise<void> {
  const service = new OrgService(app.platform.db);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  await orgImportRoutes(app);

  routes.get(
    '/orgs',
    {
      config: { access: 'org.read' },
      schema: {
        tags,
        summary: '查询单位（在本人范围内）',
        querystring: listOrgsQuery,
        response: { 200: pageOf(orgUnit) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const query = request.query;
      const root = query.rootId ? await service.get(auth, query.rootId) : null;
      const [afterPath] = query.cursor ? (decodeCursor(query.cursor, ['string']) as [string]) : [undefined];
      const rows = await service.queries.search({
        scopePath: root?.path ?? auth.scopePath,
        level: query.level,
        schoolType: query.schoolType,
        keyword: query.keyword,
        afterPath,
        limit: query.limit + 1,
      });
      return toPage(rows, query.limit, presentOrg, (row) => [row.path]);
    },
  );

  routes.get(
    '/orgs/:id',
    {
      config: { access: 'org.read' },
      schema: { tags, summary: '单位详情', params: idParams, response: { 200: orgUnit } },
    },
    async (request) => presentOrg(await service.get(authOf(request), request.params.id)),
  );

  routes.get(
    '/orgs/:id/children',
    {
      config: { access: 'org.read' },
      schema: { tags, summary: '下级单位', params: idParams, response: { 200: z.object({ items: z.array(orgUnit) }) } },
    },
    async (request) => ({ items: (await service.children(authOf(request), request.params.id)).map(presentOrg) }),
  );

  routes.get(
    '/orgs/:id/subtree',
    {
      config: { access: 'org.read' },
      schema: {
        tags,
        summary: '单位子树（按路径排序）',
        params: idParams,
        querystring: subtreeQuery,
        response: { 200: z.object({ items: z.array(orgUnit) }) },
      },
    },
    async (request) => ({
      items: (await service.subtree(authOf(request), request.params.id, request.query.maxLevel)).map(presentOrg),
    }),
  );

  routes.post(
    '/orgs',
    {
      config: { access: 'org.manage' },
      schema: { tags, summary: '新建单位', body: createOrgBody, response: { 200: orgUnit } },
    },
    async (request) => presentOrg(await service.create(authOf(request), request, request.body)),
  );

  routes.patch(
    '/orgs/:id',
    {
      config: { access: 'org.manage' },
      schema: { tags, summary: '修改单位', params: idParams, body: updateOrgBody, response: { 200: orgUnit } },
    },
    async (request) => presentOrg(await service.update(authOf(request), request, request.params.id, request.body)),
  );

  routes.delete(
    '/orgs/:id',
    {
      config: { access: 'org.manage' },
      schema: {
        tags,
        summary: '删除单位（须无下级、场所和人员）',
        params: idParams,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      await service.remove(authOf(request), request, request.params.id);
      return { ok: true as const };
    },
  );
}
