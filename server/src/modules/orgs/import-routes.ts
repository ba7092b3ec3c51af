import { importReport } from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { IMPORT_MAX_BYTES, sendXlsx, uploadedFile } from '../../platform/excel.js';
import { importOrgs, orgTemplate } from '../orgs-import/service.js';

const tags = ['orgs'];

/** Excel import of org units; registered from the orgs module. */
export async function orgImportRoutes(app: FastifyInstance): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/orgs/import/template.xlsx',
    { config: { access: 'org.manage' }, schema: { tags, summary: '下载单位导入模板（Excel）' } },
    async (_request, reply) => sendXlsx(reply, await orgTemplate(), '单位导入模板.xlsx'),
  );

  routes.post(
    '/orgs/import',
    {
      config: { access: 'org.manage' },
      schema: {
        tags,
        summary: '从 Excel 导入单位（全部校验通过才写入）',
        description:
          'multipart/form-data，文件字段 `file`。有错误时返回 400 import_invalid 与 errors: [{row, column, message}]。',
        response: { 200: importReport },
      },
    },
    async (request) => {
      const { buffer } = await uploadedFile(request, IMPORT_MAX_BYTES);
      return importOrgs(app.platform.db, authOf(request), actorOf(request), buffer);
    },
  );
}
