#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts with tsx; each benchmark prints a table and
// writes bench/results/<name>.json. Without a name, lists the benchmarks.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const available = fs
  .readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'lib.ts' && !file.endsWith('.d.ts'))
  .map((file) => file.slice(0, -3))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.log(`usage: npm run bench -- <name>\nbenchmarks: ${available.join(', ')}`);
  process.exit(name ? 1 : 0);
}
const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`), ...args], {
  cwd: path.resolve(here, '..'),
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
