import type { MyTask } from '@safe-campus/domain';

/** Pure rules of the phone's inspection pages (no browser or HTTP), shared by the pages and the Node tests. */

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
