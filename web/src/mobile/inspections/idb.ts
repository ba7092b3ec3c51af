/**
 * The phone's inspection data in IndexedDB (its own database, so the hazard outbox's schema is left alone):
 * - `outbox`: completed records waiting to be sent (photos as Blobs), keyed by clientId;
 * - `days`: the last downloaded task list per user and day (templates and checkpoints included), so the
 *   list, the checklists and the QR check work offline all day;
 * - `drafts`: a task in progress (answers, photos, scans), so a reload or a closed tab loses nothing.
 */
import type { MyTasks } from '@safe-campus/domain';
import { memoryRecordStore, type QueuedRecord, type RecordStore } from './syncQueue';

const DB_NAME = 'safe-campus-inspections';
const STORES = ['outbox', 'days', 'drafts'] as const;
type StoreName = (typeof STORES)[number];

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('outbox', { keyPath: 'clientId' });
      request.result.createObjectStore('days', { keyPath: 'key' });
      request.result.createObjectStore('drafts', { keyPath: 'key' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch((error) => {
    opening = null;
    throw error;
  });
  return opening;
}

async function run<T>(
  name: StoreName,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  const transaction = db.transaction(name, mode);
  const result = promised(work(transaction.objectStore(name)));
  await new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result;
}

const hasIdb = typeof indexedDB !== 'undefined';
const memory = new Map<string, unknown>();

function keyed<T extends { key: string }>(name: StoreName) {
  return {
    get: async (key: string): Promise<T | undefined> =>
      hasIdb
        ? run<T | undefined>(name, 'readonly', (store) => store.get(key) as IDBRequest<T | undefined>)
        : (memory.get(`${name}:${key}`) as T | undefined),
    put: async (value: T): Promise<void> => {
      if (hasIdb) await run(name, 'readwrite', (store) => store.put(value));
      else memory.set(`${name}:${value.key}`, value);
    },
    remove: async (key: string): Promise<void> => {
      if (hasIdb) await run(name, 'readwrite', (store) => store.delete(key));
      else memory.delete(`${name}:${key}`);
    },
    keys: async (): Promise<string[]> =>
      hasIdb
        ? (await run<IDBValidKey[]>(name, 'readonly', (store) => store.getAllKeys())).map(String)
        : [...memory.keys()].filter((key) => key.startsWith(`${name}:`)).map((key) => key.slice(name.length + 1)),
  };
}

export const recordStore: RecordStore = hasIdb
  ? {
      list: () => run<QueuedRecord[]>('outbox', 'readonly', (store) => store.getAll() as IDBRequest<QueuedRecord[]>),
      put: async (record) => {
        await run('outbox', 'readwrite', (store) => store.put(record));
      },
      remove: async (clientId) => {
        await run('outbox', 'readwrite', (store) => store.delete(clientId));
      },
    }
  : memoryRecordStore();

export interface SavedDay {
  key: string;
  userId: number;
  day: string;
  /** When this phone downloaded it. */
  savedAt: string;
  data: MyTasks;
}

export const dayStore = keyed<SavedDay>('days');

export const dayKey = (userId: number, day: string) => `${userId}:${day}`;

/** Keeps the last three days per phone: yesterday's night patrol can still be finished and sent. */
export async function pruneDays(keep = 3): Promise<void> {
  const keys = (await dayStore.keys()).sort((a, b) => a.split(':')[1]!.localeCompare(b.split(':')[1]!));
  for (const key of keys.slice(0, Math.max(0, keys.length - keep * 2))) await dayStore.remove(key);
}

export interface Draft {
  key: string;
  clientId: string;
  startedAt: string;
  answers: Record<string, { value: import('./syncQueue').AnswerValue; note: string; photos: Blob[] }>;
  scans: import('./syncQueue').QueuedScan[];
  note: string;
}

export const draftStore = keyed<Draft>('drafts');

export const draftKey = (userId: number, taskId: number) => `${userId}:${taskId}`;
