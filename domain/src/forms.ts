import { z } from 'zod';
import { line, paragraph } from './api/fields.js';
import { PREFILL_SOURCES, type PrefillSourceId, type PrefillValues } from './forms-prefill.js';

/**
 * Report forms (报表): template definitions, answer validation, the submission state machine, late marking and
 * summaries, as pure functions. The server stores versions, collections and submissions; the web renders templates.
 */

// ------------------------------------------------------------------------------------------------ field types

export const FIELD_TYPES = ['yesno', 'number', 'text', 'date', 'select', 'person', 'table', 'attachment'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Column types of a repeating table: the simple ones. */
export const COLUMN_TYPES = ['yesno', 'number', 'text', 'date', 'select'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** The answer meaning "not applicable" — the seed's 「/」 (无宿舍填“/”, 无校车等用“/”). */
export const NOT_APPLICABLE = '/';

/** Field types whose live value a prefill source may give: yes/no sources on yes/no fields, counts on numbers. */
export const PREFILL_TYPES: Record<PrefillSourceId, 'yesno' | 'number'> = {
  'duty.holidayTable': 'yesno',
  'duty.leaderOnDuty': 'yesno',
  'guards.total': 'number',
  'guards.licensed': 'number',
  'guards.overAge': 'number',
  'video.retention30': 'yesno',
  'cameras.count': 'number',
  'intrusion.perimeter': 'yesno',
  'intrusion.keyParts': 'yesno',
  'oneKeyAlarm.gate': 'yesno',
  'oneKeyAlarm.dormitory': 'yesno',
  'tech.allRunning': 'yesno',
  'barrier.fence': 'yesno',
  'barrier.antiRam': 'yesno',
  'barrier.bollard': 'yesno',
  'hazards.found': 'number',
  'hazards.rectified': 'number',
  'hazards.unrectified': 'number',
};

export const fieldKey = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-zA-Z0-9_]*$/, { message: 'key_format' });

const numberLimits = {
  /** Inclusive limits of a number (defaults: 0 and no upper limit). */
  min: z.number().finite().nullable().optional(),
  max: z.number().finite().nullable().optional(),
  /** Whole numbers only (counts). Default true. */
  integer: z.boolean().optional(),
  unit: line(20).optional(),
};

export const tableColumn = z.strictObject({
  key: fieldKey,
  label: line(100),
  type: z.enum(COLUMN_TYPES),
  required: z.boolean().optional(),
  options: z.array(line(100)).max(50).optional(),
  ...numberLimits,
});
export type TableColumn = z.infer<typeof tableColumn>;

export const formField = z.strictObject({
  key: fieldKey,
  /** The label as printed on the paper form (quoted from the seed for built-ins). */
  label: line(200),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().optional(),
  /** 「/」 (not applicable) is an accepted answer, e.g. 学生宿舍（无宿舍填“/”）. */
  notApplicable: z.boolean().optional(),
  /** Guidance shown under the field. */
  help: paragraph(500).optional(),
  /** The live-data source that prefills this field (yes/no or number fields of the matching type). */
  prefill: z.enum(PREFILL_SOURCES).optional(),
  /** select: the choices. */
  options: z.array(line(100)).max(50).optional(),
  /** text: maximum length (default 2000) and whether it spans lines. */
  maxLength: z.number().int().min(1).max(5000).optional(),
  multiline: z.boolean().optional(),
  /** table: its columns and row limit (default 50). */
  columns: z.array(tableColumn).max(12).optional(),
  maxRows: z.number().int().min(1).max(200).optional(),
  ...numberLimits,
});
export type FormField = z.infer<typeof formField>;

export const formSection = z.strictObject({
  title: line(100),
  fields: z.array(formField).min(1).max(60),
});
export type FormSection = z.infer<typeof formSection>;

export const RULE_KINDS = ['lte', 'difference'] as const;
/** Rules between number fields. `lte`: left ≤ right. `difference`: target = minuend − subtrahend. */
export const formRule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lte'), left: fieldKey, right: fieldKey, message: line(200).optional() }),
  z.strictObject({
    kind: z.literal('difference'),
    target: fieldKey,
    minuend: fieldKey,
    subtrahend: fieldKey,
    message: line(200).optional(),
  }),
]);
export type FormRule = z.infer<typeof formRule>;

/** Where a summary column takes its value from. */
export const SUMMARY_SOURCES = ['county', 'policeStation', 'school', 'field', 'rectifiedFlag'] as const;
export const summaryColumn = z.strictObject({
  label: line(100),
  source: z.enum(SUMMARY_SOURCES),
  /** source = field: the school form's field (number columns are totalled). */
  field: fieldKey.optional(),
});
export type SummaryColumn = z.infer<typeof summaryColumn>;

