import type { AlarmCounts, AlarmDetail, AlarmSummary, CommandOverview } from '@safe-campus/domain';
import { api } from '../../api/client';
import type { Page } from '../../api/types';

export type { AlarmCounts, AlarmDetail, AlarmSummary, CommandOverview };

export interface Responder {
  id: number;
  name: string;
  role: string;
  onDuty: boolean;
}

export const alarmApi = {
  overview: (orgId?: number) => api.get<CommandOverview>('/command/overview', { orgId }, { quiet: true }),
  detail: (id: number) => api.get<AlarmDetail>(`/alarms/${id}`),
  responders: (orgId: number) => api.get<{ items: Responder[] }>('/alarms/responders', { orgId }),
  act: (id: number, action: string, body: Record<string, unknown>) =>
    api.post<AlarmDetail>(`/alarms/${id}/${action}`, body),
  create: (body: Record<string, unknown>) => api.post<AlarmDetail>('/alarms', body),
  mine: (role: 'dispatched' | 'requested', open?: boolean) =>
    api.get<Page<AlarmSummary>>('/alarms/mine', { role, open, limit: 50 }, { quiet: true }),
};

/** Seconds since an ISO instant at `now`. */
export function secondsSince(at: string | null, now: number): number {
  return at ? Math.max(0, Math.floor((now - new Date(at).getTime()) / 1000)) : 0;
}

export function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * SLA level of an open alarm: waiting for acknowledgement counts against the acknowledge limit, waiting
 * for arrival against the arrival limit. ok < 50 % < warn < 100 % ≤ late.
 */
export function slaLevel(
  alarm: Pick<AlarmSummary, 'state' | 'raisedAt' | 'dispatchedAt' | 'escalatedAt'>,
  now: number,
  limits: { acknowledgeSeconds: number; arriveSeconds: number },
): { seconds: number; level: 'ok' | 'warn' | 'late' } {
  const waitingArrival = alarm.state === 'dispatched';
  const seconds = secondsSince(waitingArrival ? alarm.dispatchedAt : alarm.raisedAt, now);
  if (alarm.state === 'new' || waitingArrival) {
    const limit = waitingArrival ? limits.arriveSeconds : limits.acknowledgeSeconds;
    if (alarm.escalatedAt || seconds >= limit) return { seconds, level: 'late' };
    return { seconds, level: seconds >= limit / 2 ? 'warn' : 'ok' };
  }
  return { seconds, level: 'ok' };
}
