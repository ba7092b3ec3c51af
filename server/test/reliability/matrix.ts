import { isWithin, ROLE_PERMISSIONS } from '@safe-campus/domain';
import type { BuiltOrg } from '../factories.js';
import type { BodyRef, Caller, QueryRef, RecordRef } from '../fixtures/index.js';
import { buildUrl, type Operation } from './openapi.js';
import type { World } from './world.js';

/** `default`: a list called without its optional scoping query (the caller's whole scope). */
export type ScopeCase = 'own' | 'otherSchool' | 'otherCounty' | 'above' | 'self' | 'default';
export const SCOPE_CASES: ScopeCase[] = ['own', 'otherSchool', 'otherCounty', 'above'];

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

export interface CaseResult {
  route: string;
  caller: string;
  scope: ScopeCase;
  /** `2xx`, `403`, `404`, or a declared status. */
  expected: string;
  got: number;
  ok: boolean;
  problems: string[];
  leaks: string[];
  ms: number;
  /** Cache-Control and Content-Type of the answer (residual-information checks). */
  cacheControl?: string;
  contentType?: string;
}

export interface MatrixResult {
  operations: Operation[];
  cases: CaseResult[];
  /** Routes that cannot be checked (no permission, no fixture). */
  setupProblems: string[];
}

export interface MatrixOptions {
  /** Only these methods (the secret scan reads GETs only). */
  methods?: Operation['method'][];
  /** Only the allowed cases of each route (no 403 rows). */
  allowedOnly?: boolean;
  scopes?: ScopeCase[];
  /** Strings that must never appear in any 2xx GET body (hashes, tokens, secrets). */
  secrets?: string[];
}

/** The orgs a scope case may point at, first one the fixture accepts wins. */
export function candidates(world: World, caller: Caller, scope: ScopeCase): BuiltOrg[] {
  const { tree, ctx } = world;
  const depth = (org: BuiltOrg) => org.path.split('/').length;
  switch (scope) {
    case 'own':
    case 'self':
    case 'default':
      return [
        caller.org,
        ...ctx.orgs
          .filter((o) => o.id !== caller.org.id && isWithin(o.path, caller.org.path))
          .sort((a, b) => depth(a) - depth(b)),
      ];
    case 'otherSchool':
      return [tree.otherSchool, tree.otherDepartment];
    case 'otherCounty':
      return [tree.otherCounty, tree.farSchool];
    case 'above':
      return ctx.orgs
        .filter((o) => o.id !== caller.org.id && isWithin(caller.org.path, o.path))
        .sort((a, b) => depth(b) - depth(a));
  }
}

export function hasAccess(caller: Caller, permission: string): boolean {
  if (permission === 'public' || permission === 'authenticated') return true;
  return (ROLE_PERMISSIONS[caller.role] as readonly string[]).includes(permission);
}

function isProblemJson(reply: Reply): boolean {
  return String(reply.headers['content-type'] ?? '').startsWith('application/problem+json');
}

let listening: Promise<string> | null = null;

/** Sends one request as `caller` (null: anonymous). Streams are opened over a real socket and closed after the headers. */
export async function send(
  world: World,
  caller: Caller | null,
  method: string,
  url: string,
  body: BodyRef | null,
  options: { stream?: boolean; csrf?: boolean } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (caller) {
    headers.cookie = caller.client.cookie;
    if (method !== 'GET' && options.csrf !== false) headers['x-csrf-token'] = caller.client.csrfToken;
  }
  if (options.stream) {
    listening ??= world.t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = await listening;
    const controller = new AbortController();
    const response = await fetch(`${base}${url}`, { headers, signal: controller.signal });
    const text = response.status === 200 ? '' : await response.text();
    controller.abort();
    return { status: response.status, headers: Object.fromEntries(response.headers.entries()), body: text };
  }
  let payload: string | Buffer | undefined;
  if (body?.raw) {
    payload = body.raw.payload;
    Object.assign(headers, body.raw.headers);
  } else if (body && body.body !== undefined) {
    payload = JSON.stringify(body.body);
    headers['content-type'] = 'application/json';
  }
  const injected = world.t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`${method} ${url} did not answer in 15 s (a stream? declare stream: true in its fixture)`)),
      15_000,
    );
  });
  try {
    const response = await Promise.race([injected, timeout]);
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } finally {
    clearTimeout(timer);
  }
}

