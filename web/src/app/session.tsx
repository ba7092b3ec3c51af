import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError, api, onUnauthorized, setCsrfToken } from '../api/client';
import type { LoginResponse, Permission, SessionUser } from '../api/types';

interface SessionState {
  /** undefined while the first /auth/me is in flight, null when signed out. */
  user: SessionUser | null | undefined;
  /** Stores the user and CSRF token of a login, TOTP, password or org-switch answer. */
  accept(response: LoginResponse): void;
  refresh(): Promise<void>;
  logout(): Promise<void>;
  can(permission: Permission | 'authenticated'): boolean;
  /** Why the session ended on its own (idle timeout), shown on the login page. */
  endedBecause: string | null;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);
  const userRef = useRef<SessionUser | null | undefined>(undefined);
  userRef.current = user;
  const queryClient = useQueryClient();

  const accept = useCallback(
    (response: LoginResponse) => {
      setCsrfToken(response.csrfToken);
      setUser(response.user);
      setEndedBecause(null);
      // Another org or another user: nothing cached belongs to the new session.
      queryClient.removeQueries();
    },
    [queryClient],
  );

  const refresh = useCallback(async () => {
    try {
      const response = await api.get<LoginResponse>('/auth/me', undefined, { quiet: true });
      setCsrfToken(response.csrfToken);
      setUser(response.user);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setUser(null);
      else setUser(null);
    }
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/auth/logout', {}, { quiet: true });
    } catch {
      // Already gone on the server: signing out locally is what matters.
    }
    setCsrfToken(null);
    setUser(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    void refresh();
    return onUnauthorized((error) => {
      // Only a session that was live can "end"; a first visit without one is just signed out.
      if (userRef.current) setEndedBecause(error.message);
      setCsrfToken(null);
      setUser(null);
      queryClient.clear();
    });
  }, [refresh, queryClient]);

  const value = useMemo<SessionState>(
    () => ({
      user,
      accept,
      refresh,
      logout,
      endedBecause,
      can: (permission) =>
        permission === 'authenticated' ? Boolean(user) : Boolean(user?.permissions.includes(permission)),
    }),
    [user, accept, refresh, logout, endedBecause],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only for components under RequireSession. */
export function useUser(): SessionUser {
  const { user } = useSession();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}

/** Sends signed-out users (and sessions with a pending step) to the login page, keeping where they were going. */
export function RequireSession({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (user === undefined) return fallback;
  if (user === null || user.pending !== 'none') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}
