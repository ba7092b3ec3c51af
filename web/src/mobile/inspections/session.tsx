import { useEffect, useRef, useState } from 'react';
import type { SessionUser } from '../../api/types';
import { useSession } from '../../app/session';

/**
 * Offline start. The session code treats a failed /auth/me as signed out; a guard who opens the phone pages
 * in a basement must still see the tasks downloaded this morning and the records waiting to be sent. So the
 * last signed-in user is remembered on this phone (name and id only — never a token), and when /auth/me
 * cannot even be reached the phone shell opens in offline mode for that user. A sign-out or an ended
 * session forgets it.
 */
export interface Inspector {
  id: number;
  displayName: string;
  orgName: string;
}

const KEY = 'sc-phone-last-user';

function remembered(): Inspector | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Inspector) : null;
  } catch {
    return null;
  }
}

function remember(user: SessionUser): void {
  try {
    const value: Inspector = { id: user.id, displayName: user.displayName, orgName: user.activeOrg.name };
    localStorage.setItem(KEY, JSON.stringify(value));
  } catch {
    // private mode: no offline start
  }
}

function forget(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing to forget
  }
}

let offlineInspector: Inspector | null = null;

/** The person doing inspections: the signed-in user, or the remembered one in offline mode. */
export function useInspector(): Inspector {
  const { user } = useSession();
  if (user) return { id: user.id, displayName: user.displayName, orgName: user.activeOrg.name };
  if (offlineInspector) return offlineInspector;
  throw new Error('useInspector without a user');
}

/**
 * For MobileApp: the remembered user when the server cannot be reached and someone signed in on this phone
 * before; `undefined` while checking; null for the login page.
 */
export function useOfflineStart(): Inspector | null | undefined {
  const { user, refresh } = useSession();
  const previous = useRef(user);
  const [result, setResult] = useState<Inspector | null | undefined>(undefined);

  useEffect(() => {
    if (user && user.pending === 'none') remember(user);
    // Signed out (or the session ended) while the server answered: this phone forgets the user.
    if (previous.current && user === null && navigator.onLine !== false) forget();
    previous.current = user;
  }, [user]);

  useEffect(() => {
    if (user !== null) {
      offlineInspector = null;
      setResult(undefined);
      return;
    }
    const last = remembered();
    if (!last) {
      setResult(null);
      return;
    }
    let cancelled = false;
    const decide = (offline: boolean) => {
      if (cancelled) return;
      offlineInspector = offline ? last : null;
      setResult(offline ? last : null);
    };
    if (navigator.onLine === false) decide(true);
    else
      fetch('/api/v1/auth/me', { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(
        () => decide(false),
        () => decide(true),
      );
    // Back online: try the real session again (the cookie may still be good).
    const online = () => void refresh();
    window.addEventListener('online', online);
    return () => {
      cancelled = true;
      window.removeEventListener('online', online);
    };
  }, [user, refresh]);

  return user === null ? result : null;
}
