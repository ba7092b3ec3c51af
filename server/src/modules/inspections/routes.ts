import {
  calendarQuery,
  correctionBody,
  createPatrolRouteBody,
  createPlanBody,
  createTemplateBody,
  exportRecordsQuery,
  inspectionCalendar,
  inspectionIdParams,
  inspectionStats,
  inspectionStatsQuery,
  listPatrolRoutesQuery,
  listPlansQuery,
  listRecordsQuery,
  listTasksQuery,
  listTemplatesQuery,
  myTasks,
  myTasksQuery,
  pageOf,
  patchPatrolRouteBody,
  patchPlanBody,
  patchTemplateBody,
  patrolCoverage,
  patrolCoverageQuery,
  patrolRouteDetail,
  patrolRouteSummary,
  planDetail,
  planSummary,
  putTemplateContentBody,
  recordDetail,
  recordSummary,
  syncEnvelope,
  syncResponse,
  taskSummary,
  templateDetail,
  templateSummary,
  templateVersionDetail,
  templateVersionParams,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { loadFieldKey } from '../../platform/crypto.js';
import { formatDateTime } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { buildLedger, contentDisposition, dateStamp, sendXlsx } from '../../platform/excel.js';
import { idempotencyKeyOf, runIdempotent } from '../../platform/idempotency.js';
import { decodeCursor, encodeCursor } from '../../platform/pagination.js';
import { inScope } from '../../platform/scope.js';
import { HazardService } from '../hazards/service.js';
import { rootOf } from './common.js';
import { labelsPdf } from './labels.js';
import { InspectionReports } from './reports.js';
import { bootstrapBuiltinTemplates, InspectionService } from './service.js';
import { InspectionSync } from './sync.js';
import { businessDays, generateTasks, sweepMissed } from './tasks.js';

const tags = ['inspections'];
const KIND_NAMES: Record<string, string> = {
  fire_daily: '每日防火巡查',
  fire_monthly: '每月防火检查',
  fire_quarterly: '季度消防安全隐患排查',
  gate: '门卫值守检查',
  dormitory: '学生宿舍安全检查',
  laboratory: '实验室危化品检查',
  school_bus: '校车安全检查',
  holiday: '假期前安全大检查',
  supervision: '上级督导检查',
  patrol: '安全巡逻',
  custom: '自定义检查',
};

function pageFrom<T>(items: T[], limit: number, cursorOf: (item: T) => unknown[]) {
  const more = items.length > limit;
  const page = items.slice(0, limit);
  return { items: page, nextCursor: more ? encodeCursor(cursorOf(page[page.length - 1]!)) : null };
}

export async function inspectionsModule(app: FastifyInstance): Promise<void> {
  const { db, config, sweeper, files } = app.platform;
  const zone = config.businessTimeZone;
  const qrKey = loadFieldKey(config.secretKey, config.dataDir);
  const service = new InspectionService(db, qrKey, zone);
  const hazards = new HazardService(db, {
    reminderHours: config.hazardReminderHours,
    escalationGraceHours: config.hazardEscalationGraceHours,
  });
  const sync = new InspectionSync(db, hazards, qrKey);
  const reports = new InspectionReports(db, service, zone);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  await bootstrapBuiltinTemplates(db);
  files.registerOwner('inspection_record', async (database, auth, recordId) => {
    const row = await database
      .selectFrom('inspection_record')
      .select('org_path')
      .where('id', '=', recordId)
      .executeTakeFirst();
    return row !== undefined && inScope(auth, row.org_path);
  });
  // Creating tomorrow's tasks is idempotent but costs a pass over every plan (~7 s at 100,000 plans), so it runs
  // hourly and whenever the business day changes; new and changed plans create their own tasks at once.
  let generated: { at: number; day: string } | null = null;
  sweeper.register('inspections.tasks', async ({ db: database, now }) => {
    const day = businessDays(now, zone)[0];
    if (!generated || generated.day !== day || now.getTime() - generated.at >= 3600_000) {
      await generateTasks(database, zone, now);
      generated = { at: now.getTime(), day };
    }
    await sweepMissed(database, now);
  });

  // ------------------------------------------------------------------------------------------ templates

  routes.get(
    '/inspections/templates',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '可用检查表：内置、本单位的、上级教育局发布的',
        querystring: listTemplatesQuery,
        response: { 200: z.object({ items: z.array(templateSummary) }) },
      },
    },
    async (request) => ({ items: await service.listTemplates(authOf(request), request.query) }),
  );

  routes.get(
    '/inspections/templates/:id',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '检查表详情（当前版本内容与版本列表）',
        params: inspectionIdParams,
        response: { 200: templateDetail },
      },
    },
    async (request) => service.templateDetail(authOf(request), request.params.id),
  );

  routes.get(
    '/inspections/templates/:id/versions/:version',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '检查表某一版本的内容',
        params: templateVersionParams,
        response: { 200: templateVersionDetail },
      },
    },
    async (request) => service.templateVersion(authOf(request), request.params.id, request.params.version),
  );

  routes.post(
    '/inspections/templates',
    {
      config: { access: 'inspection.manage' },
      schema: {
        tags,
        summary: '新建检查表，或复制一个可用检查表（copyOf）后调整',
        body: createTemplateBody,
        response: { 200: templateDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(
        db,
        auth,
        idempotencyKeyOf(request),
        'POST /inspections/templates',
        request.body,
        (trx) => service.createTemplate(trx, auth, actorOf(request), request.body),
      );
      return service.templateDetail(auth, id);
    },
  );

  routes.put(
    '/inspections/templates/:id/content',
    {
      config: { access: 'inspection.manage' },
      schema: {
        tags,
        summary: '保存检查表新版本（已生成的任务仍用原版本）',
        params: inspectionIdParams,
        body: putTemplateContentBody,
        response: { 200: templateDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => service.putContent(trx, auth, actorOf(request), request.params.id, request.body.content));
      return service.templateDetail(auth, request.params.id);
    },
  );

  routes.patch(
    '/inspections/templates/:id',
    {
      config: { access: 'inspection.manage' },
      schema: {
        tags,
        summary: '修改检查表名称、停用、发布到下级（仅教育局）',
        params: inspectionIdParams,
        body: patchTemplateBody,
        response: { 200: templateDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => service.patchTemplate(trx, auth, actorOf(request), request.params.id, request.body));
      return service.templateDetail(auth, request.params.id);
    },
  );

  // ------------------------------------------------------------------------------------------ patrol routes

  routes.get(
    '/inspections/routes',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '巡逻路线',
        querystring: listPatrolRoutesQuery,
        response: { 200: z.object({ items: z.array(patrolRouteSummary) }) },
      },
    },
    async (request) => ({ items: await service.listRoutes(authOf(request), request.query) }),
  );

  routes.post(
    '/inspections/routes',
    {
      config: { access: 'inspection.manage' },
      schema: {
        tags,
        summary: '新建巡逻路线（按顺序排列的巡逻点）',
        body: createPatrolRouteBody,
        response: { 200: patrolRouteDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(
        db,
        auth,
        idempotencyKeyOf(request),
        'POST /inspections/routes',
        request.body,
        (trx) => service.createRoute(trx, auth, actorOf(request), request.body),
      );
      return service.routeDetail(auth, id);
    },
  );

  routes.get(
    '/inspections/routes/:id',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '巡逻路线详情（巡逻点与二维码）',
        params: inspectionIdParams,
        response: { 200: patrolRouteDetail },
      },
    },
    async (request) => service.routeDetail(authOf(request), request.params.id),
  );

  routes.patch(
    '/inspections/routes/:id',
    {
      config: { access: 'inspection.manage' },
      schema: {
        tags,
        summary: '修改巡逻路线（名称、停用、巡逻点顺序；保留的巡逻点二维码不变）',
        params: inspectionIdParams,
        body: patchPatrolRouteBody,
        response: { 200: patrolRouteDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => service.patchRoute(trx, auth, actorOf(request), request.params.id, request.body));
      return service.routeDetail(auth, request.params.id);
    },
  );

  routes.get(
    '/inspections/routes/:id/labels.pdf',
    {
      config: { access: 'inspection.read' },
      schema: { tags, summary: '打印巡逻点二维码标签（A4 PDF）', params: inspectionIdParams },
    },
    async (request, reply) => {
      const route = await service.routeDetail(authOf(request), request.params.id);
      const pdf = await labelsPdf(
        route.checkpoints.map((c) => ({
          placeName: c.placeName,
          routeName: route.name,
          schoolName: route.schoolName,
          seq: c.seq,
          qr: c.qr,
        })),
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', contentDisposition('inline', `${route.name}-巡逻点二维码.pdf`))
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );

  // ------------------------------------------------------------------------------------------ plans

  routes.get(
    '/inspections/plans',
    {
      config: { access: 'inspection.read' },
      schema: { tags, summary: '检查/巡查计划', querystring: listPlansQuery, response: { 200: pageOf(planSummary) } },
    },
    async (request) => {
      const { cursor, limit, ...rest } = request.query;
      const after = cursor ? (decodeCursor(cursor, ['number'])[0] as number) : undefined;
      const items = await service.listPlans(authOf(request), { ...rest, limit, after });
      return pageFrom(items, limit, (item) => [item.id]);
    },
  );

  routes.post(
    '/inspections/plans',
    {
      config: { access: 'inspection.manage' },
      schema: {
        tags,
        summary: '新建计划（检查表、场所或路线、执行人或值班角色、频次与时间窗口）',
        body: createPlanBody,
        response: { 200: planDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(
        db,
        auth,
        idempotencyKeyOf(request),
        'POST /inspections/plans',
        request.body,
        (trx) => service.createPlan(trx, auth, actorOf(request), request.body),
      );
      return service.planDetail(auth, id);
    },
  );

  routes.get(
    '/inspections/plans/:id',
    {
      config: { access: 'inspection.read' },
      schema: { tags, summary: '计划详情（含完成情况）', params: inspectionIdParams, response: { 200: planDetail } },
    },
    async (request) => service.planDetail(authOf(request), request.params.id),
  );

  routes.patch(
    '/inspections/plans/:id',
    {
      config: { access: 'inspection.manage' },
      schema: {
        tags,
        summary: '修改计划（未开始的待办任务按新设置重新生成）',
        params: inspectionIdParams,
        body: patchPlanBody,
        response: { 200: planDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => service.patchPlan(trx, auth, actorOf(request), request.params.id, request.body));
      return service.planDetail(auth, request.params.id);
    },
  );

  routes.get(
    '/inspections/calendar',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '检查日历：学校按日列出任务及状态；教育局按日和下级单位统计',
        querystring: calendarQuery,
        response: { 200: inspectionCalendar },
      },
    },
    async (request) => {
      const root = await rootOf(db, authOf(request), request.query.orgId);
      return reports.calendar(root, request.query.from, request.query.to);
    },
  );

  // ------------------------------------------------------------------------------------------ tasks

  routes.get(
    '/inspections/tasks',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '某日的检查/巡查任务',
        querystring: listTasksQuery,
        response: { 200: pageOf(taskSummary) },
      },
    },
    async (request) => {
      const { cursor, limit, orgId, ...rest } = request.query;
      const root = await rootOf(db, authOf(request), orgId);
      const after = cursor ? (decodeCursor(cursor, ['string', 'number']) as [string, number]) : undefined;
      const { items } = await reports.tasks(root, { ...rest, limit, after });
      return pageFrom(items, limit, (item) => [item.windowStart, item.id]);
    },
  );

  routes.get(
    '/inspections/tasks/mine',
    {
      config: { access: 'inspection.execute' },
      schema: {
        tags,
        summary: '我的任务（含检查表内容、巡逻点与二维码，供手机离线执行）',
        querystring: myTasksQuery,
        response: { 200: myTasks },
      },
    },
    async (request) => {
      const now = new Date();
      const result = await reports.mine(authOf(request), request.query.day, now);
      return { ...result, generatedAt: now.toISOString() };
    },
  );

  // ------------------------------------------------------------------------------------------ records

  routes.post(
    '/inspections/sync',
    {
      config: { access: 'inspection.execute' },
      schema: {
        tags,
        summary: '同步手机离线完成的检查记录（逐条处理，重复提交不会重复记录）',
        description:
          '每条记录单独事务处理，返回 accepted / duplicate / rejected（附错误码）。同一人同一 clientId 只记录一次。',
        body: syncEnvelope,
        response: { 200: syncResponse },
      },
    },
    async (request) => {
      const now = new Date();
      const results = await sync.syncBatch(authOf(request), actorOf(request), request.body.records, now);
      return { results, receivedAt: now.toISOString() };
    },
  );

  routes.get(
    '/inspections/records',
    {
      config: { access: 'inspection.read' },
      schema: { tags, summary: '检查记录', querystring: listRecordsQuery, response: { 200: pageOf(recordSummary) } },
    },
    async (request) => {
      const { cursor, limit, orgId, ...filter } = request.query;
      const root = await rootOf(db, authOf(request), orgId);
      let q = reports.filteredRecords(root, filter);
      if (cursor) {
        const [at, id] = decodeCursor(cursor, ['string', 'number']) as [string, number];
        q = q.where((eb) =>
          eb.or([
            eb('rec.completed_at', '<', new Date(at)),
            eb.and([eb('rec.completed_at', '=', new Date(at)), eb('rec.id', '<', id)]),
          ]),
        );
      }
      const rows = await q
        .orderBy('rec.completed_at', 'desc')
        .orderBy('rec.id', 'desc')
        .limit(limit + 1)
        .execute();
      return pageFrom(
        rows.map((row) => reports.presentRecord(row)),
        limit,
        (item) => [item.completedAt, item.id],
      );
    },
  );

  routes.get(
    '/inspections/records/export.xlsx',
    {
      config: { access: 'inspection.read' },
      schema: { tags, summary: '导出检查记录台账（Excel）', querystring: exportRecordsQuery },
    },
    async (request, reply) => {
      const { orgId, ...filter } = request.query;
      const root = await rootOf(db, authOf(request), orgId);
      const rows = await reports
        .filteredRecords(root, filter)
        .orderBy('rec.completed_at', 'desc')
        .orderBy('rec.id', 'desc')
        .limit(50_000)
        .execute();
      await auditStandalone(db, actorOf(request), {
        action: 'inspection.records_export',
        targetType: 'org',
        targetId: root.id,
        orgPath: root.path,
        detail: { filter: request.query, rows: rows.length },
      });
      const buffer = await buildLedger({
        sheetName: '检查记录',
        title: `${root.name}检查巡查记录台账`,
        columns: [
          { header: '记录编号', width: 10 },
          { header: '学校', width: 22 },
          { header: '检查类型', width: 18 },
          { header: '检查表', width: 22 },
          { header: '场所/路线', width: 20 },
          { header: '检查人', width: 12 },
          { header: '完成时间', width: 18 },
          { header: '按时完成', width: 10 },
          { header: '检查项', width: 8 },
          { header: '不合格项', width: 8 },
          { header: '督导单位', width: 18 },
          { header: '签名', width: 20 },
        ],
        rows: rows.map((row) => [
          row.id,
          row.school_name,
          KIND_NAMES[row.template_kind] ?? row.template_kind,
          `${row.template_name} v${row.template_version}`,
          row.place_name ?? row.route_name ?? '',
          row.inspector_name,
          formatDateTime(row.completed_at, zone),
          row.in_window === null ? '—' : row.in_window ? '是' : '否（超出时间窗口）',
          row.item_count,
          row.failed_count,
          row.spot_check_org_name ?? '',
          row.signature.slice(0, 16),
        ]),
      });
      return sendXlsx(reply, buffer, `${root.name}-检查记录-${dateStamp(zone)}.xlsx`);
    },
  );

  routes.get(
    '/inspections/records/:id',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '检查记录详情（答案、照片、扫码、签名、关联隐患）',
        params: inspectionIdParams,
        response: { 200: recordDetail },
      },
    },
    async (request) => reports.recordDetail(authOf(request), request.params.id),
  );

  routes.post(
    '/inspections/records/:id/correction',
    {
      config: { access: 'inspection.execute' },
      schema: {
        tags,
        summary: '更正检查记录（记录不可修改，更正生成指向原记录的新记录）',
        params: inspectionIdParams,
        body: correctionBody,
        response: { 200: recordDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await db
        .transaction()
        .execute((trx) => sync.correct(trx, auth, actorOf(request), request.params.id, request.body));
      return reports.recordDetail(auth, id);
    },
  );

  // ------------------------------------------------------------------------------------------ statistics

  routes.get(
    '/inspections/stats',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '检查统计：完成率（按下级单位、按计划）、各类检查记录数、未完成数',
        querystring: inspectionStatsQuery,
        response: { 200: inspectionStats },
      },
    },
    async (request) => {
      const root = await rootOf(db, authOf(request), request.query.orgId);
      const { from, to } = reports.period(request.query);
      return reports.stats(root, from, to);
    },
  );

  routes.get(
    '/inspections/stats/export.xlsx',
    {
      config: { access: 'inspection.read' },
      schema: { tags, summary: '导出检查统计表（Excel）', querystring: inspectionStatsQuery },
    },
    async (request, reply) => {
      const root = await rootOf(db, authOf(request), request.query.orgId);
      const { from, to } = reports.period(request.query);
      const stats = await reports.stats(root, from, to);
      await auditStandalone(db, actorOf(request), {
        action: 'inspection.stats_export',
        targetType: 'org',
        targetId: root.id,
        orgPath: root.path,
        detail: { filter: request.query },
      });
      const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
      const buffer = await buildLedger({
        sheetName: '检查统计',
        title: `${root.name}检查巡查完成情况统计（${from} 至 ${to}）`,
        columns: [
          { header: '单位/计划', width: 30 },
          { header: '学校', width: 22 },
          { header: '已完成', width: 10 },
          { header: '未完成（漏检）', width: 14 },
          { header: '待完成', width: 10 },
          { header: '完成率', width: 10 },
        ],
        rows: [
          ['合计', '', stats.totals.done, stats.totals.missed, stats.totals.pending, pct(stats.totals.completionRate)],
          ...stats.byUnit.map((u) => [u.orgName, '', u.done, u.missed, u.pending, pct(u.completionRate)]),
          ...stats.byPlan.map((p) => [
            `计划：${p.planName}`,
            p.schoolName,
            p.done,
            p.missed,
            p.pending,
            pct(p.completionRate),
          ]),
          ...stats.recordsByKind.map((k) => [`记录：${KIND_NAMES[k.kind] ?? k.kind}`, '', k.records, '', '', '']),
        ],
      });
      return sendXlsx(reply, buffer, `${root.name}-检查统计-${dateStamp(zone)}.xlsx`);
    },
  );

  routes.get(
    '/inspections/patrol-coverage',
    {
      config: { access: 'inspection.read' },
      schema: {
        tags,
        summary: '24小时巡逻覆盖：各学校每小时是否有完成的巡逻',
        querystring: patrolCoverageQuery,
        response: { 200: patrolCoverage },
      },
    },
    async (request) => {
      const { orgId, day, limit, cursor } = request.query;
      const root = await rootOf(db, authOf(request), orgId);
      // The cursor is the last school id of the previous page; anything else is a 400, never a query.
      const afterId = cursor === undefined ? undefined : Number(cursor);
      if (afterId !== undefined && !(/^\d{1,10}$/.test(cursor!) && afterId <= 2_147_483_647)) {
        throw new AppError(400, 'invalid_cursor');
      }
      return reports.coverage(root, day ?? reports.today(), limit, afterId);
    },
  );
}
