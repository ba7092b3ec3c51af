import type { Kysely } from 'kysely';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_audit_truncate_guard.js';
import * as m0003 from './0003_hazards.js';
import * as m0004 from './0004_devices.js';
import * as m0005 from './0005_alarms.js';
import * as m0006 from './0006_duty.js';
import * as m0007 from './0007_inspections.js';
import * as m0008 from './0008_hazard_rollup.js';
import * as m0009 from './0009_forms.js';
import * as m0010 from './0010_notices.js';
import * as m0011 from './0011_guard_profiles.js';
import * as m0012 from './0012_audit_chain_after_commit.js';
import * as m0013 from './0013_role_assignment_by_org.js';
import * as m0014 from './0014_hazard_rollup_deltas.js';
import * as m0015 from './0015_job_recovery.js';

export interface Migration {
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

/** Forward-only, applied in this order. Add new ones at the end; never edit an applied one. */
export const migrations: Migration[] = [
  { name: '0001_platform', ...m0001 },
  { name: '0002_audit_truncate_guard', ...m0002 },
  { name: '0003_hazards', ...m0003 },
  { name: '0004_devices', ...m0004 },
  { name: '0005_alarms', ...m0005 },
  { name: '0006_duty', ...m0006 },
  { name: '0007_inspections', ...m0007 },
  { name: '0008_hazard_rollup', ...m0008 },
  { name: '0009_forms', ...m0009 },
  { name: '0010_notices', ...m0010 },
  { name: '0011_guard_profiles', ...m0011 },
  { name: '0012_audit_chain_after_commit', ...m0012 },
  { name: '0013_role_assignment_by_org', ...m0013 },
  { name: '0014_hazard_rollup_deltas', ...m0014 },
  { name: '0015_job_recovery', ...m0015 },
];
