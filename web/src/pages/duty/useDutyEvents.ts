import { useEffect, useRef } from 'react';
import { useSession } from '../../app/session';

/** Calls `onChange` (debounced) when a roster in the caller's scope changes, and after a reconnection. */
export function useDutyEvents(onChange: () => void): void {
  const { user } = useSession();
  const handler = useRef(onChange);
  handler.current = onChange;
  const signedIn = Boolean(user && user.pending === 'none');
  const orgId = user?.activeOrg.id;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new active org changes the stream's scope, so reconnect.
  useEffect(() => {
    if (!signedIn || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/stream');
    let timer: ReturnType<typeof setTimeout> | null = null;
    let opened = false;
    const fire = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => handler.current(), 300);
    };
    source.addEventListener('open', () => {
      if (opened) fire();
      opened = true;
    });
    source.addEventListener('duty.changed', fire);
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [signedIn, orgId]);
}
