import type {
  DutyHandover,
  DutyNowPage,
  DutyShift,
  DutySwap,
  GenerateShiftsResult,
  HolidayCoveragePage,
} from '@safe-campus/domain';
import dayjs, { type Dayjs } from 'dayjs';
import { api, download } from '../../api/client';
import type { Page } from '../../api/types';

export type { DutyHandover, DutyNowPage, DutyShift, DutySwap, GenerateShiftsResult, HolidayCoveragePage };

export interface Candidate {
  userId: number;
  name: string;
  roles: string[];
}

export const dutyApi = {
  shifts: (orgId: number, from: string, to: string) =>
    api.get<{ items: DutyShift[] }>('/duty/shifts', { orgId, from, to }),
  people: (orgId: number) => api.get<{ items: Candidate[] }>('/duty/people', { orgId }),
  create: (body: Record<string, unknown>) => api.post<DutyShift>('/duty/shifts', body),
  update: (id: number, body: Record<string, unknown>) => api.patch<DutyShift>(`/duty/shifts/${id}`, body),
  remove: (id: number) => api.delete<null>(`/duty/shifts/${id}`),
  generate: (body: Record<string, unknown>) => api.post<GenerateShiftsResult>('/duty/shifts/generate', body),
  swaps: (orgId: number, state?: string) => api.get<Page<DutySwap>>('/duty/swaps', { orgId, state, limit: 100 }),
  requestSwap: (body: Record<string, unknown>) => api.post<{ id: number }>('/duty/swaps', body),
  decideSwap: (id: number, decision: 'approve' | 'reject' | 'cancel') =>
    api.post<null>(`/duty/swaps/${id}/${decision}`, {}),
  handover: (shiftId: number, body: Record<string, unknown>) =>
    api.post<{ id: number }>(`/duty/shifts/${shiftId}/handover`, body),
  handovers: (orgId: number, cursor?: string) =>
    api.get<Page<DutyHandover>>('/duty/handovers', { orgId, cursor, limit: 50 }),
  now: (query: { orgId?: number; nobody?: boolean; cursor?: string; limit?: number }) =>
    api.get<DutyNowPage>('/duty/now', query),
  coverage: (query: { orgId?: number; from: string; to: string; gaps?: boolean; cursor?: string; limit?: number }) =>
    api.get<HolidayCoveragePage>('/duty/holiday-coverage', query),
  exportRoster: (orgId: number, from: string, to: string, name: string) =>
    download('/duty/shifts/export.xlsx', { orgId, from, to }, `${name}-值班表-${from}至${to}.xlsx`),
  exportCoverage: (orgId: number, from: string, to: string, gaps: boolean, name: string) =>
    download(
      '/duty/holiday-coverage/export.xlsx',
      { orgId, from, to, gaps: gaps || undefined },
      `${name}-假期值班情况.xlsx`,
    ),
};

export const DAY = 'YYYY-MM-DD';
export const fmtDay = (value: Dayjs) => value.format(DAY);
export const hhmm = (iso: string) => dayjs(iso).format('HH:mm');

/** `08:00–20:00` or `20:00–次日08:00`. */
export function span(shift: Pick<DutyShift, 'startsAt' | 'endsAt'>, nextDay: string): string {
  const start = dayjs(shift.startsAt);
  const end = dayjs(shift.endsAt);
  return `${start.format('HH:mm')}–${end.isSame(start, 'day') ? '' : nextDay}${end.format('HH:mm')}`;
}

/** The Monday of the week of `value`. */
export function weekStart(value: Dayjs): Dayjs {
  const weekday = (value.day() + 6) % 7;
  return value.startOf('day').subtract(weekday, 'day');
}

/** The next public holiday the seeds ask about (元旦): the period the generator and the report offer first. */
export const NEXT_HOLIDAY = { name: '元旦', from: '2027-01-01', to: '2027-01-03' };
