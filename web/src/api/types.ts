/** API shapes, inferred from the zod schemas the server validates with. Types only: no zod in the phone bundle. */
import type {
  auditEntry,
  auditVerification,
  importRowError,
  loginResponse,
  orgUnit,
  place,
  roleAssignment,
  sessionUser,
  totpEnrolment,
  user,
} from '@safe-campus/domain';
import type { z } from 'zod';

export type SessionUser = z.infer<typeof sessionUser>;
export type LoginResponse = z.infer<typeof loginResponse>;
export type TotpEnrolment = z.infer<typeof totpEnrolment>;
export type OrgUnit = z.infer<typeof orgUnit>;
export type Place = z.infer<typeof place>;
export type User = z.infer<typeof user>;
export type RoleAssignment = z.infer<typeof roleAssignment>;
export type AuditEntry = z.infer<typeof auditEntry>;
export type AuditVerification = z.infer<typeof auditVerification>;
export type ImportRowError = z.infer<typeof importRowError>;
export type { OrgLevel, Permission, PlaceKind, RoleCode, SchoolType } from '@safe-campus/domain';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Notification {
  id: number;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage extends Page<Notification> {
  unreadCount: number;
}

/** A role catalogue entry (GET /roles); `assignable` says whether the caller may grant it. */
export interface RoleInfo {
  code: import('@safe-campus/domain').RoleCode;
  levels: import('@safe-campus/domain').OrgLevel[];
  administrator: boolean;
  assignable?: boolean;
}
