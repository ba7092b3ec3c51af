import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | undefined, string>;
type NullableJson = ColumnType<unknown, string | null | undefined, string | null>;
/** `date` columns arrive as `YYYY-MM-DD` strings (see database.ts). */
type Day = ColumnType<string, string, string>;

export interface FormTemplateTable {
  id: Generated<number>;
  owner_org_id: number | null;
  owner_org_path: string | null;
  code: string;
  name: string;
  description: string | null;
  builtin: Generated<boolean>;
  copied_from_id: number | null;
  current_version: Generated<number>;
  archived: Generated<boolean>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormTemplateVersionTable {
  id: Generated<number>;
  template_id: number;
  version: number;
  content: Json;
  field_count: number;
  created_by: number | null;
  created_at: Timestamp;
}

export interface FormCollectionTable {
  id: Generated<number>;
  issuer_org_id: number;
  issuer_org_path: string;
  template_id: number;
  template_version_id: number;
  title: string;
  note: string | null;
  period_from: Day;
  period_to: Day;
  deadline: Timestamp;
  school_types: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  remind_days_before: Generated<number>;
  status: Generated<string>;
  school_count: Generated<number>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: NullableTimestamp;
}

export interface FormSubmissionTable {
  id: Generated<number>;
  collection_id: number;
  school_id: number;
  org_path: string;
  province_id: number;
  city_id: number;
  county_id: number;
  status: Generated<string>;
  late: Generated<boolean>;
  answers: Json;
  prefilled: NullableJson;
  prefilled_at: NullableTimestamp;
  corrections: Json;
  revision: Generated<number>;
  submitted_by: number | null;
  submitted_at: NullableTimestamp;
  signed_by: number | null;
  signed_at: NullableTimestamp;
  cosigned_by: number | null;
  cosigned_at: NullableTimestamp;
  reviewed_by: number | null;
  reviewed_at: NullableTimestamp;
  review_comment: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormCollectionNoticeTable {
  collection_id: number;
  kind: string;
  day: Day;
  recipients: Generated<number>;
  sent_at: Timestamp;
}

export interface FormsDB {
  form_template: FormTemplateTable;
  form_template_version: FormTemplateVersionTable;
  form_collection: FormCollectionTable;
  form_submission: FormSubmissionTable;
  form_collection_notice: FormCollectionNoticeTable;
}

export type FormSubmissionRow = Selectable<FormSubmissionTable>;
export type FormCollectionRow = Selectable<FormCollectionTable>;
