import type { OrgLevel, Permission, RoleCode } from '@safe-campus/domain';

export type Pending = 'none' | 'totp' | 'password_change' | 'totp_enrolment';

/** Who is calling, at which org, with what permissions. Attached to every authenticated request. */
export interface AuthContext {
  sessionId: string;
  csrfToken: string;
  userId: number;
  username: string;
  displayName: string;
  demo: boolean;
  activeOrg: { id: number; name: string; level: OrgLevel; path: string };
  roles: RoleCode[];
  permissions: Set<Permission>;
  /** Materialised path of the active org: every read is limited to this subtree. */
  scopePath: string;
  pending: Pending;
}

export function can(auth: AuthContext, permission: Permission): boolean {
  return auth.permissions.has(permission);
}
