import type { MyTask, MyTasks, SyncRecord, SyncResponse } from '@safe-campus/domain';
import { api } from '../../api/client';
import { uploadPhoto } from '../hazards/api';
import type { SyncTransport } from './syncQueue';

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

/** How a task looks on the phone now: its server state, or where now stands against its window. */
export type TaskLook = 'done' | 'missed' | 'overdue' | 'open' | 'upcoming' | 'queued' | 'failed';

export function taskLook(task: MyTask, local: 'queued' | 'failed' | 'sent' | undefined, now = Date.now()): TaskLook {
  if (task.state === 'done' || local === 'sent') return 'done';
  if (local === 'queued') return 'queued';
  if (local === 'failed') return 'failed';
  if (task.state === 'missed') return 'missed';
  if (now > new Date(task.windowEnd).getTime()) return 'overdue';
  if (now < new Date(task.windowStart).getTime()) return 'upcoming';
  return 'open';
}

/**
 * What a scanned string means for this route, decided offline: the checkpoint it opens, or why it is refused.
 * Labels carry `SCQ1.<checkpointId>.<hmac>`; the phone knows the exact strings of its route's labels, so a code
 * from another route or school (unknown id) and a forged or re-printed one (id known, signature different)
 * are told apart.
 */
export type ScanVerdict =
  | { ok: true; checkpointId: number }
  | { ok: false; reason: 'not_checkpoint' | 'other_route' | 'forged' | 'already' };

export function judgeScan(
  raw: string,
  checkpoints: { id: number; qr: string }[],
  scanned: ReadonlySet<number>,
): ScanVerdict {
  const text = raw.trim();
  const match = /^SCQ1\.(\d{1,10})\.([0-9a-f]{16})$/.exec(text);
  if (!match) return { ok: false, reason: 'not_checkpoint' };
  const checkpoint = checkpoints.find((item) => item.id === Number(match[1]));
  if (!checkpoint) return { ok: false, reason: 'other_route' };
  if (checkpoint.qr !== text) return { ok: false, reason: 'forged' };
  if (scanned.has(checkpoint.id)) return { ok: false, reason: 'already' };
  return { ok: true, checkpointId: checkpoint.id };
}
