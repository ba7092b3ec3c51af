import { useEffect, useRef } from 'react';
import { useRealtimeEvents } from '../../app/realtime';

const DUTY_EVENT_TYPES = ['duty.changed'] as const;

/** Calls `onChange` (debounced) when a roster in the caller's scope changes, and after a reconnection. */
export function useDutyEvents(onChange: () => void): void {
  const handler = useRef(onChange);
  handler.current = onChange;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fire = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => handler.current(), 300);
  };
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  useRealtimeEvents(DUTY_EVENT_TYPES, fire, fire);
}
