#!/usr/bin/env node
// `npm test`: lint and types, the domain and server suites on PGlite (with the generated reliability harness:
// authorization matrix, fuzzing, security checks), the server suite again on PostgreSQL when one answers, the
// browser tests, then the crash-and-restart test on both engines. Ends with one line `N passed, N failed, N skipped` that CI reads.
// Under CI=true nothing is skipped for lack of a browser or a database: that is a failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const outDir = path.join(root, '.tmp', 'test-results');
fs.mkdirSync(outDir, { recursive: true });
const pgUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Extra arguments (a file filter, -t …) go to every vitest run.
const extra = process.argv.slice(2);

const totals = { passed: 0, failed: 0, skipped: 0 };
const runs = [];

function portOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function vitest(label, projects, env) {
  const outputFile = path.join(outDir, `${label}.json`);
  fs.rmSync(outputFile, { force: true });
  const args = [
    path.join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    ...projects.flatMap((project) => ['--project', project]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${outputFile}`,
    '--passWithNoTests',
    ...extra,
  ];
  console.log(`\n▶ ${label}: vitest ${projects.map((p) => `--project ${p}`).join(' ')}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let counts = { passed: 0, failed: 0, skipped: 0 };
  if (fs.existsSync(outputFile)) {
    const report = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
    counts = {
      passed: report.numPassedTests ?? 0,
      // A file that fails outside any test (import error, failing hook) counts once.
      failed: (report.numFailedTests ?? 0) || (report.numFailedTestSuites ?? 0),
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    };
  }
  // A crash before the reporter wrote anything still counts as a failure.
  if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  if (ci && counts.skipped > 0) {
    console.error(`✖ ${label}: ${counts.skipped} test(s) skipped under CI=true`);
    counts.failed += counts.skipped;
  }
  for (const key of Object.keys(totals)) totals[key] += counts[key];
  runs.push({ label, ...counts, seconds, status: result.status });
}

function missing(label, reason) {
  if (ci) {
    console.error(`✖ ${label}: ${reason} (CI=true: not skipped)`);
    totals.failed += 1;
    runs.push({ label, passed: 0, failed: 1, skipped: 0, seconds: '0', status: 1 });
  } else {
    console.warn(`⚠ ${label} skipped: ${reason}`);
    totals.skipped += 1;
    runs.push({ label, passed: 0, failed: 0, skipped: 1, seconds: '0', status: 0 });
  }
}

// 0. Lint, format and types: one failing check fails the suite like a failing test.
function check(label, args, env = {}) {
  console.log(`\n▶ ${label}: ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const failed = result.status === 0 ? 0 : 1;
  totals.passed += 1 - failed;
  totals.failed += failed;
  runs.push({
    label,
    passed: 1 - failed,
    failed,
    skipped: 0,
    seconds: ((Date.now() - started) / 1000).toFixed(1),
    status: result.status,
  });
}
if (extra.length === 0) {
  check('lint', [path.join(root, 'node_modules/@biomejs/biome/bin/biome'), 'check', '.']);
  check('typecheck', [path.join(root, 'node_modules/typescript/bin/tsc'), '-b']);
}

// 1. Domain and server on the embedded PGlite.
vitest('pglite', ['domain', 'server'], { DATABASE_URL: '' });

// 2. Server on PostgreSQL (each test file creates its own schema).
const pgHost = new URL(pgUrl);
const pgUp = process.env.DATABASE_URL
  ? true
  : await portOpen(pgHost.hostname || '127.0.0.1', Number(pgHost.port || 5432));
if (pgUp) vitest('postgresql', ['server'], { DATABASE_URL: pgUrl });
else missing('postgresql', `no PostgreSQL on ${pgHost.hostname}:${pgHost.port || 5432}`);

// 3. Browser tests in Chromium.
if (fs.existsSync(chromium)) vitest('e2e', ['e2e'], { CHROMIUM_PATH: chromium });
else missing('e2e', `no browser at ${chromium}`);

// 4. Crash and restart (server/test/reliability/crash.ts): SIGKILL the server under a write load, restart it, and
// check every acknowledged write and device alarm is there exactly once, on each engine. Under CI the PostgreSQL
// round also restarts the cluster (it bounces the shared one: outside CI only with RELIABILITY_PG_RESTART=1).
function crash(label, env) {
  check(label, ['--import', 'tsx', 'server/test/reliability/crash.ts'], {
    CRASH_ROUNDS: process.env.CRASH_ROUNDS ?? '3',
    ...env,
  });
}
if (extra.length === 0) {
  crash('crash pglite', { DATABASE_URL: '' });
  if (pgUp)
    crash('crash pg', {
      DATABASE_URL: pgUrl,
      CRASH_PG_RESTART: ci || process.env.RELIABILITY_PG_RESTART === '1' ? '1' : '0',
    });
}

console.log('\n  run          passed  failed  skipped  seconds');
for (const run of runs) {
  console.log(
    `  ${run.label.padEnd(12)} ${String(run.passed).padStart(6)}  ${String(run.failed).padStart(6)}  ${String(run.skipped).padStart(7)}  ${run.seconds.padStart(7)}`,
  );
}
const failedRun = runs.some((run) => run.status !== 0 || run.failed > 0);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedRun || totals.failed > 0 ? 1 : 0);
