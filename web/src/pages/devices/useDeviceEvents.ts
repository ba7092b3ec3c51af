import { useRealtimeEvents } from '../../app/realtime';

/** Realtime events of the devices module (EventSource has no wildcard listener). */
export const DEVICE_EVENT_TYPES = ['device.offline', 'device.online'] as const;

export interface DeviceEvent {
  type: (typeof DEVICE_EVENT_TYPES)[number];
  deviceId: number | null;
}

/**
 * Calls `onEvent` when a device in the caller's scope goes offline or comes back, and with `null` after
 * a reconnection (events may have been missed meanwhile). Uses the tab's shared stream.
 */
export function useDeviceEvents(onEvent: (event: DeviceEvent | null) => void): void {
  useRealtimeEvents(
    DEVICE_EVENT_TYPES,
    (type, payload) =>
      onEvent({ type: type as DeviceEvent['type'], deviceId: typeof payload.id === 'number' ? payload.id : null }),
    () => onEvent(null),
  );
}
