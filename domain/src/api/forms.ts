import { z } from 'zod';
import { COLLECTION_STATES, formAnswers, formContent, SUBMISSION_STATES } from '../forms.js';
import { PREFILL_SOURCES } from '../forms-prefill.js';
import { SCHOOL_TYPES } from '../org.js';
import { id, idParam, isoDateTime, line, pageQuery, paragraph, queryBoolean, searchText } from './fields.js';

/**
 * Report forms (报表) HTTP contract, all under /api/v1. Permissions: report.read for GETs, report.issue for templates
 * and issuing, report.fill for drafts and submission, report.sign (principal), report.cosign (police liaison),
 * report.review (the issuing bureau or above).
 *
 * Routes:
 *   GET   /forms/templates?orgId&archived                  → { items: FormTemplateSummary[] }
 *   GET   /forms/templates/:id                             → FormTemplateDetail
 *   GET   /forms/templates/:id/versions/:version           → FormTemplateVersionDetail
 *   POST  /forms/templates                                 (CreateFormTemplateBody: new or copyOf) → FormTemplateDetail
 *   PUT   /forms/templates/:id/content                     (PutFormTemplateContentBody) → FormTemplateDetail (next version)
 *   PATCH /forms/templates/:id                             (PatchFormTemplateBody) → FormTemplateDetail
 *   POST  /forms/templates/check                           ({ content }) → FormTemplateCheck (builder validation, no write)
 *   GET   /forms/collections?orgId&status&cursor&limit     → { items: CollectionSummary[], nextCursor } (issuer side:
 *                                                           collections issued in the caller's subtree or above it)
 *   POST  /forms/collections                               (IssueCollectionBody) → CollectionDetail
 *   GET   /forms/collections/:id                           → CollectionDetail
 *   POST  /forms/collections/:id/close                     ({}) → CollectionDetail (no more submissions)
 *   GET   /forms/collections/:id/submissions?…             → SubmissionTable (one row per school + totals)
 *   GET   /forms/collections/:id/late                      → { items: LateSchool[] }
 *   GET   /forms/collections/:id/summary?orgId             → FormSummary (Attachment 2 rows, county/city totals)
 *   GET   /forms/collections/:id/summary.xlsx?orgId        → xlsx in the official layout
 *   GET   /forms/tasks?status                              → { items: FormTask[] } (the caller's school's forms)
 *   GET   /forms/submissions/:id                           → SubmissionDetail
 *   POST  /forms/submissions/:id/open                      ({}) → SubmissionDetail (report.fill; prefills from live
 *                                                           data on the first open of an editable form)
 *   PUT   /forms/submissions/:id/draft                     (SaveDraftBody) → SubmissionDetail
 *   POST  /forms/submissions/:id/submit                    (SubmitBody) → SubmissionDetail; 400 form_invalid with
 *                                                           `errors: [{ path, code, message }]` and nothing written
 *   POST  /forms/submissions/:id/sign                      (SignBody) → SubmissionDetail (principal, report.sign)
 *   POST  /forms/submissions/:id/cosign                    (SignBody) → SubmissionDetail (police liaison)
 *   POST  /forms/submissions/:id/accept                    (ReviewBody) → SubmissionDetail (report.review)
 *   POST  /forms/submissions/:id/return                    (ReturnBody) → SubmissionDetail (report.review)
 *   GET   /forms/submissions/:id/export.xlsx               → xlsx of the school form in the official layout
 *
 * Times are ISO strings; days are `YYYY-MM-DD` in the business time zone. A state conflict is 409 `form_state`.
 */

const calendarDay = z.iso.date();

export const formSubmissionStateSchema = z.enum(SUBMISSION_STATES);
export const formCollectionStateSchema = z.enum(COLLECTION_STATES);
export const prefillSourceSchema = z.enum(PREFILL_SOURCES);

export const formIdParams = z.strictObject({ id: idParam });
export const formTemplateVersionParams = z.strictObject({ id: idParam, version: idParam });

// ------------------------------------------------------------------------------------------------ templates

export const formTemplateSummary = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** Shipped with the platform (owner null); read-only, copy to adapt. */
  builtin: z.boolean(),
  archived: z.boolean(),
  ownerOrgId: z.number().nullable(),
  ownerOrgName: z.string().nullable(),
  copiedFromId: z.number().nullable(),
  currentVersion: z.number(),
  /** Id of the current form_template_version row. */
  currentVersionId: z.number(),
  fieldCount: z.number(),
  /** The police liaison co-signs (校长 / 所长). */
  cosign: z.boolean(),
  /** Collections issued with any version of it. */
  collectionCount: z.number(),
  updatedAt: z.string(),
  /** Whether the caller may change it (own unit's template and report.issue). */
  editable: z.boolean(),
});
export type FormTemplateSummary = z.infer<typeof formTemplateSummary>;

