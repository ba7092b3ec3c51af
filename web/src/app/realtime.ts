import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useSession } from './session';

export interface NotificationEvent {
  id: number;
  kind: string;
  title: string;
  link: string | null;
  at?: string;
}

/**
 * One EventSource per signed-in tab. `notification` events refresh the inbox query and are
 * handed to `onNotification` (the desktop shows a toast, the phone a banner).
 */
export function useRealtime(onNotification?: (event: NotificationEvent) => void): void {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const handler = useRef(onNotification);
  handler.current = onNotification;
  const signedIn = Boolean(user && user.pending === 'none');
  const orgId = user?.activeOrg.id;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new active org changes the stream's scope, so reconnect.
  useEffect(() => {
    if (!signedIn || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/stream');
    source.addEventListener('notification', (message) => {
      void queryClient.invalidateQueries({ queryKey: ['notifications'] });
      try {
        handler.current?.(JSON.parse((message as MessageEvent<string>).data) as NotificationEvent);
      } catch {
        // A malformed frame is not worth breaking the page for.
      }
    });
    return () => source.close();
  }, [signedIn, orgId, queryClient]);
}
