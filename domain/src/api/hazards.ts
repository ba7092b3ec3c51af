import { z } from 'zod';
import { HAZARD_ACTIONS, HAZARD_CATEGORIES, HAZARD_GRADES, HAZARD_STATES, RISK_LEVELS } from '../hazards.js';
import { id, idParam, isoDateTime, line, pageQuery, paragraph, queryBoolean, searchText } from './fields.js';

export const hazardStateSchema = z.enum(HAZARD_STATES);
export const hazardCategorySchema = z.enum(HAZARD_CATEGORIES);
export const hazardGradeSchema = z.enum(HAZARD_GRADES);
export const riskLevelSchema = z.enum(RISK_LEVELS);

/** Where a hazard came from: a report, a failed inspection item, a bureau's spot check. */
export const HAZARD_SOURCES = ['report', 'inspection', 'spot_check'] as const;
export const hazardSourceSchema = z.enum(HAZARD_SOURCES);

/** Buttons the detail page may show: the lifecycle actions plus supervision and progress reports. */
export const HAZARD_COMMANDS = [...HAZARD_ACTIONS, 'supervise', 'progress'] as const;
export type HazardCommand = (typeof HAZARD_COMMANDS)[number];
export const hazardCommandSchema = z.enum(HAZARD_COMMANDS);

const fileId = z.uuid();
/** Photos attached to one step (uploaded first through POST /files). */
const photoIds = z.array(fileId).max(9);
/** A calendar day in the business time zone, `2026-11-23`. */
export const calendarDate = z.iso.date();

