import type { MyTask, MyTasks, SyncRecord, SyncResponse } from '@safe-campus/domain';
import { api } from '../../api/client';
import { uploadPhoto } from '../hazards/api';
import type { SyncTransport } from './syncQueue';

export { judgeScan, type ScanVerdict, type TaskLook, taskLook } from './rules';

export type { MyTask, MyTasks };

export function fetchMyTasks(day: string): Promise<MyTasks> {
  return api.get<MyTasks>('/inspections/tasks/mine', { day }, { quiet: true });
}

export const syncTransport: SyncTransport = {
  upload: uploadPhoto,
  sync: (records: SyncRecord[]) => api.post<SyncResponse>('/inspections/sync', { records }, { quiet: true }),
};

/** Today in the business time zone (China has one, no daylight saving), as the server counts days. */
export function today(now = new Date()): string {
  const shifted = new Date(now.getTime() + 8 * 3600_000);
  return shifted.toISOString().slice(0, 10);
}

export function clock(value: string): string {
  const date = new Date(value);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}
