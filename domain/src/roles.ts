import { z } from 'zod';
import type { OrgLevel } from './org.js';

export const ROLE_CODES = [
  'system_admin',
  'security_admin',
  'audit_admin',
  'bureau_officer',
  'school_leader',
  'school_security',
  'department_officer',
  'teacher',
  'guard',
  'student_officer',
  'police_liaison',
] as const;
export type RoleCode = (typeof ROLE_CODES)[number];
export const roleCodeSchema = z.enum(ROLE_CODES);

export interface RoleDefinition {
  code: RoleCode;
  /** Levels of the org tree at which this role may be assigned. */
  levels: readonly OrgLevel[];
  /** One of the three separated administrator roles (三员分立). */
  administrator: boolean;
}

const ALL_LEVELS: readonly OrgLevel[] = ['province', 'city', 'county', 'school', 'department'];
const BUREAU_LEVELS: readonly OrgLevel[] = ['province', 'city', 'county'];
const SCHOOL_LEVELS: readonly OrgLevel[] = ['school', 'department'];

export const ROLES: Record<RoleCode, RoleDefinition> = {
  system_admin: { code: 'system_admin', levels: ['province', 'city', 'county', 'school'], administrator: true },
  security_admin: { code: 'security_admin', levels: ['province', 'city', 'county', 'school'], administrator: true },
  audit_admin: { code: 'audit_admin', levels: ['province', 'city', 'county', 'school'], administrator: true },
  bureau_officer: { code: 'bureau_officer', levels: BUREAU_LEVELS, administrator: false },
  school_leader: { code: 'school_leader', levels: ['school'], administrator: false },
  school_security: { code: 'school_security', levels: ['school'], administrator: false },
  department_officer: { code: 'department_officer', levels: ['department'], administrator: false },
  teacher: { code: 'teacher', levels: SCHOOL_LEVELS, administrator: false },
  guard: { code: 'guard', levels: SCHOOL_LEVELS, administrator: false },
  student_officer: { code: 'student_officer', levels: SCHOOL_LEVELS, administrator: false },
  police_liaison: { code: 'police_liaison', levels: ['county', 'school'], administrator: false },
};

export const ADMINISTRATOR_ROLES: readonly RoleCode[] = ROLE_CODES.filter((code) => ROLES[code].administrator);

export function isAdministratorRole(role: RoleCode): boolean {
  return ROLES[role].administrator;
}

export function canAssignRoleAt(role: RoleCode, level: OrgLevel): boolean {
  return ROLES[role].levels.includes(level);
}

export { ALL_LEVELS };
