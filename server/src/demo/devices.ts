import crypto from 'node:crypto';
import { pathIds } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { newDeviceCode } from '../modules/devices/service.js';
import { sha256 } from '../platform/crypto.js';

interface Spec {
  kind: string;
  name: string;
  place: string | null;
  zone?: 'perimeter' | 'key_part';
}

/**
 * Demo devices for every demo school: cameras at the key places (with a couple of gaps), one-key alarms at the
 * main gate and the dormitory, perimeter and key-part intrusion detectors, a fire panel in the monitoring room,
 * access control and a barrier at the north gate, bollards at the main gate. Most were heard from a minute ago;
 * a few are offline or in fault so the health page has something to show. Tokens are random and never printed:
 * rotate a device's token in the registry to connect a real one.
 */
export async function loadDemoDevices(trx: Kysely<DB>): Promise<void> {
  const schools = await trx
    .selectFrom('org_unit')
    .select(['id', 'path', 'name'])
    .where('level', '=', 'school')
    .orderBy('id')
    .execute();
  const now = Date.now();
  for (const [schoolIndex, school] of schools.entries()) {
    const places = new Map(
      (await trx.selectFrom('place').select(['id', 'code']).where('org_id', '=', school.id).execute()).map((p) => [
        p.code,
        p.id,
      ]),
    );
    const specs: Spec[] = [];
    const camera = (place: string, name: string) => {
      if (places.has(place)) specs.push({ kind: 'camera', name, place });
    };
    camera('G-S', '南门出入口摄像机');
    camera('G-S', '南门外道路摄像机');
    // Gaps: some schools have no camera at the north gate or in the power room.
    if (schoolIndex % 4 !== 1) camera('G-N', '北门摄像机');
    if (schoolIndex % 3 !== 0) camera('KP-POWER', '配电房摄像机');
    camera('KP-MON', '监控室摄像机');
    camera('KP-CHEM', '化学实验室摄像机');
    camera('KP-LAB', '科学实验室摄像机');
    camera('KP-KITCHEN', '食堂后厨摄像机');
    camera('B4', '宿舍楼门厅摄像机');
    camera('A-FIELD', '操场全景摄像机');
    if (places.has('G-S')) specs.push({ kind: 'one_key_alarm', name: '南门警卫室一键报警', place: 'G-S' });
    if (places.has('B4')) specs.push({ kind: 'one_key_alarm', name: '宿舍值班室一键报警', place: 'B4' });
    specs.push({ kind: 'intrusion_detector', name: '东侧围墙红外对射', place: null, zone: 'perimeter' });
    specs.push({ kind: 'intrusion_detector', name: '西侧围墙振动光纤', place: null, zone: 'perimeter' });
    for (const lab of ['KP-CHEM', 'KP-LAB'])
      if (places.has(lab)) specs.push({ kind: 'intrusion_detector', name: '实验室门磁', place: lab, zone: 'key_part' });
    if (places.has('KP-MON')) specs.push({ kind: 'fire_alarm_panel', name: '火灾报警控制器', place: 'KP-MON' });
    if (places.has('G-N')) {
      specs.push({ kind: 'access_control', name: '北门人行门禁', place: 'G-N' });
      specs.push({ kind: 'vehicle_barrier', name: '北门车辆道闸', place: 'G-N' });
    }
    if (places.has('G-S')) specs.push({ kind: 'bollard', name: '南门升降式防冲撞柱', place: 'G-S' });

    const [provinceId, cityId, countyId] = pathIds(school.path) as [number, number, number];
    const rows = specs.map((spec, index) => {
      const passive = spec.kind === 'bollard';
      const serial = schoolIndex * 31 + index;
      const offline = !passive && serial % 11 === 5;
      const fault = !passive && !offline && serial % 17 === 3;
      const lastSeen = passive ? null : new Date(now - (offline ? 3 * 3600_000 : 20_000 + (serial % 40) * 1000));
      const token = crypto.randomBytes(24).toString('base64url');
      return {
        code: newDeviceCode(),
        org_path: school.path,
        province_id: provinceId,
        city_id: cityId,
        county_id: countyId,
        school_id: school.id,
        place_id: spec.place ? (places.get(spec.place) ?? null) : null,
        kind: spec.kind,
        name: spec.name,
        zone: spec.zone ?? null,
        vendor: spec.kind === 'camera' ? '海康威视' : spec.kind === 'fire_alarm_panel' ? '海湾安全' : null,
        retention_days: spec.kind === 'camera' ? (serial % 7 === 2 ? 15 : 30) : null,
        token_hash: passive ? null : sha256(token),
        token_hint: passive ? null : token.slice(-4),
        last_seen_at: lastSeen,
        offline_since: offline && lastSeen ? new Date(lastSeen.getTime() + 300_000) : null,
        offline_notified_at: offline && lastSeen ? new Date(lastSeen.getTime() + 300_000) : null,
        fault_since: fault ? new Date(now - 26 * 3600_000) : null,
        fault_detail: fault ? (spec.kind === 'camera' ? '视频信号丢失' : '设备自检故障') : null,
        last_inspected_on: passive ? new Date(now - 20 * 86_400_000).toISOString().slice(0, 10) : null,
        installed_on: '2024-08-20',
      };
    });
    if (rows.length > 0) await trx.insertInto('device').values(rows).execute();
  }
}
