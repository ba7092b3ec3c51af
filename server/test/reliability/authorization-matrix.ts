import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseResult, formatTable, type MatrixResult, runAnonymous, runMatrix } from './matrix.js';
import { type Operation, readOperations } from './openapi.js';
import { recordStats } from './stats.js';
import { buildWorld, type World } from './world.js';

// Every /api/v1 operation × every role × {own, other school, other county, above}, expected answers from
// domain ROLE_PERMISSIONS: no permission → 403, out of scope → 404, otherwise 2xx. Routes come from the
// served OpenAPI document; records and bodies from server/test/fixtures.
//
// The ~8,000 cases are split into AUTHORIZATION_SHARDS files (authorization-<n>.test.ts), each taking every
// n-th route, so the forks run them side by side and no file nears its time limit on a busy machine.

export const AUTHORIZATION_SHARDS = 3;

/** The routes of one shard: route order is stable (sorted keys), so every route lands in exactly one shard. */
export function shardOf(operations: Operation[], shard: number): Operation[] {
  return [...operations]
    .sort((a, b) => a.key.localeCompare(b.key))
    .filter((_, i) => i % AUTHORIZATION_SHARDS === shard);
}

export function defineAuthorizationMatrix(shard: number): void {
  let world: World;
  let result: MatrixResult;
  let anonymous: CaseResult[];

  beforeAll(async () => {
    world = await buildWorld();
    const operations = shardOf(await readOperations(world.t.app), shard);
    const started = Date.now();
    result = await runMatrix(world, operations);
    anonymous = await runAnonymous(world, operations);
    const failed = [...result.cases, ...anonymous].filter((c) => !c.ok);
    recordStats(`authorization-${shard + 1}`, {
      routes: operations.length,
      routesChecked: new Set(result.cases.map((c) => c.route)).size,
      cases: result.cases.length + anonymous.length,
      failures: failed.length,
      fiveHundreds: result.cases.filter((c) => c.got >= 500).length,
      leaks: result.cases.reduce((n, c) => n + c.leaks.length, 0),
      setupProblems: result.setupProblems.length,
      ms: Date.now() - started,
    });
    const by = (e: string) => result.cases.filter((c) => c.expected === e).length;
    console.log(
      `authorization matrix (shard ${shard + 1}/${AUTHORIZATION_SHARDS}): ${operations.length} routes, ${world.callers.length} callers, ${result.cases.length} cases ` +
        `+ ${anonymous.length} anonymous (2xx ${by('2xx')}, 403 ${by('403')}, 404 ${by('404')}, other ${result.cases.length - by('2xx') - by('403') - by('404')}) in ${Date.now() - started} ms`,
    );
    if (failed.length > 0)
      console.log(
        `authorization matrix: ${failed.length} of ${result.cases.length} cases failed\n${formatTable([...result.cases, ...anonymous])}`,
      );
  }, 300_000);
  afterAll(() => world?.t.close());

  describe('authorization matrix (generated from OpenAPI)', () => {
    it('every route declares a permission and has the fixtures it needs', () => {
      expect(result.setupProblems, result.setupProblems.join('\n')).toEqual([]);
    });

    it('covers every route that has fixtures, for every role', () => {
      const checked = new Set(result.cases.map((c) => c.route));
      const missing = result.operations.filter((o) => o.problems.length === 0 && !checked.has(o.key)).map((o) => o.key);
      expect(missing, 'routes no case could be built for (the fixtures return null everywhere)').toEqual([]);
      expect(result.cases.length).toBeGreaterThan(result.operations.length);
    });

    it('answers 403 without the permission, 404 out of scope, 2xx otherwise; never leaks a record', () => {
      const failed = result.cases.filter((c) => !c.ok);
      expect(failed.length, `${failed.length} failing cases:\n${formatTable(result.cases)}`).toBe(0);
    });

    it('checks scope where it matters: out-of-scope cases exist for records', () => {
      expect(result.cases.some((c) => c.expected === '404')).toBe(true);
      expect(result.cases.some((c) => c.expected === '403')).toBe(true);
    });

    it('refuses anonymous callers with 401 on every non-public route', () => {
      expect(anonymous.length).toBeGreaterThan(10);
      const failed = anonymous.filter((c) => !c.ok);
      expect(failed.length, formatTable(anonymous)).toBe(0);
    });
  });
}
