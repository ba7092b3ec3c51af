import { type DetectorZone, type DeviceKind, isOnlineKind, line } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { DETECTOR_ZONE_LABELS, DEVICE_KIND_LABELS, importMessage, YES_NO } from '../../i18n/labels.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { buildLedger, buildTemplate, ImportErrors, readSheet, type SheetColumn } from '../../platform/excel.js';
import { escapeLike } from '../orgs/queries.js';
import { type DeviceListRow, presentDevice } from './presenter.js';
import { KEY_PLACE_SQL } from './queries.js';
import { newDeviceCode, newDeviceToken, type OrgRef } from './service.js';

type DeviceColumn =
  | 'code'
  | 'name'
  | 'kind'
  | 'placeCode'
  | 'zone'
  | 'vendor'
  | 'model'
  | 'retentionDays'
  | 'lastInspectedOn'
  | 'installedOn'
  | 'disabled';

export const DEVICE_COLUMNS: readonly SheetColumn<DeviceColumn>[] = [
  {
    key: 'code',
    header: '设备编码',
    width: 14,
    note: '新设备留空（系统生成编码与令牌）；填写本校已有设备的编码则更新该设备',
  },
  { key: 'name', header: '设备名称', required: true, width: 24 },
  { key: 'kind', header: '设备类型', required: true, width: 16, list: Object.values(DEVICE_KIND_LABELS) },
  { key: 'placeCode', header: '场所编码', width: 14, note: '须为本校已登记的场所' },
  {
    key: 'zone',
    header: '防区类型',
    width: 10,
    list: Object.values(DETECTOR_ZONE_LABELS),
    note: '入侵探测器必填（周界/重点部位），其他设备留空',
  },
  { key: 'vendor', header: '厂商', width: 16 },
  { key: 'model', header: '型号', width: 16 },
  { key: 'retentionDays', header: '录像保存天数', width: 12, note: '摄像机填写，标准要求不少于 30 天；其他设备留空' },
  { key: 'lastInspectedOn', header: '最近检查日期', width: 14, note: '格式 2026-03-01；防冲撞设施等被动设施填写' },
  { key: 'installedOn', header: '安装日期', width: 14, note: '格式 2026-03-01' },
  { key: 'disabled', header: '是否停用', width: 10, list: [YES_NO.yes, YES_NO.no] },
];

const INSTRUCTIONS = [
  '填写说明：',
  '1. 第一行为表头，请勿修改；从第二行起每行一台设备，最多 5000 行。',
  '2. 带 * 的列为必填；“设备类型”“防区类型”“是否停用”请从下拉列表中选择。',
  '3. 新设备的编码与接入令牌由系统生成，导入成功后只显示一次，请立即配置到设备或网关。',
  '4. 任意一行有误时整份文件都不会导入，系统会列出出错的行号和列名。',
];

export function deviceTemplate(): Promise<Buffer> {
  return buildTemplate({
    sheetName: '设备',
    columns: DEVICE_COLUMNS,
    instructions: INSTRUCTIONS,
    examples: [
      [
        null,
        '南门枪机1',
        DEVICE_KIND_LABELS.camera,
        'G1',
        null,
        '海康威视',
        'DS-2CD3T47',
        '30',
        null,
        '2025-09-01',
        YES_NO.no,
      ],
      [null, '南门一键报警', DEVICE_KIND_LABELS.one_key_alarm, 'G1', null, null, null, null, null, null, YES_NO.no],
      [
        null,
        '东侧围墙红外对射',
        DEVICE_KIND_LABELS.intrusion_detector,
        null,
        DETECTOR_ZONE_LABELS.perimeter,
        null,
        null,
        null,
        null,
        null,
        null,
      ],
      [null, '南门升降柱', DEVICE_KIND_LABELS.bollard, 'G1', null, null, null, null, '2026-02-20', null, null],
    ],
  });
}

const nameCell = line(100);
const textCell = line(100);
const dayCell = z.iso.date();
const retentionCell = z.coerce.number().int().min(0).max(3650);

interface Planned {
  row: number;
  existingId: number | null;
  name: string;
  kind: DeviceKind;
  placeId: number | null;
  zone: DetectorZone | null;
  vendor: string | null;
  model: string | null;
  retentionDays: number | null;
  lastInspectedOn: string | null;
  installedOn: string | null;
  disabled: boolean;
}

/**
 * Validates every row first, then writes all of them in one transaction, or nothing. New online devices get
 * a code and a token, returned this once. Audit: one `device.import` row with the counts and codes.
 */
