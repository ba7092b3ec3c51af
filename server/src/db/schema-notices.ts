import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export interface NoticeTable {
  id: Generated<number>;
  org_id: number;
  org_path: string;
  title: string;
  body: string;
  receipt_required: Generated<boolean>;
  reply_deadline: NullableTimestamp;
  target_levels: TextArray;
  target_school_types: TextArray;
  state: Generated<string>;
  recipient_count: Generated<number>;
  read_count: Generated<number>;
  replied_count: Generated<number>;
  last_reminded_at: NullableTimestamp;
  published_by: number;
  published_at: Timestamp;
  withdrawn_at: NullableTimestamp;
  withdrawn_by: number | null;
  withdraw_reason: string | null;
}

export interface NoticeRecipientTable {
  id: Generated<number>;
  notice_id: number;
  org_id: number;
  org_path: string;
  level: string;
  read_at: NullableTimestamp;
  read_by: number | null;
  replied_at: NullableTimestamp;
  replied_by: number | null;
  reply_text: string | null;
  reminded_count: Generated<number>;
  last_reminded_at: NullableTimestamp;
}

export interface UrgentReportTable {
  id: Generated<number>;
  school_id: number;
  org_path: string;
  category: string;
  severity: string;
  occurred_at: Timestamp;
  place: string;
  description: string;
  measures: Generated<string>;
  deaths: Generated<number>;
  injuries: Generated<number>;
  missing: Generated<number>;
  phoned: Generated<boolean>;
  reported_by: number;
  reported_at: Timestamp;
  written_by: Timestamp;
  phone_by: NullableTimestamp;
  late: Generated<boolean>;
  state: Generated<string>;
  handling_org_id: number;
  handling_level: string;
  escalation_level: Generated<number>;
  escalated_at: NullableTimestamp;
  acknowledge_by: NullableTimestamp;
  acknowledged_at: NullableTimestamp;
  acknowledged_by: number | null;
  acknowledged_org_id: number | null;
  acknowledge_note: string | null;
  followup_count: Generated<number>;
  created_at: Timestamp;
}

export interface UrgentReportFollowupTable {
  id: Generated<number>;
  report_id: number;
  org_path: string;
  text: string;
  deaths: number | null;
  injuries: number | null;
  missing: number | null;
  created_by: number;
  created_at: Timestamp;
}

export interface NoticesDB {
  notice: NoticeTable;
  notice_recipient: NoticeRecipientTable;
  urgent_report: UrgentReportTable;
  urgent_report_followup: UrgentReportFollowupTable;
}

export type NoticeRow = Selectable<NoticeTable>;
export type NoticeRecipientRow = Selectable<NoticeRecipientTable>;
export type UrgentReportRow = Selectable<UrgentReportTable>;
