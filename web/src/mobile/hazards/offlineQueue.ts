/**
 * The phone's outbox for hazard reports. A report is stored first and sent second, so a report made in a
 * basement without signal is not lost. Each report carries a client UUID sent as `Idempotency-Key`: a retry
 * after a lost answer gets the first answer back instead of creating a second hazard. Uploaded photo ids are
 * stored as they arrive, so a retry neither uploads a photo twice nor changes the body the key was first used with.
 *
 * Everything here is plain logic over two small interfaces (a store and a transport) so it runs in Node tests;
 * the IndexedDB store and the HTTP transport live in their own files.
 */

/** The report as typed on the phone; `orgId` is the school or department it is reported into. */
export interface ReportDraft {
  orgId: number;
  title: string;
  category: string;
  placeId: number | null;
  /** Shown in the outbox; the server takes the id. */
  placeName: string | null;
  description: string;
}

export interface QueuedPhoto {
  blob: Blob;
  /** Set once uploaded; a retry reuses it. */
  fileId: string | null;
}

export interface QueuedReport {
  /** Client-made UUID, also the Idempotency-Key. */
  id: string;
  /** Whose report: the key is scoped to the user on the server, and another user on this phone must not send it. */
  userId: number;
  /** When it was found (made on the phone), sent as `foundAt`. */
  createdAt: string;
  draft: ReportDraft;
  photos: QueuedPhoto[];
  /** `failed`: the server refused it for good (4xx); it waits for the user to fix or discard it. */
  status: 'pending' | 'failed';
  attempts: number;
  /** The server's message for a failed report, or the last network problem for a pending one. */
  error: string | null;
  lastTriedAt: string | null;
}

export interface QueueStore {
  list(): Promise<QueuedReport[]>;
  put(report: QueuedReport): Promise<void>;
  remove(id: string): Promise<void>;
}

/** A refusal from the server or the network, in the shape the queue needs to decide what to do. */
export interface SendError {
  /** HTTP status; 0 when the server could not be reached. */
  status: number;
  message: string;
}

export interface ReportTransport {
  /** POST /files; resolves to the file id. */
  upload(photo: Blob): Promise<string>;
  /** POST /hazards with `Idempotency-Key: key`; resolves to the new hazard's id. */
  create(body: CreateBody, key: string): Promise<number>;
}

export interface CreateBody {
  orgId: number;
  title: string;
  category: string;
  placeId?: number | null;
  description?: string;
  photoIds?: string[];
  foundAt: string;
}

/**
 * What to do after a failure: `retry` later (no network, server trouble, rate limit), `auth` (the session is
 * gone: keep it and wait for a sign-in), or `fail` (the server will never accept this body).
 */
export function classify(error: unknown): 'retry' | 'auth' | 'fail' {
  const status = statusOf(error);
  if (status === 0 || status >= 500 || status === 408 || status === 429) return 'retry';
  if (status === 401) return 'auth';
  return 'fail';
}

function statusOf(error: unknown): number {
  if (error && typeof error === 'object' && 'status' in error && typeof error.status === 'number') return error.status;
  // A TypeError from fetch, an aborted body…: treat as the network.
  return 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The body a queued report is sent with; the same on every attempt. */
export function createBodyOf(report: QueuedReport): CreateBody {
  const { draft } = report;
  const body: CreateBody = {
    orgId: draft.orgId,
    title: draft.title.trim(),
    category: draft.category,
    foundAt: report.createdAt,
  };
  if (draft.placeId !== null) body.placeId = draft.placeId;
  const description = draft.description.trim();
  if (description) body.description = description;
  const photoIds = report.photos.map((photo) => photo.fileId).filter((id): id is string => id !== null);
  if (photoIds.length > 0) body.photoIds = photoIds;
  return body;
}

export function newReport(userId: number, draft: ReportDraft, photos: Blob[], now: Date, id: string): QueuedReport {
  return {
    id,
    userId,
    createdAt: now.toISOString(),
    draft,
    photos: photos.map((blob) => ({ blob, fileId: null })),
    status: 'pending',
    attempts: 0,
    error: null,
    lastTriedAt: null,
  };
}

export type SendOutcome = { kind: 'sent'; hazardId: number } | { kind: 'retry' | 'auth' | 'failed'; message: string };

/** Sends one report: photos not yet uploaded, then the hazard. Updates or removes it in the store. */
export async function sendReport(
  report: QueuedReport,
  store: QueueStore,
  transport: ReportTransport,
  now: () => Date = () => new Date(),
): Promise<SendOutcome> {
  const current: QueuedReport = {
    ...report,
    photos: report.photos.map((photo) => ({ ...photo })),
    attempts: report.attempts + 1,
    lastTriedAt: now().toISOString(),
  };
  try {
    for (const photo of current.photos) {
      if (photo.fileId !== null) continue;
      photo.fileId = await transport.upload(photo.blob);
      // Remember each upload at once: a failure on the next photo must not upload this one again.
      await store.put(current);
    }
    const hazardId = await transport.create(createBodyOf(current), current.id);
    await store.remove(current.id);
    return { kind: 'sent', hazardId };
  } catch (error) {
    const kind = classify(error);
    const message = messageOf(error);
    if (kind === 'fail') {
      await store.put({ ...current, status: 'failed', error: message });
      return { kind: 'failed', message };
    }
    await store.put({ ...current, error: message });
    return { kind, message };
  }
}

export interface DrainResult {
  sent: number;
  failed: number;
  /** Pending reports left for this user (network or session trouble stopped the run). */
  pending: number;
  /** What happened to each report tried, by id. */
  outcomes: Map<string, SendOutcome>;
}

/**
 * Sends the user's pending reports, oldest first. Stops at the first network or session problem (the next
 * report would meet the same), so a dead network costs one request per run, not one per report.
 */
export async function drainQueue(
  store: QueueStore,
  transport: ReportTransport,
  userId: number,
  now: () => Date = () => new Date(),
): Promise<DrainResult> {
  const result: DrainResult = { sent: 0, failed: 0, pending: 0, outcomes: new Map() };
  const reports = (await store.list())
    .filter((report) => report.userId === userId && report.status === 'pending')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  let stopped = false;
  for (const report of reports) {
    if (stopped) {
      result.pending += 1;
      continue;
    }
    const outcome = await sendReport(report, store, transport, now);
    result.outcomes.set(report.id, outcome);
    if (outcome.kind === 'sent') result.sent += 1;
    else if (outcome.kind === 'failed') result.failed += 1;
    else {
      result.pending += 1;
      stopped = true;
    }
  }
  return result;
}

/** Wait before the next automatic attempt: 5 s, 10 s, 20 s… up to 5 minutes. */
export function retryDelay(failedRuns: number): number {
  return Math.min(5_000 * 2 ** Math.max(failedRuns, 0), 300_000);
}

/** An in-memory store, for tests and for browsers without IndexedDB (private mode in old Safari). */
export function memoryStore(): QueueStore {
  const reports = new Map<string, QueuedReport>();
  return {
    list: async () => [...reports.values()].map((report) => structuredClone(report)),
    put: async (report) => {
      reports.set(report.id, structuredClone(report));
    },
    remove: async (id) => {
      reports.delete(id);
    },
  };
}
