import { isPermission } from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import { type ResourceFixture, ROUTE_FIXTURES, type RouteFixture, resourceFor } from '../fixtures/index.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema from the OpenAPI document
export type JsonSchema = any;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  /** `GET /api/v1/orgs/{id}`: the key fixtures use. */
  key: string;
  permission: string | null | undefined;
  parameters: Parameter[];
  pathParams: string[];
  requiredQuery: string[];
  body: JsonSchema | null;
  bodyRequired: boolean;
  /** Content types the body may have (JSON, multipart…). */
  bodyTypes: string[];
  resource: ResourceFixture | null;
  fixture: RouteFixture | null;
  /** What a developer must add before the route can be checked. */
  problems: string[];
}

const FIXTURE_HINT = 'see server/test/fixtures/README.md';

/** Every /api/v1 operation of the served OpenAPI document, with its fixtures resolved. */
export async function readOperations(app: FastifyInstance): Promise<Operation[]> {
  const response = await app.inject({ method: 'GET', url: '/api/docs/json' });
  if (response.statusCode !== 200) throw new Error(`GET /api/docs/json answered ${response.statusCode}`);
  const document = response.json() as { paths: Record<string, Record<string, JsonSchema>> };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [lower, operation] of Object.entries(methods)) {
      const method = lower.toUpperCase() as Operation['method'];
      if (!['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method)) continue;
      const parameters = ((operation.parameters ?? []) as Parameter[]).map((p) => ({
        ...p,
        required: Boolean(p.required),
      }));
      const content = (operation.requestBody?.content ?? {}) as Record<string, { schema?: JsonSchema }>;
      const bodyTypes = Object.keys(content);
      const body = content['application/json']?.schema ?? null;
      const key = `${method} ${path}`;
      const permission = operation['x-permission'] as string | null | undefined;
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const requiredQuery = parameters.filter((p) => p.in === 'query' && p.required).map((p) => p.name);
      const resource = resourceFor(path);
      const fixture = ROUTE_FIXTURES.get(key) ?? null;
      const bodyRequired = Boolean(operation.requestBody?.required) || (body?.required?.length ?? 0) > 0;
      const problems: string[] = [];
      if (permission == null || permission === '') {
        problems.push(`${key} declares no permission: add config: { access: '<permission>' } to the route`);
      } else if (permission !== 'public' && permission !== 'authenticated' && !isPermission(permission)) {
        problems.push(`${key} declares unknown permission ${permission}: add it to domain/src/permissions.ts`);
      }
      if (pathParams.length > 0 && !resource) {
        problems.push(
          `${key}: no record fixture for {${pathParams.join('}, {')}}: add a ResourceFixture { path: '${path.replace(/\/[^/{}]+$/, '')}', … } (${FIXTURE_HINT})`,
        );
      }
      if (bodyRequired && !fixture?.body) {
        problems.push(
          `${key}: the body is required but no fixture gives one: add a RouteFixture { route: '${key}', body } (${FIXTURE_HINT})`,
        );
      }
      if (bodyTypes.length > 0 && !bodyTypes.includes('application/json') && !fixture?.body) {
        problems.push(
          `${key}: ${bodyTypes.join(', ')} body without a fixture: add a RouteFixture { route: '${key}', body: … raw } (${FIXTURE_HINT})`,
        );
      }
      if (requiredQuery.length > 0 && !fixture?.query) {
        problems.push(
          `${key}: query parameters ${requiredQuery.join(', ')} are required but no fixture gives them: add a RouteFixture { route: '${key}', query } (${FIXTURE_HINT})`,
        );
      }
      operations.push({
        method,
        path,
        key,
        permission,
        parameters,
        pathParams,
        requiredQuery,
        body,
        bodyRequired,
        bodyTypes,
        resource,
        fixture,
        problems,
      });
    }
  }
  return operations;
}

/** Replaces `{param}` in a path and appends the query string. */
export function buildUrl(
  path: string,
  params: Record<string, string | number>,
  query?: Record<string, string | number | boolean>,
): string {
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(String(params[name] ?? `missing-${name}`)),
  );
  const search = query
    ? new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()
    : '';
  return search ? `${url}?${search}` : url;
}

/** The audit action a write is expected to append, unless its fixture says otherwise: `POST /orgs` → `org.create`. */
export function defaultAuditAction(operation: Operation): string {
  const segments = operation.path.replace('/api/v1/', '').split('/');
  const resource = segments[0]!.replace(/ies$/, 'y').replace(/s$/, '');
  const last = segments[segments.length - 1]!;
  if (!last.startsWith('{') && segments.length > 1) return `${resource}.${last.replace(/-/g, '_')}`;
  return `${resource}.${{ POST: 'create', PATCH: 'update', PUT: 'update', DELETE: 'delete', GET: 'read' }[operation.method]}`;
}
