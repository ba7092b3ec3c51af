import { z } from 'zod';
import { storableString } from './api/fields.js';

/**
 * Security devices (技防设施), the events they send, the alarm lifecycle of the campus "110" command
 * center and the duty roster rules, as pure functions. The server applies them; tests check them here.
 */

export const DEVICE_KINDS = [
  'camera',
  'one_key_alarm',
  'intrusion_detector',
  'fire_alarm_panel',
  'access_control',
  'vehicle_barrier',
  'bollard',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const deviceKindSchema = z.enum(DEVICE_KINDS);

/** Anti-ram barriers and bollards are passive: inspected, never online. */
export function isOnlineKind(kind: DeviceKind): boolean {
  return kind !== 'bollard';
}

/** Where an intrusion detector watches: the perimeter (围墙周界) or a key part (重点部位). */
export const DETECTOR_ZONES = ['perimeter', 'key_part'] as const;
export type DetectorZone = (typeof DETECTOR_ZONES)[number];

/** The national standard asks video to be kept at least 30 days (视频监控保存天数是否达30天). */
export const MIN_RETENTION_DAYS = 30;
/** The rubric wants a device health rate (完好率) of at least 95 %. */
export const HEALTH_RATE_TARGET = 0.95;

export const DEVICE_STATUSES = ['online', 'offline', 'fault', 'unknown', 'passive'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

// ------------------------------------------------------------------------------------------------ events

export const DEVICE_EVENT_TYPES = ['alarm', 'heartbeat', 'fault', 'restore', 'tamper'] as const;
export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];

export const ALARM_KINDS = ['intrusion', 'one_key', 'fire', 'tamper', 'duress', 'help_request', 'other'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];
export const alarmKindSchema = z.enum(ALARM_KINDS);

/** Details a device adds: up to 20 flat pairs; keys and texts must be storable (a NUL would make the row fail). */
const eventDetails = z
  .record(storableString(64), z.union([storableString(500), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 20, { message: 'too_many_details' });

/**
 * The one device payload, version 1, for MQTT (`safe-campus/<schoolCode>/<deviceCode>/alarm|status`) and
 * `POST /api/v1/ingest/events`. `eventId` is unique per device: a repeated id is ignored.
 */
export const deviceEventPayload = z.strictObject({
  v: z.literal(1),
  eventId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/),
  type: z.enum(DEVICE_EVENT_TYPES),
  /** For `alarm` (and `tamper`): what happened. */
  kind: alarmKindSchema.optional(),
  /** Device time, ISO 8601 with offset. */
  at: z.iso.datetime({ offset: true }),
  details: eventDetails.optional(),
});
export type DeviceEventPayload = z.infer<typeof deviceEventPayload>;

/** What an incoming event does: raise an alarm, record a fault or its end, or only prove the device alive. */
export function eventEffect(
  payload: Pick<DeviceEventPayload, 'type' | 'kind'>,
): { raise: AlarmKind } | { fault: true } | { restore: true } | { alive: true } {
  switch (payload.type) {
    case 'alarm':
      return { raise: payload.kind ?? 'other' };
    case 'tamper':
      return { raise: 'tamper' };
    case 'fault':
      return { fault: true };
    case 'restore':
      return { restore: true };
    case 'heartbeat':
      return { alive: true };
  }
}

/** `safe-campus/<schoolCode>/<deviceCode>/<alarm|status>` → its parts, or null for any other topic. */
export function parseDeviceTopic(
  topic: string,
): { schoolCode: string; deviceCode: string; channel: 'alarm' | 'status' } | null {
  const match =
    /^safe-campus\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/(alarm|status)$/.exec(topic);
  if (!match) return null;
  return { schoolCode: match[1]!, deviceCode: match[2]!, channel: match[3] as 'alarm' | 'status' };
}

/** Online while heard from within the silence limit; never heard: unknown; passive kinds: passive. */
export function deviceStatus(
  device: { kind: DeviceKind; lastSeenAt: Date | null; faultSince: Date | null },
  now: Date,
  offlineAfterSeconds: number,
): DeviceStatus {
  if (!isOnlineKind(device.kind)) return 'passive';
  if (device.faultSince) return 'fault';
  if (!device.lastSeenAt) return 'unknown';
  return now.getTime() - device.lastSeenAt.getTime() <= offlineAfterSeconds * 1000 ? 'online' : 'offline';
}

/**
 * 在线率 = online / online-capable devices; 完好率 = devices in working order (online and not faulty, plus passive
 * devices not marked faulty) / all devices. Null with no devices.
 */
export function healthRates(statuses: DeviceStatus[]): { onlineRate: number | null; intactRate: number | null } {
  const capable = statuses.filter((status) => status !== 'passive');
  const online = capable.filter((status) => status === 'online').length;
  const intact = statuses.filter((status) => status === 'online' || status === 'passive').length;
  return {
    onlineRate: capable.length === 0 ? null : online / capable.length,
    intactRate: statuses.length === 0 ? null : intact / statuses.length,
  };
}

// ------------------------------------------------------------------------------------------------ alarms

export const ALARM_STATES = ['new', 'acknowledged', 'dispatched', 'on_scene', 'resolved'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
export const alarmStateSchema = z.enum(ALARM_STATES);

export const ALARM_ACTIONS = ['acknowledge', 'dispatch', 'arrive', 'resolve'] as const;
export type AlarmAction = (typeof ALARM_ACTIONS)[number];

export const ALARM_SOURCES = ['device', 'help_request', 'manual'] as const;
export type AlarmSource = (typeof ALARM_SOURCES)[number];

const ALARM_MOVES: Record<AlarmAction, Partial<Record<AlarmState, AlarmState>>> = {
  acknowledge: { new: 'acknowledged' },
  // Dispatching also acknowledges; a second dispatch re-assigns.
  dispatch: { new: 'dispatched', acknowledged: 'dispatched', dispatched: 'dispatched' },
  arrive: { dispatched: 'on_scene' },
  // A false alarm can be closed at once from any open state.
  resolve: { new: 'resolved', acknowledged: 'resolved', dispatched: 'resolved', on_scene: 'resolved' },
};

export function alarmTransition(
  state: AlarmState,
  action: AlarmAction,
): { ok: true; next: AlarmState } | { ok: false; code: 'alarm_action_not_allowed' } {
  const next = ALARM_MOVES[action][state];
  return next ? { ok: true, next } : { ok: false, code: 'alarm_action_not_allowed' };
}

export function alarmActionsFrom(state: AlarmState): AlarmAction[] {
  return ALARM_ACTIONS.filter((action) => ALARM_MOVES[action][state] !== undefined);
}

/** Fire and one-key alarms and help requests come first; intrusion next; the rest after. */
export function alarmPriority(kind: AlarmKind): 1 | 2 | 3 {
  if (kind === 'fire' || kind === 'one_key' || kind === 'duress' || kind === 'help_request') return 1;
  if (kind === 'intrusion' || kind === 'tamper') return 2;
  return 3;
}

export interface AlarmSlaPolicy {
  /** Seconds to acknowledge before the alarm escalates to the leader on duty, the county and the police liaison. */
  acknowledgeSeconds: number;
  /** Seconds from dispatch to arrival on scene before it is flagged late. */
  arriveSeconds: number;
}

/** Whether an unacknowledged alarm is due to escalate at `now`. */
export function ackOverdue(
  alarm: { state: AlarmState; raisedAt: Date; escalatedAt: Date | null },
  now: Date,
  policy: AlarmSlaPolicy,
): boolean {
  return (
    alarm.state === 'new' &&
    alarm.escalatedAt === null &&
    now.getTime() - alarm.raisedAt.getTime() >= policy.acknowledgeSeconds * 1000
  );
}

// ------------------------------------------------------------------------------------------------ duty

export const DUTY_ROLES = ['leader', 'officer', 'guard'] as const;
export type DutyRole = (typeof DUTY_ROLES)[number];

export interface ShiftSpan {
  startsAt: Date;
  endsAt: Date;
}

/** A shift is 1 h to 24 h long. */
export function isValidShift(shift: ShiftSpan): boolean {
  const hours = (shift.endsAt.getTime() - shift.startsAt.getTime()) / 3600_000;
  return hours >= 1 && hours <= 24;
}

export function isOnShift(shift: ShiftSpan, now: Date): boolean {
  return shift.startsAt.getTime() <= now.getTime() && now.getTime() < shift.endsAt.getTime();
}

/**
 * Days of [from, to] (calendar days in the business time zone, given as `YYYY-MM-DD`) that no shift
 * covers at all, and those without a leader on duty (领导带班). `dayOf` maps an instant to its day.
 */
export function holidayCoverage(
  days: string[],
  shifts: { startsAt: Date; endsAt: Date; hasLeader: boolean }[],
  dayOf: (at: Date) => string,
): { uncovered: string[]; withoutLeader: string[] } {
  const covered = new Set<string>();
  const led = new Set<string>();
  for (const shift of shifts) {
    // A shift counts for each day it touches (a night shift covers the evening and the next morning).
    for (let at = shift.startsAt.getTime(); at < shift.endsAt.getTime(); at += 3600_000) {
      const day = dayOf(new Date(at));
      covered.add(day);
      if (shift.hasLeader) led.add(day);
    }
  }
  return {
    uncovered: days.filter((day) => !covered.has(day)),
    withoutLeader: days.filter((day) => !led.has(day)),
  };
}
