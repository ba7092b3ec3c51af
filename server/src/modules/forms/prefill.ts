import type { PrefillSourceId, PrefillValues } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export interface PrefillSchool {
  id: number;
  path: string;
}

export interface PrefillPeriod {
  from: Date;
  to: Date;
}

/**
 * Live values for one school's form over a reporting period (issue #7). Reads only that school's rows, through
 * indexes; one call per school form. Sources not (yet) known answer `null` with basis 暂无数据.
 */
export async function prefillSchool(
  _db: Kysely<DB>,
  _school: PrefillSchool,
  _period: PrefillPeriod,
  sources: readonly PrefillSourceId[],
): Promise<PrefillValues> {
  const out: PrefillValues = {};
  for (const source of sources) out[source] = { value: null, basis: '暂无数据' };
  return out;
}
