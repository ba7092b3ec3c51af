import { type CoverageRequirement, DEVICE_KINDS, type DeviceCoverage } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { OrgRef } from './service.js';

/** Dormitories are not a place kind: they are recognised by name (宿舍, 公寓) or a `DORM` code. */
export function isDormitory(place: { name: string; code: string }): boolean {
  return /宿舍|公寓/.test(place.name) || /^DORM/i.test(place.code);
}

/**
 * Which key places of a school have which devices, and what is missing. A device counts for its place and
 * every place above it (a camera in the gate's guard room covers the gate). Key places: key parts (重点部位)
 * and gates; dormitories are listed too for the one-key alarm the seeds ask there.
 */
export async function deviceCoverage(db: Kysely<DB>, school: OrgRef): Promise<DeviceCoverage> {
  const places = await db
    .selectFrom('place')
    .select(['id', 'parent_id', 'code', 'name', 'kind', 'key_part'])
    .where('org_id', '=', school.id)
    .orderBy('code')
    .execute();
  const devices = await db
    .selectFrom('device')
    .select(['place_id', 'kind', 'zone'])
    .where('school_id', '=', school.id)
    .where('disabled', '=', false)
    .execute();
  const byId = new Map(places.map((place) => [place.id, place]));
  const counts = new Map<number, Record<string, number>>();
  const unplaced: Record<string, number> = {};
  for (const device of devices) {
    if (device.place_id === null || !byId.has(device.place_id)) {
      unplaced[device.kind] = (unplaced[device.kind] ?? 0) + 1;
      continue;
    }
    const seen = new Set<number>();
    for (let id: number | null = device.place_id; id !== null && !seen.has(id); id = byId.get(id)?.parent_id ?? null) {
      seen.add(id);
      const entry = counts.get(id) ?? {};
      entry[device.kind] = (entry[device.kind] ?? 0) + 1;
      counts.set(id, entry);
    }
  }
  const listed = places.filter((place) => place.key_part || place.kind === 'gate' || isDormitory(place));
  const rows = listed.map((place) => {
    const keyPart = place.key_part || place.kind === 'key_part' || place.kind === 'gate';
    const placeCounts = counts.get(place.id) ?? {};
    return {
      placeId: place.id,
      code: place.code,
      name: place.name,
      kind: place.kind,
      keyPart,
      counts: placeCounts,
      gap: keyPart && !placeCounts.camera,
    };
  });
  const gates = rows.filter((row) => row.kind === 'gate');
  const dorms = rows.filter((row) => isDormitory(row));
  const names = (items: { name: string }[]) => items.map((item) => item.name).join('、');
  const requirement = (key: CoverageRequirement, missing: { name: string }[], none: string | null) => ({
    key,
    met: missing.length === 0 && none === null,
    detail: none ?? (missing.length > 0 ? `缺：${names(missing)}` : null),
  });
  const total = (kind: string) => devices.filter((device) => device.kind === kind).length;
  return {
    schoolId: school.id,
    schoolName: school.name,
    kinds: [...DEVICE_KINDS],
    places: rows,
    unplaced,
    requirements: [
      requirement(
        'camera_at_key_places',
        rows.filter((row) => row.gap),
        rows.some((row) => row.keyPart) ? null : '未登记重点部位',
      ),
      requirement(
        'one_key_alarm_at_gate',
        gates.filter((row) => !row.counts.one_key_alarm),
        gates.length > 0 ? null : '未登记校门',
      ),
      requirement(
        'one_key_alarm_at_dormitory',
        dorms.filter((row) => !row.counts.one_key_alarm),
        null,
      ),
      requirement(
        'perimeter_intrusion',
        [],
        devices.some((device) => device.kind === 'intrusion_detector' && device.zone === 'perimeter')
          ? null
          : '无周界入侵报警',
      ),
      requirement(
        'anti_ram_at_gate',
        gates.filter((row) => !row.counts.bollard),
        gates.length > 0 ? null : '未登记校门',
      ),
      requirement('fire_alarm_panel', [], total('fire_alarm_panel') > 0 ? null : '无火灾报警控制器'),
    ],
  };
}
