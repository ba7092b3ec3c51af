import { type AlarmKind, type AlarmSource, alarmPriority, pathIds } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { publish } from '../../platform/realtime.js';
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
  const [provinceId, cityId, countyId, schoolId] = pathIds(input.school.path) as [number, number, number, number];
  const raisedAt = input.raisedAt ?? new Date();
  const priority = alarmPriority(input.kind);
  const next = await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence('alarm', 'id')) AS id`.execute(trx);
  const id = Number(next.rows[0]!.id);
  const day = raisedAt.toISOString().slice(0, 10).replaceAll('-', '');
  const code = `BJ${day}${String(id).padStart(7, '0')}`;
  const row = await trx
    .insertInto('alarm')
    .values({
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
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendTimeline(trx, {
    recordType: 'alarm',
    recordId: row.id,
    orgPath: input.school.path,
    actorId: input.reporterId ?? null,
    action: 'raise',
    toState: 'new',
    data: { source: input.source, kind: input.kind, deviceId: input.deviceId ?? null },
  });
  await publish(trx, {
    type: 'alarm.raised',
    orgPath: input.school.path,
    payload: {
      id: row.id,
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
  });
  return { id: row.id, code, priority };
}
