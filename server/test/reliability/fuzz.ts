import crypto from 'node:crypto';
import { isWithin } from '@safe-campus/domain';
import fc from 'fast-check';
import type { Caller } from '../fixtures/index.js';
import { hasAccess, type Reply, send } from './matrix.js';
import { buildUrl, type JsonSchema, type Operation } from './openapi.js';
import { changedTables, type Snapshot, snapshot } from './snapshot.js';
import type { World } from './world.js';

// Invalid and edge-case requests generated from each route's OpenAPI schemas, sent by a user who
// holds the route's permission, so that validation (not access control) is what answers.

const MB = 1024 * 1024;
const HUGE = 'x'.repeat(MB);
const STRINGS: [string, string][] = [
  ['empty', ''],
  ['blank', '   '],
  ['huge 1 MB', HUGE],
  ['near limit 1 MB - 200', '汉'.repeat(Math.floor((MB - 200) / 3))],
  ['chinese', '平安校园消防通道堵塞，请立即整改。'],
  ['emoji', '🚒🔥👩‍🚒🏫✅'],
  ['rtl', '\u202Eمدرسة آمنة\u202C'],
  ['nul', 'a\u0000b'],
  ['control', 'a\u0007\u001Bb'],
  ['newlines', 'a\r\nb\nc'],
  ['sql', "'; DROP TABLE org_unit; --"],
  ['sql2', "1' OR '1'='1"],
  ['html', '<script>alert(1)</script><img src=x onerror=alert(2)>'],
  ['lone surrogate', 'a\uD800b'],
  ['zero width', '\u200B\uFEFF'],
  ['date far past', '0001-01-01T00:00:00Z'],
  ['date far future', '9999-12-31T23:59:59Z'],
  ['date beyond js', '+275760-09-14T00:00:00.000Z'],
  ['date invalid', '2024-02-30T25:61:00Z'],
  ['uuid nil', '00000000-0000-0000-0000-000000000000'],
  ['path traversal', '../../../../etc/passwd'],
  ['long 10k', 'a'.repeat(10_000)],
];
const NUMBERS: [string, number][] = [
  ['zero', 0],
  ['minus one', -1],
  ['int32 max', 2_147_483_647],
  ['int32 max + 1', 2_147_483_648],
  ['int32 min - 1', -2_147_483_649],
  ['2^53', 2 ** 53],
  ['-2^53', -(2 ** 53)],
  ['1e308', 1e308],
  ['fraction', 1.5],
  ['tiny', 5e-324],
];
const WRONG_TYPES: [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['number', 42],
  ['string', 'not-what-you-expect'],
  ['array', [1, 'a', null]],
  ['object', { nested: { deeper: [1] } }],
];
const MALFORMED: [string, string][] = [
  ['truncated', '{"a":'],
  ['single quotes', "{'a': 1}"],
  ['trailing garbage', '{"a":1}garbage'],
  ['bare word', 'undefined'],
  ['NaN', '{"n": NaN}'],
  ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['proto pollution', '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}'],
  ['nul byte', '{"a":"\u0000"}'],
  ['bom', '\uFEFF{}'],
];
const PARAM_STRINGS: [string, string][] = [
  ['zero', '0'],
  ['negative', '-1'],
  ['word', 'abc'],
  ['exponent', '1e3'],
  ['int32 overflow', '2147483648'],
  ['long digits', '9'.repeat(300)],
  ['nul', '%00'],
  ['sql', encodeURIComponent('1 OR 1=1')],
  ['chinese', encodeURIComponent('学校')],
  ['emoji', encodeURIComponent('🔥')],
  ['html', encodeURIComponent('<script>')],
  ['traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['uuid-ish', '00000000-0000-0000-0000-000000000000'],
  ['blank', '%20'],
];

export interface Mutation {
  kind: string;
  describe: string;
  /** Built request pieces. */
  url: string;
  json?: unknown;
  raw?: { payload: string | Buffer; headers: Record<string, string> };
  /** The request carries an id of a record the caller may not see: 2xx would be a scope leak. */
  foreign?: boolean;
}

export interface FuzzFailure {
  route: string;
  caller: string;
  mutation: string;
  status: number;
  reason: string;
  body: string;
}

export interface FuzzResult {
  seed: number;
  routes: number;
  cases: number;
  fiveHundreds: number;
  failures: FuzzFailure[];
}

function pick<T>(values: readonly T[]): fc.Arbitrary<T> {
  return fc.constantFrom(...values);
}

function edgeValuesFor(schema: JsonSchema): [string, unknown][] {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  const values: [string, unknown][] = [];
  if (type === 'string' || schema?.enum) {
    values.push(...STRINGS);
    if (schema?.maxLength) values.push([`maxLength + 1 (${schema.maxLength + 1})`, 'b'.repeat(schema.maxLength + 1)]);
    if (schema?.enum)
      values.push(['not in enum', 'not-a-member'], ['enum upper', String(schema.enum[0]).toUpperCase()]);
  }
  if (type === 'integer' || type === 'number') {
    values.push(...NUMBERS);
    if (typeof schema.maximum === 'number') values.push(['maximum + 1', schema.maximum + 1]);
    if (typeof schema.minimum === 'number') values.push(['minimum - 1', schema.minimum - 1]);
  }
  if (type === 'array') {
    values.push(
      ['empty array', []],
      ['100,000 items', new Array(100_000).fill(1)],
      ['100,000 strings', new Array(100_000).fill('a')],
    );
  }
  if (type === 'object')
    values.push(
      ['empty object', {}],
      ['object with 10,000 keys', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))],
    );
  return values.length > 0 ? values : STRINGS;
}

