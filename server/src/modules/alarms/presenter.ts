import type {
  AlarmCommand,
  AlarmDetail,
  AlarmKind,
  AlarmSla,
  AlarmSource,
  AlarmState,
  AlarmSummary,
  AlarmTimelineEntry,
} from '@safe-campus/domain';
import type { AlarmRow } from '../../db/schema.js';
import { iso } from '../../platform/pagination.js';
import type { TimelineEvent } from '../../platform/timeline.js';
import type { AlarmListRow } from './queries.js';

function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export function presentAlarmSummary(row: AlarmListRow): AlarmSummary {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind as AlarmKind,
    source: row.source as AlarmSource,
    priority: row.priority,
    state: row.state as AlarmState,
    title: row.title,
    description: row.description,
    schoolId: row.school_id,
    schoolName: row.school_name,
    placeId: row.place_id,
    placeName: row.place_name,
    deviceId: row.device_id,
    deviceName: row.device_name,
    locationText: row.location_text,
    latitude: numberOrNull(row.latitude),
    longitude: numberOrNull(row.longitude),
    reporterId: row.reporter_id,
    reporterName: row.reporter_name,
    raisedAt: iso(row.raised_at)!,
    acknowledgedAt: iso(row.acknowledged_at),
    dispatchedAt: iso(row.dispatched_at),
    dispatchedToId: row.dispatched_to,
    dispatchedToName: row.dispatched_to_name,
    dispatchTeam: row.dispatch_team,
    onSceneAt: iso(row.on_scene_at),
    resolvedAt: iso(row.resolved_at),
    escalatedAt: iso(row.escalated_at),
    falseAlarm: row.false_alarm,
    outcome: row.outcome,
    hazardId: row.hazard_id,
    incidentId: row.incident_id,
  };
}

const seconds = (from: Date | null, to: Date | null) =>
  from && to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)) : null;

/** Time to acknowledge, dispatch, arrive and resolve, and whether a limit was (or is being) missed. */
export function slaOf(
  row: Pick<AlarmRow, 'raised_at' | 'acknowledged_at' | 'dispatched_at' | 'on_scene_at' | 'resolved_at'>,
  policy: { acknowledgeSeconds: number; arriveSeconds: number },
  now: Date,
): AlarmSla {
  // Dispatching or resolving straight away also answers the alarm.
  const answeredAt = row.acknowledged_at ?? row.dispatched_at ?? row.resolved_at;
  const timeToAcknowledge = seconds(row.raised_at, answeredAt);
  const timeToArrive = seconds(row.dispatched_at, row.on_scene_at);
  const waitingAck = seconds(row.raised_at, now) ?? 0;
  const waitingArrive =
    row.dispatched_at && !row.on_scene_at && !row.resolved_at ? seconds(row.dispatched_at, now) : null;
  return {
    acknowledgeSeconds: policy.acknowledgeSeconds,
    arriveSeconds: policy.arriveSeconds,
    acknowledgeDueAt: new Date(row.raised_at.getTime() + policy.acknowledgeSeconds * 1000).toISOString(),
    timeToAcknowledge,
    timeToDispatch: seconds(row.raised_at, row.dispatched_at),
    timeToArrive,
    timeToResolve: seconds(row.raised_at, row.resolved_at),
    acknowledgeLate: (timeToAcknowledge ?? waitingAck) >= policy.acknowledgeSeconds,
    arriveLate: (timeToArrive ?? waitingArrive ?? 0) >= policy.arriveSeconds,
  };
}

function presentTimeline(event: TimelineEvent): AlarmTimelineEntry {
  return {
    id: event.id,
    at: event.at,
    actorName: event.actorName,
    action: event.action,
    fromState: event.fromState as AlarmState | null,
    toState: event.toState as AlarmState | null,
    note: event.note,
    data: (event.data as Record<string, unknown> | null) ?? null,
  };
}

export function presentAlarmDetail(
  row: AlarmListRow,
  timeline: TimelineEvent[],
  incident: AlarmDetail['incident'],
  commands: AlarmCommand[],
  policy: { acknowledgeSeconds: number; arriveSeconds: number },
  now: Date,
): AlarmDetail {
  return {
    ...presentAlarmSummary(row),
    description: row.description,
    notes: row.notes,
    acknowledgedByName: row.acknowledged_by_name,
    resolvedByName: row.resolved_by_name,
    incident,
    sla: slaOf(row, policy, now),
    timeline: timeline.map(presentTimeline),
    commands,
  };
}

/** What the audit log keeps of an alarm before and after a step. */
export function alarmForAudit(row: AlarmRow) {
  return {
    code: row.code,
    state: row.state,
    kind: row.kind,
    dispatchedTo: row.dispatched_to,
    falseAlarm: row.false_alarm,
    hazardId: row.hazard_id,
    incidentId: row.incident_id,
  };
}