/** The summary table built from the school forms (the seed's Attachment 2 for the built-in). */
export const summaryLayout = z.strictObject({
  title: line(200),
  columns: z.array(summaryColumn).min(1).max(20),
});
export type SummaryLayout = z.infer<typeof summaryLayout>;

/** The content of one template version. */
export const formContent = z.strictObject({
  /** Printed title, e.g. 学校及周边安全排查整改情况报表. */
  title: line(200),
  sections: z.array(formSection).min(1).max(30),
  rules: z.array(formRule).max(50).default([]),
  /** The police liaison co-signs after the principal (seed 003: 校长 / 所长). */
  cosign: z.boolean().default(false),
  /** Sign-off labels printed at the foot of the form. */
  principalLabel: line(20).default('校长'),
  cosignerLabel: line(20).default('所长'),
  /** Printed under the table (e.g. 本表由学校和当地派出所共同填写…). */
  footnote: paragraph(1000).optional(),
  summary: summaryLayout.optional(),
});
export type FormContent = z.infer<typeof formContent>;
export type FormContentInput = z.input<typeof formContent>;

// ------------------------------------------------------------------------------------------------ template checks

export interface TemplateProblem {
  /** Where: a field key, `rules[2]`, `summary.columns[1]`. */
  path: string;
  code: string;
  message: string;
}

/** Every field of the content, in order. */
export function fieldsOf(content: Pick<FormContent, 'sections'>): FormField[] {
  return content.sections.flatMap((section) => section.fields);
}

/**
 * Builder validation beyond the shape: unique keys, select options, table columns, prefill sources on fields of the
 * matching type, rules referring to existing number fields, summary columns referring to existing fields.
 */
export function checkTemplate(content: FormContent): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const fields = fieldsOf(content);
  const byKey = new Map<string, FormField>();
  const prefillUsed = new Map<string, string>();
  for (const field of fields) {
    if (byKey.has(field.key)) {
      problems.push({ path: field.key, code: 'duplicate_key', message: `字段标识「${field.key}」重复` });
    }
    byKey.set(field.key, field);
    if (field.type === 'select' && (field.options?.length ?? 0) < 2) {
      problems.push({ path: field.key, code: 'options_required', message: `「${field.label}」至少需要两个选项` });
    }
    if (field.options && new Set(field.options).size !== field.options.length) {
      problems.push({ path: field.key, code: 'duplicate_option', message: `「${field.label}」的选项重复` });
    }
    if (field.type === 'table') {
      const columns = field.columns ?? [];
      if (columns.length === 0) {
        problems.push({ path: field.key, code: 'columns_required', message: `表格「${field.label}」至少需要一列` });
      }
      if (new Set(columns.map((column) => column.key)).size !== columns.length) {
        problems.push({ path: field.key, code: 'duplicate_column', message: `表格「${field.label}」的列标识重复` });
      }
      for (const column of columns) {
        if (column.type === 'select' && (column.options?.length ?? 0) < 2) {
          problems.push({
            path: `${field.key}.${column.key}`,
            code: 'options_required',
            message: `「${field.label}」的列「${column.label}」至少需要两个选项`,
          });
        }
      }
    } else if (field.columns) {
      problems.push({
        path: field.key,
        code: 'columns_not_table',
        message: `只有表格字段可以定义列：「${field.label}」`,
      });
    }
    if (field.min != null && field.max != null && field.min > field.max) {
      problems.push({ path: field.key, code: 'min_above_max', message: `「${field.label}」的最小值大于最大值` });
    }
    if (field.prefill) {
      if (PREFILL_TYPES[field.prefill] !== field.type) {
        problems.push({
          path: field.key,
          code: 'prefill_type',
          message: `「${field.label}」的类型与预填来源「${field.prefill}」不符`,
        });
      }
      const other = prefillUsed.get(field.prefill);
      if (other) {
        problems.push({
          path: field.key,
          code: 'prefill_duplicate',
          message: `预填来源「${field.prefill}」已用于「${other}」`,
        });
      }
      prefillUsed.set(field.prefill, field.label);
    }
  }
  const numberField = (key: string, path: string) => {
    const field = byKey.get(key);
    if (!field) problems.push({ path, code: 'rule_unknown_field', message: `规则引用了不存在的字段「${key}」` });
    else if (field.type !== 'number') {
      problems.push({ path, code: 'rule_not_number', message: `规则只能引用数字字段：「${field.label}」` });
    }
  };
  content.rules.forEach((rule, index) => {
    const path = `rules[${index}]`;
    if (rule.kind === 'lte') {
      numberField(rule.left, path);
      numberField(rule.right, path);
    } else {
      numberField(rule.target, path);
      numberField(rule.minuend, path);
      numberField(rule.subtrahend, path);
    }
  });
  content.summary?.columns.forEach((column, index) => {
    const path = `summary.columns[${index}]`;
    if (column.source === 'field') {
      const field = column.field ? byKey.get(column.field) : undefined;
      if (!field)
        problems.push({ path, code: 'summary_unknown_field', message: `汇总列「${column.label}」引用的字段不存在` });
    } else if (column.field) {
      problems.push({ path, code: 'summary_field_unexpected', message: `汇总列「${column.label}」不取字段值` });
    }
    if (column.source === 'rectifiedFlag' && (!byKey.has('hazardsFound') || !byKey.has('hazardsRectified'))) {
      problems.push({
        path,
        code: 'summary_rectified_fields',
        message: '“是否整改”列需要字段 hazardsFound 与 hazardsRectified',
      });
    }
  });
  return problems;
}

