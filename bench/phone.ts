// First load of the phone patrol page (issue #5): a guard of the demo province opens /m/inspections in a fresh
// Chromium profile (cold cache, no service worker yet) at 360×740; measured from navigation start to today's task
// list on screen, and the JavaScript it fetched (compressed bytes on the wire and gzip size of each file).
//
//   npm run bench -- phone            (needs web/dist: `npm run build -w web`; BENCH_RUNS, default 5)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { type Figure, median, printTable, ROOT, round, spread, startServer, tempDir, writeResult } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dist = path.join(ROOT, 'web/dist');
if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error('web/dist is missing: run `npm run build -w web` first');
  process.exit(1);
}

const dataDir = tempDir('phone');
const server = await startServer({ DEMO: '1', DATA_DIR: dataDir }, { via: 'npm-start', timeoutMs: 240_000 });
const accounts = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as {
  username: string;
  password: string;
  role: string;
}[];
const guard = accounts.find((account) => account.role === 'guard')!;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});

const loads: number[] = [];
let scripts: { url: string; gzip: number }[] = [];
try {
  for (let run = 0; run < RUNS + 1; run++) {
    const context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 360, height: 740 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const signedIn = await context.request.post('/api/v1/auth/login', {
      data: { username: guard.username, password: guard.password },
    });
    if (!signedIn.ok()) throw new Error(`login: ${signedIn.status()}`);
    const page = await context.newPage();
    const fetched: string[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('.js')) fetched.push(new URL(response.url()).pathname);
    });
    const started = Date.now();
    await page.goto('/m/inspections');
    await page.locator('[data-testid="task-list"] li, .m-empty').first().waitFor({ timeout: 60_000 });
    const elapsed = Date.now() - started;
    // The first run warms the server (template, query plans); it is not counted.
    if (run > 0) loads.push(elapsed);
    scripts = [...new Set(fetched)].map((pathname) => {
      const file = path.join(dist, pathname);
      const bytes = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
      return { url: pathname, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
    });
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const totalGzipKb = round(scripts.reduce((sum, script) => sum + script.gzip, 0) / 1024, 1);
const figures: Figure[] = [
  {
    metric: 'patrol page first load to task list (cold cache, 360×740)',
    unit: 'ms',
    ...spread(loads),
  },
  {
    metric: 'JavaScript fetched by the patrol page (gzip)',
    unit: 'KB',
    value: totalGzipKb,
    target: '< 300 KB',
    ok: totalGzipKb < 300,
  },
  { metric: 'JavaScript files fetched', unit: 'files', value: scripts.length },
];
printTable('Phone patrol page — first load', figures);
for (const script of scripts.sort((a, b) => b.gzip - a.gzip))
  console.log(`  ${(script.gzip / 1024).toFixed(1).padStart(7)} KB  ${script.url}`);
writeResult('phone', figures, { scripts, medianLoadMs: median(loads), budgetKb: 300 });
