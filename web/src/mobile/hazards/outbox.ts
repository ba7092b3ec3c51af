import { useCallback, useEffect, useState } from 'react';
import { httpTransport } from './api';
import { idbStore } from './idbStore';
import { type DrainResult, drainQueue, type QueuedReport, retryDelay } from './offlineQueue';

/**
 * The one sender of the outbox. It runs on page load, when the network comes back (`online`), after each new
 * report, and on a backoff timer while reports wait. One run at a time: per tab by a promise, across tabs by a
 * Web Lock when the browser has them (the Idempotency-Key would make a double send harmless anyway).
 */
export const outboxStore = idbStore();

const LOCK = 'safe-campus-hazard-outbox';
const listeners = new Set<() => void>();
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(LOCK);
channel?.addEventListener('message', () => {
  for (const listener of listeners) listener();
});

/** Tells this tab's views and the other tabs that the outbox changed. */
export function outboxChanged(): void {
  for (const listener of listeners) listener();
  channel?.postMessage('changed');
}

let running: Promise<void> | null = null;
let next: Promise<void> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let failedRuns = 0;

async function runOnce(userId: number): Promise<void> {
  clearTimeout(timer);
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return; // the `online` event brings us back
  let result: DrainResult | null = null;
  const work = async () => {
    result = await drainQueue(outboxStore, httpTransport, userId);
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
    // IndexedDB trouble: try again on the timer.
  }
  const done = result as DrainResult | null;
  if (done && (done.sent > 0 || done.failed > 0 || done.outcomes.size > 0)) outboxChanged();
  const stuck = done === null ? await hasPending(userId) : done.pending > 0;
  const signedOut = done !== null && [...done.outcomes.values()].some((outcome) => outcome.kind === 'auth');
  if (stuck && !signedOut) {
    timer = setTimeout(() => void sendOutbox(userId), retryDelay(failedRuns));
    failedRuns += 1;
  } else {
    failedRuns = 0;
  }
}

async function hasPending(userId: number): Promise<boolean> {
  try {
    return (await outboxStore.list()).some((report) => report.userId === userId && report.status === 'pending');
  } catch {
    return false;
  }
}

/** Starts a run, or one right after the current one; resolves when a run that saw the caller's report is over. */
export function sendOutbox(userId: number): Promise<void> {
  if (!running) {
    running = runOnce(userId).finally(() => {
      running = null;
    });
    return running;
  }
  next ??= running.then(() => {
    next = null;
    return sendOutbox(userId);
  });
  return next;
}

/** Wires the triggers for the signed-in user; call once in the phone shell. */
export function useOutboxSender(userId: number): void {
  useEffect(() => {
    const online = () => {
      failedRuns = 0;
      void sendOutbox(userId);
    };
    void sendOutbox(userId);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      clearTimeout(timer);
    };
  }, [userId]);
}

/** The user's queued reports (pending and failed), newest first, kept current. */
export function useOutbox(userId: number): { reports: QueuedReport[]; reload: () => void } {
  const [reports, setReports] = useState<QueuedReport[]>([]);
  const reload = useCallback(() => {
    outboxStore
      .list()
      .then((all) =>
        setReports(
          all.filter((report) => report.userId === userId).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
        ),
      )
      .catch(() => setReports([]));
  }, [userId]);
  useEffect(() => {
    reload();
    listeners.add(reload);
    return () => {
      listeners.delete(reload);
    };
  }, [reload]);
  return { reports, reload };
}