/** Number of answerable fields. */
export function fieldCount(content: Pick<FormContent, 'sections'>): number {
  return fieldsOf(content).length;
}

// ------------------------------------------------------------------------------------------------ answers

const cleanString = paragraph(5000);
export const personAnswer = z.strictObject({ name: line(50), position: line(50).optional() });
export type PersonAnswer = z.infer<typeof personAnswer>;
const cellValue = z.union([z.boolean(), z.number().finite(), cleanString, z.null()]);
export const tableRowAnswer = z.record(fieldKey, cellValue).refine((row) => Object.keys(row).length <= 12, {
  message: 'too_many_columns',
});

/** One answer, whatever the field type; the template decides what is valid (`validateAnswers`). */
export const formAnswerValue = z.union([
  z.boolean(),
  z.number().finite(),
  cleanString,
  z.null(),
  personAnswer,
  /** attachment: stored file ids. */
  z.array(z.uuid()).max(10),
  /** table rows. */
  z.array(tableRowAnswer).max(200),
]);
export type FormAnswerValue = z.infer<typeof formAnswerValue>;

/** Answers keyed by field key. */
export const formAnswers = z
  .record(fieldKey, formAnswerValue)
  .refine((answers) => Object.keys(answers).length <= 600, { message: 'too_many_answers' });
export type FormAnswers = Record<string, FormAnswerValue>;

export interface FormFieldError {
  /** Field key, or `key[row].column` inside a table. */
  field: string;
  code:
    | 'required'
    | 'type'
    | 'not_applicable'
    | 'below_min'
    | 'above_max'
    | 'not_integer'
    | 'too_long'
    | 'option'
    | 'too_many_rows'
    | 'unknown_field'
    | 'rule';
  message: string;
}

function isEmpty(value: FormAnswerValue | undefined): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function checkNumber(
  spec: { min?: number | null; max?: number | null; integer?: boolean },
  value: number,
  field: string,
  label: string,
): FormFieldError | null {
  if (spec.integer !== false && !Number.isInteger(value)) {
    return { field, code: 'not_integer', message: `「${label}」应为整数` };
  }
  const min = spec.min ?? 0;
  if (value < min) return { field, code: 'below_min', message: `「${label}」不能小于 ${min}` };
  if (spec.max != null && value > spec.max) {
    return { field, code: 'above_max', message: `「${label}」不能大于 ${spec.max}` };
  }
  return null;
}

function checkSimple(
  spec: Pick<FormField, 'type' | 'options' | 'min' | 'max' | 'integer' | 'maxLength'> & { type: string },
  value: FormAnswerValue,
  field: string,
  label: string,
): FormFieldError | null {
  const wrongType: FormFieldError = { field, code: 'type', message: `「${label}」的填写格式不正确` };
  switch (spec.type) {
    case 'yesno':
      return typeof value === 'boolean' ? null : wrongType;
    case 'number':
      return typeof value === 'number' ? checkNumber(spec, value, field, label) : wrongType;
    case 'text':
      if (typeof value !== 'string') return wrongType;
      if (value.length > (spec.maxLength ?? 2000)) {
        return { field, code: 'too_long', message: `「${label}」不能超过 ${spec.maxLength ?? 2000} 字` };
      }
      return null;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : { field, code: 'type', message: `「${label}」应为日期（年-月-日）` };
    case 'select':
      if (typeof value !== 'string') return wrongType;
      return spec.options?.includes(value) ? null : { field, code: 'option', message: `「${label}」请从选项中选择` };
    default:
      return wrongType;
  }
}

export interface ValidateOptions {
  /** Draft saves check types only; submission also checks required fields and rules. */
  complete: boolean;
}

/**
 * Field errors of `answers` against a template, messages in Chinese. Unknown keys are errors; 「/」 is accepted only
 * where the field allows it; rules are checked when both sides are numbers (「/」 or blank skips them).
 */
