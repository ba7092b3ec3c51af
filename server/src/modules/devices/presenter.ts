import { type DetectorZone, type Device, type DeviceKind, type DeviceStatus, deviceStatus } from '@safe-campus/domain';
import type { DeviceRow } from '../../db/schema.js';
import { iso } from '../../platform/pagination.js';

/** A device row joined with its school and place names. */
export type DeviceListRow = DeviceRow & {
  school_name: string;
  school_code: string;
  place_name: string | null;
  place_key: boolean | null;
};

export function statusOf(row: DeviceRow, now: Date, offlineAfterSeconds: number): DeviceStatus {
  return deviceStatus(
    { kind: row.kind as DeviceKind, lastSeenAt: row.last_seen_at, faultSince: row.fault_since },
    now,
    offlineAfterSeconds,
  );
}

export function presentDevice(row: DeviceListRow, offlineAfterSeconds: number, now = new Date()): Device {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind as DeviceKind,
    schoolId: row.school_id,
    schoolName: row.school_name,
    schoolCode: row.school_code,
    placeId: row.place_id,
    placeName: row.place_name,
    placeKey: row.place_key ?? false,
    zone: row.zone as DetectorZone | null,
    vendor: row.vendor,
    model: row.model,
    retentionDays: row.retention_days,
    hasToken: row.token_hash !== null,
    tokenHint: row.token_hint,
    status: row.disabled ? 'unknown' : statusOf(row, now, offlineAfterSeconds),
    lastSeenAt: iso(row.last_seen_at),
    offlineSince: iso(row.offline_since),
    faultSince: iso(row.fault_since),
    faultDetail: row.fault_detail,
    lastInspectedOn: row.last_inspected_on,
    installedOn: row.installed_on,
    disabled: row.disabled,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** What the audit log keeps of a device: never the token hash. */
export function deviceSummary(row: DeviceRow): Record<string, unknown> {
  return {
    code: row.code,
    name: row.name,
    kind: row.kind,
    placeId: row.place_id,
    zone: row.zone,
    vendor: row.vendor,
    model: row.model,
    retentionDays: row.retention_days,
    lastInspectedOn: row.last_inspected_on,
    installedOn: row.installed_on,
    disabled: row.disabled,
  };
}
