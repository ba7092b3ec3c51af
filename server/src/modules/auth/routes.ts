import {
  changePasswordBody,
  loginBody,
  loginResponse,
  sessionUser,
  switchOrgBody,
  totpCodeBody,
  totpEnrolment,
} from '@safe-campus/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CSRF_HEADER, SESSION_COOKIE } from '../../platform/access.js';
import { authOf } from '../../platform/context.js';
import { sha256 } from '../../platform/crypto.js';
import { AuthService } from './service.js';

const okResponse = z.object({ ok: z.literal(true) });
const tags = ['auth'];

export function sessionCookieOptions(app: FastifyInstance, request: FastifyRequest) {
  const secure =
    app.platform.config.cookieSecure === 'auto' ? request.protocol === 'https' : app.platform.config.cookieSecure;
  return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure };
}

export async function authModule(app: FastifyInstance): Promise<void> {
  const service = new AuthService(app);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const current = async (request: FastifyRequest) => ({
    user: await service.sessionUser(authOf(request).sessionId),
    csrfToken: authOf(request).csrfToken,
  });

  routes.post(
    '/auth/login',
    {
      config: {
        access: 'public',
        rateLimit: {
          max: app.platform.config.loginRateLimit,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (request: FastifyRequest) =>
            `${request.ip}|${String((request.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}`,
        },
      },
      schema: { tags, summary: '登录', body: loginBody, response: { 200: loginResponse } },
    },
    async (request, reply) => {
      const { token, csrfToken } = await service.login(request, request.body.username, request.body.password);
      const sessionId = sha256(token);
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(app, request));
      return { user: await service.sessionUser(sessionId), csrfToken };
    },
  );

  routes.post(
    '/auth/logout',
    {
      config: { access: 'authenticated', allowPending: true },
      schema: { tags, summary: '退出登录', response: { 200: okResponse } },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      await service.logout(request, authOf(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  routes.get(
    '/auth/me',
    {
      config: { access: 'authenticated', allowPending: true },
      schema: { tags, summary: '当前用户', response: { 200: loginResponse } },
    },
    current,
  );

  routes.post(
    '/auth/password',
    {
      config: { access: 'authenticated', allowPending: true },
      schema: { tags, summary: '修改密码', body: changePasswordBody, response: { 200: loginResponse } },
    },
    async (request) => {
      await service.changePassword(request, authOf(request), request.body.currentPassword, request.body.newPassword);
      return current(request);
    },
  );

  routes.post(
    '/auth/totp/verify',
    {
      config: { access: 'authenticated', allowPending: true },
      schema: { tags, summary: '登录时校验动态验证码', body: totpCodeBody, response: { 200: loginResponse } },
    },
    async (request) => {
      await service.verifyTotp(request, authOf(request), request.body.code);
      return current(request);
    },
  );

  routes.post(
    '/auth/totp/enrolment',
    {
      config: { access: 'authenticated', allowPending: true },
      schema: { tags, summary: '开始绑定动态验证码', response: { 200: totpEnrolment } },
    },
    async (request) => service.startTotpEnrolment(request, authOf(request)),
  );

  routes.post(
    '/auth/totp/confirm',
    {
      config: { access: 'authenticated', allowPending: true },
      schema: { tags, summary: '确认绑定动态验证码', body: totpCodeBody, response: { 200: loginResponse } },
    },
    async (request) => {
      await service.confirmTotpEnrolment(request, authOf(request), request.body.code);
      return current(request);
    },
  );

  routes.post(
    '/auth/totp/disable',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: '解除动态验证码', body: totpCodeBody, response: { 200: loginResponse } },
    },
    async (request) => {
      await service.disableTotp(request, authOf(request), request.body.code);
      return current(request);
    },
  );

  routes.post(
    '/auth/switch-org',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: '切换当前单位', body: switchOrgBody, response: { 200: loginResponse } },
    },
    async (request) => {
      await service.switchOrg(request, authOf(request), request.body.orgId);
      return current(request);
    },
  );
}

export { CSRF_HEADER, sessionUser };