/** Objects of list pages (`items` arrays), wherever they are in a body. */
function listItems(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) listItems(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'items' && Array.isArray(child))
        for (const item of child) if (item && typeof item === 'object') out.push(item as Record<string, unknown>);
      listItems(child, out);
    }
  }
  return out;
}

/** Ids of a list route's items that lie outside the caller's scope. */
function listLeaks(world: World, operation: Operation, caller: Caller, body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const scope = caller.org.path;
  const allowAbove = operation.fixture?.listAllowsAncestors === true;
  const visible = (path: string) => isWithin(path, scope) || (allowAbove && isWithin(scope, path));
  const listOf = operation.fixture?.listOf;
  const resource =
    listOf === null
      ? undefined
      : world.tracked.get(listOf ?? operation.path.replace('/api/v1/', '').split('/')[0] ?? '');
  const leaks: string[] = [];
  for (const item of listItems(parsed)) {
    for (const field of ['path', 'orgPath']) {
      const value = item[field];
      if (typeof value === 'string' && value.startsWith('/') && !visible(value))
        leaks.push(`item ${String(item.id)} has ${field} ${value} outside ${scope}`);
    }
    if (operation.pathParams.length === 0 && resource && item.id !== undefined) {
      const owner = resource.get(String(item.id));
      if (owner && !visible(owner)) leaks.push(`item ${String(item.id)} belongs to ${owner}, outside ${scope}`);
    }
  }
  return leaks;
}

export interface Prepared {
  scope: ScopeCase;
  org: BuiltOrg;
  record: RecordRef | null;
  body: BodyRef | null;
  query: QueryRef | null;
}

export async function prepare(
  world: World,
  operation: Operation,
  caller: Caller,
  scope: ScopeCase,
  fresh: boolean,
): Promise<Prepared | null> {
  const fixture = operation.fixture;
  if (scope === 'default') return { scope, org: caller.org, record: null, body: null, query: null };
  for (const org of candidates(world, caller, scope)) {
    const record = operation.resource ? await operation.resource.record(world.ctx, org, { fresh, caller }) : null;
    if (operation.resource && !record) continue;
    const input = { org, record, caller };
    const body = fixture?.body ? await fixture.body(world.ctx, input) : null;
    if (fixture?.body && !body) continue;
    const query = fixture?.query ? await fixture.query(world.ctx, input) : null;
    if (fixture?.query && !query) continue;
    return { scope, org, record, body, query };
  }
  return null;
}

/** Is the route's target visible to the caller? null when nothing in the case is scoped. */
function targetInScope(prepared: Prepared, caller: Caller, method: string): boolean | null {
  const { record, body, query } = prepared;
  if (record?.visible) return record.visible(caller, method);
  if (record?.ownerUserId !== undefined) return record.ownerUserId === caller.user.id;
  if (record) return isWithin(record.orgPath, caller.org.path);
  for (const ref of [body, query]) {
    if (ref?.visible) return ref.visible(caller, method);
    if (ref?.orgPath !== undefined) return isWithin(ref.orgPath, caller.org.path);
  }
  return null;
}

export async function runCase(
  world: World,
  operation: Operation,
  baseCaller: Caller,
  scope: ScopeCase,
  options: MatrixOptions,
): Promise<CaseResult | null> {
  const permission = operation.permission ?? '';
  const allowed = hasAccess(baseCaller, permission);
  const fixture = operation.fixture;
  const mutating = operation.method !== 'GET';
  const prepared = await prepare(world, operation, baseCaller, scope, mutating && allowed);
  if (!prepared) return null;
  let caller = baseCaller;
  if (fixture?.freshSession && allowed) caller = await world.ctx.freshCaller(baseCaller.role, baseCaller.org);

  const inScope = targetInScope(prepared, caller, operation.method);
  // Without a scoped target only the "own" (or self) case is meaningful.
  if (inScope === null && scope !== 'own' && scope !== 'self' && scope !== 'default') return null;
  let expected: string;
  if (!allowed) expected = '403';
  else if (inScope === false) expected = String(fixture?.outOfScopeStatus ?? 404);
  else expected = fixture?.allowedStatus ? String(fixture.allowedStatus) : '2xx';

  const url = buildUrl(operation.path, prepared.record?.params ?? {}, prepared.query?.query);
  const started = performance.now();
  const reply = await send(world, caller, operation.method, url, prepared.body, { stream: fixture?.stream });
  const ms = performance.now() - started;
  const problems: string[] = [];
  const leaks: string[] = [];
  const got = reply.status;
  const statusOk = expected === '2xx' ? got >= 200 && got < 300 : got === Number(expected);
  if (got >= 400) {
    if (!isProblemJson(reply)) problems.push(`4xx without problem+json (${String(reply.headers['content-type'])})`);
    for (const mark of [...(prepared.record?.marks ?? []), ...(prepared.body?.marks ?? [])]) {
      if (mark && reply.body.includes(mark)) leaks.push(`${got} body contains the record's "${mark}"`);
    }
  }
  if (got >= 500) problems.push(`server error ${got}`);
  if (operation.method === 'GET' && got === 200) {
    leaks.push(...listLeaks(world, operation, caller, reply.body));
    for (const secret of [...(options.secrets ?? []), '$argon2']) {
      if (secret && reply.body.includes(secret)) leaks.push(`GET body contains a secret (${secret.slice(0, 10)}…)`);
    }
  }
  const ok = statusOk && leaks.length === 0 && problems.length === 0;
  if (!statusOk) problems.push(reply.body.slice(0, 200));
  return {
    route: operation.key,
    caller: caller.label,
    scope: prepared.scope,
    expected,
    got,
    ok,
    problems,
    leaks,
    ms,
    cacheControl: String(reply.headers['cache-control'] ?? ''),
    contentType: String(reply.headers['content-type'] ?? ''),
  };
}

