import type { AlarmDetail, AlarmSummary } from '@safe-campus/domain';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import { postWithKey } from '../hazards/api';

export type { AlarmDetail, AlarmSummary };

export interface HelpRequest {
  locationText?: string;
  latitude?: number | null;
  longitude?: number | null;
  accuracy?: number | null;
  placeId?: number | null;
  description?: string;
}

/** 一键求助: sent with the request's own key, so a retry after a lost answer raises one alarm only. */
export const sendHelp = (body: HelpRequest, key: string) => postWithKey<AlarmDetail>('/alarms/help', body, key);

export const alarmDetail = (id: number) => api.get<AlarmDetail>(`/alarms/${id}`, undefined, { quiet: true });

export const myAlarms = (role: 'dispatched' | 'requested', open?: boolean) =>
  api.get<Page<AlarmSummary>>('/alarms/mine', { role, open, limit: 50 }, { quiet: true });

export const actOnAlarm = (id: number, action: 'arrive' | 'resolve', body: Record<string, unknown>, key: string) =>
  postWithKey<AlarmDetail>(`/alarms/${id}/${action}`, body, key);

export { uuid as newKey } from '../../api/uuid';

/** The browser's position, or null when refused, unavailable or too slow. */
export function locate(timeoutMs = 8000): Promise<{ latitude: number; longitude: number; accuracy: number } | null> {
  if (typeof navigator === 'undefined' || !navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs + 500);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        clearTimeout(timer);
        resolve({
          latitude: Math.round(position.coords.latitude * 1e6) / 1e6,
          longitude: Math.round(position.coords.longitude * 1e6) / 1e6,
          accuracy: Math.round(position.coords.accuracy),
        });
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}
