import { ROLE_CODES, ROLES } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { OrgLevel, RoleCode, RoleInfo, SessionUser } from '../api/types';

/** Role definitions from GET /roles; the domain table is the same data if the route answers oddly. */
export function useRoles() {
  return useQuery({
    queryKey: ['roles'],
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async (): Promise<RoleInfo[]> => {
      try {
        const response = await api.get<RoleInfo[] | { items: RoleInfo[] }>('/roles', undefined, { quiet: true });
        const items = Array.isArray(response) ? response : response.items;
        if (
          Array.isArray(items) &&
          items.every((item) => typeof item.code === 'string' && Array.isArray(item.levels))
        ) {
          return items;
        }
      } catch {
        // Fall through to the domain table.
      }
      return ROLE_CODES.map((code) => ({
        code,
        levels: [...ROLES[code].levels],
        administrator: ROLES[code].administrator,
      }));
    },
  });
}

/** Whether the user may grant or revoke a role: administrator roles need role.assign_admin (三员分立). */
export function mayGrant(role: RoleInfo, user: SessionUser): boolean {
  if (role.assignable !== undefined) return role.assignable;
  return role.administrator ? user.permissions.includes('role.assign_admin') : user.permissions.includes('role.assign');
}

/** Roles this user may grant at an org of `level`. */
export function assignableRoles(roles: RoleInfo[], level: OrgLevel | undefined, user: SessionUser): RoleCode[] {
  if (!level) return [];
  return roles.filter((role) => role.levels.includes(level) && mayGrant(role, user)).map((role) => role.code);
}
