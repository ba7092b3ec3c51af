import { useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { useRealtimeEvents } from '../../app/realtime';

/** Realtime event types the inspections module publishes (EventSource has no wildcard listener). */
export const INSPECTION_EVENT_TYPES = ['inspection.recorded', 'inspection.missed'];

/**
 * Refreshes the open inspection pages when a record arrives or tasks are missed (and after a reconnection);
 * bursts of events (a phone syncing a day's outbox) are coalesced into one refresh.
 */
export function useInspectionEvents(onEvent?: () => void): void {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      for (const key of ['calendar', 'tasks', 'stats', 'coverage']) {
        void queryClient.invalidateQueries({ queryKey: ['inspections', key] });
      }
      onEvent?.();
    }, 300);
  };
  useRealtimeEvents(INSPECTION_EVENT_TYPES, refresh, refresh);
}
