// Embedded start: first start on an empty DATA_DIR (cluster, migrations, demo load) until
// /api/v1/health answers, a restart on the same DATA_DIR, and the server's RSS after each.
// Measured through `npm start` (scripts/start.mjs copies the PGlite template into the empty folder and
// runs the esbuild bundle of the server) and, for comparison, the bare server under tsx, which runs
// initdb in-process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Figure, ROOT, spread, startServer, tempDir, writeResult } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const series = {
  npmStart: [] as number[],
  npmStartRss: [] as number[],
  bare: [] as number[],
  bareRss: [] as number[],
  restart: [] as number[],
  restartRss: [] as number[],
  tsxRestart: [] as number[],
  npmStartCpu: [] as number[],
  restartCpu: [] as number[],
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

// The template is made once per install (npm start does it when missing); time it once here.
const templateStarted = performance.now();
const template = spawnSync(process.execPath, [path.join(ROOT, 'scripts/pglite-template.mjs')], {
  cwd: ROOT,
  encoding: 'utf8',
});
if (template.status !== 0) throw new Error(template.stderr);
const templateMs = performance.now() - templateStarted;
console.log(template.stdout.trim());

// Warm tsx's transform cache and build the server bundle, as after anyone's first start.
{
  const directory = tempDir('warm');
  await (await startServer({ DATA_DIR: directory, DATABASE_URL: '' }, { via: 'npm-start' })).stop();
  await (await startServer({ DATA_DIR: directory, DATABASE_URL: '' })).stop();
  fs.rmSync(directory, { recursive: true, force: true });
}

for (let run = 1; run <= RUNS; run++) {
  const env = (directory: string) => ({ DATA_DIR: directory, DATABASE_URL: '' });
  const seeded = tempDir('startup');
  const first = await startServer(env(seeded), { via: 'npm-start' });
  series.npmStart.push(first.readyMs);
  series.npmStartCpu.push(first.readyCpuMs);
  if (!fs.existsSync(`${seeded}/demo-accounts.json`)) throw new Error(`demo was not loaded:\n${first.output()}`);
  await settle();
  series.npmStartRss.push(first.rssMiB());
  const code = await first.stop();
  if (code !== 0) throw new Error(`server exited with ${code}:\n${first.output()}`);

  const again = await startServer(env(seeded), { via: 'npm-start' });
  series.restart.push(again.readyMs);
  series.restartCpu.push(again.readyCpuMs);
  await settle();
  series.restartRss.push(again.rssMiB());
  await again.stop();

  const tsxAgain = await startServer(env(seeded));
  series.tsxRestart.push(tsxAgain.readyMs);
  await tsxAgain.stop();
  fs.rmSync(seeded, { recursive: true, force: true });

  const bareDirectory = tempDir('startup-bare');
  const bare = await startServer(env(bareDirectory));
  series.bare.push(bare.readyMs);
  await settle();
  series.bareRss.push(bare.rssMiB());
  await bare.stop();
  fs.rmSync(bareDirectory, { recursive: true, force: true });
  const last = (values: number[]) => Math.round(values.at(-1)!);
  console.log(
    `run ${run}: npm start ${last(series.npmStart)} ms (${last(series.npmStartRss)} MiB), restart ${last(series.restart)} ms (${last(series.restartRss)} MiB), tsx restart ${last(series.tsxRestart)} ms, tsx first start ${last(series.bare)} ms (${last(series.bareRss)} MiB)`,
  );
}

const worst = (values: number[]) => Math.max(...values);
const figures: Figure[] = [
  {
    metric: 'first start to healthy via npm start (empty DATA_DIR, demo load)',
    unit: 'ms',
    ...spread(series.npmStart),
    target: '< 5000',
    ok: worst(series.npmStart) < 5000,
  },
  {
    metric: 'restart to healthy via npm start (same DATA_DIR)',
    unit: 'ms',
    ...spread(series.restart),
    target: '< 1500',
    ok: worst(series.restart) < 1500,
  },
  {
    metric: 'RSS after first start with demo load (npm start)',
    unit: 'MiB',
    ...spread(series.npmStartRss),
    target: '< 500',
    ok: worst(series.npmStartRss) < 500,
  },
  {
    metric: 'RSS after restart (npm start)',
    unit: 'MiB',
    ...spread(series.restartRss),
    target: '< 500',
    ok: worst(series.restartRss) < 500,
  },
  { metric: 'CPU time to healthy, first start via npm start', unit: 'ms', ...spread(series.npmStartCpu) },
  { metric: 'CPU time to healthy, restart via npm start', unit: 'ms', ...spread(series.restartCpu) },
  { metric: 'first start, bare server under tsx (initdb in-process)', unit: 'ms', ...spread(series.bare) },
  { metric: 'restart, bare server under tsx', unit: 'ms', ...spread(series.tsxRestart) },
  { metric: 'RSS after first start, bare server', unit: 'MiB', ...spread(series.bareRss) },
];
if (!template.stdout.includes('exists')) {
  figures.push({ metric: 'PGlite template creation (once per install)', unit: 'ms', value: Math.round(templateMs) });
}
writeResult('startup', figures, {
  runs: RUNS,
  commands: {
    npmStart: 'node scripts/start.mjs (SKIP_WEB_BUILD=1)',
    bareServer: 'node --import tsx server/src/main.ts',
  },
});
