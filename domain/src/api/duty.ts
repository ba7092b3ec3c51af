import { z } from 'zod';
import { DUTY_ROLES } from '../devices.js';
import { id, idParam, isoDateTime, line, pageQuery, paragraph, phone, queryBoolean } from './fields.js';
import { calendarDate } from './hazards.js';

/**
 * Duty rosters (值班表): shifts of a school or a bureau with the people on duty and the leader on duty
 * (领导带班), holiday tables (假期值班表), swaps, handovers (交接班记录), who is on duty now in a subtree and
 * whether each school has a holiday table (seed 003: 学校假期是否有值班表、是否带班).
 *
 * Rules the server applies:
 * - A shift belongs to a school or a bureau (not a department) and is written by that unit only
 *   (duty.manage in its own active org); bureaus read the rosters of their subtree.
 * - 1 h to 24 h long (isValidShift); at least one person; the people are users of that unit (a role
 *   at the unit or at one of its departments).
 * - A holiday shift (kind `holiday`) must have a leader on duty (领导带班): seed 003 asks both whether a
 *   school has a holiday duty table and whether a leader is on it, so a holiday table without one is refused.
 * - One person cannot be on two overlapping shifts (409).
 * - A shift that has started cannot be deleted, one that has ended cannot be changed (409).
 */
export const dutyRoleSchema = z.enum(DUTY_ROLES);
export const SHIFT_KINDS = ['regular', 'holiday'] as const;
export type ShiftKind = (typeof SHIFT_KINDS)[number];
export const shiftKindSchema = z.enum(SHIFT_KINDS);
export const SWAP_STATES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type SwapState = (typeof SWAP_STATES)[number];
export const swapStateSchema = z.enum(SWAP_STATES);

/** The longest period one list, generator or report call covers. */
export const DUTY_MAX_PERIOD_DAYS = 62;

export const dutyPersonInput = z.strictObject({ userId: id, role: dutyRoleSchema });

export const dutyPerson = z.object({
  userId: z.number(),
  name: z.string(),
  role: dutyRoleSchema,
});
export type DutyPerson = z.infer<typeof dutyPerson>;

export const createShiftBody = z.strictObject({
  orgId: id,
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  kind: shiftKindSchema.default('regular'),
  /** 元旦, 春节…: required for holiday shifts. */
  holidayName: line(50).nullish(),
  /** The duty phone (值班电话). */
  phone: phone.nullish(),
  note: paragraph(500).nullish(),
  people: z.array(dutyPersonInput).min(1).max(20),
});
export type CreateShiftBody = z.infer<typeof createShiftBody>;

export const updateShiftBody = z
  .strictObject({
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    kind: shiftKindSchema,
    holidayName: line(50).nullable(),
    phone: phone.nullable(),
    note: paragraph(500).nullable(),
    people: z.array(dutyPersonInput).min(1).max(20),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'empty_update' });
export type UpdateShiftBody = z.infer<typeof updateShiftBody>;

export const dutyShift = z.object({
  id: z.number(),
  orgId: z.number(),
  orgName: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  kind: shiftKindSchema,
  holidayName: z.string().nullable(),
  phone: z.string().nullable(),
  note: z.string().nullable(),
  people: z.array(dutyPerson),
  hasLeader: z.boolean(),
  /** A handover (交接班记录) has been written for it. */
  handedOver: z.boolean(),
});
export type DutyShift = z.infer<typeof dutyShift>;

/** One unit's roster in a period; `to` is inclusive. */
export const listShiftsQuery = z.strictObject({
  orgId: idParam.optional(),
  from: calendarDate,
  to: calendarDate,
});
export type ListShiftsQuery = z.infer<typeof listShiftsQuery>;

export const shiftList = z.object({ items: z.array(dutyShift) });

/** `08:00` */
export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'time_format' });

/**
 * 假期值班表: every day of [from, to] gets one shift per slot of `pattern` (a slot whose end is not after
 * its start ends the next day: 20:00–08:00). Leaders take turns by day (one leader for all slots of a
 * day), people by slot. Written all together or not at all; `dryRun` only previews.
 */
export const generateShiftsBody = z.strictObject({
  orgId: id,
  from: calendarDate,
  to: calendarDate,
  pattern: z
    .array(z.strictObject({ start: clockTime, end: clockTime }))
    .min(1)
    .max(6),
  leaders: z.array(id).max(50).default([]),
  people: z.array(id).min(1).max(100),
  peoplePerShift: z.number().int().min(1).max(10).default(1),
  /** The role of the rota people on each shift. */
  peopleRole: z.enum(['officer', 'guard']).default('officer'),
  kind: shiftKindSchema.default('holiday'),
  holidayName: line(50).nullish(),
  phone: phone.nullish(),
  dryRun: z.boolean().default(false),
});
export type GenerateShiftsBody = z.infer<typeof generateShiftsBody>;

export const generatedShift = z.object({
  startsAt: z.string(),
  endsAt: z.string(),
  people: z.array(dutyPerson),
});