export function validateAnswers(
  content: FormContent,
  answers: FormAnswers,
  options: ValidateOptions = { complete: true },
): FormFieldError[] {
  const errors: FormFieldError[] = [];
  const fields = fieldsOf(content);
  const known = new Set(fields.map((field) => field.key));
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) errors.push({ field: key, code: 'unknown_field', message: `表中没有字段「${key}」` });
  }
  for (const field of fields) {
    const value = answers[field.key];
    if (isEmpty(value)) {
      if (options.complete && field.required) {
        errors.push({ field: field.key, code: 'required', message: `请填写「${field.label}」` });
      }
      continue;
    }
    if (value === NOT_APPLICABLE && field.type !== 'text') {
      if (!field.notApplicable) {
        errors.push({ field: field.key, code: 'not_applicable', message: `「${field.label}」不能填“/”` });
      }
      continue;
    }
    if (field.type === 'person') {
      const parsed = personAnswer.safeParse(value);
      if (!parsed.success) errors.push({ field: field.key, code: 'type', message: `「${field.label}」请填写姓名` });
      continue;
    }
    if (field.type === 'attachment') {
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
        errors.push({ field: field.key, code: 'type', message: `「${field.label}」应为上传的附件` });
      }
      continue;
    }
    if (field.type === 'table') {
      if (!Array.isArray(value) || value.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))) {
        errors.push({ field: field.key, code: 'type', message: `「${field.label}」的填写格式不正确` });
        continue;
      }
      const rows = value as Record<string, FormAnswerValue>[];
      if (rows.length > (field.maxRows ?? 50)) {
        errors.push({
          field: field.key,
          code: 'too_many_rows',
          message: `「${field.label}」最多 ${field.maxRows ?? 50} 行`,
        });
      }
      const columns = field.columns ?? [];
      const columnKeys = new Set(columns.map((column) => column.key));
      rows.forEach((row, index) => {
        for (const key of Object.keys(row)) {
          if (!columnKeys.has(key)) {
            errors.push({
              field: `${field.key}[${index}].${key}`,
              code: 'unknown_field',
              message: `「${field.label}」第 ${index + 1} 行没有列「${key}」`,
            });
          }
        }
        for (const column of columns) {
          const cell = row[column.key];
          const path = `${field.key}[${index}].${column.key}`;
          const label = `${field.label}第 ${index + 1} 行「${column.label}」`;
          if (isEmpty(cell)) {
            if (options.complete && column.required) {
              errors.push({ field: path, code: 'required', message: `请填写${label}` });
            }
            continue;
          }
          const error = checkSimple(column, cell as FormAnswerValue, path, label);
          if (error) errors.push(error);
        }
      });
      continue;
    }
    const error = checkSimple(field, value as FormAnswerValue, field.key, field.label);
    if (error) errors.push(error);
  }
  if (options.complete) errors.push(...checkRules(content, answers));
  return errors;
}

/** Violations of the template's rules between number fields (skipped when a side is blank or 「/」). */
export function checkRules(content: FormContent, answers: FormAnswers): FormFieldError[] {
  const labels = new Map(fieldsOf(content).map((field) => [field.key, field.label]));
  const numberOf = (key: string) => {
    const value = answers[key];
    return typeof value === 'number' ? value : null;
  };
  const errors: FormFieldError[] = [];
  for (const rule of content.rules) {
    if (rule.kind === 'lte') {
      const left = numberOf(rule.left);
      const right = numberOf(rule.right);
      if (left === null || right === null || left <= right) continue;
      errors.push({
        field: rule.left,
        code: 'rule',
        message: rule.message ?? `「${labels.get(rule.left)}」不能大于「${labels.get(rule.right)}」`,
      });
    } else {
      const target = numberOf(rule.target);
      const minuend = numberOf(rule.minuend);
      const subtrahend = numberOf(rule.subtrahend);
      if (target === null || minuend === null || subtrahend === null) continue;
      if (target === minuend - subtrahend) continue;
      errors.push({
        field: rule.target,
        code: 'rule',
        message:
          rule.message ??
          `「${labels.get(rule.target)}」应等于「${labels.get(rule.minuend)}」减「${labels.get(rule.subtrahend)}」（${minuend - subtrahend}）`,
      });
    }
  }
  return errors;
}

// ------------------------------------------------------------------------------------------------ prefill

/** The answer a prefilled value gives its field (「/」 for not applicable when the field allows it). */
export function prefillAnswer(field: FormField, value: PrefillValues[PrefillSourceId]): FormAnswerValue | undefined {
  if (!value || value.value === null) return undefined;
  if (value.value === 'n/a') return field.notApplicable ? NOT_APPLICABLE : undefined;
  if (field.type === 'yesno' && typeof value.value === 'boolean') return value.value;
  if (field.type === 'number' && typeof value.value === 'number') return value.value;
  return undefined;
}

/** Prefilled answers keyed by field key, for the template's fields that have a source and a live value. */
export function prefilledAnswers(content: FormContent, values: PrefillValues): FormAnswers {
  const answers: FormAnswers = {};
  for (const field of fieldsOf(content)) {
    if (!field.prefill) continue;
    const answer = prefillAnswer(field, values[field.prefill]);
    if (answer !== undefined) answers[field.key] = answer;
  }
  return answers;
}

