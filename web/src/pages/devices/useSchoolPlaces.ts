import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page, Place } from '../../api/types';

/** All places of one school (a school has tens to a few hundred), for pickers and filters. */
export function useSchoolPlaces(schoolId: number | null) {
  return useQuery({
    queryKey: ['places', 'all', schoolId],
    enabled: schoolId !== null,
    staleTime: 60_000,
    queryFn: async () => {
      const places: Place[] = [];
      let cursor: string | undefined;
      for (let round = 0; round < 20; round++) {
        const page = await api.get<Page<Place>>('/places', { orgId: schoolId, limit: 200, cursor });
        places.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return places;
    },
  });
}
