import { z } from 'zod';
import {
  ALARM_ACTIONS,
  ALARM_KINDS,
  ALARM_SOURCES,
  ALARM_STATES,
  DEVICE_KINDS,
  DEVICE_STATUSES,
  DUTY_ROLES,
} from '../devices.js';
import { HAZARD_CATEGORIES } from '../hazards.js';
import { id, idParam, line, pageQuery, paragraph, queryBoolean } from './fields.js';

const alarmState = z.enum(ALARM_STATES);
const alarmKind = z.enum(ALARM_KINDS);
const alarmSource = z.enum(ALARM_SOURCES);

/** Buttons of an alarm: the lifecycle actions plus turning a resolved alarm into a hazard or an incident record. */
export const ALARM_COMMANDS = [...ALARM_ACTIONS, 'hazard', 'incident'] as const;
export type AlarmCommand = (typeof ALARM_COMMANDS)[number];
export const alarmCommandSchema = z.enum(ALARM_COMMANDS);

/** One row of the live queue or the history. */
export const alarmSummary = z.object({
  id: z.number(),
  /** Human number, `BJ202611230000123`. */
  code: z.string(),
  kind: alarmKind,
  source: alarmSource,
  /** 1 first (fire, one-key, duress, help requests), 3 last. */
  priority: z.number(),
  state: alarmState,
  title: z.string(),
  /** What the requester wrote, or the device's details — the queue shows it under the title. */
  description: z.string().nullable(),
  schoolId: z.number(),
  schoolName: z.string(),
  placeId: z.number().nullable(),
  placeName: z.string().nullable(),
  deviceId: z.number().nullable(),
  deviceName: z.string().nullable(),
  locationText: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  reporterId: z.number().nullable(),
  reporterName: z.string().nullable(),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  dispatchedAt: z.string().nullable(),
  dispatchedToId: z.number().nullable(),
  dispatchedToName: z.string().nullable(),
  dispatchTeam: z.string().nullable(),
  onSceneAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** Not acknowledged in time: shown to the leader on duty, the county and the police liaison. */
  escalatedAt: z.string().nullable(),
  falseAlarm: z.boolean().nullable(),
  outcome: z.string().nullable(),
  hazardId: z.number().nullable(),
  incidentId: z.number().nullable(),
});
export type AlarmSummary = z.infer<typeof alarmSummary>;