/**
 * Whether one answer corrects the value the platform prefilled: the school gave an answer (a blank — missing, null
 * or '' — is not one) and it differs from a known prefilled value (nothing prefilled, or a null, is not a value).
 * The one rule for the server's stored corrections and the web's 「已更正」 mark.
 */
export function isCorrection(value: FormAnswerValue | undefined, prefilledValue: FormAnswerValue | undefined): boolean {
  if (prefilledValue === undefined || prefilledValue === null) return false;
  if (value === undefined || value === null || value === '') return false;
  return JSON.stringify(value) !== JSON.stringify(prefilledValue);
}

/** Fields whose answer corrects the prefilled value (the school's corrections, `isCorrection` per field). */
export function correctionsOf(prefilled: FormAnswers, answers: FormAnswers): string[] {
  return Object.keys(prefilled).filter((key) => isCorrection(answers[key], prefilled[key]));
}

/** Fills blanks of `answers` with prefilled values; a school's own answers win. */
export function mergePrefill(answers: FormAnswers, prefilled: FormAnswers): FormAnswers {
  const merged: FormAnswers = { ...answers };
  for (const [key, value] of Object.entries(prefilled)) {
    if (isEmpty(merged[key])) merged[key] = value;
  }
  return merged;
}

// ------------------------------------------------------------------------------------------------ state machine

export const SUBMISSION_STATES = ['draft', 'submitted', 'signed', 'cosigned', 'accepted', 'returned'] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];
export const SUBMISSION_ACTIONS = ['save', 'submit', 'sign', 'cosign', 'accept', 'return'] as const;
export type SubmissionAction = (typeof SUBMISSION_ACTIONS)[number];

/** States the school may edit and submit: a draft, or a form the bureau returned. */
export function isEditable(state: SubmissionState): boolean {
  return state === 'draft' || state === 'returned';
}

/** Whether the form has been handed in (the bureau counts it as submitted). */
export function isHandedIn(state: SubmissionState): boolean {
  return state === 'submitted' || state === 'signed' || state === 'cosigned' || state === 'accepted';
}

export type FormTransitionResult = { ok: true; to: SubmissionState } | { ok: false; code: 'form_state' };

/**
 * draft|returned → submitted → (principal) signed → (police liaison, co-signed forms only) cosigned →
 * accepted | returned. A returned form is edited and submitted again; its history stays.
 */
export function formTransition(
  state: SubmissionState,
  action: SubmissionAction,
  options: { cosign: boolean },
): FormTransitionResult {
  const to = ((): SubmissionState | null => {
    switch (action) {
      case 'save':
        return isEditable(state) ? state : null;
      case 'submit':
        return isEditable(state) ? 'submitted' : null;
      case 'sign':
        return state === 'submitted' ? 'signed' : null;
      case 'cosign':
        return options.cosign && state === 'signed' ? 'cosigned' : null;
      case 'accept':
        return state === (options.cosign ? 'cosigned' : 'signed') ? 'accepted' : null;
      case 'return':
        return state === 'submitted' || state === 'signed' || state === 'cosigned' ? 'returned' : null;
    }
  })();
  return to ? { ok: true, to } : { ok: false, code: 'form_state' };
}

/** Late = handed in after the deadline. The first hand-in decides; a returned form resubmitted keeps its mark. */
export function isLate(deadline: Date, submittedAt: Date): boolean {
  return submittedAt.getTime() > deadline.getTime();
}

export const COLLECTION_STATES = ['open', 'closed'] as const;
export type CollectionState = (typeof COLLECTION_STATES)[number];

// ------------------------------------------------------------------------------------------------ summaries

export interface FieldTotals {
  /** number fields: sum over the forms that answered with a number. */
  sums: Record<string, number>;
  /** yes/no fields: how many answered yes, no, 「/」. */
  yes: Record<string, number>;
  no: Record<string, number>;
  notApplicable: Record<string, number>;
  /** Forms counted. */
  forms: number;
}

export function emptyTotals(content: FormContent): FieldTotals {
  const totals: FieldTotals = { sums: {}, yes: {}, no: {}, notApplicable: {}, forms: 0 };
  for (const field of fieldsOf(content)) {
    if (field.type === 'number') totals.sums[field.key] = 0;
    if (field.type === 'yesno') {
      totals.yes[field.key] = 0;
      totals.no[field.key] = 0;
      totals.notApplicable[field.key] = 0;
    }
  }
  return totals;
}

