import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../platform/config.js';
import type { DB } from './schema.js';

export type Engine = 'pglite' | 'postgresql';
export type Listener = (payload: string) => void;

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** Subscribe to a NOTIFY channel; returns the unsubscribe function. */
  listen(channel: string, listener: Listener): Promise<() => Promise<void>>;
  /** Cheap liveness probe for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The PGlite instance when embedded (tests dump and clone it). */
  pglite: PGlite | null;
}

// timestamptz → ISO string in API responses is done by presenters; keep pg's Date parsing.
// int8 (counts) → number: counts never exceed 2^53 here.
pg.types.setTypeParser(20, (value) => Number(value));
// numeric → number (coordinates, scores).
pg.types.setTypeParser(1700, (value) => Number(value));
// date → the calendar day as written (`2026-11-23`), never shifted by the process's time zone.
pg.types.setTypeParser(1082, (value) => value);

export interface OpenOptions {
  /** An existing PGlite (tests load one from a template). */
  pglite?: PGlite;
}

export async function openDatabase(config: Config, options: OpenOptions = {}): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config);
  return openPglite(config, options.pglite);
}

async function openPglite(config: Config, existing?: PGlite): Promise<Database> {
  let pglite = existing;
  if (!pglite) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    pglite = await PGlite.create(`${config.dataDir}/pgdata`);
  }
  const instance = pglite;
  const pool = new pg.Pool({ ...createPgConfig(instance), max: 1, connectionTimeoutMillis: 30_000 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'pglite',
    pglite: instance,
    async listen(channel, listener) {
      const unsubscribe = await instance.listen(channel, listener);
      return async () => unsubscribe();
    },
    async ping() {
      await instance.query('select 1');
    },
    async close() {
      await db.destroy();
      if (!existing) await instance.close();
    },
  };
}

/** Statements seen this often are prepared by name on each connection; at most this many are. */
const PREPARE_AFTER = 3;
const MAX_PREPARED = 400;
const MAX_PREPARED_TEXT = 16_000;
const statementUses = new Map<string, number>();
const statementNames = new Map<string, string>();

/**
 * The same query text with parameters, sent again and again (the session lookup, a hazard report's one
 * statement), is prepared by name on each connection: PostgreSQL then parses and plans it once per connection
 * instead of on every request, which was a third of the database's time for a report. Texts seen only once or
 * twice (lists with a varying number of ids) stay unnamed, and the number of names is bounded. A pooler in front
 * of PostgreSQL must support protocol-level prepared statements (PgBouncer 1.21+, `max_prepared_statements`).
 */
function prepareRepeatedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (name) return query({ name, text, values });
    }
    return query(...args);
  };
}

function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known || text.length > MAX_PREPARED_TEXT || statementNames.size >= MAX_PREPARED) return known;
  const uses = (statementUses.get(text) ?? 0) + 1;
  if (uses < PREPARE_AFTER) {
    if (statementUses.size > 10 * MAX_PREPARED) statementUses.clear();
    statementUses.set(text, uses);
    return undefined;
  }
  statementUses.delete(text);
  const name = `sc_${statementNames.size}`;
  statementNames.set(text, name);
  return name;
}

async function openPostgres(config: Config): Promise<Database> {
  const searchPath = config.databaseSchema ? `-c search_path=${config.databaseSchema}` : undefined;
  const poolConfig: pg.PoolConfig = {
    connectionString: config.databaseUrl ?? undefined,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    options: searchPath,
  };
  const pool = new pg.Pool(poolConfig);
  // A connection broken by a database restart must not crash the process: idle ones are replaced by
  // the pool; a checked-out one fails its query (503) and is discarded on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    prepareRepeatedStatements(client);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const listeners = new Map<string, Set<Listener>>();
  let client: pg.Client | null = null;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | null = null;

  // One dedicated LISTEN connection per instance that reconnects by itself after an outage.
  async function connectListener(): Promise<void> {
    if (closed) return;
    const next = new pg.Client({ connectionString: config.databaseUrl ?? undefined, options: searchPath });
    next.on('notification', (message) => {
      for (const listener of listeners.get(message.channel) ?? []) listener(message.payload ?? '');
    });
    next.on('error', () => scheduleReconnect());
    next.on('end', () => scheduleReconnect());
    try {
      await next.connect();
      for (const channel of listeners.keys()) await next.query(`LISTEN ${quoteIdentifier(channel)}`);
      client = next;
    } catch {
      next.end().catch(() => {});
      scheduleReconnect();
    }
  }
  function scheduleReconnect(): void {
    client = null;
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connectListener();
    }, 1000);
  }
  await connectListener();

  return {
    db,
    engine: 'postgresql',
    pglite: null,
    async listen(channel, listener) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        if (client) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      }
      set.add(listener);
      return async () => {
        set.delete(listener);
      };
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await client?.end().catch(() => {});
      await db.destroy();
    },
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