export async function importDevices(
  db: Kysely<DB>,
  actor: AuditActor,
  school: OrgRef,
  buffer: Buffer,
): Promise<{ created: number; updated: number; tokens: { row: number; code: string; name: string; token: string }[] }> {
  const rows = await readSheet(buffer, DEVICE_COLUMNS);
  const errors = new ImportErrors();
  const column = Object.fromEntries(DEVICE_COLUMNS.map((c) => [c.key, c])) as Record<DeviceColumn, SheetColumn>;
  const places = new Map(
    (await db.selectFrom('place').select(['id', 'code']).where('org_id', '=', school.id).execute()).map((p) => [
      p.code,
      p.id,
    ]),
  );
  const existing = new Map(
    (await db.selectFrom('device').select(['id', 'code', 'kind']).where('school_id', '=', school.id).execute()).map(
      (d) => [d.code, d],
    ),
  );
  const planned: Planned[] = [];
  const seenCodes = new Map<string, number>();
  for (const { row, values } of rows) {
    let existingId: number | null = null;
    let existingKind: string | null = null;
    if (values.code !== null) {
      const found = existing.get(values.code);
      if (!found) errors.add(row, column.code.header, importMessage('device_not_found', { code: values.code }));
      else {
        const earlier = seenCodes.get(values.code);
        if (earlier !== undefined)
          errors.add(row, column.code.header, importMessage('duplicate_in_file', { row: earlier }));
        seenCodes.set(values.code, row);
        existingId = found.id;
        existingKind = found.kind;
      }
    }
    const name = errors.check(row, column.name, nameCell, values.name);
    const kind = errors.choice(row, column.kind, DEVICE_KIND_LABELS, values.kind);
    if (kind !== undefined && existingKind !== null && kind !== existingKind)
      errors.add(row, column.kind.header, importMessage('device_kind_changed'));
    let placeId: number | null = null;
    if (values.placeCode !== null) {
      placeId = places.get(values.placeCode) ?? null;
      if (placeId === null)
        errors.add(row, column.placeCode.header, importMessage('place_not_found', { code: values.placeCode }));
    }
    const zone =
      values.zone === null ? null : (errors.choice(row, column.zone, DETECTOR_ZONE_LABELS, values.zone) ?? null);
    if (kind === 'intrusion_detector' && values.zone === null)
      errors.add(row, column.zone.header, importMessage('device_zone_required'));
    if (kind !== undefined && kind !== 'intrusion_detector' && values.zone !== null)
      errors.add(row, column.zone.header, importMessage('device_field_not_applicable'));
    const vendor = values.vendor === null ? null : (errors.check(row, column.vendor, textCell, values.vendor) ?? null);
    const model = values.model === null ? null : (errors.check(row, column.model, textCell, values.model) ?? null);
    const retentionDays =
      values.retentionDays === null
        ? null
        : (errors.check(row, column.retentionDays, retentionCell, values.retentionDays) ?? null);
    if (kind !== undefined && kind !== 'camera' && values.retentionDays !== null)
      errors.add(row, column.retentionDays.header, importMessage('device_field_not_applicable'));
    const lastInspectedOn =
      values.lastInspectedOn === null
        ? null
        : (errors.check(row, column.lastInspectedOn, dayCell, values.lastInspectedOn) ?? null);
    const installedOn =
      values.installedOn === null ? null : (errors.check(row, column.installedOn, dayCell, values.installedOn) ?? null);
    const disabled = values.disabled === null ? 'no' : errors.choice(row, column.disabled, YES_NO, values.disabled);
    if (name === undefined || kind === undefined) continue;
    planned.push({
      row,
      existingId,
      name,
      kind,
      placeId,
      zone,
      vendor,
      model,
      retentionDays,
      lastInspectedOn,
      installedOn,
      disabled: disabled === 'yes',
    });
  }
  errors.throwIfAny();

  const [provinceId, cityId, countyId] = school.path.split('/').filter(Boolean).map(Number) as [number, number, number];
  return db.transaction().execute(async (trx) => {
    const tokens: { row: number; code: string; name: string; token: string }[] = [];
    const fresh = planned.filter((item) => item.existingId === null);
    const inserts = fresh.map((item) => {
      const secret = isOnlineKind(item.kind) ? newDeviceToken() : null;
      const code = newDeviceCode();
      if (secret) tokens.push({ row: item.row, code, name: item.name, token: secret.token });
      return {
        code,
        org_path: school.path,
        province_id: provinceId,
        city_id: cityId,
        county_id: countyId,
        school_id: school.id,
        place_id: item.placeId,
        kind: item.kind,
        name: item.name,
        zone: item.zone,
        vendor: item.vendor,
        model: item.model,
        retention_days: item.retentionDays,
        token_hash: secret?.hash ?? null,
        token_hint: secret?.hint ?? null,
        last_inspected_on: item.lastInspectedOn,
        installed_on: item.installedOn,
        disabled: item.disabled,
      };
    });
    for (let start = 0; start < inserts.length; start += 500) {
      await trx
        .insertInto('device')
        .values(inserts.slice(start, start + 500))
        .execute();
    }
    const updates = planned.filter((item) => item.existingId !== null);
    for (let start = 0; start < updates.length; start += 500) {
      const values = updates
        .slice(start, start + 500)
        .map(
          (item) =>
            sql`(${item.existingId}::int, ${item.name}::text, ${item.placeId}::int, ${item.zone}::text, ${item.vendor}::text, ${item.model}::text, ${item.retentionDays}::int, ${item.lastInspectedOn}::date, ${item.installedOn}::date, ${item.disabled}::boolean)`,
        );
      await sql`
        UPDATE device SET name = v.name, place_id = v.place_id, zone = v.zone, vendor = v.vendor, model = v.model,
          retention_days = v.retention_days, last_inspected_on = v.last_inspected_on, installed_on = v.installed_on,
          disabled = v.disabled, updated_at = now()
        FROM (VALUES ${sql.join(values)}) AS v(id, name, place_id, zone, vendor, model, retention_days,
          last_inspected_on, installed_on, disabled)
        WHERE device.id = v.id`.execute(trx);
    }
    await appendAudit(trx, actor, {
      action: 'device.import',
      targetType: 'org',
      targetId: school.id,
      orgPath: school.path,
      detail: {
        created: inserts.length,
        updated: updates.length,
        createdCodes: inserts.map((item) => item.code),
        updatedIds: updates.map((item) => item.existingId),
      },
    });
    return { created: inserts.length, updated: updates.length, tokens };
  });
}

