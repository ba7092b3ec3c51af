import {
  createDeviceBody,
  device,
  deviceCoverage,
  deviceHealth,
  deviceIdParams,
  deviceImportReport,
  deviceOrgQuery,
  deviceWithToken,
  listDevicesQuery,
  pageOf,
  updateDeviceBody,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { dateStamp, IMPORT_MAX_BYTES, sendXlsx, uploadedFile } from '../../platform/excel.js';
import { decodeCursor, toPage } from '../../platform/pagination.js';
import { pipelineOf } from '../ingest/pipeline.js';
import { deviceCoverage as buildCoverage } from './coverage.js';
import { deviceHealth as buildHealth, sweepOfflineDevices } from './health.js';
import { devicesLedger, deviceTemplate, importDevices } from './ledger.js';
import { presentDevice } from './presenter.js';
import { DeviceService } from './service.js';

const tags = ['devices'];

export async function devicesModule(app: FastifyInstance): Promise<void> {
  const { db, config, sweeper } = app.platform;
  const service = new DeviceService(db);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const offline = config.deviceOfflineAfterSeconds;
  const present = (row: Parameters<typeof presentDevice>[0]) => presentDevice(row, offline);
  // A changed token, school or disabled flag must reach ingestion at once on this instance (others: cache TTL).
  const forget = (code: string) => pipelineOf(app.platform)?.forget(code);

  sweeper.register('devices.offline', async ({ db: sweepDb, now }) => {
    await sweepOfflineDevices(sweepDb, now, offline);
  });

  routes.get(
    '/devices',
    {
      config: { access: 'device.read' },
      schema: { tags, summary: '查询技防设备', querystring: listDevicesQuery, response: { 200: pageOf(device) } },
    },
    async (request) => {
      const auth = authOf(request);
      const query = request.query;
      const root = await service.readRoot(auth, query.orgId);
      const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'string']) as [string, string]) : undefined;
      const rows = await service.queries.search({
        orgPath: root.path,
        kind: query.kind,
        status: query.status,
        placeId: query.placeId,
        zone: query.zone,
        keyword: query.keyword,
        after,
        limit: query.limit + 1,
        now: new Date(),
        offlineAfterSeconds: offline,
      });
      return toPage(rows, query.limit, present, (row) => [row.org_path, row.code]);
    },
  );

  routes.get(
    '/devices/coverage',
    {
      config: { access: 'device.read' },
      schema: {
        tags,
        summary: '学校技防覆盖情况（重点部位 × 设备类型，缺口）',
        querystring: deviceOrgQuery,
        response: { 200: deviceCoverage },
      },
    },
    async (request) => buildCoverage(db, await service.schoolForRead(authOf(request), request.query.orgId)),
  );

  routes.get(
    '/devices/health',
    {
      config: { access: 'device.read' },
      schema: {
        tags,
        summary: '设备在线率、完好率、录像保存达标与故障清单',
        querystring: deviceOrgQuery,
        response: { 200: deviceHealth },
      },
    },
    async (request) => buildHealth(db, await service.readRoot(authOf(request), request.query.orgId), offline),
  );

  routes.get(
    '/devices/import/template.xlsx',
    { config: { access: 'device.manage' }, schema: { tags, summary: '下载设备导入模板（Excel）' } },
    async (_request, reply) => sendXlsx(reply, await deviceTemplate(), '技防设备导入模板.xlsx'),
  );

  routes.post(
    '/devices/import',
    {
      config: { access: 'device.manage' },
      schema: {
        tags,
        summary: '从 Excel 导入设备（全部校验通过才写入；新设备令牌只显示一次）',
        description:
          'multipart/form-data，文件字段 `file`。有错误时返回 400 import_invalid 与 errors: [{row, column, message}]。',
        querystring: deviceOrgQuery,
        response: { 200: deviceImportReport },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const school = await service.schoolForWrite(auth, request.query.orgId);
      const { buffer } = await uploadedFile(request, IMPORT_MAX_BYTES);
      return importDevices(db, actorOf(request), school, buffer);
    },
  );

  routes.get(
    '/devices/export.xlsx',
    {
      config: { access: 'device.read' },
      schema: { tags, summary: '导出技防设施台账（Excel）', querystring: deviceOrgQuery },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const root = await service.readRoot(auth, request.query.orgId);
      const { buffer, count } = await devicesLedger(db, root.path, `${root.name}技防设施台账`, offline);
      await auditStandalone(db, actorOf(request), {
        action: 'device.export',
        targetType: 'org',
        targetId: root.id,
        orgPath: root.path,
        detail: { rows: count },
      });
      return sendXlsx(reply, buffer, `${root.name}-技防设施台账-${dateStamp(config.businessTimeZone)}.xlsx`);
    },
  );

  routes.get(
    '/devices/:id',
    {
      config: { access: 'device.read' },
      schema: { tags, summary: '设备详情', params: deviceIdParams, response: { 200: device } },
    },
    async (request) => present(await service.get(authOf(request), request.params.id)),
  );

  routes.post(
    '/devices',
    {
      config: { access: 'device.manage' },
      schema: {
        tags,
        summary: '登记设备（在线设备生成设备编码与接入令牌，令牌只显示一次）',
        body: createDeviceBody,
        response: { 200: deviceWithToken },
      },
    },
    async (request) => {
      const { device: row, token } = await service.create(authOf(request), actorOf(request), request.body);
      return { device: present(row), token };
    },
  );

  routes.patch(
    '/devices/:id',
    {
      config: { access: 'device.manage' },
      schema: { tags, summary: '修改设备', params: deviceIdParams, body: updateDeviceBody, response: { 200: device } },
    },
    async (request) => {
      const row = await service.update(authOf(request), actorOf(request), request.params.id, request.body);
      forget(row.code);
      return present(row);
    },
  );

  routes.post(
    '/devices/:id/rotate-token',
    {
      config: { access: 'device.manage' },
      schema: {
        tags,
        summary: '更换设备接入令牌（旧令牌立即失效，新令牌只显示一次）',
        params: deviceIdParams,
        response: { 200: deviceWithToken },
      },
    },
    async (request) => {
      const { device: row, token } = await service.rotateToken(authOf(request), actorOf(request), request.params.id);
      forget(row.code);
      return { device: present(row), token };
    },
  );

  routes.delete(
    '/devices/:id',
    {
      config: { access: 'device.manage' },
      schema: {
        tags,
        summary: '删除设备（有报警记录的设备请停用）',
        params: deviceIdParams,
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      const row = await service.get(authOf(request), request.params.id);
      await service.remove(authOf(request), actorOf(request), request.params.id);
      forget(row.code);
      return { ok: true as const };
    },
  );
}
