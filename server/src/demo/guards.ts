import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';

/**
 * Guard profiles (保安员持证、出生年份) for the demo guards: most licensed, a few born early enough to be over
 * GUARD_MAX_AGE, so the 保安员 page and the seed 003 form's prefill show every case. No licence numbers: they
 * are optional and the demo has none to encrypt.
 */
export async function loadDemoGuards(db: Kysely<DB>): Promise<void> {
  await sql`
    INSERT INTO guard_profile (user_id, licensed, birth_year)
    SELECT DISTINCT ra.user_id, ra.user_id % 5 <> 0, 1961 + (ra.user_id * 7) % 36
    FROM role_assignment ra WHERE ra.role = 'guard'
    ON CONFLICT (user_id) DO NOTHING`.execute(db);
}