/** The device ledger (技防设施台账) of a school or of every school under a bureau. */
export async function devicesLedger(
  db: Kysely<DB>,
  orgPath: string,
  title: string,
  offlineAfterSeconds: number,
): Promise<{ buffer: Buffer; count: number }> {
  const rows = (await db
    .selectFrom('device')
    .innerJoin('org_unit as school', 'school.id', 'device.school_id')
    .leftJoin('place', 'place.id', 'device.place_id')
    .selectAll('device')
    .select([
      'school.name as school_name',
      'school.code as school_code',
      'place.name as place_name',
      'place.code as place_code',
      KEY_PLACE_SQL.as('place_key'),
    ])
    .where('device.org_path', 'like', `${escapeLike(orgPath)}%`)
    .orderBy('device.org_path')
    .orderBy('device.code')
    .limit(200_000)
    .execute()) as (DeviceListRow & { place_code: string | null })[];
  const STATUS: Record<string, string> = {
    online: '在线',
    offline: '离线',
    fault: '故障',
    unknown: '未上线',
    passive: '被动设施',
  };
  const now = new Date();
  const buffer = await buildLedger({
    sheetName: '技防设施台账',
    title,
    columns: [
      { header: '学校编码', width: 14 },
      { header: '学校名称', width: 24 },
      ...DEVICE_COLUMNS.slice(0, 4).map((c) => ({ header: c.header, width: c.width })),
      { header: '场所名称', width: 18 },
      ...DEVICE_COLUMNS.slice(4).map((c) => ({ header: c.header, width: c.width })),
      { header: '状态', width: 10 },
      { header: '最近心跳', width: 20 },
      { header: '故障说明', width: 24 },
    ],
    rows: rows.map((row) => {
      const device = presentDevice(row, offlineAfterSeconds, now);
      return [
        row.school_code,
        row.school_name,
        row.code,
        row.name,
        DEVICE_KIND_LABELS[row.kind as DeviceKind] ?? row.kind,
        row.place_code,
        row.place_name,
        row.zone ? DETECTOR_ZONE_LABELS[row.zone as DetectorZone] : null,
        row.vendor,
        row.model,
        row.retention_days,
        row.last_inspected_on,
        row.installed_on,
        row.disabled ? YES_NO.yes : YES_NO.no,
        row.disabled ? '停用' : (STATUS[device.status] ?? null),
        device.lastSeenAt ? new Date(device.lastSeenAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }) : null,
        row.fault_detail,
      ];
    }),
  });
  return { buffer, count: rows.length };
}
