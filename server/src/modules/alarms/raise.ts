import { type AlarmKind, type AlarmSource, alarmPriority, pathIds } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type PublishInput, publishMany } from '../../platform/realtime.js';
import { appendTimeline } from '../../platform/timeline.js';

export interface RaiseAlarmInput {
  /** The school the alarm belongs to. */
  school: { id: number; path: string };
  source: AlarmSource;
  kind: AlarmKind;
  title: string;
  description?: string | null;
  deviceId?: number | null;
  deviceEventId?: number | null;
  placeId?: number | null;
  locationText?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  /** The person who asked for help or entered it by hand. */
  reporterId?: number | null;
  raisedAt?: Date;
}

export interface RaisedAlarm {
  id: number;
  code: string;
  priority: number;
}

/**
 * Puts an alarm in the school's live queue, in the caller's transaction: the row, its first timeline
 * step and the realtime event the command-center screens of the school and every bureau above receive
 * (NOTIFY goes out at commit). The one entry point for device alarms, help requests and manual entries.
 */
export async function raiseAlarm(trx: Kysely<DB>, input: RaiseAlarmInput): Promise<RaisedAlarm> {
  const [alarm] = await raiseAlarms(trx, [input]);
  return alarm!;
}

/**
 * `raiseAlarm` for many alarms with one statement per table (group commit of device events). Their realtime
 * events are published together (one NOTIFY), or appended to `options.events` when the caller publishes
 * them with others of the same transaction. Results are in input order.
 */
export async function raiseAlarms(
  trx: Kysely<DB>,
  inputs: readonly RaiseAlarmInput[],
  options: { events?: PublishInput[] } = {},
): Promise<RaisedAlarm[]> {
  if (inputs.length === 0) return [];
  const next = await sql<{ id: string }>`
    SELECT nextval(pg_get_serial_sequence('alarm', 'id')) AS id FROM generate_series(1, ${inputs.length})`.execute(trx);
  const rows = inputs.map((input, index) => {
    const [provinceId, cityId, countyId, schoolId] = pathIds(input.school.path) as [number, number, number, number];
    const raisedAt = input.raisedAt ?? new Date();
    const id = Number(next.rows[index]!.id);
    const day = raisedAt.toISOString().slice(0, 10).replaceAll('-', '');
    return {
      input,
      raisedAt,
      priority: alarmPriority(input.kind),
      id,
      code: `BJ${day}${String(id).padStart(7, '0')}`,
      provinceId,
      cityId,
      countyId,
      schoolId,
    };
  });
  await trx
    .insertInto('alarm')
    .values(
      rows.map(({ input, raisedAt, priority, id, code, provinceId, cityId, countyId, schoolId }) => ({
        id,
        code,
        org_path: input.school.path,
        province_id: provinceId,
        city_id: cityId,
        county_id: countyId,
        school_id: schoolId,
        source: input.source,
        kind: input.kind,
        priority,
        title: input.title,
        description: input.description ?? null,
        device_id: input.deviceId ?? null,
        device_event_id: input.deviceEventId ?? null,
        place_id: input.placeId ?? null,
        location_text: input.locationText ?? null,
        latitude: input.latitude ?? null,
        longitude: input.longitude ?? null,
        reporter_id: input.reporterId ?? null,
        raised_at: raisedAt,
      })),
    )
    .execute();
  if (rows.length === 1) {
    const { input, id } = rows[0]!;
    await appendTimeline(trx, {
      recordType: 'alarm',
      recordId: id,
      orgPath: input.school.path,
      actorId: input.reporterId ?? null,
      action: 'raise',
      toState: 'new',
      data: { source: input.source, kind: input.kind, deviceId: input.deviceId ?? null },
    });
  } else {
    // appendTimeline's row, for every alarm in one statement.
    await trx
      .insertInto('timeline_event')
      .values(
        rows.map(({ input, id }) => ({
          record_type: 'alarm',
          record_id: id,
          org_path: input.school.path,
          actor_id: input.reporterId ?? null,
          action: 'raise',
          from_state: null,
          to_state: 'new',
          note: null,
          data: JSON.stringify({ source: input.source, kind: input.kind, deviceId: input.deviceId ?? null }),
        })),
      )
      .execute();
  }
  const events: PublishInput[] = rows.map(({ input, raisedAt, priority, id, code, schoolId }) => ({
    type: 'alarm.raised',
    orgPath: input.school.path,
    payload: {
      id,
      code,
      audience: input.reporterId ? [input.reporterId] : [],
      kind: input.kind,
      source: input.source,
      priority,
      title: input.title,
      schoolId,
      placeId: input.placeId ?? null,
      deviceId: input.deviceId ?? null,
      raisedAt: raisedAt.toISOString(),
    },
  }));
  if (options.events) options.events.push(...events);
  else await publishMany(trx, events);
  return rows.map(({ id, code, priority }) => ({ id, code, priority }));
}
