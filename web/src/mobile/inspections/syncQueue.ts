/**
 * The phone's outbox for inspection records. A record is stored (with its photos as Blobs) the moment the
 * guard submits it, and sent later: photos first (each uploaded id remembered at once, so a retry never
 * uploads a photo twice), then the records in one sync batch. The record's clientId makes the sync
 * idempotent on the server: a batch replayed after a lost answer comes back `duplicate`, never doubled.
 *
 * Plain logic over a store and a transport, so it runs in Node tests; IndexedDB and HTTP live elsewhere.
 */
import type { SyncRecord, SyncResponse } from '@safe-campus/domain';
import { classify } from '../hazards/offlineQueue';

export type AnswerValue = boolean | number | string | null;

export interface QueuedPhoto {
  blob: Blob;
  /** Set once uploaded; a retry reuses it. */
  fileId: string | null;
}

export interface QueuedAnswer {
  itemKey: string;
  checkpointId: number | null;
  value: AnswerValue;
  note: string;
  photos: QueuedPhoto[];
}

export interface QueuedScan {
  checkpointId: number;
  qr: string;
  scannedAt: string;
}

export interface QueuedRecord {
  /** UUID made on the phone; the server keeps (inspector, clientId) unique. */
  clientId: string;
  /** Whose record: another user signed in on this phone must not send it. */
  userId: number;
  taskId: number;
  templateVersionId: number;
  placeId: number | null;
  startedAt: string;
  completedAt: string;
  note: string;
  answers: QueuedAnswer[];
  scans: QueuedScan[];
  /** Shown in the outbox. */
  title: string;
  subtitle: string | null;
  failedItems: number;
  /** `failed`: the server refused it for good; it stays visible with the reason until retried or discarded. */
  status: 'pending' | 'failed';
  attempts: number;
  error: string | null;
  lastTriedAt: string | null;
}

export interface RecordStore {
  list(): Promise<QueuedRecord[]>;
  put(record: QueuedRecord): Promise<void>;
  remove(clientId: string): Promise<void>;
}

export interface SyncTransport {
  /** POST /files; resolves to the file id. */
  upload(photo: Blob): Promise<string>;
  /** POST /inspections/sync. */
  sync(records: SyncRecord[]): Promise<SyncResponse>;
}

/** The body a queued record is sent with; the same on every attempt. */
export function syncBodyOf(record: QueuedRecord): SyncRecord {
  const body: SyncRecord = {
    clientId: record.clientId,
    taskId: record.taskId,
    templateVersionId: record.templateVersionId,
    startedAt: record.startedAt,
    completedAt: record.completedAt,
    answers: record.answers.map((answer) => {
      const out: SyncRecord['answers'][number] = {
        itemKey: answer.itemKey,
        value: answer.value,
        photoIds: answer.photos.map((photo) => photo.fileId).filter((id): id is string => id !== null),
      };
      if (answer.checkpointId !== null) out.checkpointId = answer.checkpointId;
      const note = answer.note.trim();
      if (note) out.note = note;
      return out;
    }),
    scans: record.scans.map((scan) => ({ ...scan })),
  };
  if (record.placeId !== null) body.placeId = record.placeId;
  const note = record.note.trim();
  if (note) body.note = note;
  return body;
}

export type RecordOutcome =
  | { kind: 'accepted' | 'duplicate'; recordId: number | null; hazardIds: number[] }
  | { kind: 'failed' | 'retry' | 'auth'; message: string };

export interface DrainResult {
  accepted: number;
  duplicate: number;
  failed: number;
  /** Pending records left for this user. */
  pending: number;
  outcomes: Map<string, RecordOutcome>;
}