export const generateShiftsResult = z.object({
  dryRun: z.boolean(),
  /** Shifts written (0 in a dry run). */
  created: z.number(),
  shifts: z.array(generatedShift),
});
export type GenerateShiftsResult = z.infer<typeof generateShiftsResult>;

// ------------------------------------------------------------------------------------------------ swaps

export const createSwapBody = z.strictObject({
  shiftId: id,
  /** The colleague who takes the caller's place. */
  toUserId: id,
  reason: paragraph(500).nullish(),
});

export const decideSwapBody = z.strictObject({ note: paragraph(500).nullish() });

export const dutySwap = z.object({
  id: z.number(),
  shiftId: z.number(),
  orgId: z.number(),
  orgName: z.string(),
  shiftStartsAt: z.string(),
  shiftEndsAt: z.string(),
  fromUserId: z.number(),
  fromUserName: z.string(),
  toUserId: z.number(),
  toUserName: z.string(),
  reason: z.string().nullable(),
  state: swapStateSchema,
  decidedByName: z.string().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type DutySwap = z.infer<typeof dutySwap>;

export const listSwapsQuery = z.strictObject({
  orgId: idParam.optional(),
  state: swapStateSchema.optional(),
  ...pageQuery,
});

// ------------------------------------------------------------------------------------------------ handovers

export const handoverBody = z.strictObject({
  summary: paragraph(5000).refine((value) => value.trim().length > 0, { message: 'required' }),
  openIssues: paragraph(5000).nullish(),
  /** A person on the next shift of the same unit. */
  handedTo: id.nullish(),
});

export const dutyHandover = z.object({
  id: z.number(),
  shiftId: z.number(),
  orgId: z.number(),
  orgName: z.string(),
  shiftStartsAt: z.string(),
  shiftEndsAt: z.string(),
  writtenById: z.number(),
  writtenByName: z.string(),
  writtenAt: z.string(),
  summary: z.string(),
  openIssues: z.string().nullable(),
  handedToId: z.number().nullable(),
  handedToName: z.string().nullable(),
});
export type DutyHandover = z.infer<typeof dutyHandover>;

export const listHandoversQuery = z.strictObject({
  orgId: idParam.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  ...pageQuery,
});

/** The people a shift of the unit may have: users holding a role at the unit or at one of its departments. */
export const dutyCandidate = z.object({ userId: z.number(), name: z.string(), roles: z.array(z.string()) });
export const dutyPeopleQuery = z.strictObject({ orgId: idParam.optional() });

// ------------------------------------------------------------------------------------------------ now and coverage

export const dutyNowQuery = z.strictObject({
  orgId: idParam.optional(),
  /** Only units with nobody on duty now. */
  nobody: queryBoolean.optional(),
  ...pageQuery,
});

export const dutyNowUnit = z.object({
  orgId: z.number(),
  orgName: z.string(),
  level: z.string(),
  /** The county (or city) it belongs to, for a long list. */
  parentName: z.string().nullable(),
  people: z.array(dutyPerson),
  leaderNames: z.array(z.string()),
  phone: z.string().nullable(),
  nobody: z.boolean(),
});
export type DutyNowUnit = z.infer<typeof dutyNowUnit>;

export const dutyNowPage = z.object({
  items: z.array(dutyNowUnit),
  nextCursor: z.string().nullable(),
  at: z.string(),
  totals: z.object({ units: z.number(), onDuty: z.number(), nobody: z.number() }),
});
export type DutyNowPage = z.infer<typeof dutyNowPage>;

export const holidayCoverageQuery = z.strictObject({
  orgId: idParam.optional(),
  from: calendarDate,
  to: calendarDate,
  /** Only schools with a gap (a day without a shift or without a leader). */
  gaps: queryBoolean.optional(),
  ...pageQuery,
});

export const holidayCoverageSchool = z.object({
  orgId: z.number(),
  orgName: z.string(),
  parentName: z.string().nullable(),
  /** Days of the period without any shift. */
  uncovered: z.array(z.string()),
  /** Days without a leader on duty (领导带班). */
  withoutLeader: z.array(z.string()),
  /** 有值班表: every day of the period has a shift. */
  hasTable: z.boolean(),
  /** 是否带班: every day has a leader on duty. */
  led: z.boolean(),
});
export type HolidayCoverageSchool = z.infer<typeof holidayCoverageSchool>;

export const holidayCoveragePage = z.object({
  items: z.array(holidayCoverageSchool),
  nextCursor: z.string().nullable(),
  days: z.array(z.string()),
  totals: z.object({
    schools: z.number(),
    withTable: z.number(),
    withoutTable: z.number(),
    withoutLeader: z.number(),
  }),
});
export type HolidayCoveragePage = z.infer<typeof holidayCoveragePage>;

export const shiftExportQuery = z.strictObject({ orgId: idParam.optional(), from: calendarDate, to: calendarDate });
export const coverageExportQuery = z.strictObject({
  orgId: idParam.optional(),
  from: calendarDate,
  to: calendarDate,
  gaps: queryBoolean.optional(),
});
