import { auditEntry, auditVerification, listAuditQuery, pageOf } from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Selectable } from 'kysely';
import type { AuditLogTable } from '../../db/schema.js';
import { actorOf, auditStandalone, verifyAuditChain } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { authOf } from '../../platform/context.js';
import { loadExcel } from '../../platform/excel.js';
import { decodeCursor, iso, toPage } from '../../platform/pagination.js';
import { auditQuery } from './queries.js';

const tags = ['audit'];
const EXPORT_MAX_ROWS = 200_000;

function presentAudit(row: Selectable<AuditLogTable>) {
  return {
    id: row.id,
    at: iso(row.at)!,
    actorId: row.actor_id,
    actorName: row.actor_name,
    ip: row.ip,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    orgPath: row.org_path,
    detail: row.detail,
    outcome: row.outcome as 'success' | 'failure',
  };
}

function isTopLevel(auth: AuthContext): boolean {
  return auth.scopePath.split('/').filter(Boolean).length === 1;
}

export async function auditModule(app: FastifyInstance): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.platform;

  routes.get(
    '/audit',
    {
      config: { access: 'audit.read' },
      schema: { tags, summary: '审计日志', querystring: listAuditQuery, response: { 200: pageOf(auditEntry) } },
    },
    async (request) => {
      const auth = authOf(request);
      const query = request.query;
      const [beforeId] = query.cursor ? (decodeCursor(query.cursor, ['number']) as [number]) : [undefined];
      const rows = await auditQuery(db, {
        ...query,
        scopePath: auth.scopePath,
        includeUnscoped: isTopLevel(auth),
        beforeId,
        limit: query.limit + 1,
      }).execute();
      return toPage(rows, query.limit, presentAudit, (row) => [row.id]);
    },
  );

  routes.get(
    '/audit/verify',
    {
      config: { access: 'audit.read' },
      schema: { tags, summary: '校验审计日志哈希链', response: { 200: auditVerification } },
    },
    async () => verifyAuditChain(db),
  );

  routes.get(
    '/audit/export.xlsx',
    {
      config: { access: 'audit.read' },
      schema: {
        tags,
        summary: '导出审计日志（Excel）',
        querystring: listAuditQuery.omit({ cursor: true, limit: true }),
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await auditStandalone(db, actorOf(request), {
        action: 'audit.export',
        targetType: 'audit_log',
        orgPath: auth.scopePath,
        detail: { filter: request.query },
      });
      const filename = encodeURIComponent(`审计日志-${new Date().toISOString().slice(0, 10)}.xlsx`);
      reply.raw.writeHead(200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': `attachment; filename="audit.xlsx"; filename*=UTF-8''${filename}`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      reply.hijack();
      const ExcelJS = await loadExcel();
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: reply.raw, useStyles: true });
      const sheet = workbook.addWorksheet('审计日志');
      sheet.columns = [
        { header: '序号', key: 'id', width: 10 },
        { header: '时间', key: 'at', width: 22 },
        { header: '操作人', key: 'actor', width: 18 },
        { header: 'IP', key: 'ip', width: 16 },
        { header: '操作', key: 'action', width: 22 },
        { header: '对象', key: 'target', width: 18 },
        { header: '结果', key: 'outcome', width: 8 },
        { header: '详情', key: 'detail', width: 60 },
      ];
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
      // Streams in pages so memory stays flat however long the log is.
      let beforeId: number | undefined;
      let written = 0;
      while (written < EXPORT_MAX_ROWS) {
        const rows = await auditQuery(db, {
          ...request.query,
          scopePath: auth.scopePath,
          includeUnscoped: isTopLevel(auth),
          beforeId,
          limit: 2000,
        }).execute();
        if (rows.length === 0) break;
        for (const row of rows) {
          sheet
            .addRow({
              id: row.id,
              at: row.at.toLocaleString('zh-CN', { timeZone: app.platform.config.businessTimeZone, hour12: false }),
              actor: row.actor_name ?? '',
              ip: row.ip ?? '',
              action: row.action,
              target: row.target_type ? `${row.target_type}#${row.target_id ?? ''}` : '',
              outcome: row.outcome === 'success' ? '成功' : '失败',
              detail: row.detail == null ? '' : JSON.stringify(row.detail).slice(0, 2000),
            })
            .commit();
        }
        written += rows.length;
        beforeId = rows[rows.length - 1]!.id;
      }
      sheet.commit();
      await workbook.commit();
    },
  );
}
