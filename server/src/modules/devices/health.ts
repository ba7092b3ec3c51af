import {
  type DeviceHealth,
  type DeviceStatus,
  HEALTH_RATE_TARGET,
  type HealthFigures,
  healthRates,
  MIN_RETENTION_DAYS,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { DEVICE_KIND_LABELS } from '../../i18n/labels.js';
import { notify } from '../../platform/notifications.js';
import { iso } from '../../platform/pagination.js';
import { publish } from '../../platform/realtime.js';
import { escapeLike } from '../orgs/queries.js';
import { type DeviceListRow, presentDevice } from './presenter.js';
import { KEY_PLACE_SQL } from './queries.js';
import type { OrgRef } from './service.js';

interface CountRow {
  school_id: number;
  devices: number;
  online: number;
  offline: number;
  fault: number;
  unknown: number;
  passive: number;
  cameras: number;
  cameras_ok: number;
}

function figures(row: Omit<CountRow, 'school_id'> | undefined): HealthFigures {
  const r = row ?? { devices: 0, online: 0, offline: 0, fault: 0, unknown: 0, passive: 0, cameras: 0, cameras_ok: 0 };
  const statuses: DeviceStatus[] = [
    ...Array<DeviceStatus>(r.online).fill('online'),
    ...Array<DeviceStatus>(r.offline).fill('offline'),
    ...Array<DeviceStatus>(r.fault).fill('fault'),
    ...Array<DeviceStatus>(r.unknown).fill('unknown'),
    ...Array<DeviceStatus>(r.passive).fill('passive'),
  ];
  const rates = healthRates(statuses);
  return {
    devices: r.devices,
    online: r.online,
    offline: r.offline,
    fault: r.fault,
    unknown: r.unknown,
    passive: r.passive,
    onlineRate: rates.onlineRate,
    intactRate: rates.intactRate,
    cameras: r.cameras,
    camerasRetentionOk: r.cameras_ok,
    retentionRate: r.cameras === 0 ? null : r.cameras_ok / r.cameras,
  };
}

/**
 * 在线率 / 完好率 per school of a subtree, video retention compliance, the devices that need attention and
 * the rejected-ingest counters. One grouped scan of the subtree's enabled devices (status as `deviceStatus`).
 */
export async function deviceHealth(
  db: Kysely<DB>,
  root: OrgRef,
  offlineAfterSeconds: number,
  now = new Date(),
): Promise<DeviceHealth> {
  const cutoff = new Date(now.getTime() - offlineAfterSeconds * 1000);
  const prefix = `${escapeLike(root.path)}%`;
  const counts = await sql<CountRow>`
    SELECT school_id,
      count(*)::int AS devices,
      count(*) FILTER (WHERE kind <> 'bollard' AND fault_since IS NULL AND last_seen_at >= ${cutoff})::int AS online,
      count(*) FILTER (WHERE kind <> 'bollard' AND fault_since IS NULL AND last_seen_at < ${cutoff})::int AS offline,
      count(*) FILTER (WHERE kind <> 'bollard' AND fault_since IS NOT NULL)::int AS fault,
      count(*) FILTER (WHERE kind <> 'bollard' AND fault_since IS NULL AND last_seen_at IS NULL)::int AS unknown,
      count(*) FILTER (WHERE kind = 'bollard')::int AS passive,
      count(*) FILTER (WHERE kind = 'camera')::int AS cameras,
      count(*) FILTER (WHERE kind = 'camera' AND retention_days >= ${MIN_RETENTION_DAYS})::int AS cameras_ok
    FROM device
    WHERE org_path LIKE ${prefix} AND NOT disabled
    GROUP BY school_id`.execute(db);
  const bySchool = new Map(counts.rows.map((row) => [row.school_id, row]));
  const schools = await db
    .selectFrom('org_unit')
    .select(['id', 'name', 'code'])
    .where('level', '=', 'school')
    .where('path', 'like', prefix)
    .orderBy('path')
    .limit(5000)
    .execute();
  const total = counts.rows.reduce(
    (sum, row) => {
      for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += row[key];
      return sum;
    },
    { devices: 0, online: 0, offline: 0, fault: 0, unknown: 0, passive: 0, cameras: 0, cameras_ok: 0 },
  );
  const problems = (await db
    .selectFrom('device')
    .innerJoin('org_unit as school', 'school.id', 'device.school_id')
    .leftJoin('place', 'place.id', 'device.place_id')
    .selectAll('device')
    .select([
      'school.name as school_name',
      'school.code as school_code',
      'place.name as place_name',
      KEY_PLACE_SQL.as('place_key'),
    ])
    .where('device.org_path', 'like', prefix)
    .where('device.disabled', '=', false)
    .where('device.kind', '<>', 'bollard')
    .where((eb) =>
      eb.or([
        eb('device.fault_since', 'is not', null),
        eb('device.last_seen_at', 'is', null),
        eb('device.last_seen_at', '<', cutoff),
      ]),
    )
    .orderBy(sql`device.fault_since IS NULL`)
    .orderBy('device.last_seen_at', (ob) => ob.asc().nullsLast())
    .limit(200)
    .execute()) as DeviceListRow[];
  const rejections = await db
    .selectFrom('ingest_rejection')
    .selectAll()
    .where(
      'school_code',
      'in',
      db.selectFrom('org_unit').select('code').where('level', '=', 'school').where('path', 'like', prefix),
    )
    .orderBy('last_at', 'desc')
    .limit(100)
    .execute();
  return {
    orgId: root.id,
    orgName: root.name,
    offlineAfterSeconds,
    target: HEALTH_RATE_TARGET,
    totals: figures(total),
    schools: schools.map((school) => ({
      schoolId: school.id,
      schoolName: school.name,
      schoolCode: school.code,
      ...figures(bySchool.get(school.id)),
    })),
    problems: problems.map((row) => presentDevice(row, offlineAfterSeconds, now)),
    rejections: rejections.map((row) => ({
      reason: row.reason,
      schoolCode: row.school_code,
      deviceCode: row.device_code,
      count: Number(row.count),
      lastAt: iso(row.last_at)!,
    })),
  };
}

/** Key devices: at a key place or a gate, or a one-key alarm or fire panel anywhere. */
const KEY_DEVICE_KINDS = ['one_key_alarm', 'fire_alarm_panel'];

/**
 * The offline sweep: devices silent for longer than the limit become offline (offline_since). A key device
 * going offline warns the school's security officers (inbox + realtime `device.offline`) once per outage:
 * `offline_notified_at` is cleared only when the device is heard from again.
 */
export async function sweepOfflineDevices(
  db: Kysely<DB>,
  now: Date,
  offlineAfterSeconds: number,
): Promise<{ marked: number; warned: number }> {
  const cutoff = new Date(now.getTime() - offlineAfterSeconds * 1000);
  let marked = 0;
  let warned = 0;
  for (let round = 0; round < 100; round++) {
    const batch = await db.transaction().execute(async (trx) => {
      const rows = await sql<{
        id: number;
        code: string;
        name: string;
        kind: string;
        school_id: number;
        org_path: string;
        place_id: number | null;
        place_name: string | null;
        key: boolean;
      }>`
        WITH due AS (
          SELECT device.id, place.name AS place_name,
            (device.kind IN (${sql.join(KEY_DEVICE_KINDS)}) OR coalesce(${KEY_PLACE_SQL}, false)) AS key
          FROM device LEFT JOIN place ON place.id = device.place_id
          WHERE device.kind <> 'bollard' AND NOT device.disabled AND device.last_seen_at < ${cutoff}
            AND device.offline_since IS NULL
          ORDER BY device.last_seen_at LIMIT 500 FOR UPDATE OF device SKIP LOCKED)
        UPDATE device SET offline_since = device.last_seen_at + make_interval(secs => ${offlineAfterSeconds}),
          offline_notified_at = CASE WHEN due.key THEN ${now}::timestamptz ELSE NULL END
        FROM due
        WHERE device.id = due.id
        RETURNING device.id, device.code, device.name, device.kind, device.school_id, device.org_path, device.place_id,
          due.place_name, due.key`.execute(trx);
      const key = rows.rows.filter((row) => row.key);
      if (key.length > 0) {
        const officers = await trx
          .selectFrom('role_assignment')
          .select(['user_id', 'org_id'])
          .where('role', '=', 'school_security')
          .where('org_id', 'in', [...new Set(key.map((row) => row.school_id))])
          .execute();
        for (const row of key) {
          const where = row.place_name ? `（${row.place_name}）` : '';
          const label = DEVICE_KIND_LABELS[row.kind as keyof typeof DEVICE_KIND_LABELS] ?? row.kind;
          await notify(trx, {
            userIds: officers.filter((officer) => officer.org_id === row.school_id).map((officer) => officer.user_id),
            kind: 'device.offline',
            title: `重点设备离线：${row.name}${where}`,
            body: `${label} ${row.code} 已超过 ${Math.round(offlineAfterSeconds / 60)} 分钟未上报心跳，请尽快检查。`,
            link: `/devices/${row.id}`,
            orgPath: row.org_path,
          });
          await publish(trx, {
            type: 'device.offline',
            orgPath: row.org_path,
            payload: { id: row.id, code: row.code, name: row.name, kind: row.kind, placeId: row.place_id },
          });
        }
      }
      return { marked: rows.rows.length, warned: key.length };
    });
    marked += batch.marked;
    warned += batch.warned;
    if (batch.marked < 500) break;
  }
  return { marked, warned };
}
