#!/usr/bin/env node
// `npm run reliability`: the generated authorization matrix, schema fuzzing (bigger budget than in
// npm test) and security checks on PGlite and PostgreSQL, then the crash-and-restart test on both
// engines. Prints one summary table. Under CI=true the PostgreSQL half and the PostgreSQL restart
// test are not skipped (the restart test bounces the shared cluster: outside CI it needs
// RELIABILITY_PG_RESTART=1).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const pgUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const statsDir = path.join(root, '.tmp', 'reliability');
const fuzzRuns = process.env.FUZZ_RUNS ?? '100';
const crashRounds = process.env.CRASH_ROUNDS ?? '3';
const pgRestart = ci || process.env.RELIABILITY_PG_RESTART === '1';
fs.rmSync(statsDir, { recursive: true, force: true });
fs.mkdirSync(statsDir, { recursive: true });
const started = Date.now();

function portOpen(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const steps = [];
function step(label, args, env) {
  console.log(`\n▶ ${label}`);
  const begun = Date.now();
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? '');
  const seconds = ((Date.now() - begun) / 1000).toFixed(1);
  steps.push({ label, ok: result.status === 0, seconds });
  return result.stdout ?? '';
}

const pgHost = new URL(pgUrl);
const pgUp = await portOpen(pgHost.hostname || '127.0.0.1', Number(pgHost.port || 5432));
const engines = [{ name: 'pglite', env: { DATABASE_URL: '' } }];
if (pgUp) engines.push({ name: 'postgresql', env: { DATABASE_URL: pgUrl } });
else if (ci) steps.push({ label: 'postgresql', ok: false, seconds: '0', note: 'no PostgreSQL (CI=true)' });
else console.warn('⚠ PostgreSQL is not answering: the PostgreSQL half is skipped');

const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const crashes = [];
for (const engine of engines) {
  step(
    `reliability tests on ${engine.name} (fuzz ${fuzzRuns} runs per route)`,
    [vitest, 'run', '--project', 'server', 'server/test/reliability/'],
    {
      ...engine.env,
      FUZZ_RUNS: fuzzRuns,
      RELIABILITY_STATS_DIR: statsDir,
    },
  );
  const out = step(
    `crash and restart on ${engine.name} (${crashRounds} SIGKILL rounds)`,
    ['--import', 'tsx', 'server/test/reliability/crash.ts'],
    {
      ...engine.env,
      CRASH_ROUNDS: crashRounds,
      CRASH_PG_RESTART: engine.name === 'postgresql' && pgRestart ? '1' : '0',
    },
  );
  const line = out.split('\n').find((l) => l.startsWith('CRASH_RESULT '));
  crashes.push(
    line ? JSON.parse(line.slice('CRASH_RESULT '.length)) : { engine: engine.name, problems: ['no result'] },
  );
}

const stats = fs.readdirSync(statsDir).map((file) => JSON.parse(fs.readFileSync(path.join(statsDir, file), 'utf8')));
const of = (name, engine) => stats.find((s) => s.name === name && s.engine === engine) ?? {};
// The authorization matrix runs in shards (authorization-1, -2, …): their counts add up.
const summed = (prefix, engine) => {
  const parts = stats.filter((s) => s.name.startsWith(`${prefix}-`) && s.engine === engine);
  if (parts.length === 0) return {};
  const total = {};
  for (const part of parts)
    for (const [key, value] of Object.entries(part))
      if (typeof value === 'number') total[key] = (total[key] ?? 0) + value;
  return total;
};
const cell = (value) => (value === undefined || value === null ? '—' : String(value));
const rows = [];
for (const engine of engines.map((e) => e.name)) {
  const auth = summed('authorization', engine);
  const fuzz = of('fuzz', engine);
  const security = of('security', engine);
  const crash = crashes.find((c) => c.engine === engine) ?? {};
  rows.push([
    engine,
    `${cell(auth.routesChecked)}/${cell(auth.routes)}`,
    cell(auth.cases),
    cell(fuzz.cases),
    cell((auth.fiveHundreds ?? 0) + (fuzz.fiveHundreds ?? 0)),
    cell((auth.leaks ?? 0) + (security.secretLeaks ?? 0)),
    cell(crash.writesLost),
    crash.writesAcknowledged === undefined ? '—' : `${crash.writesAcknowledged}`,
    crash.alarmsAcknowledged === undefined
      ? '—'
      : `${cell(crash.alarmsLost)}/${cell(crash.alarmsDoubled)} of ${crash.alarmsAcknowledged}`,
  ]);
}
const header = [
  'engine',
  'routes covered',
  'role×scope cases',
  'fuzz cases',
  '5xx found',
  'leaks found',
  'writes lost',
  'writes acked',
  'alarms lost/doubled',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(
  ['', 'Reliability summary', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'),
);
for (const crash of crashes) {
  if (crash.pgRestart) console.log(`PostgreSQL restart under load: ${JSON.stringify(crash.pgRestart)}`);
  for (const problem of crash.problems ?? []) console.log(`✖ crash ${crash.engine}: ${problem.slice(0, 400)}`);
}
const fuzzSeeds = stats.filter((s) => s.name === 'fuzz').map((s) => `${s.engine} FUZZ_SEED=${s.seed}`);
if (fuzzSeeds.length) console.log(`fuzz seeds: ${fuzzSeeds.join(', ')}`);
console.log('\n  step                                                         ok    seconds');
for (const s of steps)
  console.log(
    `  ${s.label.padEnd(60)} ${s.ok ? 'ok  ' : 'FAIL'}  ${s.seconds.padStart(7)}${s.note ? `  ${s.note}` : ''}`,
  );
const failed = steps.filter((s) => !s.ok).length;
console.log(
  `reliability: ${steps.length - failed} steps passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(failed > 0 ? 1 : 0);