/** Adds one form's answers to running totals (mutates and returns `totals`). */
export function addToTotals(content: FormContent, totals: FieldTotals, answers: FormAnswers): FieldTotals {
  totals.forms += 1;
  for (const field of fieldsOf(content)) {
    const value = answers[field.key];
    if (field.type === 'number' && typeof value === 'number') {
      totals.sums[field.key] = (totals.sums[field.key] ?? 0) + value;
    } else if (field.type === 'yesno') {
      if (value === true) totals.yes[field.key] = (totals.yes[field.key] ?? 0) + 1;
      else if (value === false) totals.no[field.key] = (totals.no[field.key] ?? 0) + 1;
      else if (value === NOT_APPLICABLE) totals.notApplicable[field.key] = (totals.notApplicable[field.key] ?? 0) + 1;
    }
  }
  return totals;
}

export interface SummaryInput {
  cityId: number;
  countyId: number;
  answers: FormAnswers;
}

/** Totals of number and yes/no fields per county, per city and overall. */
export function summarize(
  content: FormContent,
  forms: readonly SummaryInput[],
): { byCounty: Map<number, FieldTotals>; byCity: Map<number, FieldTotals>; overall: FieldTotals } {
  const byCounty = new Map<number, FieldTotals>();
  const byCity = new Map<number, FieldTotals>();
  const overall = emptyTotals(content);
  for (const form of forms) {
    const county = byCounty.get(form.countyId) ?? emptyTotals(content);
    byCounty.set(form.countyId, county);
    const city = byCity.get(form.cityId) ?? emptyTotals(content);
    byCity.set(form.cityId, city);
    addToTotals(content, county, form.answers);
    addToTotals(content, city, form.answers);
    addToTotals(content, overall, form.answers);
  }
  return { byCounty, byCity, overall };
}

/** The 是否整改 cell: 是 when every hazard found was rectified, 否 when none, 部分 in between, 无隐患 when none found. */
export function rectifiedFlag(found: unknown, rectified: unknown): string {
  if (typeof found !== 'number' || typeof rectified !== 'number') return '';
  if (found === 0) return '无隐患';
  if (rectified >= found) return '是';
  if (rectified === 0) return '否';
  return '部分';
}

export type SummaryCell = string | number | null;

/** A text answer as printed: 「/」 stays, yes/no as 是/否 (有/无 for 有无 fields), blanks empty. */
export function printable(field: FormField | TableColumn | undefined, value: FormAnswerValue | undefined): SummaryCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') {
    const hasOrNot = field?.label.includes('有无') ?? false;
    return value ? (hasOrNot ? '有' : '是') : hasOrNot ? '无' : '否';
  }
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'string')) return `附件 ${value.length} 个`;
    return `${value.length} 行`;
  }
  return value.position ? `${value.name}（${value.position}）` : value.name;
}

/**
 * One summary row (Attachment 2 for the built-in) from a school's submitted answers. Number columns stay numbers so
 * they can be totalled.
 */
export function summaryRow(
  content: FormContent,
  layout: SummaryLayout,
  school: { countyName: string; schoolName: string },
  answers: FormAnswers,
): SummaryCell[] {
  const byKey = fieldMap(content);
  return layout.columns.map((column): SummaryCell => {
    switch (column.source) {
      case 'county':
        return school.countyName;
      case 'school':
        return school.schoolName;
      case 'policeStation':
        return printable(byKey.get('policeStation'), answers.policeStation);
      case 'rectifiedFlag':
        return rectifiedFlag(answers.hazardsFound, answers.hazardsRectified);
      case 'field':
        return printable(
          column.field ? byKey.get(column.field) : undefined,
          column.field ? answers[column.field] : null,
        );
      default:
        return null;
    }
  });
}

const fieldMaps = new WeakMap<FormContent, Map<string, FormField>>();

/** Fields by key, computed once per content object (a summary builds thousands of rows from one). */
function fieldMap(content: FormContent): Map<string, FormField> {
  let map = fieldMaps.get(content);
  if (!map) {
    map = new Map(fieldsOf(content).map((field) => [field.key, field]));
    fieldMaps.set(content, map);
  }
  return map;
}

/** Which summary columns are totalled (number fields). */
export function summaryNumberColumns(content: FormContent, layout: SummaryLayout): boolean[] {
  const byKey = new Map(fieldsOf(content).map((field) => [field.key, field]));
  return layout.columns.map(
    (column) => column.source === 'field' && !!column.field && byKey.get(column.field)?.type === 'number',
  );
}

/** Totals row of summary rows: number columns summed, others blank. */
export function summaryTotals(numberColumns: boolean[], rows: readonly SummaryCell[][]): (number | null)[] {
  return numberColumns.map((isNumber, index) =>
    isNumber
      ? rows.reduce<number>((sum, row) => sum + (typeof row[index] === 'number' ? (row[index] as number) : 0), 0)
      : null,
  );
}

// ------------------------------------------------------------------------------------------------ built-ins

/** Help text for free-text fields about people's situations: describe, do not name (DESIGN §1, no dossiers). */
const NO_NAMES = '请描述情况和已采取的措施，不填写具体人员的姓名、身份等个人信息。';

