import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface Figure {
  /** What was measured, e.g. `first start to healthy`. */
  metric: string;
  unit: string;
  median?: number;
  min?: number;
  max?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  value?: number;
  runs?: number;
  target?: string;
  /** Whether the figure meets its target, when it has one. */
  ok?: boolean;
  note?: string;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Median, min and max of a series of runs. */
export function spread(values: number[], digits = 0): Pick<Figure, 'median' | 'min' | 'max' | 'runs'> {
  return {
    median: round(median(values), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
    runs: values.length,
  };
}

/** p50/p95/p99 of request latencies. */
export function latencies(values: number[], digits = 1): Pick<Figure, 'p50' | 'p95' | 'p99' | 'runs'> {
  return {
    p50: round(percentile(values, 50), digits),
    p95: round(percentile(values, 95), digits),
    p99: round(percentile(values, 99), digits),
    runs: values.length,
  };
}

export function printTable(title: string, figures: Figure[]): void {
  const columns: (keyof Figure)[] = [
    'metric',
    'median',
    'min',
    'max',
    'p50',
    'p95',
    'p99',
    'value',
    'unit',
    'runs',
    'target',
    'ok',
  ];
  const used = columns.filter((column) => figures.some((figure) => figure[column] !== undefined));
  const cell = (figure: Figure, column: keyof Figure) => {
    const value = figure[column];
    return value === undefined ? '' : typeof value === 'boolean' ? (value ? 'yes' : 'NO') : String(value);
  };
  const widths = used.map((column) => Math.max(column.length, ...figures.map((figure) => cell(figure, column).length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(used));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const figure of figures) console.log(line(used.map((column) => cell(figure, column))));
  for (const figure of figures) if (figure.note) console.log(`  * ${figure.metric}: ${figure.note}`);
}

/** Prints the table and writes bench/results/<name>.json. */
export function writeResult(name: string, figures: Figure[], extra: Record<string, unknown> = {}): void {
  printTable(name, figures);
  const result = {
    name,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      loadAverageAtEnd: os.loadavg().map((value) => round(value, 2)),
      node: process.version,
    },
    date: new Date().toISOString(),
    ...extra,
    figures,
  };
  const directory = path.join(ROOT, 'bench/results');
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten to bench/results/${name}.json`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `safe-campus-bench-${prefix}-`));
}

export interface RunningServer {
  child: ChildProcess;
  port: number;
  url: string;
  /** Milliseconds from spawn until /api/v1/health answered 200. */
  readyMs: number;
  /**
   * CPU time (user + system) the launcher and the server had used when health answered: what the start
   * costs regardless of other load on the machine.
   */
  readyCpuMs: number;
  /** Everything the server printed (for the demo logins and errors). */
  output(): string;
  rssMiB(): number;
  stop(): Promise<number | null>;
}

/**
 * Spawns the real server (`node --import tsx server/src/main.ts`) on a free port and waits until
 * /api/v1/health answers 200, polling every 20 ms.
 */
export async function startServer(
  env: Record<string, string>,
  options: { via?: 'server' | 'npm-start'; timeoutMs?: number } = {},
): Promise<RunningServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // `npm-start` is what `npm start` runs (scripts/start.mjs, which seeds an empty DATA_DIR from the
  // PGlite template); `server` is the bare server, which creates the cluster itself.
  const args = options.via === 'npm-start' ? ['scripts/start.mjs'] : ['--import', 'tsx', 'server/src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', SKIP_WEB_BUILD: '1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let readyMs = -1;
  let readyCpuMs = -1;
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/api/v1/health`);
      if (response.status === 200) {
        readyMs = performance.now() - started;
        readyCpuMs = processTreeCpuMs(child.pid!);
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (readyMs < 0) {
    child.kill('SIGKILL');
    throw new Error(`server not healthy after ${timeoutMs} ms:\n${output}`);
  }
  return {
    child,
    port,
    url,
    readyMs,
    readyCpuMs,
    output: () => output,
    rssMiB() {
      // Under scripts/start.mjs the server is the launcher's only child.
      const pid =
        options.via === 'npm-start'
          ? fs
              .readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
              .trim()
              .split(/\s+/)
              .find((candidate) => /main\.(mjs|ts)/.test(fs.readFileSync(`/proc/${candidate}/cmdline`, 'utf8')))
          : child.pid;
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kib / 1024;
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process and its live descendants, from /proc (Linux). */
function processTreeCpuMs(pid: number | string): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of /proc/<pid>/stat; the slice starts at field 3.
    const own = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return own + children.reduce((sum, child) => sum + processTreeCpuMs(child), 0);
  } catch {
    return 0;
  }
}

/** Signs in through the API; returns the cookie and CSRF token. */
export async function signIn(
  url: string,
  username: string,
  password: string,
): Promise<{ cookie: string; csrfToken: string }> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  const body = (await response.json()) as { csrfToken: string };
  return { cookie, csrfToken: body.csrfToken };
}
