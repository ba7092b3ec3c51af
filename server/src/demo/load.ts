import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Config } from '../platform/config.js';

export interface DemoAccount {
  username: string;
  password: string;
  role: string;
  orgId: number;
  orgName: string;
  orgLevel: string;
  orgPath: string;
}

/** Loads the demo province into an empty database; returns the accounts, or null if data exists. */
export async function loadDemo(_db: Kysely<DB>, _config: Config): Promise<DemoAccount[] | null> {
  return null;
}
