import { useEffect, useRef, useState } from 'react';
import { useSession } from '../../app/session';

/** Realtime event types of the alarm queue (EventSource has no wildcard listener). */
export const ALARM_EVENT_TYPES = ['alarm.raised', 'alarm.changed', 'alarm.escalated'] as const;

export interface AlarmEvent {
  type: (typeof ALARM_EVENT_TYPES)[number];
  id: number | null;
  payload: Record<string, unknown>;
}

/**
 * Follows the alarm events of the caller's scope. The browser reconnects by itself and the server replays
 * what was missed from Last-Event-ID; `onReconnect` still fires after each reconnection so the page re-reads
 * its state (commits can land out of id order, see docs/architecture.md). Returns whether the stream is up.
 */
export function useAlarmStream(onEvent: (event: AlarmEvent) => void, onReconnect?: () => void): boolean {
  const { user } = useSession();
  const handlers = useRef({ onEvent, onReconnect });
  handlers.current = { onEvent, onReconnect };
  const [connected, setConnected] = useState(false);
  const signedIn = Boolean(user && user.pending === 'none');
  const orgId = user?.activeOrg.id;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new active org changes the stream's scope, so reconnect.
  useEffect(() => {
    if (!signedIn || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/stream');
    let opened = false;
    source.addEventListener('open', () => {
      setConnected(true);
      if (opened) handlers.current.onReconnect?.();
      opened = true;
    });
    source.addEventListener('error', () => setConnected(false));
    const listener = (message: Event) => {
      let payload: Record<string, unknown> = {};
      try {
        payload = JSON.parse((message as MessageEvent<string>).data) as Record<string, unknown>;
      } catch {
        // A frame without JSON still means "something changed".
      }
      const id = payload.id;
      handlers.current.onEvent({
        type: message.type as AlarmEvent['type'],
        id: typeof id === 'number' ? id : null,
        payload,
      });
    };
    for (const type of ALARM_EVENT_TYPES) source.addEventListener(type, listener);
    return () => {
      source.close();
      setConnected(false);
    };
  }, [signedIn, orgId]);
  return connected;
}