/** Records of other schools, by resource: outside `caller`'s subtree and not above it (units above may share records down). */
function foreignIds(world: World, caller: Caller, resource: string): number[] {
  const ids: number[] = [];
  for (const [id, path] of world.tracked.get(resource) ?? [])
    if (!isWithin(path, caller.org.path) && !isWithin(caller.org.path, path) && /^\d+$/.test(id)) ids.push(Number(id));
  return ids.slice(0, 20);
}

function resourceOfProperty(operation: Operation, name: string): string | null {
  if (name === 'parentId') return operation.path.replace('/api/v1/', '').split('/')[0] ?? null;
  if (name === 'orgId' || name === 'schoolId') return 'orgs';
  const match = /^(\w+?)Id$/.exec(name);
  return match ? `${match[1]}s` : null;
}

/** The arbitrary of mutations for one route, around a valid base request. */
export function mutations(
  world: World,
  operation: Operation,
  caller: Caller,
  base: {
    url: string;
    params: Record<string, string | number>;
    query: Record<string, string | number | boolean>;
    body: unknown;
  },
): fc.Arbitrary<Mutation> {
  const options: fc.Arbitrary<Mutation>[] = [];
  const schema = operation.body;
  const baseBody = (base.body && typeof base.body === 'object' && !Array.isArray(base.body) ? base.body : {}) as Record<
    string,
    unknown
  >;
  const properties = Object.entries((schema?.properties ?? {}) as Record<string, JsonSchema>);
  const sendsJson = operation.method !== 'GET' && (schema !== null || operation.bodyTypes.length === 0);

  if (schema && properties.length > 0) {
    const required = (schema.required ?? []) as string[];
    if (required.length > 0) {
      options.push(
        pick(required).map((name) => {
          const { [name]: _dropped, ...rest } = baseBody;
          return { kind: 'missing field', describe: `without ${name}`, url: base.url, json: rest };
        }),
      );
    }
    options.push(
      fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), pick(WRONG_TYPES)).map(([key, [label, value]]) => ({
        kind: 'extra field',
        describe: `extra field ${JSON.stringify(key)} = ${label}`,
        url: base.url,
        json: { ...baseBody, [`x_${key}`]: value },
      })),
    );
    options.push(
      fc.tuple(pick(properties), pick(WRONG_TYPES)).map(([[name], [label, value]]) => ({
        kind: 'wrong type',
        describe: `${name} = ${label}`,
        url: base.url,
        json: { ...baseBody, [name]: value },
      })),
    );
    options.push(
      pick(properties).chain(([name, propertySchema]) =>
        pick(edgeValuesFor(propertySchema)).map(([label, value]) => ({
          kind: 'edge value',
          describe: `${name} = ${label}`,
          url: base.url,
          json: { ...baseBody, [name]: value },
        })),
      ),
    );
    for (const [name, propertySchema] of properties) {
      const resource = resourceOfProperty(operation, name);
      const type = Array.isArray(propertySchema?.type) ? propertySchema.type[0] : propertySchema?.type;
      const ids = resource && type === 'integer' ? foreignIds(world, caller, resource) : [];
      if (ids.length > 0) {
        options.push(
          pick(ids).map((id) => ({
            kind: 'foreign id',
            describe: `${name} = ${id} (another school's ${resource})`,
            url: base.url,
            json: { ...baseBody, [name]: id },
            foreign: true,
          })),
        );
      }
    }
  }
  if (sendsJson) {
    options.push(
      pick<[string, unknown]>([
        ['array body', []],
        ['null body', null],
        ['string body', 'text'],
        ['number body', 12],
        ['100,000-item array body', new Array(100_000).fill({ a: 1 })],
      ]).map(([label, json]) => ({ kind: 'whole body', describe: label, url: base.url, json })),
    );
    options.push(
      pick(MALFORMED).map(([label, payload]) => ({
        kind: 'malformed json',
        describe: label,
        url: base.url,
        raw: { payload, headers: { 'content-type': 'application/json' } },
      })),
    );
    options.push(
      pick<[string, string]>([
        ['text/plain', 'text/plain'],
        ['form', 'application/x-www-form-urlencoded'],
        ['xml', 'application/xml'],
      ]).map(([label, type]) => ({
        kind: 'content type',
        describe: label,
        url: base.url,
        raw: { payload: JSON.stringify(baseBody), headers: { 'content-type': type } },
      })),
    );
  }

  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const withQuery = (query: Record<string, string>) => {
    const path = buildUrl(operation.path, base.params);
    const search = Object.entries(query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${v}`)
      .join('&');
    return search ? `${path}?${search}` : path;
  };
  const baseQuery = Object.fromEntries(Object.entries(base.query).map(([k, v]) => [k, encodeURIComponent(String(v))]));
  if (queryParams.length > 0) {
    options.push(
      fc.tuple(pick(queryParams), pick(PARAM_STRINGS)).map(([param, [label, value]]) => ({
        kind: 'query value',
        describe: `?${param.name}=${label}`,
        url: withQuery({ ...baseQuery, [param.name]: value }),
      })),
    );
    options.push(
      pick(queryParams).map((param) => ({
        kind: 'query repeated',
        describe: `?${param.name} twice`,
        url: `${withQuery(baseQuery)}${Object.keys(baseQuery).length ? '&' : '?'}${param.name}=1&${param.name}=2`,
      })),
    );
    for (const param of queryParams) {
      const resource = resourceOfProperty(operation, param.name);
      const ids = resource ? foreignIds(world, caller, resource) : [];
      if (ids.length > 0) {
        options.push(
          pick(ids).map((id) => ({
            kind: 'foreign id',
            describe: `?${param.name}=${id} (another school's)`,
            url: withQuery({ ...baseQuery, [param.name]: String(id) }),
            foreign: true,
          })),
        );
      }
    }
  }
  if (operation.method === 'GET') {
    options.push(
      fc.constant({
        kind: 'query unknown',
        describe: '?unknown=1',
        url: withQuery({ ...baseQuery, unknownParam: '1' }),
      }),
    );
  }
  for (const name of operation.pathParams) {
    options.push(
      pick(PARAM_STRINGS).map(([label, value]) => ({
        kind: 'path param',
        describe: `{${name}} = ${label}`,
        url: `${buildUrl(operation.path, { ...base.params, [name]: '__P__' }).replace('__P__', value)}${base.url.includes('?') ? base.url.slice(base.url.indexOf('?')) : ''}`,
        json: sendsJson ? base.body : undefined,
      })),
    );
    const resource = operation.resource?.resource;
    const ids = resource ? foreignIds(world, caller, resource) : [];
    if (ids.length > 0) {
      options.push(
        pick(ids).map((id) => ({
          kind: 'foreign id',
          describe: `{${name}} = ${id} (another school's)`,
          url: buildUrl(operation.path, { ...base.params, [name]: id }),
          json: sendsJson ? base.body : undefined,
          foreign: true,
        })),
      );
    }
  }
  if (options.length === 0) return fc.constant({ kind: 'none', describe: 'nothing to fuzz', url: base.url });
  return fc.oneof(...options);
}

