import {
  createHazardBody,
  exportHazardsQuery,
  HAZARD_COMMANDS,
  type HazardCommand,
  type HazardDetail,
  hazardActionBodies,
  hazardDetail,
  hazardIdParams,
  hazardStats,
  hazardStatsQuery,
  hazardSummary,
  type ListHazardsQuery,
  listHazardsQuery,
  myHazardsQuery,
  pageOf,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { Batcher } from '../../platform/batch.js';
import { authOf } from '../../platform/context.js';
import { endOfDay, startOfDay } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { dateStamp } from '../../platform/excel.js';
import { idempotencyKeyOf, idempotencyRequestHash, runIdempotent } from '../../platform/idempotency.js';
import { decodeCursor, toPage } from '../../platform/pagination.js';
import { sweepHazardAlerts } from './alerts.js';
import { streamHazardLedger, streamStatsWorkbook } from './ledger.js';
import { presentHazardSummary } from './presenter.js';
import type { HazardFilter } from './queries.js';
import { COMMAND_PERMISSION, canSeeHazard, HazardService, isPlainReport, type PreparedReport } from './service.js';
import { hazardStatistics } from './stats.js';

const tags = ['hazards'];
const COMMAND_SUMMARIES: Record<HazardCommand, string> = {
  confirm: '确认隐患并定级（一般/较大/重大，风险等级）',
  reject: '核实不属于隐患（须填写理由）',
  assign: '交办整改（五落实：责任单位和责任人、措施、资金、时限、预案）',
  rectify: '责任人提交整改结果（附整改后照片）',
  verify: '验收销号（挂牌督办或重大隐患由督办单位验收）',
  return: '验收不通过，退回重新整改（新时限）',
  reopen: '重新打开已销号或已驳回的隐患（留痕）',
  supervise: '挂牌督办（督办期限与要求）',
  progress: '学校报告督办隐患整改进展',
};

/** Reads the period of a list, export or statistics call; `to` is inclusive. */
function periodOf(query: { from?: string; to?: string }, timeZone: string) {
  const from = query.from ? startOfDay(query.from, timeZone) : undefined;
  const before = query.to ? endOfDay(query.to, timeZone) : undefined;
  if (from && before && from.getTime() >= before.getTime()) throw new AppError(400, 'date_range_invalid');
  return { from, before };
}

const CREATE_ROUTE = 'POST /hazards';

export async function hazardsModule(app: FastifyInstance): Promise<void> {
  const { db, files, config, sweeper } = app.platform;
  const service = new HazardService(db, {
    reminderHours: config.hazardReminderHours,
    escalationGraceHours: config.hazardEscalationGraceHours,
  });
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const zone = config.businessTimeZone;

  files.registerOwner('hazard', async (database, auth, hazardId) => {
    const hazard = await database
      .selectFrom('hazard')
      .select(['org_path', 'reported_by', 'responsible_user_id'])
      .where('id', '=', hazardId)
      .executeTakeFirst();
    return hazard !== undefined && canSeeHazard(auth, hazard);
  });
  sweeper.register('hazards.alerts', async ({ db: database, now }) => {
    await sweepHazardAlerts(database, service, now);
  });
  // Reports without a key, place or photos arriving together are written together (platform/batch.ts).
  const reports = new Batcher((batch: PreparedReport[]) => service.writeReports(db, batch), {
    maxBatch: 64,
    maxInFlight: 1,
  });
  // Hazard writes append roll-up deltas (0014_hazard_rollup_deltas.ts); one sweeper folds them in.
  sweeper.register('hazards.rollup_fold', async ({ db: database }) => {
    await sql`SELECT hazard_rollup_fold()`.execute(database);
  });

  async function filterOf(auth: AuthContext, query: Omit<ListHazardsQuery, 'limit' | 'cursor'>, now: Date) {
    const root = await service.root(auth, query.orgId);
    const period = periodOf(query, zone);
    const filter: HazardFilter = {
      root,
      // A department officer also sees the hazards assigned to them or reported by them elsewhere in the school.
      alsoForUserId: auth.activeOrg.level === 'department' && root.id === auth.activeOrg.id ? auth.userId : undefined,
      state: query.state,
      open: query.open,
      grade: query.grade,
      category: query.category,
      riskLevel: query.riskLevel,
      overdue: query.overdue,
      supervised: query.supervised,
      reportedFrom: period.from,
      reportedBefore: period.before,
      keyword: query.keyword || undefined,
      now,
    };
    return { root, filter };
  }

  routes.get(
    '/hazards',
    {
      config: { access: 'hazard.read' },
      schema: {
        tags,
        summary: '隐患台账（按单位、状态、等级、类别、超期、督办、日期、关键词筛选）',
        querystring: listHazardsQuery,
        response: { 200: pageOf(hazardSummary) },
      },
    },
    async (request) => {
      const now = new Date();
      const { filter } = await filterOf(authOf(request), request.query, now);
      const { cursor, limit } = request.query;
      const after = cursor ? (decodeCursor(cursor, ['string', 'number']) as [string, number]) : undefined;
      const rows = await service.queries.page(filter, after, limit + 1);
      return toPage(
        rows,
        limit,
        (row) => presentHazardSummary(row, now),
        (row) => [row.reported_at.toISOString(), row.id],
      );
    },
  );

  routes.get(
    '/hazards/mine',
    {
      config: { access: 'hazard.report' },
      schema: {
        tags,
        summary: '我的隐患：交给我整改的（我的任务）或我上报的',
        querystring: myHazardsQuery,
        response: { 200: pageOf(hazardSummary) },
      },
    },
    async (request) => {
      const now = new Date();
      const auth = authOf(request);
      const { role, open, cursor, limit } = request.query;
      const after = cursor ? (decodeCursor(cursor, ['string', 'number']) as [string, number]) : undefined;
      const rows = await service.queries.mine(auth.userId, role, open, after, limit + 1);
      // Only hazards of the school the caller acts in now.
      const visible = rows.filter((row) => canSeeHazard(auth, row));
      return toPage(
        visible.length === rows.length ? rows : visible,
        limit,
        (row) => presentHazardSummary(row, now),
        (row) => [row.reported_at.toISOString(), row.id],
      );
    },
  );

  routes.get(
    '/hazards/stats',
    {
      config: { access: 'hazard.read' },
      schema: {
        tags,
        summary: '隐患统计：发现、已整改、未整改、超期、整改率、平均整改天数（按类别、等级、下级单位）',
        querystring: hazardStatsQuery,
        response: { 200: hazardStats },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const root = await service.root(auth, request.query.orgId);
      const period = periodOf(request.query, zone);
      return hazardStatistics(
        db,
        root,
        { ...period, labels: { from: request.query.from ?? null, to: request.query.to ?? null } },
        new Date(),
      );
    },
  );

  routes.get(
    '/hazards/stats/export.xlsx',
    {
      config: { access: 'hazard.export' },
      schema: { tags, summary: '导出隐患统计表（Excel）', querystring: hazardStatsQuery },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const root = await service.root(auth, request.query.orgId);
      const period = periodOf(request.query, zone);
      const now = new Date();
      const labels = { from: request.query.from ?? null, to: request.query.to ?? null };
      const stats = await hazardStatistics(db, root, { ...period, labels }, now);
      await auditStandalone(db, actorOf(request), {
        action: 'hazard.stats_export',
        targetType: 'org',
        targetId: root.id,
        orgPath: root.path,
        detail: { filter: request.query },
      });
      await streamStatsWorkbook(
        reply,
        stats,
        { orgName: root.name, periodLabel: periodLabel(labels), timeZone: zone, now },
        `${root.name}-隐患统计-${dateStamp(zone, now)}.xlsx`,
      );
    },
  );

  routes.get(
    '/hazards/export.xlsx',
    {
      config: { access: 'hazard.export' },
      schema: {
        tags,
        summary: '导出隐患排查整改台账（Excel，可打印；筛选条件同台账）',
        querystring: exportHazardsQuery,
      },
    },
    async (request, reply) => {
      const now = new Date();
      const auth = authOf(request);
      const { root, filter } = await filterOf(auth, request.query, now);
      await auditStandalone(db, actorOf(request), {
        action: 'hazard.export',
        targetType: 'org',
        targetId: root.id,
        orgPath: root.path,
        detail: { filter: request.query },
      });
      const labels = { from: request.query.from ?? null, to: request.query.to ?? null };
      await streamHazardLedger(
        reply,
        service.queries,
        filter,
        {
          title: `${root.name}隐患排查整改台账`,
          orgName: root.name,
          periodLabel: periodLabel(labels),
          timeZone: zone,
          now,
        },
        `${root.name}-隐患台账-${dateStamp(zone, now)}.xlsx`,
      );
    },
  );

  routes.get(
    '/hazards/:id',
    {
      // Readers of the school see it, and so do its reporter and the person responsible (a teacher): the service decides.
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '隐患详情（含全过程时间线、整改前后照片、可执行操作）',
        params: hazardIdParams,
        response: { 200: hazardDetail },
      },
    },
    async (request) => service.detail(authOf(request), request.params.id),
  );

  routes.post(
    '/hazards',
    {
      config: { access: 'hazard.report' },
      schema: {
        tags,
        summary: '上报隐患（教育局在学校上报即为督导检查，自动挂牌督办）',
        description: '可带 `Idempotency-Key` 请求头：同一键重复提交只创建一次，返回第一次的结果。',
        body: createHazardBody,
        response: { 200: hazardDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const key = idempotencyKeyOf(request);
      // The detail comes from the write itself; a replay (or a report with photos) reads it afresh.
      let fresh: HazardDetail | null = null;
      let id: number | undefined;
      if (isPlainReport(request.body)) {
        // One statement, atomic by itself, shared with the reports made at the same moment (no transaction).
        const report = await service.prepareReport(db, {
          auth,
          actor: actorOf(request),
          input: request.body,
          now: new Date(),
          idempotency:
            key === undefined ? undefined : { key, requestHash: idempotencyRequestHash(CREATE_ROUTE, request.body) },
        });
        const written = await reports.submit(report);
        if (written || key === undefined) ({ id, detail: fresh } = await service.finishReport(db, report, written));
      }
      // A report with photos or a place; or a key already taken, answered as its first call was (or refused alike).
      id ??= await runIdempotent(db, auth, key, CREATE_ROUTE, request.body, async (trx) => {
        const reported = await service.report(trx, auth, actorOf(request), request.body);
        fresh = reported.detail;
        return reported.id;
      });
      return fresh ?? service.detail(auth, id);
    },
  );

  for (const command of HAZARD_COMMANDS) {
    routes.post(
      `/hazards/:id/${command}`,
      {
        config: { access: COMMAND_PERMISSION[command] },
        schema: {
          tags,
          summary: COMMAND_SUMMARIES[command],
          description: '可带 `Idempotency-Key` 请求头防止重复提交。状态不允许时返回 409。',
          params: hazardIdParams,
          body: hazardActionBodies[command],
          response: { 200: hazardDetail },
        },
      },
      async (request) => {
        const auth = authOf(request);
        if (!can(auth, COMMAND_PERMISSION[command])) throw new AppError(403, 'forbidden');
        const id = request.params.id;
        const key = idempotencyKeyOf(request);
        await runIdempotent(db, auth, key, `POST /hazards/${id}/${command}`, request.body, (trx) =>
          service.act(trx, auth, actorOf(request), id, command, request.body as never),
        );
        return service.detail(auth, id);
      },
    );
  }
}

function periodLabel(labels: { from: string | null; to: string | null }): string {
  if (!labels.from && !labels.to) return '全部';
  return `${labels.from ?? '—'} 至 ${labels.to ?? '—'}`;
}
