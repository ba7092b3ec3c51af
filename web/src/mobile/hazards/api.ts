import type { HazardCategory, HazardDetail, HazardState, HazardSummary } from '@safe-campus/domain';
import { ApiError, api } from '../../api/client';
import type { LoginResponse, Page, SessionUser } from '../../api/types';
import { i18n } from '../../i18n';
import type { ReportTransport } from './offlineQueue';

export type { HazardDetail, HazardState, HazardSummary };
export type HazardPage = Page<HazardSummary>;

/** The nine categories of the seed documents, in their order; a local copy keeps zod out of the phone bundle. */
export const CATEGORIES = [
  'fire',
  'public_order',
  'traffic',
  'food',
  'building',
  'hazardous_chemicals',
  'special_equipment',
  'surroundings',
  'other',
] as const satisfies readonly HazardCategory[];

/** The school whose places a report may name: the active org, or the school above a department. */
export function schoolOf(user: SessionUser): { id: number; name: string } | null {
  const { activeOrg } = user;
  if (activeOrg.level === 'school') return { id: activeOrg.id, name: activeOrg.name };
  if (activeOrg.level !== 'department') return null;
  const school = activeOrg.trail.find((unit) => unit.level === 'school');
  return school ? { id: school.id, name: school.name } : null;
}

export function photoUrl(photo: { id: string; hasThumbnail: boolean }, thumbnail = true): string {
  return thumbnail && photo.hasThumbnail ? `/api/v1/files/${photo.id}/thumbnail` : `/api/v1/files/${photo.id}`;
}

let csrfToken: string | null = null;

/**
 * The session's CSRF token; client.ts keeps its own private, so the keyed POST below asks /auth/me once
 * (and again when a new sign-in made it stale).
 */
async function csrf(refresh: boolean): Promise<string> {
  if (csrfToken && !refresh) return csrfToken;
  const me = await api.get<LoginResponse>('/auth/me', undefined, { quiet: true });
  csrfToken = me.csrfToken;
  return csrfToken;
}

/**
 * POST with an `Idempotency-Key` header, which client.ts cannot send yet. Failures are ApiErrors like
 * client.ts makes: status 0 for the network, the server's code and message otherwise.
 */
export async function postWithKey<T>(path: string, body: unknown, key: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const token = await csrf(attempt > 0);
    let response: Response;
    try {
      response = await fetch(`/api/v1${path}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          'accept-language': i18n.language,
          'content-type': 'application/json',
          'x-csrf-token': token,
          'idempotency-key': key,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network_error', i18n.t('common.networkError'));
    }
    if (response.ok) return (await response.json()) as T;
    let problem: Record<string, unknown> = {};
    try {
      problem = (await response.json()) as Record<string, unknown>;
    } catch {
      // A proxy's HTML error page.
    }
    const code = typeof problem.code === 'string' ? problem.code : `http_${response.status}`;
    // A session renewed since the token was read: read it again once.
    if (code === 'csrf_failed' && attempt === 0) continue;
    const message = typeof problem.message === 'string' ? problem.message : response.statusText || code;
    throw new ApiError(response.status, code, message, problem);
  }
}

export async function uploadPhoto(photo: Blob): Promise<string> {
  const form = new FormData();
  form.append('file', photo, photo.type === 'image/jpeg' ? 'photo.jpg' : 'photo');
  const stored = await api.post<{ id: string }>('/files', form, { quiet: true });
  return stored.id;
}

export const httpTransport: ReportTransport = {
  upload: uploadPhoto,
  create: async (body, key) => (await postWithKey<HazardDetail>('/hazards', body, key)).id,
};

export function myHazards(role: 'responsible' | 'reported', open?: boolean): Promise<HazardPage> {
  return api.get<HazardPage>('/hazards/mine', { role, open, limit: 100 }, { quiet: true });
}

/** A deadline still running: something to fix, not yet rectified or closed. */
export function deadlineRuns(hazard: Pick<HazardSummary, 'deadline' | 'state'>): boolean {
  return hazard.deadline !== null && (hazard.state === 'rectifying' || hazard.state === 'confirmed');
}

/** Due within a day and not yet past: shown in amber. */
export function dueSoon(hazard: Pick<HazardSummary, 'deadline' | 'overdue' | 'state'>, now = Date.now()): boolean {
  if (!deadlineRuns(hazard) || hazard.overdue) return false;
  const left = new Date(hazard.deadline!).getTime() - now;
  return left > 0 && left < 24 * 3600_000;
}
