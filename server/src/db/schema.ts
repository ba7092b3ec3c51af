import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { DevicesDB } from './schema-devices.js';
import type { FormsDB } from './schema-forms.js';
import type { GuardsDB } from './schema-guards.js';
import type { InspectionsDB } from './schema-inspections.js';
import type { NoticesDB } from './schema-notices.js';

export type { AlarmRow, DeviceRow, DutyShiftRow } from './schema-devices.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | undefined, string>;

export interface OrgUnitTable {
  id: Generated<number>;
  parent_id: number | null;
  level: string;
  code: string;
  name: string;
  school_type: string | null;
  address: string | null;
  path: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PlaceTable {
  id: Generated<number>;
  org_id: number;
  org_path: string;
  parent_id: number | null;
  kind: string;
  code: string;
  name: string;
  key_part: Generated<boolean>;
  description: string | null;
  floor_plan_file_id: string | null;
  plan_x: number | null;
  plan_y: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  phone_encrypted: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  totp_secret_encrypted: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: number | null;
  disabled: Generated<boolean>;
  demo: Generated<boolean>;
  last_login_at: NullableTimestamp;
  password_changed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RoleAssignmentTable {
  id: Generated<number>;
  user_id: number;
  role: string;
  org_id: number;
  org_path: string;
  created_at: Timestamp;
}

export interface SessionTable {
  id: string;
  user_id: number;
  csrf_token: string;
  active_org_id: number | null;
  pending: Generated<string>;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: number | null;
  actor_name: string | null;
  ip: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  org_path: string | null;
  outcome: Generated<string>;
  detail: Json;
}

/** The hash chain over audit_log, in the order the chainer linked the rows (platform/audit.ts). */
export interface AuditChainTable {
  seq: number;
  audit_id: number;
  prev_hash: string;
  hash: string;
}

/** Audit rows written and not linked yet. */
export interface AuditUnchainedTable {
  audit_id: number;
}

export interface TimelineEventTable {
  id: Generated<number>;
  record_type: string;
  record_id: number;
  org_path: string;
  at: Timestamp;
  actor_id: number | null;
  action: string;
  from_state: string | null;
  to_state: string | null;
  note: string | null;
  data: Json;
}

export interface StoredFileTable {
  id: Generated<string>;
  sha256: string;
  filename: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  has_thumbnail: Generated<boolean>;
  org_path: string;
  owner_type: string | null;
  owner_id: number | null;
  uploaded_by: number;
  created_at: Timestamp;
}

export interface JobTable {
  id: Generated<number>;
  kind: string;
  payload: Json;
  run_at: Timestamp;
  status: Generated<string>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  last_error: string | null;
  locked_until: NullableTimestamp;
  dedupe_key: string | null;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface SweepRunTable {
  name: string;
  slot: Date | string;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  error: string | null;
}

export interface RealtimeEventTable {
  id: Generated<number>;
  at: Timestamp;
  type: string;
  org_path: string | null;
  user_id: number | null;
  payload: Json;
}

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  org_path: string | null;
  created_at: Timestamp;
  read_at: NullableTimestamp;
}

export interface AppSettingTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface IdempotencyKeyTable {
  user_id: number;
  key: string;
  route: string;
  request_hash: string;
  status: number;
  response: Json;
  created_at: Timestamp;
}

export interface HazardTable {
  id: Generated<number>;
  code: string;
  org_path: string;
  province_id: number;
  city_id: number;
  county_id: number;
  school_id: number;
  department_id: number | null;
  title: string;
  description: string | null;
  category: string;
  place_id: number | null;
  plan_x: number | string | null;
  plan_y: number | string | null;
  source: Generated<string>;
  inspection_id: number | null;
  reported_by: number | null;
  reported_at: Timestamp;
  state: Generated<string>;
  grade: string | null;
  risk_level: string | null;
  reject_reason: string | null;
  responsible_unit: string | null;
  responsible_user_id: number | null;
  measures: string | null;
  /** numeric: arrives as a string */
  funds: number | string | null;
  deadline: NullableTimestamp;
  interim_measures: string | null;
  rectification_note: string | null;
  rectified_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  closed_by: number | null;
  supervised: Generated<boolean>;
  supervising_org_id: number | null;
  supervision_deadline: NullableTimestamp;
  supervision_requirements: string | null;
  supervised_at: NullableTimestamp;
  reminded_at: NullableTimestamp;
  overdue_notified_at: NullableTimestamp;
  escalation_level: Generated<number>;
  escalated_at: NullableTimestamp;
  next_alert_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Monthly hazard counts per county, category and grade (0008_hazard_rollup.ts; kept by a trigger). */
export interface HazardRollupTable {
  county_id: number;
  city_id: number;
  province_id: number;
  /** First day of the report's business month (Asia/Shanghai), `YYYY-MM-DD`. */
  month: ColumnType<string, string, string>;
  category: string;
  /** '' while not graded. */
  grade: string;
  found: number;
  rectified: number;
  supervised: number;
  /** numeric: arrives as a string */
  close_seconds: ColumnType<string, string | number, string | number>;
  /** Open hazards marked overdue by the sweeper (overdue_notified_at > deadline). */
  overdue_marked: number;
}

/** Every table the application uses. Modules add theirs here next to their migration. */
export interface DB extends DevicesDB, InspectionsDB, GuardsDB, NoticesDB, FormsDB {
  org_unit: OrgUnitTable;
  place: PlaceTable;
  app_user: AppUserTable;
  role_assignment: RoleAssignmentTable;
  session: SessionTable;
  audit_log: AuditLogTable;
  audit_chain: AuditChainTable;
  audit_unchained: AuditUnchainedTable;
  timeline_event: TimelineEventTable;
  stored_file: StoredFileTable;
  job: JobTable;
  sweep_run: SweepRunTable;
  realtime_event: RealtimeEventTable;
  notification: NotificationTable;
  app_setting: AppSettingTable;
  idempotency_key: IdempotencyKeyTable;
  hazard: HazardTable;
  hazard_rollup: HazardRollupTable;
}

export type OrgUnitRow = Selectable<OrgUnitTable>;
export type PlaceRow = Selectable<PlaceTable>;
export type HazardRow = Selectable<HazardTable>;
export type AppUserRow = Selectable<AppUserTable>;
export type SessionRow = Selectable<SessionTable>;
export type NewAuditLog = Insertable<AuditLogTable>;
export type AppUserUpdate = Updateable<AppUserTable>;
