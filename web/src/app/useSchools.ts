import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { OrgUnit, Page, SessionUser } from '../api/types';

/** The school the user works in, if the active org is a school or lies inside one. */
export function ownSchoolId(user: SessionUser): number | null {
  const school = user.activeOrg.trail.find((unit) => unit.level === 'school');
  return school ? school.id : null;
}

/** Schools inside the user's scope matching `keyword` (bureau users pick one). */
export function useSchools(keyword: string, enabled: boolean) {
  return useQuery({
    queryKey: ['orgs', 'schools', keyword],
    enabled,
    queryFn: () => api.get<Page<OrgUnit>>('/orgs', { level: 'school', keyword, limit: 50 }),
  });
}