/** The caller that holds the permission with the narrowest scope (so other schools' ids are really foreign). */
export function fuzzCaller(world: World, operation: Operation): Caller | null {
  const eligible = world.callers.filter((c) => hasAccess(c, operation.permission ?? ''));
  eligible.sort((a, b) => b.org.path.length - a.org.path.length);
  return eligible[0] ?? null;
}

function routeSeed(seed: number, key: string): number {
  return crypto.createHash('sha256').update(`${seed}:${key}`).digest().readInt32LE(0);
}

function isProblemJson(reply: Reply): boolean {
  return String(reply.headers['content-type'] ?? '').startsWith('application/problem+json');
}

/** A fixed set of mutations every route gets on every run, so known-dangerous inputs never depend on the seed. */
export function sweep(
  operation: Operation,
  base: {
    url: string;
    params: Record<string, string | number>;
    query: Record<string, string | number | boolean>;
    body: unknown;
  },
): Mutation[] {
  const out: Mutation[] = [];
  const baseBody = (base.body && typeof base.body === 'object' && !Array.isArray(base.body) ? base.body : {}) as Record<
    string,
    unknown
  >;
  const strings = STRINGS.filter(([label]) => ['nul', 'lone surrogate', 'control'].includes(label));
  for (const name of Object.keys(operation.body?.properties ?? {})) {
    for (const [label, value] of [...strings, ['null', null] as [string, unknown]]) {
      out.push({ kind: 'sweep', describe: `${name} = ${label}`, url: base.url, json: { ...baseBody, [name]: value } });
    }
  }
  const path = buildUrl(operation.path, base.params);
  const query = Object.fromEntries(Object.entries(base.query).map(([k, v]) => [k, encodeURIComponent(String(v))]));
  const withQuery = (extra: Record<string, string>) => {
    const search = Object.entries({ ...query, ...extra })
      .map(([k, v]) => `${encodeURIComponent(k)}=${v}`)
      .join('&');
    return search ? `${path}?${search}` : path;
  };
  const sendsJson = operation.method !== 'GET' && (operation.body !== null || operation.bodyTypes.length === 0);
  for (const param of operation.parameters.filter((p) => p.in === 'query')) {
    for (const value of ['%00', '9'.repeat(300), '%ED%A0%80']) {
      out.push({
        kind: 'sweep',
        describe: `?${param.name}=${value.slice(0, 12)}`,
        url: withQuery({ [param.name]: value }),
        json: sendsJson ? base.body : undefined,
      });
    }
  }
  for (const name of operation.pathParams) {
    for (const value of ['%00', '9'.repeat(300), 'abc']) {
      const url = buildUrl(operation.path, { ...base.params, [name]: '__P__' }).replace('__P__', value);
      out.push({
        kind: 'sweep',
        describe: `{${name}} = ${value.slice(0, 12)}`,
        url,
        json: sendsJson ? base.body : undefined,
      });
    }
  }
  return out;
}

