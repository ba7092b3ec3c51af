import dayjs from 'dayjs';
import type { Query } from '../../api/client';
import type { PickedOrg } from '../../app/OrgPicker';

/** ProTable's search form values → the query of GET /hazards and GET /hazards/export.xlsx. */
export function toLedgerQuery(filters: Record<string, unknown>): Query {
  const range = filters.reportedAt as [unknown, unknown] | undefined;
  const org = filters.org as PickedOrg | null | undefined;
  const text = (key: string) => (filters[key] as string | undefined) || undefined;
  return {
    orgId: org?.id,
    state: text('state'),
    grade: text('grade'),
    category: text('category'),
    riskLevel: text('riskLevel'),
    overdue: text('overdue'),
    supervised: text('supervised'),
    from: range?.[0] ? dayjs(range[0] as string).format('YYYY-MM-DD') : undefined,
    to: range?.[1] ? dayjs(range[1] as string).format('YYYY-MM-DD') : undefined,
    keyword: text('keyword')?.trim() || undefined,
  };
}
