import { useCallback, useEffect, useState } from 'react';
import { retryDelay } from '../hazards/offlineQueue';
import { syncTransport } from './api';
import { dayStore, recordStore } from './idb';
import { type DrainResult, drainRecords, type QueuedRecord } from './syncQueue';

/**
 * The one sender of inspection records: on load, when the network returns, after each submit, and on a
 * backoff timer while records wait. One run at a time per tab (a promise) and across tabs (a Web Lock);
 * the clientId makes a double send harmless anyway.
 */
const LOCK = 'safe-campus-inspection-outbox';
const listeners = new Set<() => void>();
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(LOCK);
channel?.addEventListener('message', () => {
  for (const listener of listeners) listener();
});

export function outboxChanged(): void {
  for (const listener of listeners) listener();
  channel?.postMessage('changed');
}

/** Tasks sent from this phone since the list was downloaded (shown done before the next download). */
export const sentTasks = new Set<number>();

let running: Promise<void> | null = null;
let next: Promise<void> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let failedRuns = 0;

async function runOnce(userId: number): Promise<void> {
  clearTimeout(timer);
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return;
  let result: DrainResult | null = null;
  const work = async () => {
    const queued = await recordStore.list();
    result = await drainRecords(recordStore, syncTransport, userId);
    const sent = new Set<number>();
    for (const [clientId, outcome] of result.outcomes) {
      if (outcome.kind !== 'accepted' && outcome.kind !== 'duplicate') continue;
      const record = queued.find((item) => item.clientId === clientId);
      if (record) sent.add(record.taskId);
    }
    for (const taskId of sent) sentTasks.add(taskId);
    if (sent.size > 0) await markDone(userId, sent);
  };
  try {
    if (typeof navigator !== 'undefined' && navigator.locks) {
      await navigator.locks.request(LOCK, { ifAvailable: true }, async (lock) => {
        if (lock) await work();
      });
    } else {
      await work();
    }
  } catch {
    // IndexedDB trouble: the timer tries again.
  }
  const done = result as DrainResult | null;
  if (done && done.outcomes.size > 0) outboxChanged();
  const signedOut = done !== null && [...done.outcomes.values()].some((outcome) => outcome.kind === 'auth');
  const stuck = done === null ? await hasPending(userId) : done.pending > 0;
  if (stuck && !signedOut) {
    timer = setTimeout(() => void sendRecords(userId), retryDelay(failedRuns));
    failedRuns += 1;
  } else {
    failedRuns = 0;
  }
}

/** The saved task lists show sent tasks as done, also after a reload with no network. */
async function markDone(userId: number, taskIds: Set<number>): Promise<void> {
  for (const key of await dayStore.keys()) {
    if (!key.startsWith(`${userId}:`)) continue;
    const saved = await dayStore.get(key);
    if (!saved?.data.tasks.some((task) => taskIds.has(task.id) && task.state !== 'done')) continue;
    const tasks = saved.data.tasks.map((task) => (taskIds.has(task.id) ? { ...task, state: 'done' as const } : task));
    await dayStore.put({ ...saved, data: { ...saved.data, tasks } });
  }
}

async function hasPending(userId: number): Promise<boolean> {
  try {
    return (await recordStore.list()).some((record) => record.userId === userId && record.status === 'pending');
  } catch {
    return false;
  }
}

export function sendRecords(userId: number): Promise<void> {
  if (!running) {
    running = runOnce(userId).finally(() => {
      running = null;
    });
    return running;
  }
  next ??= running.then(() => {
    next = null;
    return sendRecords(userId);
  });
  return next;
}

/** Wires the triggers for the signed-in user; call once in the phone shell. */
export function useRecordSender(userId: number, enabled = true): void {
  useEffect(() => {
    if (!enabled) return;
    const online = () => {
      failedRuns = 0;
      void sendRecords(userId);
    };
    void sendRecords(userId);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      clearTimeout(timer);
    };
  }, [userId, enabled]);
}

/** The user's queued records (pending and failed), newest first, kept current. */
export function useRecordOutbox(userId: number): { records: QueuedRecord[]; reload: () => void } {
  const [records, setRecords] = useState<QueuedRecord[]>([]);
  const reload = useCallback(() => {
    recordStore
      .list()
      .then((all) =>
        setRecords(
          all.filter((record) => record.userId === userId).sort((a, b) => b.completedAt.localeCompare(a.completedAt)),
        ),
      )
      .catch(() => setRecords([]));
  }, [userId]);
  useEffect(() => {
    reload();
    listeners.add(reload);
    return () => {
      listeners.delete(reload);
    };
  }, [reload]);
  return { records, reload };
}

/** Whether the browser thinks it is online, kept current. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => typeof navigator === 'undefined' || navigator.onLine !== false);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine !== false);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}
