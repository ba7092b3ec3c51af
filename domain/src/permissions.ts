import type { RoleCode } from './roles.js';
import { ROLE_CODES } from './roles.js';

/**
 * Every permission the platform knows, in one table. Routes declare one of these;
 * the authorization matrix test checks every route against this table.
 */
export const PERMISSIONS = [
  // organisation & people
  'org.read',
  'org.manage',
  'place.read',
  'place.manage',
  'user.read',
  'user.manage',
  'role.assign',
  'role.assign_admin',
  'account.unlock',
  'audit.read',
  // shared platform
  'file.upload',
  'notification.read',
  'stream.subscribe',
  // hazards
  'hazard.read',
  'hazard.report',
  'hazard.confirm',
  'hazard.assign',
  'hazard.rectify',
  'hazard.verify',
  'hazard.supervise',
  'hazard.reopen',
  'hazard.export',
  // inspections & patrols
  'inspection.read',
  'inspection.manage',
  'inspection.execute',
  // devices, alarms, duty
  'device.read',
  'device.manage',
  'alarm.read',
  'alarm.handle',
  'alarm.help_request',
  'duty.read',
  'duty.manage',
  // reports & notices
  'report.read',
  'report.issue',
  'report.fill',
  'report.sign',
  'report.cosign',
  'report.review',
  'notice.read',
  'notice.publish',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions every signed-in user has, whatever the role. */
const BASE: Permission[] = ['file.upload', 'notification.read', 'stream.subscribe', 'org.read'];

const SCHOOL_READ: Permission[] = [
  'place.read',
  'hazard.read',
  'inspection.read',
  'device.read',
  'alarm.read',
  'duty.read',
  'report.read',
  'notice.read',
];

export const ROLE_PERMISSIONS: Record<RoleCode, readonly Permission[]> = {
  // 三员分立: the system administrator runs org and people but cannot grant administrator roles or read the audit log.
  system_admin: [...BASE, 'place.read', 'place.manage', 'org.manage', 'user.read', 'user.manage', 'role.assign'],
  security_admin: [...BASE, 'user.read', 'role.assign', 'role.assign_admin', 'account.unlock'],
  audit_admin: [...BASE, 'audit.read'],
  bureau_officer: [
    ...BASE,
    ...SCHOOL_READ,
    'user.read',
    'hazard.report',
    'hazard.supervise',
    'hazard.verify',
    'hazard.export',
    'inspection.manage',
    'inspection.execute',
    'duty.manage',
    'report.issue',
    'report.review',
    'notice.publish',
  ],
  school_leader: [
    ...BASE,
    ...SCHOOL_READ,
    'user.read',
    'hazard.report',
    'hazard.confirm',
    'hazard.assign',
    'hazard.verify',
    'hazard.reopen',
    'hazard.export',
    'inspection.execute',
    'alarm.handle',
    'duty.manage',
    'report.fill',
    'report.sign',
    'notice.publish',
  ],
  school_security: [
    ...BASE,
    ...SCHOOL_READ,
    'user.read',
    'place.manage',
    'hazard.report',
    'hazard.confirm',
    'hazard.assign',
    'hazard.rectify',
    'hazard.verify',
    'hazard.reopen',
    'hazard.export',
    'inspection.manage',
    'inspection.execute',
    'device.manage',
    'alarm.handle',
    'alarm.help_request',
    'duty.manage',
    'report.fill',
    'notice.publish',
  ],
  department_officer: [
    ...BASE,
    'place.read',
    'hazard.read',
    'hazard.report',
    'hazard.rectify',
    'inspection.read',
    'inspection.execute',
    'notice.read',
    'alarm.help_request',
    'duty.read',
  ],
  teacher: [...BASE, 'place.read', 'hazard.report', 'hazard.rectify', 'notice.read', 'alarm.help_request'],
  guard: [
    ...BASE,
    'place.read',
    'hazard.report',
    'hazard.rectify',
    'inspection.read',
    'inspection.execute',
    'alarm.read',
    'alarm.handle',
    'alarm.help_request',
    'duty.read',
    'notice.read',
  ],
  student_officer: [...BASE, 'place.read', 'hazard.report', 'notice.read', 'alarm.help_request'],
  police_liaison: [...BASE, ...SCHOOL_READ, 'report.cosign'],
};

export function permissionsOf(roles: Iterable<RoleCode>): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) for (const permission of ROLE_PERMISSIONS[role]) granted.add(permission);
  return granted;
}

export function roleHasPermission(role: RoleCode, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** Route access markers that are not permissions: open to anyone, or to any signed-in user. */
export type RouteAccess = Permission | 'public' | 'authenticated';

export { ROLE_CODES };
