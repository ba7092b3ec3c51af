import { z } from 'zod';
import { NOTICE_STATES, RECEIPT_STATUSES, URGENT_CATEGORIES, URGENT_SEVERITIES, URGENT_STATES } from '../notices.js';
import { orgLevelSchema, schoolTypeSchema } from '../org.js';
import { id, isoDateTime, line, pageQuery, paragraph, queryBoolean, searchText } from './fields.js';

/**
 * Notices (通知) and urgent information reports (信息报送). Rules the server applies:
 * - A bureau publishes to the bureaus and schools below it, a school to its departments (notice.publish, as its
 *   active org). Recipients are units, chosen by level and school type; one receipt row per unit.
 * - A unit's receipt is recorded when the first person acting at that unit (or, for a school, at one of its
 *   departments) with notice.read opens the notice; a reply (回执) is asked when `receiptRequired`.
 * - Reminders go to unread units only, at most once an hour per notice; withdrawing is audited and
 *   recipients then see the title and the reason only.
 * - Urgent reports are written by a school (report.fill), acknowledged by a bureau above it (report.review);
 *   unacknowledged past the deadline for its severity they escalate one bureau up.
 */

const fileIds = z.array(z.uuid()).max(20).default([]);
const counts = z.number().int().min(0).max(100_000);

export const noticeStateSchema = z.enum(NOTICE_STATES);
export const receiptStatusSchema = z.enum(RECEIPT_STATUSES);
export const urgentSeveritySchema = z.enum(URGENT_SEVERITIES);
export const urgentCategorySchema = z.enum(URGENT_CATEGORIES);
export const urgentStateSchema = z.enum(URGENT_STATES);

export const noticeTarget = z.strictObject({
  /** Levels to address; empty or absent: every level below the publisher (bureaus and schools; a school: departments). */
  levels: z.array(orgLevelSchema).max(5).optional(),
  /** Only schools of these types (bureaus below still receive it when their level is addressed). */
  schoolTypes: z.array(schoolTypeSchema).max(5).optional(),
});
export type NoticeTarget = z.infer<typeof noticeTarget>;

export const createNoticeBody = z.strictObject({
  title: line(200),
  /** Plain text; line breaks are kept. */
  body: paragraph(20_000).refine((value) => value.trim().length > 0, { message: 'required' }),
  /** Uploaded files (PDF, Office, images), attached in the notice's transaction. */
  fileIds,
  /** 需回执: each unit replies (text and/or files). */
  receiptRequired: z.boolean().default(false),
  replyDeadline: isoDateTime.nullish(),
  target: noticeTarget.default({}),
});
export type CreateNoticeBody = z.infer<typeof createNoticeBody>;

export const withdrawNoticeBody = z.strictObject({ reason: line(500) });
export const replyNoticeBody = z.strictObject({
  text: paragraph(2000),
  fileIds,
});
export type ReplyNoticeBody = z.infer<typeof replyNoticeBody>;

export const noticeFile = z.object({ id: z.string(), filename: z.string(), mime: z.string(), size: z.number() });

export const noticeSummary = z.object({
  id: z.number(),
  orgId: z.number(),
  orgName: z.string(),
  orgPath: z.string(),
  title: z.string(),
  state: noticeStateSchema,
  receiptRequired: z.boolean(),
  replyDeadline: z.string().nullable(),
  publishedAt: z.string(),
  publishedByName: z.string(),
  recipientCount: z.number(),
  readCount: z.number(),
  repliedCount: z.number(),
  lastRemindedAt: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
});
export type NoticeSummary = z.infer<typeof noticeSummary>;

export const noticeInboxItem = z.object({
  id: z.number(),
  /** The publishing unit (above the reader). */
  orgName: z.string(),
  orgPath: z.string(),
  title: z.string(),
  state: noticeStateSchema,
  receiptRequired: z.boolean(),
  replyDeadline: z.string().nullable(),
  publishedAt: z.string(),
  /** The receiving unit (the reader's school or bureau). */
  recipientOrgName: z.string(),
  readAt: z.string().nullable(),
  repliedAt: z.string().nullable(),
});
export type NoticeInboxItem = z.infer<typeof noticeInboxItem>;

export const noticeReceipt = z.object({
  id: z.number(),
  orgId: z.number(),
  orgName: z.string(),
  orgPath: z.string(),
  level: orgLevelSchema,
  status: receiptStatusSchema,
  readAt: z.string().nullable(),
  readByName: z.string().nullable(),
  repliedAt: z.string().nullable(),
  repliedByName: z.string().nullable(),
  replyText: z.string().nullable(),
  replyFiles: z.array(noticeFile),
  /** Replied after the deadline. */
  late: z.boolean(),
  remindedCount: z.number(),
});
export type NoticeReceipt = z.infer<typeof noticeReceipt>;