/** One row of the ledger. */
export const hazardSummary = z.object({
  id: z.number(),
  /** Human number, `YH2026000123`. */
  code: z.string(),
  title: z.string(),
  category: hazardCategorySchema,
  grade: hazardGradeSchema.nullable(),
  riskLevel: riskLevelSchema.nullable(),
  state: hazardStateSchema,
  source: hazardSourceSchema,
  schoolId: z.number(),
  schoolName: z.string(),
  /** The department that owns it, when reported inside one. */
  departmentId: z.number().nullable(),
  departmentName: z.string().nullable(),
  placeId: z.number().nullable(),
  placeName: z.string().nullable(),
  reportedAt: z.string(),
  reportedById: z.number().nullable(),
  reportedByName: z.string().nullable(),
  /** 五落实: responsible unit and person, deadline. */
  responsibleUnit: z.string().nullable(),
  responsibleUserId: z.number().nullable(),
  responsibleUserName: z.string().nullable(),
  deadline: z.string().nullable(),
  /** Open and past its deadline. */
  overdue: z.boolean(),
  /** 挂牌督办 */
  supervised: z.boolean(),
  supervisingOrgName: z.string().nullable(),
  /** The supervision notice's deadline (ISO), when supervised with one. */
  supervisionDeadline: z.string().nullable(),
  closedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type HazardSummary = z.infer<typeof hazardSummary>;

export const hazardPhoto = z.object({
  id: z.string(),
  mime: z.string(),
  hasThumbnail: z.boolean(),
});

export const hazardTimelineEntry = z.object({
  id: z.number(),
  at: z.string(),
  actorName: z.string().nullable(),
  /** `report`, a lifecycle action, `supervise`, `progress`, `overdue`, `escalate`, `remind`. */
  action: z.string(),
  fromState: hazardStateSchema.nullable(),
  toState: hazardStateSchema.nullable(),
  note: z.string().nullable(),
  photos: z.array(hazardPhoto),
  /** Step details (grade, the five fixes, new deadline…), as recorded. */
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type HazardTimelineEntry = z.infer<typeof hazardTimelineEntry>;

export const hazardDetail = hazardSummary.extend({
  description: z.string().nullable(),
  /** Point on the place's floor plan, 0..1. */
  planX: z.number().nullable(),
  planY: z.number().nullable(),
  floorPlanFileId: z.string().nullable(),
  measures: z.string().nullable(),
  /** Funds for the fix, yuan. */
  funds: z.number().nullable(),
  interimMeasures: z.string().nullable(),
  rejectReason: z.string().nullable(),
  rectificationNote: z.string().nullable(),
  /** 0: not escalated; 1: shown to the county; 2: city; 3: province. */
  escalationLevel: z.number(),
  supervision: z
    .object({
      orgId: z.number(),
      orgName: z.string(),
      /** A spot check's hazard is supervised by the bureau from the start, without a notice yet. */
      deadline: z.string().nullable(),
      requirements: z.string().nullable(),
      at: z.string(),
    })
    .nullable(),
  /** The inspection record a failed item came from. */
  inspectionId: z.number().nullable(),
  /** Before (report) and after (rectification) photos, for the side-by-side view. */
  photos: z.object({ before: z.array(hazardPhoto), after: z.array(hazardPhoto) }),
  timeline: z.array(hazardTimelineEntry),
  /** What the caller may do now. */
  commands: z.array(hazardCommandSchema),
});
export type HazardDetail = z.infer<typeof hazardDetail>;

const planCoordinate = z.number().min(0).max(1);

export const createHazardBody = z.strictObject({
  /** The school (or one of its departments) the hazard belongs to. */
  orgId: id,
  title: line(100),
  description: paragraph(2000).optional(),
  category: hazardCategorySchema,
  placeId: id.nullable().optional(),
  planX: planCoordinate.nullable().optional(),
  planY: planCoordinate.nullable().optional(),
  photoIds: photoIds.optional(),
  /** When it was found, for reports queued offline on a phone; defaults to now. */
  foundAt: isoDateTime.optional(),
});
export type CreateHazardBody = z.infer<typeof createHazardBody>;

const note = paragraph(2000).optional();
const requiredText = (max: number) =>
  paragraph(max).refine((value) => value.trim().length > 0, { message: 'required' });

export const hazardActionBodies = {
  confirm: z.strictObject({ grade: hazardGradeSchema, riskLevel: riskLevelSchema, note }),
  reject: z.strictObject({ reason: requiredText(1000) }),
  /** 五落实: unit and person, measures, funds, deadline, interim measures (预案). */
  assign: z.strictObject({
    responsibleUnit: line(100),
    responsibleUserId: id,
    measures: requiredText(2000),
    funds: z.number().min(0).max(1e10).nullable().optional(),
    deadline: isoDateTime,
    interimMeasures: requiredText(2000),
    note,
  }),
  rectify: z.strictObject({ note: requiredText(2000), photoIds: photoIds.optional() }),
  verify: z.strictObject({ note }),
  return: z.strictObject({ reason: requiredText(1000), deadline: isoDateTime }),
  reopen: z.strictObject({ reason: requiredText(1000) }),
  supervise: z.strictObject({ deadline: isoDateTime, requirements: requiredText(2000) }),
  progress: z.strictObject({ note: requiredText(2000), photoIds: photoIds.optional() }),
} as const satisfies Record<HazardCommand, z.ZodType>;

export const listHazardsQuery = z.strictObject({
  /** Root of the ledger; defaults to the caller's active org. */
  orgId: idParam.optional(),
  state: hazardStateSchema.optional(),
  /** Only open (not closed, not rejected) or only finished ones. */
  open: queryBoolean.optional(),
  grade: hazardGradeSchema.optional(),
  category: hazardCategorySchema.optional(),
  riskLevel: riskLevelSchema.optional(),
  overdue: queryBoolean.optional(),
  supervised: queryBoolean.optional(),
  /** Reported on or after this day / on or before this day (business time zone). */
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  /** Matches title, code or description. */
  keyword: searchText(100).optional(),
  ...pageQuery,
});
export type ListHazardsQuery = z.infer<typeof listHazardsQuery>;

export const exportHazardsQuery = listHazardsQuery.omit({ limit: true, cursor: true });

export const myHazardsQuery = z.strictObject({
  /** `responsible`: assigned to me (my tasks); `reported`: reported by me. */
  role: z.enum(['responsible', 'reported']).default('responsible'),
  open: queryBoolean.optional(),
  ...pageQuery,
});

export const hazardStatsQuery = z.strictObject({
  orgId: idParam.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
});

/** Found = reported and not rejected; rectified = closed; unrectified = found − rectified. */
export const hazardCounts = z.object({
  found: z.number(),
  rectified: z.number(),
  unrectified: z.number(),
  overdue: z.number(),
  /** rectified / found, null when nothing was found. */
  rectificationRate: z.number().nullable(),
  /** Mean days from report to closure over closed hazards. */
  averageDaysToClose: z.number().nullable(),
  major: z.number(),
  supervised: z.number(),
});
export type HazardCounts = z.infer<typeof hazardCounts>;

export const hazardStats = z.object({
  org: z.object({ id: z.number(), name: z.string(), level: z.string() }),
  from: z.string().nullable(),
  to: z.string().nullable(),
  totals: hazardCounts,
  byCategory: z.array(hazardCounts.extend({ category: hazardCategorySchema })),
  byGrade: z.array(hazardCounts.extend({ grade: hazardGradeSchema.nullable() })),
  /** One row per child unit (cities of a province, schools of a county, departments of a school). */
  byChild: z.array(hazardCounts.extend({ orgId: z.number(), orgName: z.string() })),
});
export type HazardStats = z.infer<typeof hazardStats>;

export const hazardIdParams = z.strictObject({ id: idParam });
