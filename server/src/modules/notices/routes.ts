import {
  acknowledgeUrgentBody,
  createNoticeBody,
  createUrgentReportBody,
  exportUrgentReportsQuery,
  idParams,
  inboxQuery,
  listNoticesQuery,
  listUrgentReportsQuery,
  noticeDetail,
  noticeInboxItem,
  noticeReceipt,
  noticeSummary,
  pageOf,
  parseUrgentMinutes,
  receiptsQuery,
  remindResult,
  replyNoticeBody,
  unreadCount,
  urgentFollowupBody,
  urgentReportDetail,
  urgentReportSummary,
  withdrawNoticeBody,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { idempotencyKeyOf, runIdempotent } from '../../platform/idempotency.js';
import { streamReceipts, streamUrgentReports } from './export.js';
import { registerNoticeReminders } from './reminders.js';
import { NoticeService } from './service.js';
import { UrgentReportService } from './urgent.js';

const tags = ['notices'];
const receiptsExportQuery = receiptsQuery.omit({ limit: true, cursor: true });

/**
 * Notices (通知) with per-unit receipts, and urgent information reports (信息报送). Rules: domain/src/api/notices.ts;
 * decisions: docs/notices.md.
 */
export async function noticesModule(app: FastifyInstance): Promise<void> {
  const { db, config, sweeper, files } = app.platform;
  const zone = config.businessTimeZone;
  const notices = new NoticeService(db, zone);
  // Deadlines by severity; URGENT_REPORT_MINUTES overrides the defaults (a typo stops the start).
  const urgent = new UrgentReportService(db, parseUrgentMinutes(process.env.URGENT_REPORT_MINUTES));
  const routes = app.withTypeProvider<ZodTypeProvider>();

  files.registerOwner('notice', (database, auth, id) => notices.canReadNoticeFiles(database, auth, id));
  files.registerOwner('notice_reply', (database, auth, id) => notices.canReadReplyFiles(database, auth, id));
  registerNoticeReminders(sweeper);
  sweeper.register('notices.urgent_escalation', async ({ db: database, now }) => {
    await urgent.sweepEscalations(database, now);
  });

  // ------------------------------------------------------------------------------------------ notices

  routes.get(
    '/notices',
    {
      config: { access: 'notice.read' },
      schema: {
        tags,
        summary: '本单位及下级单位发布的通知（含阅读、回执统计）',
        querystring: listNoticesQuery,
        response: { 200: pageOf(noticeSummary) },
      },
    },
    async (request) => notices.listPublished(authOf(request), request.query),
  );

  routes.get(
    '/notices/inbox',
    {
      config: { access: 'notice.read' },
      schema: {
        tags,
        summary: '收到的通知（上级发给本单位的）',
        querystring: inboxQuery,
        response: { 200: pageOf(noticeInboxItem) },
      },
    },
    async (request) => notices.inbox(authOf(request), request.query),
  );

  routes.get(
    '/notices/inbox/unread-count',
    {
      config: { access: 'notice.read' },
      schema: { tags, summary: '本单位未读通知数（角标）', response: { 200: unreadCount } },
    },
    async (request) => ({ count: await notices.unreadCount(authOf(request)) }),
  );

  routes.post(
    '/notices',
    {
      config: { access: 'notice.publish' },
      schema: {
        tags,
        summary: '发布通知：教育局发往下级教育局和学校，学校发往本校部门',
        body: createNoticeBody,
        response: { 200: noticeDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(db, auth, idempotencyKeyOf(request), 'POST /notices', request.body, (trx) =>
        notices.create(trx, auth, actorOf(request), request.body),
      );
      return notices.detail(auth, id);
    },
  );

  routes.get(
    '/notices/:id',
    {
      config: { access: 'notice.read' },
      schema: {
        tags,
        summary: '通知详情；接收单位的人员首次打开即记为本单位已读',
        params: idParams,
        response: { 200: noticeDetail },
      },
    },
    async (request) => notices.detail(authOf(request), request.params.id),
  );

  routes.get(
    '/notices/:id/receipts',
    {
      config: { access: 'notice.read' },
      schema: {
        tags,
        summary: '回执情况：每个接收单位的阅读与回执',
        params: idParams,
        querystring: receiptsQuery,
        response: { 200: pageOf(noticeReceipt) },
      },
    },
    async (request) => notices.receipts(authOf(request), request.params.id, request.query),
  );

  routes.get(
    '/notices/:id/receipts/export.xlsx',
    {
      config: { access: 'notice.read' },
      schema: { tags, summary: '导出回执情况表（Excel）', params: idParams, querystring: receiptsExportQuery },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const notice = await notices.forExport(auth, request.params.id);
      await auditStandalone(db, actorOf(request), {
        action: 'notice.export',
        targetType: 'notice',
        targetId: notice.id,
        orgPath: notice.org_path,
        detail: { ...request.query },
      });
      const filter = [request.query.status, request.query.level, request.query.q].filter(Boolean).join('，');
      await streamReceipts(reply, notice, notices.receiptPages(notice.id, request.query), zone, filter);
      return reply;
    },
  );

  routes.post(
    '/notices/:id/reply',
    {
      config: { access: 'notice.read' },
      schema: {
        tags,
        summary: '提交本单位回执（文字和/或附件）',
        params: idParams,
        body: replyNoticeBody,
        response: { 200: noticeDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await runIdempotent(db, auth, idempotencyKeyOf(request), 'POST /notices/:id/reply', request.body, (trx) =>
        notices.reply(trx, auth, actorOf(request), request.params.id, request.body),
      );
      return notices.detail(auth, request.params.id);
    },
  );

  routes.post(
    '/notices/:id/remind',
    {
      config: { access: 'notice.publish' },
      schema: {
        tags,
        summary: '催办未读单位（同一通知一小时内只能催办一次）',
        params: idParams,
        response: { 200: remindResult },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return db.transaction().execute((trx) => notices.remind(trx, auth, actorOf(request), request.params.id));
    },
  );

  routes.post(
    '/notices/:id/withdraw',
    {
      config: { access: 'notice.publish' },
      schema: {
        tags,
        summary: '撤回通知（接收单位只能看到标题和撤回原因）',
        params: idParams,
        body: withdrawNoticeBody,
        response: { 200: noticeDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => notices.withdraw(trx, auth, actorOf(request), request.params.id, request.body.reason));
      return notices.detail(auth, request.params.id);
    },
  );

  // ----------------------------------------------------------------------------------- urgent reports

  routes.get(
    '/urgent-reports',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: '突发事件信息报送列表（本单位及下级学校）',
        querystring: listUrgentReportsQuery,
        response: { 200: pageOf(urgentReportSummary) },
      },
    },
    async (request) => urgent.list(authOf(request), request.query),
  );

  routes.get(
    '/urgent-reports/export.xlsx',
    {
      config: { access: 'report.read' },
      schema: { tags, summary: '导出信息报送台账（Excel）', querystring: exportUrgentReportsQuery },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { rows, root, unit } = await urgent.forExport(auth, request.query);
      await auditStandalone(db, actorOf(request), {
        action: 'urgent_report.export',
        targetType: 'org',
        targetId: unit?.id ?? null,
        orgPath: root,
        detail: { ...request.query, rows: Math.min(rows.length, 20_000) },
      });
      await streamUrgentReports(reply, rows, unit?.name ?? '', zone);
      return reply;
    },
  );

  routes.post(
    '/urgent-reports',
    {
      config: { access: 'report.fill' },
      schema: {
        tags,
        summary: '学校报送突发事件信息（伤亡只填人数）',
        body: createUrgentReportBody,
        response: { 200: urgentReportDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(db, auth, idempotencyKeyOf(request), 'POST /urgent-reports', request.body, (trx) =>
        urgent.create(trx, auth, actorOf(request), request.body),
      );
      return urgent.detail(auth, id);
    },
  );

  routes.get(
    '/urgent-reports/:id',
    {
      config: { access: 'report.read' },
      schema: { tags, summary: '信息报送详情与续报', params: idParams, response: { 200: urgentReportDetail } },
    },
    async (request) => urgent.detail(authOf(request), request.params.id),
  );

  routes.post(
    '/urgent-reports/:id/followups',
    {
      config: { access: 'report.fill' },
      schema: {
        tags,
        summary: '续报',
        params: idParams,
        body: urgentFollowupBody,
        response: { 200: urgentReportDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await runIdempotent(
        db,
        auth,
        idempotencyKeyOf(request),
        'POST /urgent-reports/:id/followups',
        request.body,
        (trx) => urgent.followup(trx, auth, actorOf(request), request.params.id, request.body),
      );
      return urgent.detail(auth, request.params.id);
    },
  );

  routes.post(
    '/urgent-reports/:id/acknowledge',
    {
      config: { access: 'report.review' },
      schema: {
        tags,
        summary: '教育局签收',
        params: idParams,
        body: acknowledgeUrgentBody,
        response: { 200: urgentReportDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => urgent.acknowledge(trx, auth, actorOf(request), request.params.id, request.body.note));
      return urgent.detail(auth, request.params.id);
    },
  );
}
