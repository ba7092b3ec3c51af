import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useSession } from './session';

export interface NotificationEvent {
  id: number;
  kind: string;
  title: string;
  link: string | null;
  at?: string;
}

/**
 * The one EventSource of a signed-in tab (mounted once by the shell). `notification` events refresh
 * the inbox query and are handed to `onNotification` (the desktop shows a toast, the phone a banner);
 * module events go to `useRealtimeEvents` subscribers.
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
    const close = openStream();
    const source = current!.source;
    source.addEventListener('notification', (message) => {
      void queryClient.invalidateQueries({ queryKey: ['notifications'] });
      try {
        handler.current?.(JSON.parse((message as MessageEvent<string>).data) as NotificationEvent);
      } catch {
        // A malformed frame is not worth breaking the page for.
      }
    });
    return close;
  }, [signedIn, orgId, queryClient]);
}

// ------------------------------------------------------------------------------------------------
// Module events share the tab's one stream: several EventSources per tab would eat the browser's six
// connections per host and stall ordinary requests.

export type RealtimePayload = Record<string, unknown>;

interface Subscription {
  types: readonly string[];
  onEvent: (type: string, payload: RealtimePayload) => void;
  onReconnect?: () => void;
}

const subscriptions = new Set<Subscription>();
const statusListeners = new Set<() => void>();
let current: { source: EventSource; attached: Set<string> } | null = null;
let connected = false;

function setConnected(value: boolean): void {
  if (connected === value) return;
  connected = value;
  for (const listener of statusListeners) listener();
}

function dispatch(message: Event): void {
  let payload: RealtimePayload = {};
  try {
    payload = JSON.parse((message as MessageEvent<string>).data) as RealtimePayload;
  } catch {
    // A frame without JSON still means "something changed".
  }
  for (const subscription of subscriptions) {
    if (subscription.types.includes(message.type)) subscription.onEvent(message.type, payload);
  }
}

function attach(types: readonly string[]): void {
  if (!current) return;
  for (const type of types) {
    if (current.attached.has(type)) continue;
    current.attached.add(type);
    current.source.addEventListener(type, dispatch);
  }
}

function openStream(): () => void {
  const source = new EventSource('/api/v1/stream');
  current = { source, attached: new Set() };
  for (const subscription of subscriptions) attach(subscription.types);
  let opened = false;
  source.addEventListener('open', () => {
    setConnected(true);
    // The server replays what was missed since Last-Event-ID; pages still re-read, since commits can land out of id order.
    if (opened) for (const subscription of subscriptions) subscription.onReconnect?.();
    opened = true;
  });
  source.addEventListener('error', () => setConnected(false));
  return () => {
    source.close();
    if (current?.source === source) current = null;
    setConnected(false);
  };
}

/**
 * Calls `onEvent` for the given event types on the tab's shared stream (opened by `useRealtime` in the
 * shell) and `onReconnect` after the stream comes back. Returns whether the stream is up.
 */
export function useRealtimeEvents(
  types: readonly string[],
  onEvent: (type: string, payload: RealtimePayload) => void,
  onReconnect?: () => void,
): boolean {
  const handlers = useRef({ onEvent, onReconnect });
  handlers.current = { onEvent, onReconnect };
  const key = types.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the types are compared by value through `key`.
  useEffect(() => {
    const subscription: Subscription = {
      types,
      onEvent: (type, payload) => handlers.current.onEvent(type, payload),
      onReconnect: () => handlers.current.onReconnect?.(),
    };
    subscriptions.add(subscription);
    attach(types);
    return () => {
      subscriptions.delete(subscription);
    };
  }, [key]);
  return useSyncExternalStore(
    (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    () => connected,
  );
}
