import { useEffect, useRef } from 'react';
import { useSession } from '../../app/session';

/** Realtime event types the hazards module publishes (EventSource has no wildcard listener). */
export const HAZARD_EVENT_TYPES = ['hazard.changed', 'hazard.overdue', 'hazard.escalated'];

export interface HazardEvent {
  type: string;
  hazardId: number | null;
}

/**
 * Calls `onEvent` when a `hazard.*` event reaches this tab, so open ledgers and detail pages
 * refresh themselves. The shell's stream (app/realtime.ts) handles notifications only; this one
 * lives while a hazard page is open.
 */
export function useHazardEvents(onEvent: (event: HazardEvent) => void): void {
  const { user } = useSession();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const signedIn = Boolean(user && user.pending === 'none');
  const orgId = user?.activeOrg.id;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new active org changes the stream's scope, so reconnect.
  useEffect(() => {
    if (!signedIn || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/stream');
    const listener = (message: Event) => {
      let hazardId: number | null = null;
      try {
        const data = JSON.parse((message as MessageEvent<string>).data) as Record<string, unknown>;
        const id = data.hazardId ?? data.id;
        hazardId = typeof id === 'number' ? id : null;
      } catch {
        // A frame without JSON still means "something changed".
      }
      handler.current({ type: message.type, hazardId });
    };
    for (const type of HAZARD_EVENT_TYPES) source.addEventListener(type, listener);
    return () => source.close();
  }, [signedIn, orgId]);
}
