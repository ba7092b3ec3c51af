import { z } from 'zod';
import { idParam } from './fields.js';

/**
 * Guards (保安员) of a school, for the seed 003 form (保安员人数 / 持证上岗人数 / 超龄保安员人数). A guard is a user
 * with the `guard` role at the school; the platform keeps only what the form needs beyond that: whether they hold a
 * licence (the number optional, encrypted, masked), and the year of birth (no full birth date, no ID number).
 */

/** Over-age is counted by year of birth only: age in a year = that year − year of birth. */
export function guardAge(birthYear: number, year: number): number {
  return year - birthYear;
}

export function isOverAge(birthYear: number | null, year: number, maxAge: number): boolean {
  return birthYear !== null && guardAge(birthYear, year) > maxAge;
}

/** A licence number shown masked: its last 4 characters. */
export function maskLicence(licence: string | null | undefined): string | null {
  if (!licence) return null;
  return licence.length <= 4 ? '****' : `****${licence.slice(-4)}`;
}

/** Youngest age at which a person may be registered as a guard (the form counts adults). */
export const GUARD_MIN_AGE = 16;

export const LICENCE_PATTERN = /^[A-Za-z0-9-]{4,30}$/;

export const guardsQuery = z.strictObject({ orgId: idParam });

export const guardItem = z.object({
  userId: z.number(),
  name: z.string(),
  username: z.string(),
  orgName: z.string(),
  /** Has a profile been entered (otherwise counted as unlicensed, age unknown). */
  profiled: z.boolean(),
  licensed: z.boolean(),
  /** Masked: `****1234`. */
  licenceNo: z.string().nullable(),
  birthYear: z.number().nullable(),
  /** Age this year (by year of birth). */
  age: z.number().nullable(),
  overAge: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type GuardItem = z.infer<typeof guardItem>;

export const guardList = z.object({
  items: z.array(guardItem),
  /** GUARD_MAX_AGE: older than this is over-age. */
  maxAge: z.number(),
  year: z.number(),
  totals: z.object({ guards: z.number(), licensed: z.number(), overAge: z.number(), unprofiled: z.number() }),
});
export type GuardList = z.infer<typeof guardList>;

export const guardProfileBody = z.strictObject({
  licensed: z.boolean(),
  /** Omitted: unchanged; null: removed. Letters, digits and hyphens. */
  licenceNo: z.string().trim().regex(LICENCE_PATTERN, { message: 'licence_format' }).nullable().optional(),
  birthYear: z.number().int().min(1900).max(2100).nullable(),
});
export type GuardProfileBody = z.infer<typeof guardProfileBody>;