export const alarmTimelineEntry = z.object({
  id: z.number(),
  at: z.string(),
  actorName: z.string().nullable(),
  /** `raise`, a lifecycle action, `escalate`, `hazard`, `incident`. */
  action: z.string(),
  fromState: alarmState.nullable(),
  toState: alarmState.nullable(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type AlarmTimelineEntry = z.infer<typeof alarmTimelineEntry>;

/** SLA figures: the policy and how long each step took (seconds; null while not reached). */
export const alarmSla = z.object({
  acknowledgeSeconds: z.number(),
  arriveSeconds: z.number(),
  /** When it escalates (or escalated) without acknowledgement. */
  acknowledgeDueAt: z.string(),
  timeToAcknowledge: z.number().nullable(),
  timeToDispatch: z.number().nullable(),
  /** From dispatch to on scene. */
  timeToArrive: z.number().nullable(),
  timeToResolve: z.number().nullable(),
  acknowledgeLate: z.boolean(),
  arriveLate: z.boolean(),
});
export type AlarmSla = z.infer<typeof alarmSla>;

export const alarmDetail = alarmSummary.extend({
  notes: z.string().nullable(),
  acknowledgedByName: z.string().nullable(),
  resolvedByName: z.string().nullable(),
  incident: z
    .object({ id: z.number(), title: z.string(), kind: z.string(), description: z.string().nullable() })
    .nullable(),
  sla: alarmSla,
  timeline: z.array(alarmTimelineEntry),
  /** What the caller may do now. */
  commands: z.array(alarmCommandSchema),
});
export type AlarmDetail = z.infer<typeof alarmDetail>;

export const alarmIdParams = z.strictObject({ id: idParam });

/** A calendar day in the business time zone. */
const day = z.iso.date();

export const listAlarmsQuery = z.strictObject({
  /** Root: a school or a bureau; defaults to the caller's active org. */
  orgId: idParam.optional(),
  /** `queue`: open alarms, by priority then time (oldest first); `history`: newest first. */
  view: z.enum(['queue', 'history']).default('history'),
  state: alarmState.optional(),
  kind: alarmKind.optional(),
  source: alarmSource.optional(),
  open: queryBoolean.optional(),
  escalated: queryBoolean.optional(),
  falseAlarm: queryBoolean.optional(),
  from: day.optional(),
  to: day.optional(),
  ...pageQuery,
});
export type ListAlarmsQuery = z.infer<typeof listAlarmsQuery>;

export const myAlarmsQuery = z.strictObject({
  /** `dispatched`: sent to me (a guard's 我的出警); `requested`: help requests I sent. */
  role: z.enum(['dispatched', 'requested']).default('dispatched'),
  open: queryBoolean.optional(),
  ...pageQuery,
});

export const alarmCountsQuery = z.strictObject({ orgId: idParam.optional() });

export const alarmCounts = z.object({
  /** Today in the business time zone. */
  day: z.string(),
  total: z.number(),
  open: z.number(),
  escalated: z.number(),
  falseAlarms: z.number(),
  byKind: z.array(z.object({ kind: alarmKind, count: z.number() })),
});
export type AlarmCounts = z.infer<typeof alarmCounts>;

const coordinate = (limit: number) => z.number().min(-limit).max(limit);
const optionalNote = paragraph(2000).optional();
const requiredText = (max: number) =>
  paragraph(max).refine((value) => value.trim().length > 0, { message: 'required' });

/** A manual entry by the duty officer (接警登记). */
export const createAlarmBody = z.strictObject({
  /** The school. */
  orgId: id,
  kind: alarmKind.exclude(['help_request']),
  title: line(100).refine((value) => value.trim().length > 0, { message: 'required' }),
  description: paragraph(2000).optional(),
  placeId: id.nullable().optional(),
  locationText: line(200).optional(),
});
export type CreateAlarmBody = z.infer<typeof createAlarmBody>;

/** 师生求助 from the phone: where (text, browser position, place) and optionally what. */
export const helpRequestBody = z
  .strictObject({
    locationText: line(200).optional(),
    latitude: coordinate(90).nullable().optional(),
    longitude: coordinate(180).nullable().optional(),
    /** Metres, from the browser's geolocation. */
    accuracy: z.number().min(0).max(100_000).nullable().optional(),
    placeId: id.nullable().optional(),
    description: paragraph(1000).optional(),
  })
  .refine((body) => (body.latitude == null) === (body.longitude == null), {
    message: 'coordinates_incomplete',
    path: ['longitude'],
  })
  .refine((body) => Boolean(body.locationText?.trim()) || body.latitude != null || body.placeId != null, {
    message: 'location_required',
    path: ['locationText'],
  });
export type HelpRequestBody = z.infer<typeof helpRequestBody>;

export const alarmActionBodies = {
  acknowledge: z.strictObject({ note: optionalNote }),
  /** To a guard (or the leader of a team) of the school; the team name is a label. */
  dispatch: z.strictObject({ assigneeId: id, team: line(100).optional(), note: optionalNote }),
  arrive: z.strictObject({ note: optionalNote }),
  resolve: z.strictObject({
    outcome: line(200).refine((value) => value.trim().length > 0, { message: 'required' }),
    falseAlarm: z.boolean(),
    notes: optionalNote,
  }),
} as const;

export const alarmToHazardBody = z.strictObject({
  title: line(100).optional(),
  category: z.enum(HAZARD_CATEGORIES),
  description: paragraph(2000).optional(),
});
export type AlarmToHazardBody = z.infer<typeof alarmToHazardBody>;

export const INCIDENT_KINDS = ['security', 'fire', 'injury', 'conflict', 'theft', 'other'] as const;
export const alarmToIncidentBody = z.strictObject({
  title: line(100).optional(),
  kind: z.enum(INCIDENT_KINDS),
  description: requiredText(5000),
});
export type AlarmToIncidentBody = z.infer<typeof alarmToIncidentBody>;

/** A user who can be sent to an alarm. */
export const alarmResponder = z.object({
  id: z.number(),
  name: z.string(),
  role: z.string(),
  onDuty: z.boolean(),
});

export const respondersQuery = z.strictObject({ orgId: idParam });

// ------------------------------------------------------------------------------------------------ command center

export const commandOverviewQuery = z.strictObject({ orgId: idParam.optional() });

export const commandDevice = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(DEVICE_KINDS),
  status: z.enum(DEVICE_STATUSES),
  placeId: z.number().nullable(),
  schoolId: z.number(),
});

export const commandPlace = z.object({
  id: z.number(),
  name: z.string(),
  parentId: z.number().nullable(),
  planX: z.number().nullable(),
  planY: z.number().nullable(),
  floorPlanFileId: z.string().nullable(),
  keyPlace: z.boolean(),
});

export const commandOnDuty = z.object({
  userId: z.number(),
  name: z.string(),
  dutyRole: z.enum(DUTY_ROLES),
  shiftEndsAt: z.string(),
  orgName: z.string(),
});

export const commandHealth = z.object({
  total: z.number(),
  online: z.number(),
  offline: z.number(),
  fault: z.number(),
  unknown: z.number(),
  passive: z.number(),
  onlineRate: z.number().nullable(),
  intactRate: z.number().nullable(),
});

export const commandSchoolRow = z.object({
  schoolId: z.number(),
  schoolName: z.string(),
  openAlarms: z.number(),
  escalatedAlarms: z.number(),
  onlineRate: z.number().nullable(),
  leaderOnDuty: z.string().nullable(),
});

export const commandOverview = z.object({
  org: z.object({ id: z.number(), name: z.string(), level: z.string() }),
  now: z.string(),
  acknowledgeSeconds: z.number(),
  arriveSeconds: z.number(),
  /** Open alarms, priority then time; for a bureau the escalated ones first. */
  queue: z.array(alarmSummary),
  counts: alarmCounts,
  devices: z.array(commandDevice),
  /** Places of a school (with floor-plan coordinates); empty for a bureau. */
  places: z.array(commandPlace),
  onDuty: z.array(commandOnDuty),
  leaderOnDuty: z.array(commandOnDuty),
  health: commandHealth,
  majorHazards: z.array(
    z.object({
      id: z.number(),
      code: z.string(),
      title: z.string(),
      state: z.string(),
      schoolName: z.string(),
      deadline: z.string().nullable(),
    }),
  ),
  /** A bureau's schools (with an open alarm, or all when few). */
  schools: z.array(commandSchoolRow),
});
export type CommandOverview = z.infer<typeof commandOverview>;