/** Runs every checkable operation × caller × scope case. */
export async function runMatrix(
  world: World,
  operations: Operation[],
  options: MatrixOptions = {},
): Promise<MatrixResult> {
  const cases: CaseResult[] = [];
  const setupProblems = operations.flatMap((o) => o.problems);
  const secrets = [...(options.secrets ?? []), ...world.callers.map((c) => c.token)];
  for (const operation of operations) {
    if (operation.problems.length > 0) continue;
    if (options.methods && !options.methods.includes(operation.method)) continue;
    const scopes = operation.fixture?.selfOnly ? (['self'] as ScopeCase[]) : [...(options.scopes ?? SCOPE_CASES)];
    // A list whose scoping query is optional is also read without it: its default must stay in scope too.
    const plainList =
      operation.method === 'GET' && operation.pathParams.length === 0 && operation.requiredQuery.length === 0;
    if (plainList && operation.fixture?.query && !operation.fixture.selfOnly) scopes.push('default');
    for (const caller of world.callers) {
      if (options.allowedOnly && !hasAccess(caller, operation.permission ?? '')) continue;
      for (const scope of scopes) {
        const result = await runCase(world, operation, caller, scope, { ...options, secrets });
        if (result) cases.push(result);
      }
    }
  }
  return { operations, cases, setupProblems };
}

/** The matrix as a text table (route, caller, scope, expected, got), failures first. */
export function formatTable(cases: CaseResult[], onlyFailures = true): string {
  const rows = (onlyFailures ? cases.filter((c) => !c.ok) : cases).map((c) => [
    c.route,
    c.caller,
    c.scope,
    c.expected,
    String(c.got),
    c.ok ? 'ok' : 'FAIL',
    [...c.leaks, ...c.problems].join('; ').slice(0, 160),
  ]);
  const header = ['route', 'role', 'scope', 'expected', 'got', '', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Every non-public route refuses an anonymous caller with 401 problem+json, before touching the record. */
export async function runAnonymous(world: World, operations: Operation[]): Promise<CaseResult[]> {
  const cases: CaseResult[] = [];
  const someone = world.callers[0]!;
  for (const operation of operations) {
    if (operation.problems.length > 0 || operation.permission === 'public') continue;
    const prepared = await prepare(world, operation, someone, operation.fixture?.selfOnly ? 'self' : 'own', false);
    if (!prepared) continue;
    const url = buildUrl(operation.path, prepared.record?.params ?? {}, prepared.query?.query);
    const started = performance.now();
    const reply = await send(world, null, operation.method, url, prepared.body, { stream: operation.fixture?.stream });
    const problems: string[] = [];
    const leaks: string[] = [];
    if (reply.status !== 401) problems.push(reply.body.slice(0, 200));
    else if (!isProblemJson(reply)) problems.push('401 without problem+json');
    for (const mark of prepared.record?.marks ?? [])
      if (mark && reply.body.includes(mark)) leaks.push(`401 body contains "${mark}"`);
    cases.push({
      route: operation.key,
      caller: 'anonymous',
      scope: prepared.scope,
      expected: '401',
      got: reply.status,
      ok: problems.length === 0 && leaks.length === 0,
      problems,
      leaks,
      ms: performance.now() - started,
    });
  }
  return cases;
}
