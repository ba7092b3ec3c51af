import { useEffect, useRef } from 'react';
import { useSession } from '../../app/session';

/** Realtime events of the devices module (EventSource has no wildcard listener). */
export const DEVICE_EVENT_TYPES = ['device.offline', 'device.online'] as const;

export interface DeviceEvent {
  type: (typeof DEVICE_EVENT_TYPES)[number];
  deviceId: number | null;
}

/**
 * Calls `onEvent` when a device in the caller's scope goes offline or comes back, and once after a
 * reconnection (events may have been missed meanwhile). Lives while a device page is open.
 */
export function useDeviceEvents(onEvent: (event: DeviceEvent | null) => void): void {
  const { user } = useSession();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const signedIn = Boolean(user && user.pending === 'none');
  const orgId = user?.activeOrg.id;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new active org changes the stream's scope, so reconnect.
  useEffect(() => {
    if (!signedIn || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/stream');
    let opened = false;
    source.addEventListener('open', () => {
      if (opened) handler.current(null);
      opened = true;
    });
    const listener = (message: Event) => {
      let deviceId: number | null = null;
      try {
        const data = JSON.parse((message as MessageEvent<string>).data) as Record<string, unknown>;
        deviceId = typeof data.id === 'number' ? data.id : null;
      } catch {
        // A frame without JSON still means "something changed".
      }
      handler.current({ type: message.type as DeviceEvent['type'], deviceId });
    };
    for (const type of DEVICE_EVENT_TYPES) source.addEventListener(type, listener);
    return () => source.close();
  }, [signedIn, orgId]);
}