export const noticeDetail = noticeSummary.extend({
  /** Null for recipients once withdrawn. */
  body: z.string().nullable(),
  files: z.array(noticeFile),
  target: z.object({ levels: z.array(orgLevelSchema), schoolTypes: z.array(schoolTypeSchema) }),
  withdrawReason: z.string().nullable(),
  /** The caller's unit is the publisher's or above it: receipts, reminders, withdrawal. */
  canManage: z.boolean(),
  nextReminderAt: z.string().nullable(),
  /** The caller's unit's receipt, when it is a recipient. */
  myReceipt: noticeReceipt.nullable(),
});
export type NoticeDetail = z.infer<typeof noticeDetail>;

export const listNoticesQuery = z.strictObject({
  /** Notices published by this unit and the units below it (default: the caller's own unit and below). */
  orgId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  state: noticeStateSchema.optional(),
  q: searchText().optional(),
  ...pageQuery,
});

export const inboxQuery = z.strictObject({
  unread: queryBoolean.optional(),
  q: searchText().optional(),
  ...pageQuery,
});

export const receiptsQuery = z.strictObject({
  status: receiptStatusSchema.optional(),
  level: orgLevelSchema.optional(),
  q: searchText().optional(),
  ...pageQuery,
});

export const remindResult = z.object({
  /** Unread units reminded. */
  units: z.number(),
  /** People notified. */
  users: z.number(),
  nextReminderAt: z.string(),
});

export const unreadCount = z.object({ count: z.number() });

// ---------------------------------------------------------------------------------------- urgent reports

export const createUrgentReportBody = z.strictObject({
  /** The reporting school (the caller's). */
  orgId: id,
  category: urgentCategorySchema,
  severity: urgentSeveritySchema,
  occurredAt: isoDateTime,
  place: line(200),
  /** What happened (事件经过). */
  description: paragraph(5000).refine((value) => value.trim().length > 0, { message: 'required' }),
  /** Measures taken (已采取的措施). */
  measures: paragraph(5000).default(''),
  /** Casualties as counts only — never names (DESIGN §1). */
  deaths: counts.default(0),
  injuries: counts.default(0),
  missing: counts.default(0),
  /** Already reported by telephone (电话报告). */
  phoned: z.boolean().default(false),
});
export type CreateUrgentReportBody = z.infer<typeof createUrgentReportBody>;

export const urgentFollowupBody = z.strictObject({
  text: paragraph(5000).refine((value) => value.trim().length > 0, { message: 'required' }),
  /** Updated counts, when they changed. */
  deaths: counts.optional(),
  injuries: counts.optional(),
  missing: counts.optional(),
});
export type UrgentFollowupBody = z.infer<typeof urgentFollowupBody>;

export const acknowledgeUrgentBody = z.strictObject({ note: paragraph(1000).nullish() });

export const urgentReportSummary = z.object({
  id: z.number(),
  code: z.string(),
  orgId: z.number(),
  orgName: z.string(),
  orgPath: z.string(),
  category: urgentCategorySchema,
  severity: urgentSeveritySchema,
  occurredAt: z.string(),
  place: z.string(),
  state: urgentStateSchema,
  reportedAt: z.string(),
  reportedByName: z.string(),
  writtenBy: z.string(),
  /** Acknowledgement due (at the current handling level). */
  acknowledgeBy: z.string().nullable(),
  late: z.boolean(),
  /** Pending past its acknowledgement deadline. */
  overdue: z.boolean(),
  handlingLevel: orgLevelSchema,
  handlingOrgName: z.string(),
  escalationLevel: z.number(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedByName: z.string().nullable(),
  acknowledgedOrgName: z.string().nullable(),
  deaths: z.number(),
  injuries: z.number(),
  missing: z.number(),
  followupCount: z.number(),
});
export type UrgentReportSummary = z.infer<typeof urgentReportSummary>;

export const urgentFollowup = z.object({
  id: z.number(),
  text: z.string(),
  deaths: z.number().nullable(),
  injuries: z.number().nullable(),
  missing: z.number().nullable(),
  createdAt: z.string(),
  createdByName: z.string(),
});

export const urgentReportDetail = urgentReportSummary.extend({
  description: z.string(),
  measures: z.string(),
  phoned: z.boolean(),
  phoneBy: z.string().nullable(),
  acknowledgeNote: z.string().nullable(),
  followups: z.array(urgentFollowup),
  /** The caller may acknowledge it (report.review at a bureau above the school, still pending). */
  canAcknowledge: z.boolean(),
});
export type UrgentReportDetail = z.infer<typeof urgentReportDetail>;

export const listUrgentReportsQuery = z.strictObject({
  /** Reports of schools in this unit's subtree (default: the caller's). */
  orgId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  severity: urgentSeveritySchema.optional(),
  state: urgentStateSchema.optional(),
  category: urgentCategorySchema.optional(),
  /** Occurred on or after / before (ISO date-times). */
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  ...pageQuery,
});
export type ListUrgentReportsQuery = z.infer<typeof listUrgentReportsQuery>;
export const exportUrgentReportsQuery = listUrgentReportsQuery.omit({ limit: true, cursor: true });
