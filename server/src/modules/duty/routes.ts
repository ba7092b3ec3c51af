import {
  coverageExportQuery,
  createShiftBody,
  createSwapBody,
  decideSwapBody,
  dutyCandidate,
  dutyHandover,
  dutyNowPage,
  dutyNowQuery,
  dutyPeopleQuery,
  dutyShift,
  dutySwap,
  generateShiftsBody,
  generateShiftsResult,
  handoverBody,
  holidayCoveragePage,
  holidayCoverageQuery,
  idParams,
  listHandoversQuery,
  listShiftsQuery,
  listSwapsQuery,
  pageOf,
  shiftExportQuery,
  shiftList,
  updateShiftBody,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { endOfDay, startOfDay } from '../../platform/dates.js';
import { badRequest } from '../../platform/errors.js';
import { dateStamp } from '../../platform/excel.js';
import { decodeCursor, toPage } from '../../platform/pagination.js';
import { streamCoverage, streamRoster } from './export.js';
import {
  type CoverageRow,
  candidatesOf,
  coveragePage,
  coverageTotals,
  nowPage,
  nowTotals,
  presentCoverage,
  presentShift,
  shiftsWhere,
} from './queries.js';
import { DutyService, periodOf } from './service.js';

const tags = ['duty'];
const SWAP_DECISIONS = ['approve', 'reject', 'cancel'] as const;
const SWAP_SUMMARIES = {
  approve: '批准换班（值班表随即更新）',
  reject: '不批准换班',
  cancel: '申请人撤回换班申请',
} as const;

export async function dutyModule(app: FastifyInstance): Promise<void> {
  const { db, config } = app.platform;
  const zone = config.businessTimeZone;
  const service = new DutyService(db, zone);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/duty/people',
    {
      config: { access: 'duty.read' },
      schema: {
        tags,
        summary: '可排班人员：本单位及其部门的在岗人员',
        querystring: dutyPeopleQuery,
        response: { 200: z.object({ items: z.array(dutyCandidate) }) },
      },
    },
    async (request) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      return { items: await candidatesOf(db, unit.id) };
    },
  );

  routes.get(
    '/duty/shifts',
    {
      config: { access: 'duty.read' },
      schema: {
        tags,
        summary: '值班表：某单位在一段期间（至多 62 天）的班次、值班人员和带班领导',
        querystring: listShiftsQuery,
        response: { 200: shiftList },
      },
    },
    async (request) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      const period = periodOf(request.query.from, request.query.to, zone);
      const rows = await shiftsWhere(db, { orgId: unit.id, from: period.start, before: period.end });
      return { items: rows.map(presentShift) };
    },
  );

  routes.get(
    '/duty/shifts/export.xlsx',
    {
      config: { access: 'duty.read' },
      schema: { tags, summary: '导出可打印的值班表（Excel）', querystring: shiftExportQuery },
    },
    async (request, reply) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      const { from, to } = request.query;
      const period = periodOf(from, to, zone);
      const rows = await shiftsWhere(db, { orgId: unit.id, from: period.start, before: period.end });
      await auditStandalone(db, actorOf(request), {
        action: 'duty.export',
        targetType: 'org',
        targetId: unit.id,
        orgPath: unit.path,
        detail: { from, to },
      });
      const holiday = rows.find((row) => row.holiday_name)?.holiday_name;
      const now = new Date();
      await streamRoster(
        reply,
        rows,
        { unitName: unit.name, from, to, zone, now, title: `${unit.name}${holiday ? `${holiday}假期` : ''}值班表` },
        `${unit.name}-值班表-${from}至${to}.xlsx`,
      );
      return reply;
    },
  );

  routes.get(
    '/duty/shifts/:id',
    {
      config: { access: 'duty.read' },
      schema: { tags, summary: '一个班次', params: idParams, response: { 200: dutyShift } },
    },
    async (request) => service.get(authOf(request), request.params.id),
  );

  routes.post(
    '/duty/shifts',
    {
      config: { access: 'duty.manage' },
      schema: {
        tags,
        summary: '排一个班次（本单位；1～24 小时；假期班次须有带班领导；同一人员班次不能重叠）',
        body: createShiftBody,
        response: { 200: dutyShift },
      },
    },
    async (request) => service.create(authOf(request), actorOf(request), request.body),
  );

  routes.post(
    '/duty/shifts/generate',
    {
      config: { access: 'duty.manage' },
      schema: {
        tags,
        summary: '按每日时段和轮值人员生成假期值班表（全部成功或全部不写；dryRun 仅预览）',
        body: generateShiftsBody,
        response: { 200: generateShiftsResult },
      },
    },
    async (request) => service.generate(authOf(request), actorOf(request), request.body),
  );

  routes.patch(
    '/duty/shifts/:id',
    {
      config: { access: 'duty.manage' },
      schema: {
        tags,
        summary: '修改班次（已结束的不能改；进行中的不能改开始时间）',
        params: idParams,
        body: updateShiftBody,
        response: { 200: dutyShift },
      },
    },
    async (request) => service.update(authOf(request), actorOf(request), request.params.id, request.body),
  );

  routes.delete(
    '/duty/shifts/:id',
    {
      config: { access: 'duty.manage' },
      schema: { tags, summary: '删除尚未开始的班次', params: idParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await service.remove(authOf(request), actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  routes.post(
    '/duty/shifts/:id/handover',
    {
      config: { access: 'duty.read' },
      schema: {
        tags,
        summary: '填写交接班记录（本班次值班人员，班次结束前 1 小时至结束后 24 小时；写后不可修改）',
        params: idParams,
        body: handoverBody,
        response: { 200: z.object({ id: z.number() }) },
      },
    },
    async (request) => ({
      id: await service.handover(authOf(request), actorOf(request), request.params.id, request.body),
    }),
  );

  // ---------------------------------------------------------------------------------------------- swaps

  routes.get(
    '/duty/swaps',
    {
      config: { access: 'duty.read' },
      schema: { tags, summary: '换班申请', querystring: listSwapsQuery, response: { 200: pageOf(dutySwap) } },
    },
    async (request) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      const { state, cursor, limit } = request.query;
      const after = cursor ? (decodeCursor(cursor, ['number']) as [number]) : undefined;
      let query = db
        .selectFrom('duty_swap as w')
        .innerJoin('duty_shift as s', 's.id', 'w.shift_id')
        .innerJoin('org_unit as o', 'o.id', 's.org_id')
        .innerJoin('app_user as f', 'f.id', 'w.from_user_id')
        .innerJoin('app_user as t', 't.id', 'w.to_user_id')
        .leftJoin('app_user as d', 'd.id', 'w.decided_by')
        .select([
          'w.id',
          'w.shift_id',
          's.org_id',
          'o.name as org_name',
          's.starts_at',
          's.ends_at',
          'w.from_user_id',
          'f.display_name as from_name',
          'w.to_user_id',
          't.display_name as to_name',
          'w.reason',
          'w.state',
          'd.display_name as decided_by_name',
          'w.decided_at',
          'w.created_at',
        ])
        .where('w.org_path', 'like', `${unit.path}%`);
      if (state) query = query.where('w.state', '=', state);
      if (after) query = query.where('w.id', '<', after[0]);
      const rows = await query
        .orderBy('w.id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(
        rows,
        limit,
        (row) => ({
          id: row.id,
          shiftId: row.shift_id,
          orgId: row.org_id,
          orgName: row.org_name,
          shiftStartsAt: row.starts_at.toISOString(),
          shiftEndsAt: row.ends_at.toISOString(),
          fromUserId: row.from_user_id,
          fromUserName: row.from_name,
          toUserId: row.to_user_id,
          toUserName: row.to_name,
          reason: row.reason,
          state: row.state as 'pending',
          decidedByName: row.decided_by_name,
          decidedAt: row.decided_at?.toISOString() ?? null,
          createdAt: row.created_at.toISOString(),
        }),
        (row) => [row.id],
      );
    },
  );

  routes.post(
    '/duty/swaps',
    {
      config: { access: 'duty.read' },
      schema: {
        tags,
        summary: '值班人员申请把尚未开始的班次交给同事（替班），待本单位审批',
        body: createSwapBody,
        response: { 200: z.object({ id: z.number() }) },
      },
    },
    async (request) => ({ id: await service.requestSwap(authOf(request), actorOf(request), request.body) }),
  );

  for (const decision of SWAP_DECISIONS) {
    routes.post(
      `/duty/swaps/:id/${decision}`,
      {
        config: { access: decision === 'cancel' ? 'duty.read' : 'duty.manage' },
        schema: {
          tags,
          summary: SWAP_SUMMARIES[decision],
          params: idParams,
          body: decideSwapBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await service.decideSwap(
          authOf(request),
          actorOf(request),
          request.params.id,
          decision,
          request.body.note ?? null,
        );
        return reply.code(204).send(null);
      },
    );
  }

  // ---------------------------------------------------------------------------------------------- handovers

  routes.get(
    '/duty/handovers',
    {
      config: { access: 'duty.read' },
      schema: {
        tags,
        summary: '交接班记录（本单位及下级单位，按填写时间倒序）',
        querystring: listHandoversQuery,
        response: { 200: pageOf(dutyHandover) },
      },
    },
    async (request) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      const { from, to, cursor, limit } = request.query;
      if (from && to && from > to) throw badRequest('date_range_invalid');
      const after = cursor ? (decodeCursor(cursor, ['string', 'number']) as [string, number]) : undefined;
      let query = db
        .selectFrom('duty_handover as h')
        .innerJoin('duty_shift as s', 's.id', 'h.shift_id')
        .innerJoin('org_unit as o', 'o.id', 's.org_id')
        .innerJoin('app_user as w', 'w.id', 'h.written_by')
        .leftJoin('app_user as r', 'r.id', 'h.handed_to')
        .select([
          'h.id',
          'h.shift_id',
          's.org_id',
          'o.name as org_name',
          's.starts_at',
          's.ends_at',
          'h.written_by',
          'w.display_name as writer_name',
          'h.written_at',
          'h.summary',
          'h.open_issues',
          'h.handed_to',
          'r.display_name as recipient_name',
        ])
        .where('h.org_path', 'like', `${unit.path}%`);
      if (from) query = query.where('h.written_at', '>=', startOfDay(from, zone));
      if (to) query = query.where('h.written_at', '<', endOfDay(to, zone));
      if (after) {
        const at = new Date(after[0]);
        if (Number.isNaN(at.getTime())) throw badRequest('invalid_cursor');
        query = query.where((eb) =>
          eb.or([eb('h.written_at', '<', at), eb.and([eb('h.written_at', '=', at), eb('h.id', '<', after[1])])]),
        );
      }
      const rows = await query
        .orderBy('h.written_at', 'desc')
        .orderBy('h.id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(
        rows,
        limit,
        (row) => ({
          id: row.id,
          shiftId: row.shift_id,
          orgId: row.org_id,
          orgName: row.org_name,
          shiftStartsAt: row.starts_at.toISOString(),
          shiftEndsAt: row.ends_at.toISOString(),
          writtenById: row.written_by,
          writtenByName: row.writer_name,
          writtenAt: row.written_at.toISOString(),
          summary: row.summary,
          openIssues: row.open_issues,
          handedToId: row.handed_to,
          handedToName: row.recipient_name,
        }),
        (row) => [row.written_at.toISOString(), row.id],
      );
    },
  );

  // ---------------------------------------------------------------------------------------------- now, coverage

  routes.get(
    '/duty/now',
    {
      config: { access: 'duty.read' },
      schema: {
        tags,
        summary: '当前在岗：辖区内每所学校和教育局此刻的值班人员与带班领导，以及无人值班的单位',
        querystring: dutyNowQuery,
        response: { 200: dutyNowPage },
      },
    },
    async (request) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      const { nobody, cursor, limit } = request.query;
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined;
      const now = new Date();
      const rows = await nowPage(db, unit.path, now, { nobody, after: after?.[0], limit: limit + 1 });
      const page = toPage(
        rows,
        limit,
        (row) => {
          const people = row.people ?? [];
          return {
            orgId: row.id,
            orgName: row.name,
            level: row.level,
            parentName: row.parent_name,
            people,
            leaderNames: people.filter((p) => p.role === 'leader').map((p) => p.name),
            phone: row.phone,
            nobody: people.length === 0,
          };
        },
        (row) => [row.path],
      );
      return { ...page, at: now.toISOString(), totals: await nowTotals(db, unit.path, now) };
    },
  );

  routes.get(
    '/duty/holiday-coverage',
    {
      config: { access: 'duty.read' },
      schema: {
        tags,
        summary: '假期值班情况：辖区每所学校是否有值班表、是否每天有领导带班（无值班、无带班的日期）',
        querystring: holidayCoverageQuery,
        response: { 200: holidayCoveragePage },
      },
    },
    async (request) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      const { from, to, gaps, cursor, limit } = request.query;
      const period = periodOf(from, to, zone);
      const after = cursor ? (decodeCursor(cursor, ['string']) as [string]) : undefined;
      const rows = await coveragePage(db, unit.path, period, zone, { gaps, after: after?.[0], limit: limit + 1 });
      const page = toPage(rows, limit, presentCoverage, (row) => [row.path]);
      return { ...page, days: period.days, totals: await coverageTotals(db, unit.path, period, zone) };
    },
  );

  routes.get(
    '/duty/holiday-coverage/export.xlsx',
    {
      config: { access: 'duty.read' },
      schema: { tags, summary: '导出假期值班情况汇总表（Excel）', querystring: coverageExportQuery },
    },
    async (request, reply) => {
      const unit = await service.readable(authOf(request), request.query.orgId);
      const { from, to, gaps } = request.query;
      const period = periodOf(from, to, zone);
      const totals = await coverageTotals(db, unit.path, period, zone);
      await auditStandalone(db, actorOf(request), {
        action: 'duty.coverage_export',
        targetType: 'org',
        targetId: unit.id,
        orgPath: unit.path,
        detail: { from, to, gaps: gaps ?? false },
      });
      // One query for the whole subtree: a page at a time would compute the period's coverage again per page.
      const rows = await coveragePage(db, unit.path, period, zone, { gaps });
      async function* pages(): AsyncIterable<CoverageRow[]> {
        for (let i = 0; i < rows.length; i += 2000) yield rows.slice(i, i + 2000);
      }
      const now = new Date();
      await streamCoverage(
        reply,
        pages(),
        { unitName: unit.name, from, to, zone, now, totals },
        `${unit.name}-假期值班情况-${dateStamp(zone, now)}.xlsx`,
      );
      return reply;
    },
  );
}
