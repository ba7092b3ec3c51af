import { memoryStore, type QueuedReport, type QueueStore } from './offlineQueue';

const DB_NAME = 'safe-campus-phone';
const STORE = 'hazard-outbox';

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
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch((error) => {
    opening = null;
    throw error;
  });
  return opening;
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  const transaction = db.transaction(STORE, mode);
  const result = promised(work(transaction.objectStore(STORE)));
  await new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result;
}

/** The outbox in IndexedDB (photos stored as Blobs); an in-memory one where IndexedDB is missing. */
export function idbStore(): QueueStore {
  if (typeof indexedDB === 'undefined') return memoryStore();
  return {
    list: () => run<QueuedReport[]>('readonly', (store) => store.getAll() as IDBRequest<QueuedReport[]>),
    put: async (report) => {
      await run('readwrite', (store) => store.put(report));
    },
    remove: async (id) => {
      await run('readwrite', (store) => store.delete(id));
    },
  };
}
