import {
  checkFormTemplateBody,
  checkTemplate,
  closeCollectionBody,
  collectionDetail,
  collectionSummary,
  createFormTemplateBody,
  formIdParams,
  formSummary,
  formTask,
  formTemplateCheck,
  formTemplateDetail,
  formTemplateSummary,
  formTemplateVersionDetail,
  formTemplateVersionParams,
  issueCollectionBody,
  lateSchoolsResponse,
  listCollectionsQuery,
  listFormTasksQuery,
  listFormTemplatesQuery,
  listSubmissionsQuery,
  pageOf,
  patchFormTemplateBody,
  putFormTemplateContentBody,
  returnBody,
  reviewBody,
  saveDraftBody,
  signBody,
  submissionDetail,
  submissionTable,
  submitBody,
  summaryQuery,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, auditStandalone } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { dateStamp } from '../../platform/excel.js';
import { idempotencyKeyOf, runIdempotent } from '../../platform/idempotency.js';
import { inScope } from '../../platform/scope.js';
import { sendSubmissionWorkbook, streamSummary, submissionWorkbook } from './export.js';
import { registerFormReminders } from './reminders.js';
import { FormService, SUBMISSION_RECORD } from './service.js';
import { FormSummaries } from './summary.js';
import { bootstrapBuiltinFormTemplates, FormTemplates } from './templates.js';

const tags = ['forms'];

