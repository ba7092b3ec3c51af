import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | undefined, string>;
/** `date` columns arrive as `YYYY-MM-DD` strings (see database.ts). */
type Day = ColumnType<string, string, string>;
type IntArray = ColumnType<number[], number[] | undefined, number[]>;
type UuidArray = ColumnType<string[], string[] | undefined, string[]>;

export interface InspectionTemplateTable {
  id: Generated<number>;
  owner_org_id: number | null;
  owner_org_path: string | null;
  code: string;
  name: string;
  kind: string;
  description: string | null;
  builtin: Generated<boolean>;
  published: Generated<boolean>;
  copied_from_id: number | null;
  current_version: Generated<number>;
  archived: Generated<boolean>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InspectionTemplateVersionTable {
  id: Generated<number>;
  template_id: number;
  version: number;
  content: Json;
  item_count: number;
  created_by: number | null;
  created_at: Timestamp;
}

export interface PatrolRouteTable {
  id: Generated<number>;
  school_id: number;
  org_path: string;
  name: string;
  archived: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PatrolCheckpointTable {
  id: Generated<number>;
  route_id: number;
  seq: number;
  place_id: number;
  retired_at: NullableTimestamp;
}

export interface InspectionPlanTable {
  id: Generated<number>;
  org_id: number;
  org_path: string;
  school_id: number;
  county_id: number;
  name: string;
  template_id: number;
  route_id: number | null;
  place_ids: IntArray;
  assignee_ids: IntArray;
  duty_role: string | null;
  schedule: Json;
  active: Generated<boolean>;
  tasks_from: Timestamp;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InspectionTaskTable {
  id: Generated<number>;
  plan_id: number;
  org_path: string;
  school_id: number;
  county_id: number;
  template_version_id: number;
  route_id: number | null;
  place_id: number | null;
  assignee_ids: IntArray;
  duty_role: string | null;
  day: Day;
  window_start: Timestamp;
  window_end: Timestamp;
  state: Generated<string>;
  record_id: number | null;
  missed_notified_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface InspectionRecordTable {
  id: Generated<number>;
  client_id: string;
  inspector_id: number;
  task_id: number | null;
  org_path: string;
  school_id: number;
  county_id: number;
  template_version_id: number;
  template_kind: string;
  route_id: number | null;
  place_id: number | null;
  spot_check_org_id: number | null;
  corrects_record_id: number | null;
  started_at: Timestamp;
  completed_at: Timestamp;
  received_at: Timestamp;
  in_window: boolean | null;
  item_count: number;
  failed_count: number;
  note: string | null;
  signature: string;
}

export interface InspectionAnswerTable {
  record_id: number;
  checkpoint_id: number | null;
  item_key: string;
  value: Json;
  passed: boolean;
  note: string | null;
  photo_ids: UuidArray;
  hazard_id: number | null;
}

export interface InspectionScanTable {
  record_id: number;
  checkpoint_id: number;
  scanned_at: Timestamp;
}

export interface InspectionsDB {
  inspection_template: InspectionTemplateTable;
  inspection_template_version: InspectionTemplateVersionTable;
  patrol_route: PatrolRouteTable;
  patrol_checkpoint: PatrolCheckpointTable;
  inspection_plan: InspectionPlanTable;
  inspection_task: InspectionTaskTable;
  inspection_record: InspectionRecordTable;
  inspection_answer: InspectionAnswerTable;
  inspection_scan: InspectionScanTable;
}

export type InspectionTaskRow = Selectable<InspectionTaskTable>;
export type InspectionRecordRow = Selectable<InspectionRecordTable>;
