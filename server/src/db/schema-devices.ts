import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | undefined, string>;
/** `date` columns arrive as strings (the pg type parser is set so). */
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;
type Numeric = ColumnType<number | null, number | string | null | undefined, number | string | null>;

export interface DeviceTable {
  id: Generated<number>;
  code: string;
  org_path: string;
  province_id: number;
  city_id: number;
  county_id: number;
  school_id: number;
  place_id: number | null;
  kind: string;
  name: string;
  zone: string | null;
  vendor: string | null;
  model: string | null;
  retention_days: number | null;
  token_hash: string | null;
  token_hint: string | null;
  last_seen_at: NullableTimestamp;
  fault_since: NullableTimestamp;
  fault_detail: string | null;
  offline_since: NullableTimestamp;
  offline_notified_at: NullableTimestamp;
  last_inspected_on: NullableDate;
  installed_on: NullableDate;
  disabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeviceEventTable {
  id: Generated<number>;
  device_id: number;
  event_id: string;
  type: string;
  kind: string | null;
  at: Timestamp;
  received_at: Timestamp;
  via: string;
  details: Json;
}

export interface IngestRejectionTable {
  reason: string;
  school_code: string;
  device_code: string;
  count: Generated<number>;
  last_at: Timestamp;
}

export interface AlarmTable {
  id: Generated<number>;
  code: string;
  org_path: string;
  province_id: number;
  city_id: number;
  county_id: number;
  school_id: number;
  source: string;
  kind: string;
  priority: number;
  title: string;
  description: string | null;
  device_id: number | null;
  device_event_id: number | null;
  place_id: number | null;
  location_text: string | null;
  latitude: Numeric;
  longitude: Numeric;
  reporter_id: number | null;
  state: Generated<string>;
  raised_at: Timestamp;
  acknowledged_at: NullableTimestamp;
  acknowledged_by: number | null;
  dispatched_at: NullableTimestamp;
  dispatched_to: number | null;
  dispatch_team: string | null;
  on_scene_at: NullableTimestamp;
  resolved_at: NullableTimestamp;
  resolved_by: number | null;
  outcome: string | null;
  false_alarm: boolean | null;
  notes: string | null;
  escalated_at: NullableTimestamp;
  hazard_id: number | null;
  incident_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IncidentTable {
  id: Generated<number>;
  org_path: string;
  school_id: number;
  alarm_id: number | null;
  title: string;
  kind: string;
  description: string | null;
  occurred_at: Timestamp;
  created_by: number | null;
  created_at: Timestamp;
}

export interface DutyShiftTable {
  id: Generated<number>;
  org_id: number;
  org_path: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  kind: Generated<string>;
  holiday_name: string | null;
  phone: string | null;
  note: string | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DutyAssignmentTable {
  shift_id: number;
  user_id: number;
  duty_role: string;
}

export interface DutySwapTable {
  id: Generated<number>;
  shift_id: number;
  org_path: string;
  from_user_id: number;
  to_user_id: number;
  reason: string | null;
  state: Generated<string>;
  decided_by: number | null;
  decided_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface DutyHandoverTable {
  id: Generated<number>;
  shift_id: number;
  org_path: string;
  written_by: number;
  written_at: Timestamp;
  summary: string;
  open_issues: string | null;
  handed_to: number | null;
}

export interface DevicesDB {
  device: DeviceTable;
  device_event: DeviceEventTable;
  ingest_rejection: IngestRejectionTable;
  alarm: AlarmTable;
  incident: IncidentTable;
  duty_shift: DutyShiftTable;
  duty_assignment: DutyAssignmentTable;
  duty_swap: DutySwapTable;
  duty_handover: DutyHandoverTable;
}

export type DeviceRow = Selectable<DeviceTable>;
export type AlarmRow = Selectable<AlarmTable>;
export type DutyShiftRow = Selectable<DutyShiftTable>;
