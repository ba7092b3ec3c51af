import type { ChecklistItem } from './inspections.js';

/**
 * Judging one checklist answer, apart from the zod schemas: the offline patrol page imports this file
 * alone (`@safe-campus/domain/inspection-answers`), so its bundle does not carry zod.
 */

export type AnswerValue = boolean | number | string | null;

export interface ItemResult {
  /** Whether the answer satisfies the item (text and photo items pass when given). */
  passed: boolean;
  /** Why the answer itself is not acceptable (missing, wrong type, photo missing). */
  error: 'answer_missing' | 'answer_type' | 'photo_missing' | null;
}

/** Judges one answer against its item. */
export function judgeAnswer(item: ChecklistItem, value: AnswerValue, photoCount: number): ItemResult {
  const missing = value === null || value === undefined || value === '';
  if (missing && item.type !== 'photo') {
    return item.required === false ? { passed: true, error: null } : { passed: false, error: 'answer_missing' };
  }
  switch (item.type) {
    case 'pass_fail': {
      if (typeof value !== 'boolean') return { passed: false, error: 'answer_type' };
      if (!value && item.photoRequired && photoCount === 0) return { passed: false, error: 'photo_missing' };
      return { passed: value, error: null };
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { passed: false, error: 'answer_type' };
      const inside = (item.min == null || value >= item.min) && (item.max == null || value <= item.max);
      if (!inside && item.photoRequired && photoCount === 0) return { passed: false, error: 'photo_missing' };
      return { passed: inside, error: null };
    }
    case 'text':
      return typeof value === 'string' ? { passed: true, error: null } : { passed: false, error: 'answer_type' };
    case 'photo':
      return photoCount > 0 ? { passed: true, error: null } : { passed: false, error: 'photo_missing' };
  }
}
