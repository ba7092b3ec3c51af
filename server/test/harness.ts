import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { type Config, loadConfig } from '../src/platform/config.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

const TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../.tmp');
let templateBlob: Promise<Blob> | null = null;

/** A migrated PGlite data directory, made once per migration set and cloned for each test file. */
function pgliteTemplate(): Promise<Blob> {
  templateBlob ??= (async () => {
    const key = crypto
      .createHash('sha256')
      .update(migrations.map((m) => m.name + m.up.toString()).join('\n'))
      .digest('hex')
      .slice(0, 16);
    const file = path.join(TEMPLATE_DIR, `pglite-template-${key}.tar`);
    if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
    const pglite = await PGlite.create();
    const database = await openDatabase(loadConfig({}, { databaseUrl: null }), { pglite });
    await migrate(database.db as never);
    await database.close();
    const blob = await pglite.dumpDataDir('none');
    await pglite.close();
    fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, Buffer.from(await blob.arrayBuffer()));
    fs.renameSync(temporary, file);
    return blob;
  })();
  return templateBlob;
}

/**
 * A fresh platform for one test file: its own PGlite (cloned from a migrated template) or, when
 * DATABASE_URL is set, its own PostgreSQL schema, dropped afterwards.
 */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-campus-test-'));
  const base = loadConfig(process.env, {
    dataDir,
    demo: false,
    logLevel: 'warn',
    sweepIntervalMs: 60_000,
    loginRateLimit: 1000,
    secretKey: crypto.randomBytes(32).toString('hex'),
    webDist: path.join(dataDir, 'no-web'),
    ...overrides,
  });
  let database: Database;
  let dropSchema: (() => Promise<void>) | null = null;
  if (base.databaseUrl) {
    const schema = `test_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base.databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    base.databaseSchema = schema;
    database = await openDatabase(base);
    await migrate(database.db as never);
    dropSchema = async () => {
      const client = new pg.Client({ connectionString: base.databaseUrl ?? undefined });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    };
  } else {
    const pglite = await PGlite.create({ loadDataDir: await pgliteTemplate() });
    database = await openDatabase(base, { pglite });
    const close = database.close;
    database.close = async () => {
      await close();
      await pglite.close();
    };
  }
  const app = await buildApp({ config: base, database, quiet: true });
  await app.ready();
  return {
    app,
    database,
    config: base,
    async close() {
      await app.close();
      await database.close();
      await dropSchema?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Client {
  userId: number;
  cookie: string;
  csrfToken: string;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** The `Cookie` header value from a response's raw set-cookie. */
export function cookieFrom(response: LightMyRequestResponse): string {
  const raw = response.headers['set-cookie'];
  const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return values.map((value) => value.split(';')[0]).join('; ');
}

/** Signs in through the real login route and returns a client carrying the cookie and CSRF token. */
export async function login(app: FastifyInstance, username: string, password: string): Promise<Client> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (response.statusCode !== 200) throw new Error(`login ${username} failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { user: { id: number }; csrfToken: string };
  return clientFor(app, cookieFrom(response), body.csrfToken, body.user.id);
}

export function clientFor(app: FastifyInstance, cookie: string, csrfToken: string, userId = 0): Client {
  const send = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }), ...headers },
      ...(body === undefined ? {} : { payload: body as string }),
    });
  return {
    userId,
    cookie,
    csrfToken,
    get: (url, headers) => send('GET', url, undefined, headers),
    post: (url, body, headers) => send('POST', url, body ?? {}, headers),
    patch: (url, body, headers) => send('PATCH', url, body ?? {}, headers),
    put: (url, body, headers) => send('PUT', url, body ?? {}, headers),
    delete: (url, headers) => send('DELETE', url, undefined, headers),
  };
}

/**
 * Tables a refused request may still write: the log of the attempt (and its hash chain, linked in the background),
 * sessions, events, sweeps.
 */
export const TABLES_A_REFUSAL_MAY_TOUCH: readonly string[] = [
  'audit_log',
  'audit_chain',
  'audit_unchained',
  'session',
  'realtime_event',
  'sweep_run',
];

/** Counts rows in every application table: compared before and after a rejected request. */
export async function tableCounts(
  database: Database,
  /** Tables that may change on a refusal, besides these always left out. */
  alsoExclude: string[] = [],
): Promise<Record<string, number>> {
  const exclude = [...TABLES_A_REFUSAL_MAY_TOUCH, ...alsoExclude];
  const { sql } = await import('kysely');
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migration'`.execute(
    database.db,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    if (exclude.includes(table_name)) continue;
    const result = await sql<{ count: number }>`SELECT count(*)::int AS count FROM ${sql.table(table_name)}`.execute(
      database.db,
    );
    counts[table_name] = result.rows[0]!.count;
  }
  return counts;
}
