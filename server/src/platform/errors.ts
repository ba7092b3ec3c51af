import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { FIELD_MESSAGES, formatMessage, type Language, type ProblemCode, pickLanguage } from '../i18n/messages.js';

export interface FieldError {
  path: string;
  message: string;
}

/** An expected failure with an HTTP status and a stable code; rendered as problem+json. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly params: Record<string, unknown> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export const notFound = () => new AppError(404, 'not_found');
export const forbidden = () => new AppError(403, 'forbidden');
export const conflict = (code: ProblemCode = 'conflict', params: Record<string, unknown> = {}) =>
  new AppError(409, code, params);
export const badRequest = (
  code: ProblemCode,
  params: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) => new AppError(400, code, params, extra);

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ProblemCode,
  params: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): FastifyReply {
  const language = pickLanguage(request.headers['accept-language']);
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `https://safe-campus.dev/problems/${code}`,
      title: code,
      status,
      code,
      message: formatMessage(code, language, params),
      ...extra,
    });
}

function fieldErrors(
  issues: ReadonlyArray<{
    instancePath?: string;
    params?: { issue?: { code?: string; message?: string; path?: PropertyKey[] } };
  }>,
  language: Language,
): FieldError[] {
  return issues.slice(0, 20).map((issue) => {
    const zodIssue = issue.params?.issue;
    const kind = zodIssue?.message === 'control_characters' ? 'control_characters' : (zodIssue?.code ?? 'other');
    const message = (FIELD_MESSAGES as Record<string, { zh: string; en: string }>)[kind] ?? FIELD_MESSAGES.other;
    return { path: (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.'), message: message[language] };
  });
}

const PG_UNIQUE_VIOLATION = '23505';
const PG_FOREIGN_KEY_VIOLATION = '23503';
// The database went away under a request (restart, network): the request may be retried, so 503.
const NETWORK_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const PG_CONNECTION_ERRORS = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001']);

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & { code?: string }, request, reply) => {
    if (error instanceof AppError)
      return sendProblem(request, reply, error.status, error.code, error.params, error.extra);
    const language = pickLanguage(request.headers['accept-language']);
    if (hasZodFastifySchemaValidationErrors(error)) {
      return sendProblem(
        request,
        reply,
        400,
        'validation_failed',
        {},
        { errors: fieldErrors(error.validation, language) },
      );
    }
    if (error.validation) return sendProblem(request, reply, 400, 'validation_failed');
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(request, reply, 400, 'malformed_json');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
      case 'FST_REQ_FILE_TOO_LARGE':
      case 'FST_FILES_LIMIT':
      case 'FST_PARTS_LIMIT':
        return sendProblem(request, reply, 413, 'payload_too_large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
        return sendProblem(request, reply, 415, 'unsupported_media_type');
      case PG_UNIQUE_VIOLATION:
        return sendProblem(request, reply, 409, 'conflict');
      case PG_FOREIGN_KEY_VIOLATION:
        return sendProblem(request, reply, 404, 'not_found');
    }
    if (error.statusCode === 429) return sendProblem(request, reply, 429, 'rate_limited');
    if (error.code && PG_CONNECTION_ERRORS.has(error.code))
      return sendProblem(request, reply, 503, 'service_unavailable');
    if (
      (error.code && NETWORK_ERRORS.has(error.code)) ||
      /ECONNREFUSED|ECONNRESET|Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(
        error.message,
      )
    ) {
      return sendProblem(request, reply, 503, 'service_unavailable');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(request, reply, error.statusCode, 'validation_failed');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, 500, 'internal_error');
  });
}

/** Errors the router raises before any route runs (over-long path parameters, malformed URLs). */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  void sendProblem(request, reply, status, 'validation_failed');
}
