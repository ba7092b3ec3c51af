import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzResult, runFuzz } from './fuzz.js';
import { readOperations } from './openapi.js';
import { recordStats } from './stats.js';
import { buildWorld, type World } from './world.js';

// Schema fuzzing of every route from its OpenAPI schemas (fast-check). Replay a failure with the
// printed seed: FUZZ_SEED=<seed> npx vitest run server/test/reliability/fuzz.test.ts
// FUZZ_RUNS sets the runs per route (npm test: 30; npm run reliability: more).

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const runs = Number(process.env.FUZZ_RUNS ?? 30);
let world: World;
let result: FuzzResult;

beforeAll(async () => {
  world = await buildWorld();
  const operations = await readOperations(world.t.app);
  console.log(`fuzz: seed ${seed}, ${runs} runs per route (replay: FUZZ_SEED=${seed})`);
  const started = Date.now();
  result = await runFuzz(world, operations, { runs, seed, log: (line) => console.log(line) });
  console.log(
    `fuzz: ${result.cases} cases over ${result.routes} routes in ${Date.now() - started} ms, ${result.failures.length} failures`,
  );
  recordStats('fuzz', {
    seed,
    runsPerRoute: runs,
    routes: result.routes,
    cases: result.cases,
    fiveHundreds: result.fiveHundreds,
    failures: result.failures.length,
  });
}, 600_000);
afterAll(() => world?.t.close());

describe(`schema fuzzing (seed ${seed})`, () => {
  it('fuzzes every route', () => {
    expect(result.routes).toBeGreaterThan(10);
  });

  it('answers every invalid request below 500, as problem+json, without writing anything', () => {
    const lines = result.failures.map((f) => `${f.route}: ${f.reason}`);
    expect(lines, `FUZZ_SEED=${seed}\n${lines.join('\n')}`).toEqual([]);
  });
});
