import { guardItem, guardList, guardProfileBody, guardsQuery, idParams } from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { GuardService } from './service.js';

const tags = ['guards'];

/** Guards (保安员) of a school and their licence / year of birth, for the seed 003 form's prefill. */
export async function guardsModule(app: FastifyInstance): Promise<void> {
  const { db, cipher, config } = app.platform;
  const service = new GuardService(db, cipher, {
    guardMaxAge: config.guardMaxAge,
    timeZone: config.businessTimeZone,
  });
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/guards',
    {
      config: { access: 'user.read' },
      schema: {
        tags,
        summary: '学校保安员名单：持证情况、出生年份、是否超龄',
        querystring: guardsQuery,
        response: { 200: guardList },
      },
    },
    async (request) => service.list(authOf(request), request.query.orgId),
  );

  routes.put(
    '/guards/:id',
    {
      config: { access: 'user.manage' },
      schema: {
        tags,
        summary: '登记保安员的持证情况与出生年份（证号加密保存，返回时脱敏）',
        params: idParams,
        body: guardProfileBody,
        response: { 200: guardItem },
      },
    },
    async (request) => service.update(authOf(request), actorOf(request), request.params.id, request.body),
  );
}