export async function runFuzz(
  world: World,
  operations: Operation[],
  options: { runs: number; seed: number; log?: (line: string) => void },
): Promise<FuzzResult> {
  const result: FuzzResult = { seed: options.seed, routes: 0, cases: 0, fiveHundreds: 0, failures: [] };
  for (const operation of operations) {
    if (operation.problems.length > 0 || operation.fixture?.stream) continue;
    let caller = fuzzCaller(world, operation);
    if (!caller) continue;
    if (operation.fixture?.freshSession) caller = await world.ctx.freshCaller(caller.role, caller.org);
    // A valid request at the caller's own scope, then mutated.
    const input = { org: caller.org, caller };
    let record = null;
    for (const org of [
      caller.org,
      ...world.ctx.orgs.filter((o) => o.id !== caller!.org.id && isWithin(o.path, caller!.org.path)),
    ]) {
      record = operation.resource
        ? await operation.resource.record(world.ctx, org, { fresh: operation.method !== 'GET', caller })
        : null;
      if (!operation.resource || record) {
        input.org = org;
        break;
      }
    }
    if (operation.resource && !record) continue;
    const bodyRef = operation.fixture?.body ? await operation.fixture.body(world.ctx, { ...input, record }) : null;
    const queryRef = operation.fixture?.query ? await operation.fixture.query(world.ctx, { ...input, record }) : null;
    const params = record?.params ?? {};
    const query = queryRef?.query ?? {};
    const base = { url: buildUrl(operation.path, params, query), params, query, body: bodyRef?.body ?? {} };
    result.routes++;
    let before: Snapshot = await snapshot(world.t.database);
    const seed = routeSeed(options.seed, operation.key);
    const current = { caller };
    // Every distinct failure of the route is kept (the run goes on), at most 5 per route.
    const seen = new Set<string>();
    let routeFailures = 0;
    const check = async (mutation: Mutation) => {
      result.cases++;
      const body = mutation.raw ? { raw: mutation.raw } : mutation.json === undefined ? null : { body: mutation.json };
      const reply = await send(world, current.caller, operation.method, mutation.url, body);
      const after = await snapshot(world.t.database);
      const fail = (reason: string) => {
        const key = `${reason}|${mutation.kind}|${reply.status}`;
        if (seen.has(key) || routeFailures >= 5) return;
        seen.add(key);
        routeFailures++;
        const detail = `${reason} — as ${current.caller.label}: ${mutation.kind}: ${mutation.describe} → ${reply.status} ${reply.body.slice(0, 300)}`;
        result.failures.push({
          route: operation.key,
          caller: current.caller.label,
          mutation: mutation.describe,
          status: reply.status,
          reason: detail,
          body: `route seed ${seed}`,
        });
        options.log?.(`✖ ${operation.key}: ${detail} (route seed ${seed}; replay all with FUZZ_SEED=${options.seed})`);
      };
      if (reply.status >= 500) {
        result.fiveHundreds++;
        fail(`server error ${reply.status}`);
      } else if (reply.status >= 400) {
        if (!isProblemJson(reply)) fail('4xx without application/problem+json');
        const changed = changedTables(before, after);
        if (changed.length > 0) fail(`rejected request wrote to ${changed.join(', ')}`);
      } else if (mutation.foreign && reply.status < 300) {
        fail("accepted another school's id");
      }
      before = after;
      // A session the route ended (logout, password change) is replaced for the next run.
      const ended = (reply.status < 300 && operation.fixture?.freshSession) || reply.status === 401;
      if (ended && operation.permission !== 'public') {
        current.caller = await world.ctx.freshCaller(caller!.role, caller!.org);
        before = await snapshot(world.t.database);
      }
    };
    try {
      // The same classes of input every run (control characters, unpaired surrogates, null, overlong ids),
      // then random combinations from the seed.
      for (const mutation of sweep(operation, base)) await check(mutation);
      await fc.assert(fc.asyncProperty(mutations(world, operation, caller, base), check), {
        numRuns: options.runs,
        seed,
      });
    } catch (error) {
      const reason = `harness error: ${(error as Error).message.split('\n')[0]}`;
      result.failures.push({
        route: operation.key,
        caller: current.caller.label,
        mutation: '',
        status: 0,
        reason,
        body: `route seed ${seed}`,
      });
      options.log?.(`✖ ${operation.key}: ${reason}`);
    }
  }
  return result;
}
