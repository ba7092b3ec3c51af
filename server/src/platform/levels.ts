import type { OrgLevel } from '@safe-campus/domain';

/**
 * Rows owned by a school (hazards, alarms, devices, form submissions) also store the ids of the units above it, so a
 * bureau's list or count is one index range on its level's column instead of a path prefix. Departments have no
 * column: they narrow by `org_path`.
 */
export const LEVEL_COLUMN = {
  province: 'province_id',
  city: 'city_id',
  county: 'county_id',
  school: 'school_id',
} as const;

export type LevelColumn = (typeof LEVEL_COLUMN)[keyof typeof LEVEL_COLUMN];
export type ColumnLevel = keyof typeof LEVEL_COLUMN;

/** The unit a list or a statistic is rooted at: the caller's active unit or one inside it. */
export interface UnitRoot {
  id: number;
  level: OrgLevel;
  path: string;
}

/** The level's column, or null for a department (narrowed by path). */
export function levelColumnOf(level: OrgLevel): LevelColumn | null {
  return level === 'department' ? null : LEVEL_COLUMN[level];
}
