import { z } from 'zod';
import { checklistContent, FREQUENCIES, planSchedule, TASK_STATES, TEMPLATE_KINDS } from '../inspections.js';
import { id, idParam, isoDateTime, line, pageQuery, paragraph, queryBoolean } from './fields.js';

/**
 * Inspections and patrols (检查/巡查) HTTP contract, all under /api/v1. Permissions: inspection.read for GETs,
 * inspection.manage for templates/routes/plans, inspection.execute for sync and corrections.
 *
 * Routes:
 *   GET   /inspections/templates?orgId&kind&archived       → { items: TemplateSummary[] }
 *   GET   /inspections/templates/:id                       → TemplateDetail
 *   GET   /inspections/templates/:id/versions/:version     → TemplateVersionDetail
 *   POST  /inspections/templates                           (CreateTemplateBody) → TemplateDetail
 *   PUT   /inspections/templates/:id/content               (PutTemplateContentBody) → TemplateDetail
 *   PATCH /inspections/templates/:id                       (PatchTemplateBody) → TemplateDetail
 *   GET   /inspections/routes?orgId&archived               → { items: PatrolRouteSummary[] }
 *   POST  /inspections/routes                              (CreatePatrolRouteBody) → PatrolRouteDetail
 *   GET   /inspections/routes/:id                          → PatrolRouteDetail
 *   PATCH /inspections/routes/:id                          (PatchPatrolRouteBody) → PatrolRouteDetail
 *   GET   /inspections/routes/:id/labels.pdf               → application/pdf (A4 sheet of QR labels)
 *   GET   /inspections/plans?orgId&active&templateId       → { items: PlanSummary[], nextCursor }
 *   POST  /inspections/plans                               (CreatePlanBody) → PlanDetail
 *   GET   /inspections/plans/:id                           → PlanDetail
 *   PATCH /inspections/plans/:id                           (PatchPlanBody) → PlanDetail
 *   GET   /inspections/calendar?orgId&from&to              → InspectionCalendar
 *   GET   /inspections/tasks?orgId&day&state&planId        → { items: TaskSummary[], nextCursor }
 *   GET   /inspections/tasks/mine?day                      → MyTasks (everything the phone needs offline)
 *   POST  /inspections/sync                                (SyncBody) → SyncResponse (always 200 when the
 *                                                           envelope is valid; per-record outcome)
 *   GET   /inspections/records?…                           → { items: RecordSummary[], nextCursor }
 *   GET   /inspections/records/export.xlsx?…               → xlsx
 *   GET   /inspections/records/:id                         → RecordDetail
 *   POST  /inspections/records/:id/correction              (CorrectionBody) → RecordDetail
 *   GET   /inspections/stats?orgId&from&to                 → InspectionStats
 *   GET   /inspections/stats/export.xlsx?orgId&from&to     → xlsx
 *   GET   /inspections/patrol-coverage?orgId&day           → PatrolCoverage
 *
 * Times are ISO strings; days are `YYYY-MM-DD` in the business time zone.
 */

const calendarDay = z.iso.date();
const fileId = z.uuid();
const requiredText = (max: number) =>
  paragraph(max).refine((value) => value.trim().length > 0, { message: 'required' });

export const templateKindSchema = z.enum(TEMPLATE_KINDS);
export const frequencySchema = z.enum(FREQUENCIES);
export const taskStateSchema = z.enum(TASK_STATES);
export const DUTY_ROLES_FOR_PLANS = ['leader', 'officer', 'guard'] as const;
export const planDutyRoleSchema = z.enum(DUTY_ROLES_FOR_PLANS);

export const inspectionIdParams = z.strictObject({ id: idParam });
export const templateVersionParams = z.strictObject({ id: idParam, version: idParam });

// ------------------------------------------------------------------------------------------------ templates

