import { z } from 'zod';
import { line, paragraph } from './api/fields.js';
import { HAZARD_CATEGORIES } from './hazards.js';

/**
 * Inspections and patrols (检查/巡查): checklist templates, plan schedules, task windows, results and
 * completion, as pure functions. The server stores versions and tasks; the phone runs templates offline.
 */

export const ITEM_TYPES = ['pass_fail', 'number', 'text', 'photo'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

const itemKey = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_-]*$/);

/** One checklist item. A failed pass/fail item, or a number outside its limits, is a finding (may become a hazard). */
export const checklistItem = z
  .strictObject({
    key: itemKey,
    text: line(300),
    type: z.enum(ITEM_TYPES),
    required: z.boolean().default(true),
    /** Limits of a number item (inclusive); outside them the item fails. */
    min: z.number().finite().nullable().optional(),
    max: z.number().finite().nullable().optional(),
    unit: line(20).nullable().optional(),
    /** A photo must accompany the answer (always for `photo` items; on failure for others when set). */
    photoRequired: z.boolean().optional(),
    /** Hazard category prefilled when this item fails (消防, 治安 …). */
    hazardCategory: z.enum(HAZARD_CATEGORIES).optional(),
    /** Guidance quoted from the seed or standard. */
    hint: paragraph(500).optional(),
  })
  .refine((item) => item.min == null || item.max == null || item.min <= item.max, { message: 'min_above_max' });
export type ChecklistItem = z.infer<typeof checklistItem>;

export const checklistSection = z.strictObject({
  title: line(100),
  items: z.array(checklistItem).min(1).max(100),
});
export type ChecklistSection = z.infer<typeof checklistSection>;

/** The content of one template version: sections of items, item keys unique across the version. */
export const checklistContent = z
  .array(checklistSection)
  .min(1)
  .max(30)
  .refine(
    (sections) => {
      const keys = sections.flatMap((section) => section.items.map((item) => item.key));
      return new Set(keys).size === keys.length;
    },
    { message: 'duplicate_item_key' },
  );
export type ChecklistContent = z.infer<typeof checklistContent>;

export const TEMPLATE_KINDS = [
  'fire_daily',
  'fire_monthly',
  'fire_quarterly',
  'gate',
  'dormitory',
  'laboratory',
  'school_bus',
  'holiday',
  'supervision',
  'patrol',
  'custom',
] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

// Answers are judged in inspection-answers.ts, which the phone imports without zod.
export { type AnswerValue, type ItemResult, judgeAnswer } from './inspection-answers.js';

// ------------------------------------------------------------------------------------------------ schedules

export const FREQUENCIES = ['daily', 'times_per_day', 'weekly', 'monthly', 'quarterly', 'once', 'holiday'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
/** A daily time window in the business time zone; `end` ≤ `start` means it runs past midnight. */
export const timeWindow = z.strictObject({ start: clock, end: clock });
export type TimeWindow = z.infer<typeof timeWindow>;

export const planSchedule = z
  .strictObject({
    frequency: z.enum(FREQUENCIES),
    /** One window for daily/weekly/monthly/quarterly/once/holiday, several for times_per_day. */
    windows: z.array(timeWindow).min(1).max(24),
    /** weekly: ISO weekdays 1 (Mon) … 7 (Sun). */
    weekdays: z.array(z.number().int().min(1).max(7)).max(7).optional(),
    /** monthly / quarterly: day of the month (1–28), in the first month of each quarter for quarterly. */
    dayOfMonth: z.number().int().min(1).max(28).optional(),
    /** First and last day the plan runs (`once`: startsOn only; holiday: the holiday period). */
    startsOn: z.iso.date(),
    endsOn: z.iso.date().nullable().optional(),
  })
  .refine((s) => s.frequency === 'times_per_day' || s.windows.length === 1, { message: 'one_window_only' })
  .refine((s) => s.frequency !== 'weekly' || (s.weekdays?.length ?? 0) > 0, { message: 'weekdays_required' })
  .refine((s) => !['monthly', 'quarterly'].includes(s.frequency) || s.dayOfMonth !== undefined, {
    message: 'day_of_month_required',
  })
  .refine((s) => !s.endsOn || s.endsOn >= s.startsOn, { message: 'ends_before_start' });
export type PlanSchedule = z.infer<typeof planSchedule>;

/** ISO weekday (1 = Monday) of a calendar day `YYYY-MM-DD`. */
export function isoWeekday(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/** Whether the plan has tasks on `day` (`YYYY-MM-DD`). */
export function runsOn(schedule: PlanSchedule, day: string): boolean {
  if (day < schedule.startsOn) return false;
  if (schedule.endsOn && day > schedule.endsOn) return false;
  const dayOfMonth = Number(day.slice(8, 10));
  const month = Number(day.slice(5, 7));
  switch (schedule.frequency) {
    case 'daily':
    case 'times_per_day':
    case 'holiday':
      return true;
    case 'weekly':
      return schedule.weekdays?.includes(isoWeekday(day)) ?? false;
    case 'monthly':
      return dayOfMonth === schedule.dayOfMonth;
    case 'quarterly':
      return dayOfMonth === schedule.dayOfMonth && (month - 1) % 3 === 0;
    case 'once':
      return day === schedule.startsOn;
  }
}

/**
 * The task windows of `day`, as instants: `startOfDay(day)` gives local midnight (the caller supplies the
 * time-zone conversion). A window whose end is not after its start ends the next day.
 */
export function windowsOn(
  schedule: PlanSchedule,
  day: string,
  localMidnight: Date,
): { start: Date; end: Date; index: number }[] {
  if (!runsOn(schedule, day)) return [];
  const minutes = (value: string) => Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
  return schedule.windows.map((window, index) => {
    const start = minutes(window.start);
    let end = minutes(window.end);
    if (end <= start) end += 24 * 60;
    return {
      start: new Date(localMidnight.getTime() + start * 60_000),
      end: new Date(localMidnight.getTime() + end * 60_000),
      index,
    };
  });
}

// ------------------------------------------------------------------------------------------------ tasks

export const TASK_STATES = ['pending', 'done', 'missed'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A task is done in time when its record was completed inside its window. */
export function isInWindow(window: { start: Date; end: Date }, completedAt: Date): boolean {
  return completedAt.getTime() >= window.start.getTime() && completedAt.getTime() <= window.end.getTime();
}

/** Completion rate over tasks that are due (done + missed); pending tasks whose window is open do not count. */
export function completionRate(done: number, missed: number): number | null {
  return done + missed === 0 ? null : done / (done + missed);
}

/**
 * 24-hour patrol coverage: which hours of a day (0–23, local) saw a completed round. A round covers each
 * hour its span touches, from its first to its last scan.
 */
export function coveredHours(rounds: { firstScanHour: number; lastScanHour: number }[]): boolean[] {
  const hours = Array.from({ length: 24 }, () => false);
  for (const round of rounds) {
    for (let hour = round.firstScanHour; hour <= round.lastScanHour && hour < 24; hour++) {
      if (hour >= 0) hours[hour] = true;
    }
  }
  return hours;
}