const BATCH = 50;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Sends the user's pending records, oldest first. Stops at the first network or session problem. */
export async function drainRecords(
  store: RecordStore,
  transport: SyncTransport,
  userId: number,
  now: () => Date = () => new Date(),
): Promise<DrainResult> {
  const result: DrainResult = { accepted: 0, duplicate: 0, failed: 0, pending: 0, outcomes: new Map() };
  const records = (await store.list())
    .filter((record) => record.userId === userId && record.status === 'pending')
    .sort((a, b) => a.completedAt.localeCompare(b.completedAt));
  const stop = (kind: 'retry' | 'auth', message: string, left: QueuedRecord[]) => {
    for (const record of left) result.outcomes.set(record.clientId, { kind, message });
    result.pending += left.length;
    return result;
  };

  // 1. Photos, record by record. A photo the server refuses for good (too large, not an image) fails its record.
  const ready: QueuedRecord[] = [];
  for (const [index, original] of records.entries()) {
    const record: QueuedRecord = {
      ...original,
      answers: original.answers.map((answer) => ({ ...answer, photos: answer.photos.map((photo) => ({ ...photo })) })),
      attempts: original.attempts + 1,
      lastTriedAt: now().toISOString(),
    };
    try {
      for (const answer of record.answers) {
        for (const photo of answer.photos) {
          if (photo.fileId !== null) continue;
          photo.fileId = await transport.upload(photo.blob);
          await store.put(record); // remembered at once: the next failure must not upload it again
        }
      }
      ready.push(record);
    } catch (error) {
      const kind = classify(error);
      const message = messageOf(error);
      if (kind === 'fail') {
        await store.put({ ...record, status: 'failed', error: message });
        result.failed += 1;
        result.outcomes.set(record.clientId, { kind: 'failed', message });
        continue;
      }
      await store.put({ ...record, error: message });
      return stop(kind, message, [record, ...records.slice(index + 1), ...ready]);
    }
  }

  // 2. The records, up to 50 a batch; each gets its own outcome.
  for (let start = 0; start < ready.length; start += BATCH) {
    const batch = ready.slice(start, start + BATCH);
    let response: SyncResponse;
    try {
      response = await transport.sync(batch.map(syncBodyOf));
    } catch (error) {
      const kind = classify(error);
      const message = messageOf(error);
      if (kind === 'fail') {
        // The whole envelope refused (should not happen with bodies made here): keep each visible as failed.
        for (const record of batch) {
          await store.put({ ...record, status: 'failed', error: message });
          result.outcomes.set(record.clientId, { kind: 'failed', message });
        }
        result.failed += batch.length;
        continue;
      }
      for (const record of batch) await store.put({ ...record, error: message });
      return stop(kind, message, ready.slice(start));
    }
    for (const [index, record] of batch.entries()) {
      const outcome = response.results.find((item) => item.index === index && item.clientId === record.clientId);
      if (!outcome) {
        // An answer without this record (a proxy cut it short): send it again on the next run.
        await store.put({ ...record, error: null });
        result.pending += 1;
        continue;
      }
      if (outcome.outcome === 'rejected') {
        const details = outcome.errors.map((item) => [item.itemKey, item.error].filter(Boolean).join(': '));
        const message = [outcome.message ?? outcome.code ?? 'rejected', ...details].join('；');
        await store.put({ ...record, status: 'failed', error: message });
        result.failed += 1;
        result.outcomes.set(record.clientId, { kind: 'failed', message });
        continue;
      }
      await store.remove(record.clientId);
      result[outcome.outcome] += 1;
      result.outcomes.set(record.clientId, {
        kind: outcome.outcome,
        recordId: outcome.recordId,
        hazardIds: outcome.hazardIds,
      });
    }
  }
  return result;
}

/** An in-memory store, for tests and for browsers without IndexedDB. */
export function memoryRecordStore(): RecordStore {
  const records = new Map<string, QueuedRecord>();
  return {
    list: async () => [...records.values()].map((record) => structuredClone(record)),
    put: async (record) => {
      records.set(record.clientId, structuredClone(record));
    },
    remove: async (clientId) => {
      records.delete(clientId);
    },
  };
}
