import {
  createPlaceBody,
  idParam,
  idParams,
  importReport,
  listPlacesQuery,
  pageOf,
  place,
  updatePlaceBody,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { dateStamp, IMPORT_MAX_BYTES, sendXlsx, uploadedFile } from '../../platform/excel.js';
import { decodeCursor, toPage } from '../../platform/pagination.js';
import { importPlaces, placesLedger, placeTemplate } from './ledger.js';
import { presentPlace } from './presenter.js';
import { canReadPlaceFile, PlaceService } from './service.js';

const tags = ['places'];
const orgQuery = z.strictObject({ orgId: idParam });

export async function placesModule(app: FastifyInstance): Promise<void> {
  const { db, files, config } = app.platform;
  const service = new PlaceService(db);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  files.registerOwner('place', canReadPlaceFile);

  routes.get(
    '/places',
    {
      config: { access: 'place.read' },
      schema: {
        tags,
        summary: '查询场所（学校或其上级单位）',
        querystring: listPlacesQuery,
        response: { 200: pageOf(place) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const query = request.query;
      const root = await service.listRoot(auth, query.orgId);
      const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'string']) as [string, string]) : undefined;
      const rows = await service.queries.search({
        orgPath: root.path,
        kind: query.kind,
        keyPart: query.keyPart === undefined ? undefined : query.keyPart === 'true',
        keyword: query.keyword,
        after,
        limit: query.limit + 1,
      });
      return toPage(rows, query.limit, presentPlace, (row) => [row.org_path, row.code]);
    },
  );

  routes.get(
    '/places/import/template.xlsx',
    { config: { access: 'place.manage' }, schema: { tags, summary: '下载场所导入模板（Excel）' } },
    async (_request, reply) => sendXlsx(reply, await placeTemplate(), '场所导入模板.xlsx'),
  );

  routes.post(
    '/places/import',
    {
      config: { access: 'place.manage' },
      schema: {
        tags,
        summary: '从 Excel 导入场所（全部校验通过才写入）',
        description:
          'multipart/form-data，文件字段 `file`。有错误时返回 400 import_invalid 与 errors: [{row, column, message}]。',
        querystring: orgQuery,
        response: { 200: importReport },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { buffer } = await uploadedFile(request, IMPORT_MAX_BYTES);
      return importPlaces(db, service, auth, actorOf(request), request.query.orgId, buffer);
    },
  );

  routes.get(
    '/places/export.xlsx',
    { config: { access: 'place.read' }, schema: { tags, summary: '导出场所台账（Excel）', querystring: orgQuery } },
    async (request, reply) => {
      const auth = authOf(request);
      const root = await service.listRoot(auth, request.query.orgId);
      const owner = root.school ?? root.org;
      const { buffer, count } = await placesLedger(db, root.path, `${owner.name}场所台账`);
      await auditStandalone(db, actorOf(request), {
        action: 'place.export',
        targetType: 'org',
        targetId: owner.id,
        orgPath: root.path,
        detail: { rows: count },
      });
      return sendXlsx(reply, buffer, `${owner.name}-场所台账-${dateStamp(config.businessTimeZone)}.xlsx`);
    },
  );

  routes.get(
    '/places/:id',
    {
      config: { access: 'place.read' },
      schema: { tags, summary: '场所详情', params: idParams, response: { 200: place } },
    },
    async (request) => presentPlace(await service.get(authOf(request), request.params.id)),
  );

  routes.post(
    '/places',
    {
      config: { access: 'place.manage' },
      schema: { tags, summary: '新建场所', body: createPlaceBody, response: { 200: place } },
    },
    async (request) => {
      const { orgId, ...input } = request.body;
      return presentPlace(await service.create(authOf(request), actorOf(request), orgId, input));
    },
  );

  routes.patch(
    '/places/:id',
    {
      config: { access: 'place.manage' },
      schema: { tags, summary: '修改场所', params: idParams, body: updatePlaceBody, response: { 200: place } },
    },
    async (request) =>
      presentPlace(await service.update(authOf(request), actorOf(request), request.params.id, request.body)),
  );

  routes.delete(
    '/places/:id',
    {
      config: { access: 'place.manage' },
      schema: {
        tags,
        summary: '删除场所（须无子场所）',
        params: idParams,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      await service.remove(authOf(request), actorOf(request), request.params.id);
      return { ok: true as const };
    },
  );
}