export const templateSummary = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  kind: templateKindSchema,
  description: z.string().nullable(),
  /** Shipped with the platform (owner null); read-only, copy to adapt. */
  builtin: z.boolean(),
  /** A bureau's template offered to every unit below it. */
  published: z.boolean(),
  archived: z.boolean(),
  ownerOrgId: z.number().nullable(),
  ownerOrgName: z.string().nullable(),
  copiedFromId: z.number().nullable(),
  currentVersion: z.number(),
  /** Id of the current inspection_template_version row. */
  currentVersionId: z.number(),
  itemCount: z.number(),
  updatedAt: z.string(),
  /** Whether the caller may change it (own unit's template and inspection.manage). */
  editable: z.boolean(),
});
export type TemplateSummary = z.infer<typeof templateSummary>;

export const templateVersionSummary = z.object({
  id: z.number(),
  version: z.number(),
  itemCount: z.number(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type TemplateVersionSummary = z.infer<typeof templateVersionSummary>;

export const templateDetail = templateSummary.extend({
  /** Content of the current version. */
  content: checklistContent,
  /** Newest first. */
  versions: z.array(templateVersionSummary),
});
export type TemplateDetail = z.infer<typeof templateDetail>;

export const templateVersionDetail = z.object({
  id: z.number(),
  templateId: z.number(),
  templateName: z.string(),
  kind: templateKindSchema,
  version: z.number(),
  itemCount: z.number(),
  content: checklistContent,
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type TemplateVersionDetail = z.infer<typeof templateVersionDetail>;

export const listTemplatesQuery = z.strictObject({
  /** The unit whose usable templates to list (built-in + own + published above); defaults to the active org. */
  orgId: idParam.optional(),
  kind: templateKindSchema.optional(),
  /** Include archived templates of the unit. */
  archived: queryBoolean.optional(),
});
export type ListTemplatesQuery = z.infer<typeof listTemplatesQuery>;

/** Either a new template with its first version, or a copy of a visible template (its current version). */
export const createTemplateBody = z.union([
  z.strictObject({
    orgId: id,
    name: line(100),
    kind: templateKindSchema,
    description: paragraph(1000).optional(),
    content: checklistContent,
  }),
  z.strictObject({
    orgId: id,
    copyOf: id,
    /** Defaults to the source's name. */
    name: line(100).optional(),
  }),
]);
export type CreateTemplateBody = z.infer<typeof createTemplateBody>;

/** Saves the next version; tasks already created keep the version they were created with. */
export const putTemplateContentBody = z.strictObject({ content: checklistContent });
export type PutTemplateContentBody = z.infer<typeof putTemplateContentBody>;

export const patchTemplateBody = z
  .strictObject({
    name: line(100).optional(),
    description: paragraph(1000).nullable().optional(),
    archived: z.boolean().optional(),
    /** Only a bureau's own template may be published (to its subtree). */
    published: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'empty_patch' });
export type PatchTemplateBody = z.infer<typeof patchTemplateBody>;

// ------------------------------------------------------------------------------------------------ patrol routes

/** QR payload printed on a checkpoint label: `SCQ1.<checkpointId>.<16 hex HMAC>`. */
export const CHECKPOINT_QR_PATTERN = /^SCQ1\.\d{1,10}\.[0-9a-f]{16}$/;

export const routeCheckpoint = z.object({
  id: z.number(),
  /** 1-based order along the route. */
  seq: z.number(),
  placeId: z.number(),
  placeName: z.string(),
  /** The exact string the label's QR encodes; the phone compares a scan with it. */
  qr: z.string(),
});
export type RouteCheckpoint = z.infer<typeof routeCheckpoint>;

export const patrolRouteSummary = z.object({
  id: z.number(),
  schoolId: z.number(),
  schoolName: z.string(),
  name: z.string(),
  archived: z.boolean(),
  checkpointCount: z.number(),
  updatedAt: z.string(),
});
export type PatrolRouteSummary = z.infer<typeof patrolRouteSummary>;

export const patrolRouteDetail = patrolRouteSummary.extend({ checkpoints: z.array(routeCheckpoint) });
export type PatrolRouteDetail = z.infer<typeof patrolRouteDetail>;

export const listPatrolRoutesQuery = z.strictObject({
  /** A school (or a unit above: its schools' routes); defaults to the active org. */
  orgId: idParam.optional(),
  archived: queryBoolean.optional(),
});

/** Places of the school, in patrol order; a place may appear once. */
const checkpointPlaces = z
  .array(id)
  .min(1)
  .max(60)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'duplicate_place' });

export const createPatrolRouteBody = z.strictObject({
  /** The school. */
  orgId: id,
  name: line(100),
  placeIds: checkpointPlaces,
});
export type CreatePatrolRouteBody = z.infer<typeof createPatrolRouteBody>;

/**
 * New order / set of places. A place kept on the route keeps its checkpoint (and its printed QR label); a
 * removed place's checkpoint is retired (old records still show it).
 */
export const patchPatrolRouteBody = z
  .strictObject({
    name: line(100).optional(),
    archived: z.boolean().optional(),
    placeIds: checkpointPlaces.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'empty_patch' });
export type PatchPatrolRouteBody = z.infer<typeof patchPatrolRouteBody>;

// ------------------------------------------------------------------------------------------------ plans

const namedRef = z.object({ id: z.number(), name: z.string() });

export const planSummary = z.object({
  id: z.number(),
  orgId: z.number(),
  schoolId: z.number(),
  schoolName: z.string(),
  name: z.string(),
  templateId: z.number(),
  templateName: z.string(),
  templateKind: templateKindSchema,
  routeId: z.number().nullable(),
  routeName: z.string().nullable(),
  places: z.array(namedRef),
  assignees: z.array(namedRef),
  dutyRole: planDutyRoleSchema.nullable(),
  schedule: planSchedule,
  active: z.boolean(),
  updatedAt: z.string(),
});
export type PlanSummary = z.infer<typeof planSummary>;

export const taskCounts = z.object({
  pending: z.number(),
  done: z.number(),
  missed: z.number(),
  /** done / (done + missed); null when nothing was due. */
  completionRate: z.number().nullable(),
});
export type TaskCounts = z.infer<typeof taskCounts>;

export const planDetail = planSummary.extend({
  /** Task counts over the plan's whole life. */
  counts: taskCounts,
  createdAt: z.string(),
});
export type PlanDetail = z.infer<typeof planDetail>;

export const listPlansQuery = z.strictObject({
  orgId: idParam.optional(),
  active: queryBoolean.optional(),
  templateId: idParam.optional(),
  ...pageQuery,
});
export type ListPlansQuery = z.infer<typeof listPlansQuery>;

const planFields = {
  name: line(100),
  templateId: id,
  /** A patrol route of the school (one task per window covering all checkpoints). */
  routeId: id.nullable().optional(),
  /** Places of the school (one task per place per window); empty with no route = one task for the school. */
  placeIds: z.array(id).max(100).optional(),
  /** People of the school who do the tasks… */
  assigneeIds: z.array(id).max(50).optional(),
  /** …or whoever is on duty in this role during the window. */
  dutyRole: planDutyRoleSchema.nullable().optional(),
  schedule: planSchedule,
};

export const createPlanBody = z
  .strictObject({ orgId: id, ...planFields })
  .refine((body) => (body.assigneeIds?.length ?? 0) > 0 || !!body.dutyRole, { message: 'assignee_required' })
  .refine((body) => !(body.routeId && (body.placeIds?.length ?? 0) > 0), { message: 'route_or_places' });
export type CreatePlanBody = z.infer<typeof createPlanBody>;

export const patchPlanBody = z
  .strictObject({
    name: planFields.name.optional(),
    templateId: id.optional(),
    routeId: planFields.routeId,
    placeIds: planFields.placeIds,
    assigneeIds: planFields.assigneeIds,
    dutyRole: planFields.dutyRole,
    schedule: planSchedule.optional(),
    active: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'empty_patch' });
export type PatchPlanBody = z.infer<typeof patchPlanBody>;

// ------------------------------------------------------------------------------------------------ tasks

export const taskSummary = z.object({
  id: z.number(),
  planId: z.number(),
  planName: z.string(),
  schoolId: z.number(),
  schoolName: z.string(),
  templateId: z.number(),
  templateVersionId: z.number(),
  templateName: z.string(),
  templateKind: templateKindSchema,
  placeId: z.number().nullable(),
  placeName: z.string().nullable(),
  routeId: z.number().nullable(),
  routeName: z.string().nullable(),
  day: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  state: taskStateSchema,
  /** The record that completed it in its window. */
  recordId: z.number().nullable(),
  assignees: z.array(namedRef),
  dutyRole: planDutyRoleSchema.nullable(),
});
export type TaskSummary = z.infer<typeof taskSummary>;

export const listTasksQuery = z.strictObject({
  orgId: idParam.optional(),
  /** Defaults to today. */
  day: calendarDay.optional(),
  state: taskStateSchema.optional(),
  planId: idParam.optional(),
  ...pageQuery,
});
export type ListTasksQuery = z.infer<typeof listTasksQuery>;

export const myTasksQuery = z.strictObject({ day: calendarDay.optional() });

/** A template version as the phone runs it. */
export const runnableTemplate = z.object({
  versionId: z.number(),
  templateId: z.number(),
  name: z.string(),
  kind: templateKindSchema,
  version: z.number(),
  content: checklistContent,
});
export type RunnableTemplate = z.infer<typeof runnableTemplate>;

export const myTask = taskSummary.extend({
  template: runnableTemplate,
  /** Route tasks: the checkpoints in order, each with the expected QR string; null otherwise. */
  checkpoints: z.array(routeCheckpoint).nullable(),
  /** Whether now is inside the window (the phone may still do it late; the record is kept as out of window). */
  openNow: z.boolean(),
});
export type MyTask = z.infer<typeof myTask>;

export const myTasks = z.object({
  day: z.string(),
  /** Server time when built; the phone shows how old its copy is. */
  generatedAt: z.string(),
  /** Tasks assigned to the caller, or to their duty role while they are on duty during the window. */
  tasks: z.array(myTask),
});
export type MyTasks = z.infer<typeof myTasks>;

// ------------------------------------------------------------------------------------------------ calendar

export const calendarTask = z.object({
  id: z.number(),
  planId: z.number(),
  planName: z.string(),
  templateKind: templateKindSchema,
  placeName: z.string().nullable(),
  routeName: z.string().nullable(),
  windowStart: z.string(),
  windowEnd: z.string(),
  state: taskStateSchema,
  recordId: z.number().nullable(),
});

export const calendarQuery = z
  .strictObject({
    orgId: idParam.optional(),
    from: calendarDay,
    to: calendarDay,
  })
  .refine((q) => q.from <= q.to, { message: 'ends_before_start' });

export const inspectionCalendar = z.object({
  org: z.object({ id: z.number(), name: z.string(), level: z.string() }),
  from: z.string(),
  to: z.string(),
  /** Every day from..to (at most 62). A school gets its tasks; a bureau gets counts only (tasks: []). */
  days: z.array(taskCounts.extend({ day: z.string(), tasks: z.array(calendarTask) })),
  /** Bureau: one row per child unit (schools of a county) with its counts over the period; school: []. */
  units: z.array(taskCounts.extend({ orgId: z.number(), orgName: z.string() })),
});
export type InspectionCalendar = z.infer<typeof inspectionCalendar>;

// ------------------------------------------------------------------------------------------------ sync

/** Value of one answer: pass/fail → boolean, number → number, text → string, photo → null. */
export const answerValue = z.union([z.boolean(), z.number().finite(), paragraph(2000), z.null()]);

export const syncAnswer = z.strictObject({
  itemKey: z.string().min(1).max(40),
  /** Route tasks: the checkpoint the item was answered at. */
  checkpointId: id.nullable().optional(),
  value: answerValue,
  note: paragraph(1000).optional(),
  /** Uploaded first through POST /files (size limit enforced there). */
  photoIds: z.array(fileId).max(9).default([]),
});
export type SyncAnswer = z.infer<typeof syncAnswer>;

export const syncScan = z.strictObject({
  checkpointId: id,
  /** The scanned string, checked against the checkpoint's signed code. */
  qr: z.string().min(1).max(200),
  scannedAt: isoDateTime,
});
export type SyncScan = z.infer<typeof syncScan>;

export const syncRecord = z
  .strictObject({
    /** UUID made by the phone; (inspector, clientId) is unique, so a replay is reported as duplicate. */
    clientId: z.uuid(),
    /** The task done; absent for a spot check (then schoolId names the inspected school). */
    taskId: id.nullable().optional(),
    schoolId: id.nullable().optional(),
    templateVersionId: id,
    placeId: id.nullable().optional(),
    startedAt: isoDateTime,
    completedAt: isoDateTime,
    note: paragraph(2000).optional(),
    answers: z.array(syncAnswer).max(3000),
    scans: z.array(syncScan).max(100).default([]),
  })
  .refine((r) => r.taskId != null || r.schoolId != null, { message: 'task_or_school' })
  .refine((r) => Date.parse(r.startedAt) <= Date.parse(r.completedAt), { message: 'ends_before_start' });
export type SyncRecord = z.infer<typeof syncRecord>;

/** What the phone sends. The server validates each record on its own (a bad record never blocks the rest). */
export const syncBody = z.strictObject({ records: z.array(syncRecord).min(1).max(50) });
export type SyncBody = z.infer<typeof syncBody>;
/** The envelope the server accepts before checking records one by one. */
export const syncEnvelope = z.strictObject({ records: z.array(z.unknown()).min(1).max(50) });

export const SYNC_OUTCOMES = ['accepted', 'duplicate', 'rejected'] as const;

export const syncOutcome = z.object({
  /** Position in the batch. */
  index: z.number(),
  clientId: z.string().nullable(),
  outcome: z.enum(SYNC_OUTCOMES),
  /** The stored record (accepted, or the earlier one for a duplicate). */
  recordId: z.number().nullable(),
  /** Rejected: a stable problem code (inspection.version_unknown, inspection.qr_invalid, …), else null. */
  code: z.string().nullable(),
  /** Chinese message for the code. */
  message: z.string().nullable(),
  /** Rejected for bad answers: which items and why (answer_missing, answer_type, photo_missing, unknown_item…). */
  errors: z.array(z.object({ itemKey: z.string().nullable(), checkpointId: z.number().nullable(), error: z.string() })),
  /** Completed inside the task's window (null for spot checks). */
  inWindow: z.boolean().nullable(),
  /** This record completed its task (false when out of window or another record already had). */
  taskDone: z.boolean(),
  /** Hazards created from failed items. */
  hazardIds: z.array(z.number()),
});
export type SyncOutcome = z.infer<typeof syncOutcome>;

export const syncResponse = z.object({ results: z.array(syncOutcome), receivedAt: z.string() });
export type SyncResponse = z.infer<typeof syncResponse>;

/** A correction: a new record of the same template version, school and place, pointing at the corrected one. */
export const correctionBody = z.strictObject({
  clientId: z.uuid(),
  reason: requiredText(1000),
  answers: z.array(syncAnswer).max(3000),
  scans: z.array(syncScan).max(100).default([]),
});
export type CorrectionBody = z.infer<typeof correctionBody>;

// ------------------------------------------------------------------------------------------------ records

export const recordSummary = z.object({
  id: z.number(),
  clientId: z.string(),
  schoolId: z.number(),
  schoolName: z.string(),
  templateId: z.number(),
  templateName: z.string(),
  templateKind: templateKindSchema,
  templateVersion: z.number(),
  templateVersionId: z.number(),
  taskId: z.number().nullable(),
  planName: z.string().nullable(),
  placeId: z.number().nullable(),
  placeName: z.string().nullable(),
  routeId: z.number().nullable(),
  routeName: z.string().nullable(),
  inspectorId: z.number(),
  inspectorName: z.string(),
  /** Bureau spot check: the bureau. */
  spotCheckOrgId: z.number().nullable(),
  spotCheckOrgName: z.string().nullable(),
  correctsRecordId: z.number().nullable(),
  startedAt: z.string(),
  completedAt: z.string(),
  receivedAt: z.string(),
  inWindow: z.boolean().nullable(),
  itemCount: z.number(),
  failedCount: z.number(),
});
export type RecordSummary = z.infer<typeof recordSummary>;

export const recordPhoto = z.object({ id: z.string(), mime: z.string(), hasThumbnail: z.boolean() });

export const recordAnswer = z.object({
  itemKey: z.string(),
  itemText: z.string(),
  sectionTitle: z.string(),
  itemType: z.string(),
  unit: z.string().nullable(),
  checkpointId: z.number().nullable(),
  checkpointPlaceName: z.string().nullable(),
  value: z.union([z.boolean(), z.number(), z.string(), z.null()]),
  passed: z.boolean(),
  note: z.string().nullable(),
  photos: z.array(recordPhoto),
  hazardId: z.number().nullable(),
});
export type RecordAnswer = z.infer<typeof recordAnswer>;

export const recordDetail = recordSummary.extend({
  note: z.string().nullable(),
  /** SHA-256 hex over the canonical content + inspector id + received time. */
  signature: z.string(),
  /** Recomputed now from the stored content; false means the row was altered. */
  signatureValid: z.boolean(),
  answers: z.array(recordAnswer),
  scans: z.array(z.object({ checkpointId: z.number(), seq: z.number(), placeName: z.string(), scannedAt: z.string() })),
  hazards: z.array(z.object({ id: z.number(), code: z.string(), title: z.string(), state: z.string() })),
  /** Later records correcting this one. */
  corrections: z.array(z.object({ id: z.number(), completedAt: z.string(), inspectorName: z.string() })),
});
export type RecordDetail = z.infer<typeof recordDetail>;

export const listRecordsQuery = z.strictObject({
  orgId: idParam.optional(),
  from: calendarDay.optional(),
  to: calendarDay.optional(),
  kind: templateKindSchema.optional(),
  templateId: idParam.optional(),
  planId: idParam.optional(),
  inspectorId: idParam.optional(),
  placeId: idParam.optional(),
  /** Only records with (or without) failed items. */
  failed: queryBoolean.optional(),
  inWindow: queryBoolean.optional(),
  /** Only bureau spot checks. */
  spotCheck: queryBoolean.optional(),
  ...pageQuery,
});
export type ListRecordsQuery = z.infer<typeof listRecordsQuery>;

export const exportRecordsQuery = listRecordsQuery.omit({ limit: true, cursor: true });

// ------------------------------------------------------------------------------------------------ statistics

export const inspectionStatsQuery = z
  .strictObject({
    orgId: idParam.optional(),
    /** Defaults: from the first day of this year to today. */
    from: calendarDay.optional(),
    to: calendarDay.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'ends_before_start' });

export const inspectionStats = z.object({
  org: z.object({ id: z.number(), name: z.string(), level: z.string() }),
  from: z.string(),
  to: z.string(),
  totals: taskCounts,
  /** One row per child unit (cities of a province, schools of a county; a school: itself). */
  byUnit: z.array(taskCounts.extend({ orgId: z.number(), orgName: z.string() })),
  /** One row per plan (at most 500, most missed first). */
  byPlan: z.array(taskCounts.extend({ planId: z.number(), planName: z.string(), schoolName: z.string() })),
  /** Records completed in the period by template kind (e.g. fire_quarterly = 季度消防安全隐患排查 done). */
  recordsByKind: z.array(z.object({ kind: templateKindSchema, records: z.number(), spotChecks: z.number() })),
  records: z.number(),
  failedItems: z.number(),
  hazardsCreated: z.number(),
});
export type InspectionStats = z.infer<typeof inspectionStats>;

export const patrolCoverageQuery = z.strictObject({
  orgId: idParam.optional(),
  /** Defaults to today. */
  day: calendarDay.optional(),
  ...pageQuery,
});

export const patrolCoverage = z.object({
  day: z.string(),
  /** Schools under the org (paged), each with the 24 hours (local) and whether a completed round covered it. */
  items: z.array(
    z.object({
      schoolId: z.number(),
      schoolName: z.string(),
      hours: z.array(z.boolean()).length(24),
      coveredHours: z.number(),
      rounds: z.number(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type PatrolCoverage = z.infer<typeof patrolCoverage>;
