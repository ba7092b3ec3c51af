import fs from 'node:fs';
import path from 'node:path';

/**
 * Figures for the `npm run reliability` summary. Each test file adds its counts to
 * `$RELIABILITY_STATS_DIR/<name>-<engine>.json` when that variable is set.
 */
export function recordStats(name: string, figures: Record<string, number>): void {
  const dir = process.env.RELIABILITY_STATS_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const engine = process.env.DATABASE_URL ? 'postgresql' : 'pglite';
  fs.writeFileSync(path.join(dir, `${name}-${engine}.json`), JSON.stringify({ name, engine, ...figures }, null, 2));
}
