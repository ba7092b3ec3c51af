#!/usr/bin/env node
// `npm start`: builds the web app when its sources are newer than web/dist, then runs the server
// (embedded PGlite in ./data unless DATABASE_URL is set; the demo province on first start).
// The server is bundled with esbuild first when its sources changed (SERVER_BUNDLE=0 runs it with tsx).
// `npm run dev`: the Vite dev server on :5173 (proxying /api to :3000) and the server restarted on change.
// The environment is passed through; SIGINT/SIGTERM go to the children and we exit with the server's code.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { seedDataDir, templateExists } from './pglite-template.mjs';

const root = path.resolve(import.meta.dirname, '..');
const dev = process.argv.includes('--dev');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Newest modification time under `target` (a file or a folder), ignoring node_modules. */
function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

function webBuildReason() {
  const index = path.join(root, 'web/dist/index.html');
  if (!fs.existsSync(index)) return 'web/dist is missing';
  const built = fs.statSync(index).mtimeMs;
  const sources = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'web/package.json', 'domain/src'];
  const changed = sources.find((source) => newestMtime(path.join(root, source)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

function buildWeb() {
  if (process.env.SKIP_WEB_BUILD === '1') return;
  const reason = webBuildReason();
  if (!reason) return;
  console.log(`Building the web app (${reason}) …`);
  const started = Date.now();
  const result = spawnSync(npm, ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit', env: process.env });
  // Ctrl-C during the build stops here rather than starting the server.
  if (result.signal) process.exit(130);
  if (result.status === 0) {
    console.log(`Web app built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } else {
    // The API still works without the web app; an older build, if any, is served.
    console.warn('Web build failed (see above); starting the server anyway.');
  }
}

/**
 * First embedded start: copy a ready-made empty cluster into DATA_DIR instead of letting the server
 * run initdb in-process (slower, and it leaves the server ~500 MB larger). The template is made once
 * per install, in a child process so its memory is returned.
 */
function prepareEmbeddedDatabase() {
  if (process.env.DATABASE_URL) return;
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, 'data'));
  if (fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))) return;
  try {
    if (!templateExists()) {
      console.log('Preparing the embedded database template (once per install) …');
      const result = spawnSync(process.execPath, [path.join(root, 'scripts/pglite-template.mjs')], {
        cwd: root,
        stdio: 'inherit',
      });
      if (result.status !== 0) throw new Error(`template script exited with ${result.status}`);
    }
    if (seedDataDir(dataDir)) console.log(`New embedded database in ${path.join(dataDir, 'pgdata')}.`);
  } catch (error) {
    // The server creates the cluster itself when there is none.
    console.warn(`Could not use the database template (${error.message}); the server will create the cluster.`);
  }
}

/**
 * Bundles the server's own TypeScript (server/src + domain/src; packages stay external) into one ES
 * module with esbuild, when the sources are newer than the bundle. Plain `node` then loads it without
 * tsx's loader hooks, which roughly halves the import time (the bulk of a restart). The bundle sits
 * three folders below the root because config.ts finds the root from its own location.
 * Returns the node arguments that run the server, or the tsx command when bundling is not possible.
 */
async function serverCommand() {
  const tsx = ['--import', 'tsx', 'server/src/main.ts'];
  if (process.env.SERVER_BUNDLE === '0') return tsx;
  const outfile = path.join(root, '.tmp/build/server/main.mjs');
  const built = fs.existsSync(outfile) ? fs.statSync(outfile).mtimeMs : 0;
  const sources = ['server/src', 'domain/src', 'server/package.json', 'domain/package.json', 'package-lock.json'];
  if (built > 0 && !sources.some((source) => newestMtime(path.join(root, source)) > built)) return [outfile];
  try {
    const esbuild = await import('esbuild');
    const temporary = `${outfile}.${process.pid}.tmp.mjs`;
    await esbuild.build({
      entryPoints: [path.join(root, 'server/src/main.ts')],
      outfile: temporary,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      plugins: [
        {
          name: 'packages-external-but-workspace',
          setup(build) {
            build.onResolve({ filter: /^[^./]/ }, (args) =>
              args.path.startsWith('@safe-campus/') ? undefined : { path: args.path, external: true },
            );
          },
        },
      ],
    });
    // esbuild's service process would otherwise live as long as we do.
    await esbuild.stop?.();
    fs.renameSync(temporary, outfile);
    return [outfile];
  } catch (error) {
    console.warn(`Could not bundle the server (${error.message}); running it with tsx.`);
    return tsx;
  }
}

const children = new Set();
let exiting = false;

function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: process.env, ...options });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function forward(signal) {
  exiting = true;
  for (const child of children) child.kill(signal);
}
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));

function exitWith(code, signal) {
  if (signal) {
    const numbers = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
    process.exit(128 + (numbers[signal] ?? 1));
  }
  process.exit(code ?? 0);
}

if (dev) {
  prepareEmbeddedDatabase();
  const server = run(process.execPath, [
    path.join(root, 'node_modules/tsx/dist/cli.mjs'),
    'watch',
    '--clear-screen=false',
    'server/src/main.ts',
  ]);
  const vite = run(npm, ['run', 'dev', '-w', 'web']);
  console.log('Development: open http://localhost:5173 (Vite, proxying /api to the server on :3000).');
  // When either stops, stop the other and exit with the server's code.
  server.on('exit', (code, signal) => {
    if (!exiting) forward('SIGTERM');
    vite.once('exit', () => exitWith(code, signal));
    if (vite.exitCode !== null || vite.signalCode !== null) exitWith(code, signal);
  });
  vite.on('exit', () => {
    if (!exiting) forward('SIGTERM');
  });
} else {
  buildWeb();
  prepareEmbeddedDatabase();
  const command = await serverCommand();
  if (exiting) process.exit(130);
  const server = run(process.execPath, command);
  server.on('exit', exitWith);
}
