import { useRealtimeEvents } from '../../app/realtime';

/** Realtime event types the hazards module publishes (EventSource has no wildcard listener). */
export const HAZARD_EVENT_TYPES = ['hazard.changed', 'hazard.overdue', 'hazard.escalated'];

export interface HazardEvent {
  type: string;
  hazardId: number | null;
}

/**
 * Calls `onEvent` when a `hazard.*` event reaches this tab (and after a reconnection, with no id),
 * so open ledgers and detail pages refresh themselves.
 */
export function useHazardEvents(onEvent: (event: HazardEvent) => void): void {
  useRealtimeEvents(
    HAZARD_EVENT_TYPES,
    (type, payload) => {
      const id = payload.hazardId ?? payload.id;
      onEvent({ type, hazardId: typeof id === 'number' ? id : null });
    },
    () => onEvent({ type: 'reconnect', hazardId: null }),
  );
}