export async function formsModule(app: FastifyInstance): Promise<void> {
  const { db, config, sweeper, files } = app.platform;
  const zone = config.businessTimeZone;
  const templates = new FormTemplates(db);
  const service = new FormService(db, templates, zone);
  const summaries = new FormSummaries(db, service);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  await bootstrapBuiltinFormTemplates(db);
  // Attachments of a form are readable by whoever may read the form.
  files.registerOwner(SUBMISSION_RECORD, async (database, auth, submissionId) => {
    const row = await database
      .selectFrom('form_submission')
      .select('org_path')
      .where('id', '=', submissionId)
      .executeTakeFirst();
    return row !== undefined && inScope(auth, row.org_path);
  });
  registerFormReminders(sweeper, zone);

  // ------------------------------------------------------------------------------------------ templates

  routes.get(
    '/forms/templates',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '可用报表模板：内置、本单位及上级的、下级教育局的',
        querystring: listFormTemplatesQuery,
        response: { 200: z.object({ items: z.array(formTemplateSummary) }) },
      },
    },
    async (request) => ({ items: await templates.list(authOf(request), request.query) }),
  );

  routes.post(
    '/forms/templates/check',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '检查报表模板定义（字段标识、选项、规则、预填来源），不保存',
        body: checkFormTemplateBody,
        response: { 200: formTemplateCheck },
      },
    },
    async (request) => {
      const problems = checkTemplate(request.body.content);
      return { ok: problems.length === 0, problems };
    },
  );

  routes.get(
    '/forms/templates/:id',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '报表模板详情（当前版本与版本列表）',
        params: formIdParams,
        response: { 200: formTemplateDetail },
      },
    },
    async (request) => templates.detail(authOf(request), request.params.id),
  );

  routes.get(
    '/forms/templates/:id/versions/:version',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '报表模板的某一版本',
        params: formTemplateVersionParams,
        response: { 200: formTemplateVersionDetail },
      },
    },
    async (request) => templates.version(authOf(request), request.params.id, request.params.version),
  );

  routes.post(
    '/forms/templates',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '新建报表模板，或复制一个可用模板（copyOf）后调整',
        body: createFormTemplateBody,
        response: { 200: formTemplateDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(
        db,
        auth,
        idempotencyKeyOf(request),
        'POST /forms/templates',
        request.body,
        (trx) => templates.create(trx, auth, actorOf(request), request.body),
      );
      return templates.detail(auth, id);
    },
  );

  routes.put(
    '/forms/templates/:id/content',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '保存模板内容为新版本（已下发的报表仍用原版本）',
        params: formIdParams,
        body: putFormTemplateContentBody,
        response: { 200: formTemplateDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => templates.putContent(trx, auth, actorOf(request), request.params.id, request.body.content));
      return templates.detail(auth, request.params.id);
    },
  );

  routes.patch(
    '/forms/templates/:id',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '修改模板名称、说明或停用',
        params: formIdParams,
        body: patchFormTemplateBody,
        response: { 200: formTemplateDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => templates.patch(trx, auth, actorOf(request), request.params.id, request.body));
      return templates.detail(auth, request.params.id);
    },
  );

  // ------------------------------------------------------------------------------------------ collections

  routes.get(
    '/forms/collections',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: '报表任务：本单位及下级下发的、上级下发到本单位的，含填报进度',
        querystring: listCollectionsQuery,
        response: { 200: pageOf(collectionSummary) },
      },
    },
    async (request) => service.listCollections(authOf(request), request.query),
  );

  routes.post(
    '/forms/collections',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '下发报表：向本单位下属的全部学校或指定类型的学校',
        body: issueCollectionBody,
        response: { 200: collectionDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(
        db,
        auth,
        idempotencyKeyOf(request),
        'POST /forms/collections',
        request.body,
        (trx) => service.issue(trx, auth, actorOf(request), request.body),
      );
      return service.collectionDetail(auth, id);
    },
  );

  routes.get(
    '/forms/collections/:id',
    {
      config: { access: 'report.read' },
      schema: { tags, summary: '报表任务详情', params: formIdParams, response: { 200: collectionDetail } },
    },
    async (request) => service.collectionDetail(authOf(request), request.params.id),
  );

  routes.post(
    '/forms/collections/:id/close',
    {
      config: { access: 'report.issue' },
      schema: {
        tags,
        summary: '结束报表任务（不再接收填报）',
        params: formIdParams,
        body: closeCollectionBody,
        response: { 200: collectionDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db.transaction().execute((trx) => service.close(trx, auth, actorOf(request), request.params.id));
      return service.collectionDetail(auth, request.params.id);
    },
  );

  routes.get(
    '/forms/collections/:id/submissions',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: '填报情况表：每校一行，含区、市合计',
        params: formIdParams,
        querystring: listSubmissionsQuery,
        response: { 200: submissionTable },
      },
    },
    async (request) => summaries.table(authOf(request), request.params.id, request.query),
  );

  routes.get(
    '/forms/collections/:id/late',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: '逾期学校：逾期提交的和截止后仍未提交的',
        params: formIdParams,
        response: { 200: lateSchoolsResponse },
      },
    },
    async (request) => summaries.late(authOf(request), request.params.id),
  );

  routes.get(
    '/forms/collections/:id/summary',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: '汇总表（附件2）：按区分组，区、市合计',
        params: formIdParams,
        querystring: summaryQuery,
        response: { 200: formSummary },
      },
    },
    async (request) => summaries.summary(authOf(request), request.params.id, request.query.orgId),
  );

  routes.get(
    '/forms/collections/:id/summary.xlsx',
    {
      config: { access: 'report.read' },
      schema: { tags, summary: '导出汇总表（Excel，正式格式）', params: formIdParams, querystring: summaryQuery },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const summary = await summaries.summary(auth, request.params.id, request.query.orgId);
      const collection = (await service.collectionRow(db, request.params.id))!;
      await auditStandalone(db, actorOf(request), {
        action: 'form.summary_export',
        targetType: 'form_collection',
        targetId: request.params.id,
        orgPath: collection.issuer_org_path,
        detail: { orgId: summary.orgId, schools: summary.overall.schools, submitted: summary.overall.submitted },
      });
      const now = new Date();
      await streamSummary(reply, summary, {
        periodLabel: `${collection.period_from} 至 ${collection.period_to}`,
        timeZone: zone,
        now,
        filename: `${summary.title}-${summary.orgName}-${dateStamp(zone, now)}.xlsx`,
      });
      return reply;
    },
  );

  // ------------------------------------------------------------------------------------------ school side

  routes.get(
    '/forms/tasks',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: '本校的报表任务',
        querystring: listFormTasksQuery,
        response: { 200: z.object({ items: z.array(formTask) }) },
      },
    },
    async (request) => ({ items: await service.tasks(authOf(request), request.query) }),
  );

  routes.get(
    '/forms/submissions/:id',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: '一所学校的报表（内容、预填、签字、历程）',
        params: formIdParams,
        response: { 200: submissionDetail },
      },
    },
    async (request) => service.detail(authOf(request), request.params.id),
  );

  routes.post(
    '/forms/submissions/:id/open',
    {
      config: { access: 'report.fill' },
      schema: {
        tags,
        summary: '打开填报：首次打开时按报告期从平台数据预填（系统预填）',
        params: formIdParams,
        body: closeCollectionBody,
        response: { 200: submissionDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await service.open(auth, actorOf(request), request.params.id);
      return service.detail(auth, request.params.id);
    },
  );

  routes.put(
    '/forms/submissions/:id/draft',
    {
      config: { access: 'report.fill' },
      schema: {
        tags,
        summary: '保存草稿（只检查格式）',
        params: formIdParams,
        body: saveDraftBody,
        response: { 200: submissionDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await db
        .transaction()
        .execute((trx) => service.saveDraft(trx, auth, actorOf(request), request.params.id, request.body));
      return service.detail(auth, request.params.id);
    },
  );

  routes.post(
    '/forms/submissions/:id/submit',
    {
      config: { access: 'report.fill' },
      schema: {
        tags,
        summary: '提交报表（检查必填项与校验规则；截止后提交标记为逾期）',
        params: formIdParams,
        body: submitBody,
        response: { 200: submissionDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await runIdempotent(
        db,
        auth,
        idempotencyKeyOf(request),
        `POST /forms/submissions/${request.params.id}/submit`,
        request.body,
        (trx) => service.submit(trx, auth, actorOf(request), request.params.id, request.body),
      );
      return service.detail(auth, request.params.id);
    },
  );

  const step = (
    path: string,
    access: 'report.sign' | 'report.cosign' | 'report.review',
    action: 'sign' | 'cosign' | 'accept' | 'return',
    summary: string,
    body: typeof signBody | typeof reviewBody | typeof returnBody,
  ) =>
    routes.post(
      path,
      {
        config: { access },
        schema: { tags, summary, params: formIdParams, body, response: { 200: submissionDetail } },
      },
      async (request) => {
        const auth = authOf(request);
        const input = request.body as { note?: string; comment?: string };
        await db
          .transaction()
          .execute((trx) =>
            service.act(trx, auth, actorOf(request), request.params.id, action, input.note ?? input.comment),
          );
        return service.detail(auth, request.params.id);
      },
    );
  step('/forms/submissions/:id/sign', 'report.sign', 'sign', '校长签字', signBody);
  step('/forms/submissions/:id/cosign', 'report.cosign', 'cosign', '派出所所长会签', signBody);
  step('/forms/submissions/:id/accept', 'report.review', 'accept', '审核通过（下发单位或其上级）', reviewBody);
  step('/forms/submissions/:id/return', 'report.review', 'return', '退回修改（须填写意见，历程保留）', returnBody);

  routes.get(
    '/forms/submissions/:id/export.xlsx',
    {
      config: { access: 'report.read' },
      schema: { tags, summary: '导出学校报表（Excel，附件1格式）', params: formIdParams },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const detail = await service.detail(auth, request.params.id);
      const now = new Date();
      const buffer = await submissionWorkbook(detail, zone, now);
      await auditStandalone(db, actorOf(request), {
        action: 'form.export',
        targetType: SUBMISSION_RECORD,
        targetId: detail.id,
        orgPath: (await service.submissionRow(db, auth, detail.id)).org_path,
        detail: { status: detail.status },
      });
      return sendSubmissionWorkbook(reply, buffer, detail);
    },
  );
}