/** Attachment 2 of seed 003: 学校及周边安全排查整改情况汇总表（区）. */
export const SEED003_SUMMARY: SummaryLayout = {
  title: '学校及周边安全排查整改情况汇总表（区）',
  columns: [
    { label: '区域', source: 'county' },
    { label: '属地派出所', source: 'policeStation' },
    { label: '学校名称', source: 'school' },
    { label: '校园周边治安乱点情况', source: 'field', field: 'surroundingsHotspots' },
    { label: '是否整改', source: 'rectifiedFlag' },
    { label: '校园隐患总数', source: 'field', field: 'hazardsFound' },
    { label: '整改数', source: 'field', field: 'hazardsRectified' },
    { label: '涉校不稳定因素情况（未解决）', source: 'field', field: 'instabilityFactors' },
  ],
};

const yesno = (key: string, label: string, extra: Partial<FormField> = {}): FormField => ({
  key,
  label,
  type: 'yesno',
  required: true,
  ...extra,
});
const count = (key: string, label: string, extra: Partial<FormField> = {}): FormField => ({
  key,
  label,
  type: 'number',
  required: true,
  min: 0,
  integer: true,
  ...extra,
});

/** Attachment 1 of seed 003 (常州市学校及周边安全排查整改), every field, labels as printed. */
export const SEED003_SCHOOL_FORM: FormContent = {
  title: '学校及周边安全排查整改情况报表',
  sections: [
    {
      title: '工作机制',
      fields: [
        yesno('specialTeam', '是否成立工作专班'),
        { key: 'specialTeamLeader', label: '专班负责人', type: 'person' },
        yesno('holidayDutyTable', '学校假期是否有值班表', { prefill: 'duty.holidayTable' }),
        yesno('leaderOnDuty', '领导是否带班', { prefill: 'duty.leaderOnDuty' }),
        yesno('rulesSound', '门卫、巡查、隐患排查制度是否健全'),
      ],
    },
    {
      title: '人防',
      fields: [
        count('guards', '保安员人数', { prefill: 'guards.total', unit: '人' }),
        count('guardsLicensed', '保安员持证上岗人数', { prefill: 'guards.licensed', unit: '人' }),
        count('guardsOverAge', '超龄保安员人数', { prefill: 'guards.overAge', unit: '人' }),
      ],
    },
    {
      title: '技防',
      fields: [
        yesno('videoRetention30', '视频监控保存天数是否达30天', { prefill: 'video.retention30' }),
        count('cameraCount', '视频探头数量', { prefill: 'cameras.count', unit: '个' }),
        yesno('perimeterIntrusion', '围墙周界有无防入侵报警系统', { prefill: 'intrusion.perimeter' }),
        yesno('keyPartIntrusion', '重点要害部位有无防入侵报警', { prefill: 'intrusion.keyParts' }),
        yesno('oneKeyAlarmGate', '一键报警有无：门卫', { prefill: 'oneKeyAlarm.gate' }),
        yesno('oneKeyAlarmDormitory', '一键报警有无：学生宿舍（无宿舍填“/”）', {
          prefill: 'oneKeyAlarm.dormitory',
          notApplicable: true,
        }),
        yesno('techAllRunning', '技防系统是否全部正常运行', { prefill: 'tech.allRunning' }),
      ],
    },
    {
      title: '物防',
      fields: [
        yesno('fence', '隔离栏有无', { prefill: 'barrier.fence' }),
        yesno('antiRam', '硬质防冲撞设施有无', { prefill: 'barrier.antiRam' }),
        yesno('bollard', '升降柱有无', { prefill: 'barrier.bollard' }),
      ],
    },
    {
      title: '消防与危险化学品',
      fields: [
        yesno('electricalFireCampaign', '是否开展电气火灾安全综合治理'),
        {
          key: 'electricalFireRectification',
          label: '电器火灾隐患整改情况',
          type: 'text',
          multiline: true,
          maxLength: 2000,
        },
        yesno('hazmatThreeMeasures', '危险化学品安全管理三防措施是否落实'),
      ],
    },
    {
      title: '周边治安与稳定',
      fields: [
        {
          key: 'surroundingsHotspots',
          label: '校园周边治安乱点情况',
          type: 'text',
          required: true,
          multiline: true,
          maxLength: 2000,
          help: `无乱点请填“无”。${NO_NAMES}`,
        },
        {
          key: 'instabilityFactors',
          label: '涉校不稳定因素情况',
          type: 'text',
          required: true,
          multiline: true,
          maxLength: 2000,
          help: `如食堂伙食、教学管理等引发的问题，写明是否已解决；无则填“无”。${NO_NAMES}`,
        },
        {
          key: 'schoolBusHazards',
          label: '校车等安全隐患情况（无校车等用“/”）',
          type: 'text',
          required: true,
          notApplicable: true,
          multiline: true,
          maxLength: 2000,
        },
      ],
    },
    {
      title: '安全教育与团体活动',
      fields: [
        {
          key: 'holidaySafetyEducation',
          label: '假期学生安全教育情况',
          type: 'text',
          required: true,
          multiline: true,
          maxLength: 2000,
        },
        {
          key: 'groupActivities',
          label: '假期师生团体活动',
          type: 'table',
          maxRows: 20,
          columns: [
            { key: 'times', label: '次数', type: 'number', required: true, min: 0, integer: true },
            { key: 'participants', label: '总人数', type: 'number', required: true, min: 0, integer: true },
            { key: 'leaderResponsible', label: '安全是否由校级领导直接负责', type: 'yesno', required: true },
          ],
        },
      ],
    },
    {
      title: '隐患排查整改',
      fields: [
        count('hazardsFound', '排查出的总隐患数', { prefill: 'hazards.found', unit: '处' }),
        count('hazardsRectified', '隐患整改数', { prefill: 'hazards.rectified', unit: '处' }),
        count('hazardsUnrectified', '未整改隐患数', { prefill: 'hazards.unrectified', unit: '处' }),
        {
          key: 'workReport',
          label: '排查整改工作情况报告',
          type: 'text',
          required: true,
          multiline: true,
          maxLength: 5000,
        },
        { key: 'workReportFiles', label: '排查整改工作情况报告（附件）', type: 'attachment' },
      ],
    },
    {
      title: '填报',
      fields: [
        {
          key: 'policeStation',
          label: '属地派出所',
          type: 'text',
          required: true,
          maxLength: 100,
          help: '本表由学校和当地派出所共同填写；汇总表（附件2）的“属地派出所”一栏取此项。',
        },
        { key: 'fillDate', label: '填表日期', type: 'date', required: true },
      ],
    },
  ],
  rules: [
    { kind: 'lte', left: 'guardsLicensed', right: 'guards', message: '保安员持证上岗人数不能大于保安员人数' },
    { kind: 'lte', left: 'guardsOverAge', right: 'guards', message: '超龄保安员人数不能大于保安员人数' },
    { kind: 'lte', left: 'hazardsRectified', right: 'hazardsFound', message: '隐患整改数不能大于排查出的总隐患数' },
    {
      kind: 'difference',
      target: 'hazardsUnrectified',
      minuend: 'hazardsFound',
      subtrahend: 'hazardsRectified',
      message: '未整改隐患数应等于排查出的总隐患数减隐患整改数',
    },
  ],
  cosign: true,
  principalLabel: '校长',
  cosignerLabel: '所长',
  footnote: '本表由学校和当地派出所共同填写。涉及保密、敏感信息的，经公安机关研判后直接报市公安局，本表不填写。',
  summary: SEED003_SUMMARY,
};

