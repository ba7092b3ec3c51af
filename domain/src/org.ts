import { z } from 'zod';

/** The five levels of the organisation tree, top to bottom. */
export const ORG_LEVELS = ['province', 'city', 'county', 'school', 'department'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];
export const orgLevelSchema = z.enum(ORG_LEVELS);

export const SCHOOL_TYPES = ['university', 'vocational', 'secondary', 'primary', 'kindergarten'] as const;
export type SchoolType = (typeof SCHOOL_TYPES)[number];
export const schoolTypeSchema = z.enum(SCHOOL_TYPES);

export const PLACE_KINDS = ['building', 'floor', 'room', 'gate', 'key_part', 'area'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];
export const placeKindSchema = z.enum(PLACE_KINDS);

export function levelRank(level: OrgLevel): number {
  return ORG_LEVELS.indexOf(level);
}

/** Which level a child of `parent` must have. Departments may nest (a college's offices). */
export function allowedChildLevels(parent: OrgLevel | null): OrgLevel[] {
  switch (parent) {
    case null:
      return ['province'];
    case 'province':
      return ['city'];
    case 'city':
      return ['county'];
    case 'county':
      return ['school'];
    case 'school':
      return ['department'];
    case 'department':
      return ['department'];
  }
}

export function canBeChildOf(child: OrgLevel, parent: OrgLevel | null): boolean {
  return allowedChildLevels(parent).includes(child);
}

/** Materialised path of a unit: its ancestors' ids and its own, `/1/12/305/`. */
export function childPath(parentPath: string | null, id: number | string): string {
  return `${parentPath ?? '/'}${id}/`;
}

/** True when `path` lies in the subtree rooted at `scopePath` (itself included). */
export function isWithin(path: string, scopePath: string): boolean {
  return path.startsWith(scopePath);
}

/** Ids of a path from the root down, `/1/12/305/` → [1, 12, 305]. */
export function pathIds(path: string): number[] {
  return path
    .split('/')
    .filter((part) => part !== '')
    .map(Number);
}

/** The school a path lies in, if any: the id at the school level (depth 4). */
export function schoolIdOfPath(path: string): number | null {
  const ids = pathIds(path);
  return ids.length >= 4 ? (ids[3] ?? null) : null;
}
