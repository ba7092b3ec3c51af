import { isWithin } from '@safe-campus/domain';
import type { AuthContext } from './auth-context.js';
import { notFound } from './errors.js';

/**
 * The one place where org scope is applied. Reads filter on the owning unit's path;
 * a record outside the caller's subtree answers 404, never 403.
 */
export function scopePrefix(auth: AuthContext): string {
  return `${auth.scopePath}%`;
}

export function inScope(auth: AuthContext, orgPath: string | null | undefined): boolean {
  return orgPath != null && isWithin(orgPath, auth.scopePath);
}

export function assertInScope(auth: AuthContext, orgPath: string | null | undefined): void {
  if (!inScope(auth, orgPath)) throw notFound();
}

/** Returns the record when it exists and is in scope; 404 otherwise. */
export function scopedOrNotFound<T>(
  auth: AuthContext,
  record: T | undefined | null,
  orgPathOf: (record: T) => string,
): T {
  if (!record || !inScope(auth, orgPathOf(record))) throw notFound();
  return record;
}
