import { useRealtimeEvents } from '../../app/realtime';

/** Realtime event types of the alarm queue (EventSource has no wildcard listener). */
export const ALARM_EVENT_TYPES = ['alarm.raised', 'alarm.changed', 'alarm.escalated'] as const;

export interface AlarmEvent {
  type: (typeof ALARM_EVENT_TYPES)[number];
  id: number | null;
  payload: Record<string, unknown>;
}

/**
 * Follows the alarm events of the caller's scope on the tab's shared stream. The browser reconnects by
 * itself and the server replays what was missed from Last-Event-ID; `onReconnect` still fires after each
 * reconnection so the page re-reads its state (commits can land out of id order, see docs/architecture.md).
 * Returns whether the stream is up.
 */
export function useAlarmStream(onEvent: (event: AlarmEvent) => void, onReconnect?: () => void): boolean {
  return useRealtimeEvents(
    ALARM_EVENT_TYPES,
    (type, payload) => {
      const id = payload.id;
      onEvent({ type: type as AlarmEvent['type'], id: typeof id === 'number' ? id : null, payload });
    },
    onReconnect,
  );
}
