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
      return ROLE_CODES.map((code) => ({ ...ROLES[code], levels: [...ROLES[code].levels] }));
    },
  });
}

/** Roles this user may grant at an org of `level`: administrator roles need role.assign_admin (三员分立). */
export function assignableRoles(roles: RoleInfo[], level: OrgLevel | undefined, user: SessionUser): RoleCode[] {
  if (!level) return [];
  return roles
    .filter((role) => role.levels.includes(level))
    .filter((role) =>
      role.administrator ? user.permissions.includes('role.assign_admin') : user.permissions.includes('role.assign'),
    )
    .map((role) => role.code);
}
