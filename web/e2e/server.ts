/**
 * Starts the real server (PGlite in a temp DATA_DIR, demo data) for browser tests, building
 * web/dist first if it is missing, and stops it afterwards.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface DemoAccount {
  username: string;
  password: string;
  role: string;
  orgId: number;
  orgName: string;
  orgLevel: string;
  orgPath: string;
}

export interface TestServer {
  url: string;
  dataDir: string;
  accounts: DemoAccount[];
  /** The first demo account of a role. */
  account(role: string): DemoAccount;
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the web or domain sources, so tests never run a stale bundle. */
export function ensureWebBuild(): void {
  const index = path.join(ROOT, 'web/dist/index.html');
  if (fs.existsSync(index)) {
    const built = fs.statSync(index).mtimeMs;
    const sources = Math.max(
      newestChange(path.join(ROOT, 'web/src')),
      newestChange(path.join(ROOT, 'domain/src')),
      fs.statSync(path.join(ROOT, 'web/index.html')).mtimeMs,
      fs.statSync(path.join(ROOT, 'web/vite.config.ts')).mtimeMs,
    );
    if (built >= sources) return;
  }
  execFileSync('npm', ['run', 'build', '-w', 'web'], { cwd: ROOT, stdio: 'inherit' });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/api/v1/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server did not become healthy in ${timeoutMs} ms:\n${log()}`);
}

interface Spawned {
  child: ChildProcess;
  log: () => string;
}

function spawnServer(dataDir: string, port: number, webDist: string, env: Record<string, string>): Spawned {
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO: '1',
      LOG_LEVEL: 'warn',
      WEB_DIST: webDist,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  return { child, log: () => log };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** On PostgreSQL (DATABASE_URL set) each run gets its own schema, dropped afterwards; otherwise PGlite in DATA_DIR. */
async function databaseEnv(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { env: { DATABASE_URL: '' }, drop: async () => {} };
  const { default: pg } = await import('pg');
  const schema = `e2e_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    env: { DATABASE_URL: url, DATABASE_SCHEMA: schema },
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  ensureWebBuild();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-'));
  const port = await freePort();
  const database = await databaseEnv();
  env = { ...database.env, ...env };
  const spawned = spawnServer(dataDir, port, path.join(ROOT, 'web/dist'), env);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await kill(spawned.child);
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, spawned.child, spawned.log);
  } catch (error) {
    await stop();
    throw error;
  }
  const accountsFile = path.join(dataDir, 'demo-accounts.json');
  const accounts: DemoAccount[] = fs.existsSync(accountsFile) ? JSON.parse(fs.readFileSync(accountsFile, 'utf8')) : [];
  return {
    url,
    dataDir,
    accounts,
    account(role) {
      const found = accounts.find((account) => account.role === role);
      if (!found) throw new Error(`no demo account with role ${role} (demo-accounts.json has ${accounts.length})`);
      return found;
    },
    output: () => spawned.log(),
    stop,
  };
}

/**
 * `startServer` on a private copy of web/dist, so a rebuild by another run cannot change the bundle under test;
 * `stop()` removes the copy too.
 */
export async function startServerOnWebCopy(env: Record<string, string> = {}): Promise<TestServer> {
  ensureWebBuild();
  const webCopy = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-web-'));
  fs.cpSync(path.join(ROOT, 'web/dist'), webCopy, { recursive: true });
  const removeCopy = () => fs.rmSync(webCopy, { recursive: true, force: true });
  let server: TestServer;
  try {
    server = await startServer({ WEB_DIST: webCopy, ...env });
  } catch (error) {
    removeCopy();
    throw error;
  }
  return {
    ...server,
    stop: async () => {
      await server.stop();
      removeCopy();
    },
  };
}

/** The demo's county bureau officer above an account's unit (the bureau that supervises a school). */
export function countyBureauAbove(server: TestServer, account: DemoAccount): DemoAccount {
  const bureau = server.accounts.find(
    (item) => item.role === 'bureau_officer' && item.orgLevel === 'county' && account.orgPath.startsWith(item.orgPath),
  );
  if (!bureau) throw new Error(`no county bureau above ${account.orgName}`);
  return bureau;
}