export const formTemplateVersionSummary = z.object({
  id: z.number(),
  version: z.number(),
  fieldCount: z.number(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type FormTemplateVersionSummary = z.infer<typeof formTemplateVersionSummary>;

export const formTemplateDetail = formTemplateSummary.extend({
  /** Content of the current version. */
  content: formContent,
  /** Newest first. */
  versions: z.array(formTemplateVersionSummary),
});
export type FormTemplateDetail = z.infer<typeof formTemplateDetail>;

export const formTemplateVersionDetail = z.object({
  id: z.number(),
  templateId: z.number(),
  templateName: z.string(),
  version: z.number(),
  fieldCount: z.number(),
  content: formContent,
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type FormTemplateVersionDetail = z.infer<typeof formTemplateVersionDetail>;

export const listFormTemplatesQuery = z.strictObject({
  /** The bureau whose usable templates to list (built-in + own + those of units above); defaults to the active org. */
  orgId: idParam.optional(),
  /** Include archived templates. */
  archived: queryBoolean.optional(),
});
export type ListFormTemplatesQuery = z.infer<typeof listFormTemplatesQuery>;

/** Either a new template with its first version, or a copy of a visible template (its current version). */
export const createFormTemplateBody = z.union([
  z.strictObject({
    /** The owning bureau (county, city or province). */
    orgId: id,
    name: line(100),
    description: paragraph(1000).optional(),
    content: formContent,
  }),
  z.strictObject({
    orgId: id,
    copyOf: id,
    /** Defaults to the source's name. */
    name: line(100).optional(),
  }),
]);
export type CreateFormTemplateBody = z.infer<typeof createFormTemplateBody>;

/** Saves the next version; collections already issued keep the version they were issued with. */
export const putFormTemplateContentBody = z.strictObject({ content: formContent });
export type PutFormTemplateContentBody = z.infer<typeof putFormTemplateContentBody>;

export const patchFormTemplateBody = z
  .strictObject({
    name: line(100).optional(),
    description: paragraph(1000).nullable().optional(),
    archived: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'empty_patch' });
export type PatchFormTemplateBody = z.infer<typeof patchFormTemplateBody>;

export const checkFormTemplateBody = z.strictObject({ content: formContent });
export type CheckFormTemplateBody = z.infer<typeof checkFormTemplateBody>;

export const templateProblem = z.object({ path: z.string(), code: z.string(), message: z.string() });
export const formTemplateCheck = z.object({ ok: z.boolean(), problems: z.array(templateProblem) });
export type FormTemplateCheck = z.infer<typeof formTemplateCheck>;

// ------------------------------------------------------------------------------------------------ collections

export const collectionProgress = z.object({
  /** Schools the form went to. */
  total: z.number(),
  /** Not handed in yet (draft or returned). */
  notYet: z.number(),
  /** Handed in (submitted, signed, co-signed or accepted). */
  submitted: z.number(),
  accepted: z.number(),
  returned: z.number(),
  /** Handed in after the deadline. */
  late: z.number(),
  /** Not handed in and the deadline has passed. */
  overdue: z.number(),
});
export type CollectionProgress = z.infer<typeof collectionProgress>;

export const collectionSummary = z.object({
  id: z.number(),
  title: z.string(),
  issuerOrgId: z.number(),
  issuerOrgName: z.string(),
  templateId: z.number(),
  templateName: z.string(),
  templateVersion: z.number(),
  templateVersionId: z.number(),
  cosign: z.boolean(),
  periodFrom: z.string(),
  periodTo: z.string(),
  deadline: z.string(),
  /** null: every school of the issuer's subtree. */
  schoolTypes: z.array(z.enum(SCHOOL_TYPES)).nullable(),
  status: formCollectionStateSchema,
  createdAt: z.string(),
  /** Counted over the submissions in the caller's scope (a county sees its own schools of a city's collection). */
  progress: collectionProgress,
  /** Whether the caller may accept/return (issuing bureau or above, report.review). */
  reviewable: z.boolean(),
});
export type CollectionSummary = z.infer<typeof collectionSummary>;

export const collectionDetail = collectionSummary.extend({
  note: z.string().nullable(),
  /** Days before the deadline the reminder goes out. */
  remindDaysBefore: z.number(),
  content: formContent,
});
export type CollectionDetail = z.infer<typeof collectionDetail>;

export const listCollectionsQuery = z.strictObject({
  /** A bureau in the caller's scope; defaults to the active org. */
  orgId: idParam.optional(),
  status: formCollectionStateSchema.optional(),
  ...pageQuery,
});
export type ListCollectionsQuery = z.infer<typeof listCollectionsQuery>;

export const issueCollectionBody = z
  .strictObject({
    /** The issuing bureau: the caller's active org or a bureau below it. */
    orgId: id,
    templateId: id,
    /** Defaults to the template's name. */
    title: line(200).optional(),
    /** Reporting period (prefill counts hazards etc. in it), business days. */
    periodFrom: calendarDay,
    periodTo: calendarDay,
    deadline: isoDateTime,
    /** Only schools of these types; omitted = all schools of the subtree. */
    schoolTypes: z
      .array(z.enum(SCHOOL_TYPES))
      .min(1)
      .max(SCHOOL_TYPES.length)
      .refine((types) => new Set(types).size === types.length, { message: 'duplicate_type' })
      .optional(),
    /** Reminder this many days before the deadline (default 2; 0 = none). */
    remindDaysBefore: z.number().int().min(0).max(30).optional(),
    note: paragraph(2000).optional(),
  })
  .refine((body) => body.periodFrom <= body.periodTo, { message: 'period_order', path: ['periodTo'] });
export type IssueCollectionBody = z.infer<typeof issueCollectionBody>;

export const closeCollectionBody = z.strictObject({});

// ------------------------------------------------------------------------------------------------ submissions

export const submissionRow = z.object({
  id: z.number(),
  schoolId: z.number(),
  schoolName: z.string(),
  countyId: z.number(),
  countyName: z.string(),
  cityId: z.number(),
  cityName: z.string(),
  status: formSubmissionStateSchema,
  late: z.boolean(),
  submittedAt: z.string().nullable(),
  signedAt: z.string().nullable(),
  cosignedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  /** Number of fields the school changed from the live prefill. */
  correctionCount: z.number(),
  /** Answers of number and yes/no fields (others omitted), for the table's columns. */
  values: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])),
});
export type SubmissionRow = z.infer<typeof submissionRow>;

export const fieldTotals = z.object({
  forms: z.number(),
  sums: z.record(z.string(), z.number()),
  yes: z.record(z.string(), z.number()),
  no: z.record(z.string(), z.number()),
  notApplicable: z.record(z.string(), z.number()),
});
export type FieldTotalsDto = z.infer<typeof fieldTotals>;

export const unitTotals = z.object({
  orgId: z.number(),
  orgName: z.string(),
  /** Schools of the unit the form went to, handed-in forms among them. */
  schools: z.number(),
  submitted: z.number(),
  totals: fieldTotals,
});
export type UnitTotals = z.infer<typeof unitTotals>;

export const listSubmissionsQuery = z.strictObject({
  /** A unit in the caller's scope (city, county or school) to narrow to. */
  orgId: idParam.optional(),
  status: formSubmissionStateSchema.optional(),
  late: queryBoolean.optional(),
  /** Only handed-in forms (submitted, signed, co-signed, accepted) or only not-yet ones. */
  handedIn: queryBoolean.optional(),
  /** School name contains. */
  q: searchText(50).optional(),
  ...pageQuery,
});
export type ListSubmissionsQuery = z.infer<typeof listSubmissionsQuery>;

/** One page of rows; totals cover every handed-in form matching the filters (not just this page). */
export const submissionTable = z.object({
  items: z.array(submissionRow),
  nextCursor: z.string().nullable(),
  byCounty: z.array(unitTotals),
  byCity: z.array(unitTotals),
  overall: fieldTotals,
});
export type SubmissionTable = z.infer<typeof submissionTable>;

export const lateSchool = z.object({
  submissionId: z.number(),
  schoolId: z.number(),
  schoolName: z.string(),
  countyName: z.string(),
  status: formSubmissionStateSchema,
  /** null: not handed in yet. */
  submittedAt: z.string().nullable(),
  late: z.boolean(),
});
export type LateSchool = z.infer<typeof lateSchool>;
export const lateSchoolsResponse = z.object({
  /** Whether the deadline has passed (before it, only schools that are late cannot exist). */
  deadlinePassed: z.boolean(),
  items: z.array(lateSchool),
});

export const formTask = z.object({
  submissionId: z.number(),
  collectionId: z.number(),
  title: z.string(),
  issuerOrgName: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  deadline: z.string(),
  status: formSubmissionStateSchema,
  late: z.boolean(),
  /** Deadline passed and not handed in. */
  overdue: z.boolean(),
  reviewComment: z.string().nullable(),
  collectionStatus: formCollectionStateSchema,
});
export type FormTask = z.infer<typeof formTask>;

export const listFormTasksQuery = z.strictObject({
  status: formSubmissionStateSchema.optional(),
  /** Only forms still to fill (draft or returned). */
  open: queryBoolean.optional(),
});

export const prefilledField = z.object({
  /** The value the platform computed (what is stored as the answer when the school did not change it). */
  value: z.union([z.boolean(), z.number(), z.string(), z.null()]),
  /** How it was computed, in Chinese (e.g. 设备台账：摄像机 24 台). */
  basis: z.string(),
  source: prefillSourceSchema,
});

export const historyEvent = z.object({
  id: z.number(),
  at: z.string(),
  actorName: z.string().nullable(),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  note: z.string().nullable(),
});
export type HistoryEvent = z.infer<typeof historyEvent>;

export const submissionDetail = z.object({
  id: z.number(),
  collectionId: z.number(),
  collectionTitle: z.string(),
  issuerOrgName: z.string(),
  schoolId: z.number(),
  schoolName: z.string(),
  countyName: z.string(),
  cityName: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  deadline: z.string(),
  templateVersionId: z.number(),
  content: formContent,
  status: formSubmissionStateSchema,
  late: z.boolean(),
  /** Current answers (the school's, or the prefilled value where the school did not answer). */
  answers: formAnswers,
  /** Fields prefilled from live data (「系统预填」), keyed by field key; null before the first open. */
  prefilled: z.record(z.string(), prefilledField).nullable(),
  prefilledAt: z.string().nullable(),
  /** Keys whose answer the school changed from the prefilled value (the prefilled value stays visible). */
  corrections: z.array(z.string()),
  /** Increments on every write; send it back with a draft save to detect a concurrent edit. */
  revision: z.number(),
  submittedAt: z.string().nullable(),
  submittedByName: z.string().nullable(),
  signedAt: z.string().nullable(),
  signedByName: z.string().nullable(),
  cosignedAt: z.string().nullable(),
  cosignedByName: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewedByName: z.string().nullable(),
  reviewComment: z.string().nullable(),
  /** Oldest first; a returned form keeps every step. */
  history: z.array(historyEvent),
  /** What the caller may do now. */
  can: z.object({
    edit: z.boolean(),
    submit: z.boolean(),
    sign: z.boolean(),
    cosign: z.boolean(),
    review: z.boolean(),
  }),
});
export type SubmissionDetail = z.infer<typeof submissionDetail>;

export const saveDraftBody = z.strictObject({
  answers: formAnswers,
  /** The revision the edit started from; a different current revision is 409 form_revision. */
  revision: z.number().int().min(0).max(1_000_000).optional(),
});
export type SaveDraftBody = z.infer<typeof saveDraftBody>;

/** Submits the given answers (or the saved draft when omitted). */
export const submitBody = z.strictObject({
  answers: formAnswers.optional(),
  revision: z.number().int().min(0).max(1_000_000).optional(),
});
export type SubmitBody = z.infer<typeof submitBody>;

export const signBody = z.strictObject({ note: paragraph(500).optional() });
export type SignBody = z.infer<typeof signBody>;

export const reviewBody = z.strictObject({ comment: paragraph(2000).optional() });
export type ReviewBody = z.infer<typeof reviewBody>;

export const returnBody = z.strictObject({
  comment: paragraph(2000).refine((value) => value.trim().length > 0, { message: 'required' }),
});
export type ReturnBody = z.infer<typeof returnBody>;

// ------------------------------------------------------------------------------------------------ summary

export const summaryQuery = z.strictObject({
  /** A unit in the caller's scope (province, city or county); defaults to the active org (or the issuer). */
  orgId: idParam.optional(),
});

export const summaryCell = z.union([z.string(), z.number(), z.null()]);

export const summaryGroup = z.object({
  orgId: z.number(),
  orgName: z.string(),
  /** Schools of the county the form went to, and handed-in forms. */
  schools: z.number(),
  submitted: z.number(),
  /** One row per handed-in school form, in the summary's column order. */
  rows: z.array(z.array(summaryCell)),
  /** Number columns summed; null for text columns. */
  totals: z.array(z.number().nullable()),
});
export type SummaryGroup = z.infer<typeof summaryGroup>;

export const formSummary = z.object({
  collectionId: z.number(),
  title: z.string(),
  orgId: z.number(),
  orgName: z.string(),
  columns: z.array(z.object({ label: z.string(), number: z.boolean() })),
  /** One group per county (a district's summary); a city sees its districts roll up. */
  counties: z.array(summaryGroup),
  /** Per city (when the scope spans cities or is a city). */
  cities: z.array(summaryGroup.omit({ rows: true })),
  overall: z.object({ schools: z.number(), submitted: z.number(), totals: z.array(z.number().nullable()) }),
  /** Totals of every number and yes/no field of the school form. */
  fieldTotals: fieldTotals,
});
export type FormSummary = z.infer<typeof formSummary>;
