#!/usr/bin/env node
// A freshly initialised, empty PGlite cluster kept under node_modules/.cache, one per PGlite version.
// Creating a cluster (initdb inside WASM) takes 2–3 s and leaves the process at ~750 MB RSS; copying
// this template into an empty data folder takes ~0.3 s and the server then just opens it (~260 MB).
// `node scripts/pglite-template.mjs` creates it; `npm start` does so when it is missing.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function pgliteVersion() {
  const file = path.join(root, 'node_modules/@electric-sql/pglite/package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

export function templateDir() {
  return path.join(root, 'node_modules/.cache/safe-campus', `pglite-${pgliteVersion()}-cluster`);
}

export function templateExists() {
  return fs.existsSync(path.join(templateDir(), 'PG_VERSION'));
}

/** Creates the template cluster unless it exists; safe when two processes race (rename is atomic). */
export async function ensureTemplate() {
  const target = templateDir();
  if (templateExists()) return target;
  const { PGlite } = await import('@electric-sql/pglite');
  const temporary = `${target}.${process.pid}.tmp`;
  fs.rmSync(temporary, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const pglite = await PGlite.create(temporary);
  await pglite.query('SELECT 1');
  await pglite.close();
  try {
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    if (!templateExists()) throw error;
  }
  return target;
}

/**
 * Seeds an embedded data folder from the template when it has no cluster yet. The server (see
 * server/src/db/database.ts) opens `<DATA_DIR>/pgdata`. Returns true when it seeded.
 */
export function seedDataDir(dataDir) {
  const pgdata = path.join(dataDir, 'pgdata');
  if (fs.existsSync(path.join(pgdata, 'PG_VERSION')) || !templateExists()) return false;
  if (fs.existsSync(pgdata) && fs.readdirSync(pgdata).length > 0) return false;
  fs.mkdirSync(dataDir, { recursive: true });
  const temporary = `${pgdata}.${process.pid}.tmp`;
  fs.rmSync(temporary, { recursive: true, force: true });
  fs.cpSync(templateDir(), temporary, { recursive: true });
  fs.rmSync(pgdata, { recursive: true, force: true });
  fs.renameSync(temporary, pgdata);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const started = Date.now();
  const existed = templateExists();
  const target = await ensureTemplate();
  console.log(
    existed ? `PGlite template exists: ${target}` : `PGlite template created in ${Date.now() - started} ms: ${target}`,
  );
}
