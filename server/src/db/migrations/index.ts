import type { Kysely } from 'kysely';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_audit_truncate_guard.js';
import * as m0003 from './0003_hazards.js';

export interface Migration {
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

/** Forward-only, applied in this order. Add new ones at the end; never edit an applied one. */
export const migrations: Migration[] = [
  { name: '0001_platform', ...m0001 },
  { name: '0002_audit_truncate_guard', ...m0002 },
  { name: '0003_hazards', ...m0003 },
];