export interface BuiltinFormTemplate {
  code: string;
  name: string;
  description: string;
  content: FormContent;
}

export const BUILTIN_FORM_TEMPLATES: readonly BuiltinFormTemplate[] = [
  {
    code: 'seed003-school',
    name: '学校及周边安全排查整改情况报表',
    description:
      '常州市全面开展学校及周边安全排查整改方案附件1（学校填报，校长、所长签字），汇总为附件2《学校及周边安全排查整改情况汇总表（区）》。',
    content: SEED003_SCHOOL_FORM,
  },
];

/** A complete, valid answer set for the seed 003 school form (tests and demo data start from it). */
export function exampleSeed003Answers(overrides: FormAnswers = {}): FormAnswers {
  return {
    specialTeam: true,
    specialTeamLeader: { name: '王校长', position: '副校长' },
    holidayDutyTable: true,
    leaderOnDuty: true,
    rulesSound: true,
    guards: 6,
    guardsLicensed: 5,
    guardsOverAge: 1,
    videoRetention30: true,
    cameraCount: 48,
    perimeterIntrusion: true,
    keyPartIntrusion: false,
    oneKeyAlarmGate: true,
    oneKeyAlarmDormitory: NOT_APPLICABLE,
    techAllRunning: true,
    fence: true,
    antiRam: true,
    bollard: false,
    electricalFireCampaign: true,
    electricalFireRectification: '已更换老化线路 3 处',
    hazmatThreeMeasures: true,
    surroundingsHotspots: '无',
    instabilityFactors: '无',
    schoolBusHazards: NOT_APPLICABLE,
    holidaySafetyEducation: '开展防溺水专题教育 2 次',
    groupActivities: [{ times: 2, participants: 120, leaderResponsible: true }],
    hazardsFound: 10,
    hazardsRectified: 8,
    hazardsUnrectified: 2,
    workReport: '按方案逐项排查，边查边改。',
    policeStation: '湖塘派出所',
    fillDate: '2026-07-31',
    ...overrides,
  };
}
