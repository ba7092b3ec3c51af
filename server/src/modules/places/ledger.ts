import { code as codeSchema, line, type PlaceKind, paragraph } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB, PlaceRow } from '../../db/schema.js';
import { importMessage, PLACE_KIND_LABELS, YES_NO } from '../../i18n/labels.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { notFound } from '../../platform/errors.js';
import { buildLedger, buildTemplate, ImportErrors, readSheet, type SheetColumn } from '../../platform/excel.js';
import { inScope } from '../../platform/scope.js';
import { escapeLike } from '../orgs/queries.js';
import type { OrgRef, PlaceService } from './service.js';

type PlaceColumn = 'schoolCode' | 'code' | 'name' | 'kind' | 'parentCode' | 'keyPart' | 'description';

const KIND_LIST = Object.values(PLACE_KIND_LABELS);

export const PLACE_COLUMNS: readonly SheetColumn<PlaceColumn>[] = [
  { key: 'schoolCode', header: '学校编码', width: 16, note: '导入到区县等上级单位时必填；导入到某所学校时可不填' },
  {
    key: 'code',
    header: '场所编码',
    required: true,
    width: 16,
    note: '本校内唯一；字母、数字、下划线、点或短横线。已有编码的场所将被更新',
  },
  { key: 'name', header: '场所名称', required: true, width: 24 },
  { key: 'kind', header: '类型', required: true, width: 12, list: KIND_LIST },
  { key: 'parentCode', header: '上级场所编码', width: 16, note: '须为本校已有场所，或本表中更早的行' },
  {
    key: 'keyPart',
    header: '是否重点部位',
    width: 14,
    list: [YES_NO.yes, YES_NO.no],
    note: '类型为“重点部位”时自动视为“是”',
  },
  { key: 'description', header: '说明', width: 40 },
];

const INSTRUCTIONS = [
  '填写说明：',
  '1. 第一行为表头，请勿修改；从第二行起每行一个场所，最多 5000 行。',
  '2. 带 * 的列为必填；“类型”“是否重点部位”请从下拉列表中选择。',
  '3. 上级场所须为本校已有场所，或本表中更早的行（先填楼宇，再填楼层、房间）。',
  '4. 任意一行有误时整份文件都不会导入，系统会列出出错的行号和列名。',
];

export function placeTemplate(): Promise<Buffer> {
  return buildTemplate({
    sheetName: '场所',
    columns: PLACE_COLUMNS,
    instructions: INSTRUCTIONS,
    examples: [
      [null, 'B01', '教学楼A', PLACE_KIND_LABELS.building, null, YES_NO.no, null],
      [null, 'B01-F1', '教学楼A一层', PLACE_KIND_LABELS.floor, 'B01', YES_NO.no, null],
      [null, 'LAB-CHEM', '化学实验室', PLACE_KIND_LABELS.room, 'B01-F1', YES_NO.yes, '危化品存放'],
    ],
  });
}

interface PlannedPlace {
  row: number;
  school: OrgRef;
  existing: PlaceRow | null;
  code: string;
  name: string;
  kind: PlaceKind;
  keyPart: boolean;
  parentCode: string | null;
  description: string | null;
}

const codeCell = codeSchema;
const nameCell = line(100);
const descriptionCell = paragraph(1000);

/**
 * Validates every row first, then writes all of them in one transaction, or nothing.
 * Audit: one summary row (`place.import`) with the counts and the codes created and updated.
 */
export async function importPlaces(
  db: Kysely<DB>,
  service: PlaceService,
  auth: AuthContext,
  actor: AuditActor,
  orgId: number,
  buffer: Buffer,
): Promise<{ created: number; updated: number }> {
  const root = await db
    .selectFrom('org_unit')
    .select(['id', 'path', 'level', 'code', 'name'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!root || !inScope(auth, root.path)) throw notFound();
  const defaultSchool =
    root.level === 'school' || root.level === 'department' ? await service.schoolForWrite(auth, orgId) : null;

  const rows = await readSheet(buffer, PLACE_COLUMNS);
  const errors = new ImportErrors();
  const column = Object.fromEntries(PLACE_COLUMNS.map((c) => [c.key, c])) as Record<PlaceColumn, SheetColumn>;

  // Schools named in the file, looked up once.
  const schoolCodes = [...new Set(rows.map((r) => r.values.schoolCode).filter((v): v is string => v !== null))];
  const schools = new Map<string, OrgRef>();
  if (defaultSchool) schools.set(defaultSchool.code, defaultSchool);
  if (schoolCodes.length > 0) {
    const found = (await db
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'code', 'name'])
      .where('code', 'in', schoolCodes)
      .where('level', '=', 'school')
      .where('path', 'like', `${escapeLike(defaultSchool?.path ?? root.path)}%`)
      .execute()) as OrgRef[];
    for (const school of found) if (inScope(auth, school.path)) schools.set(school.code, school);
  }
  const existingBySchool = new Map<number, Map<string, PlaceRow>>();
  for (const place of await service.queries.ofSchools([...new Set([...schools.values()].map((s) => s.id))])) {
    const byCode = existingBySchool.get(place.org_id) ?? new Map<string, PlaceRow>();
    byCode.set(place.code, place);
    existingBySchool.set(place.org_id, byCode);
  }

  const planned: PlannedPlace[] = [];
  const seen = new Map<string, number>();
  for (const { row, values } of rows) {
    let school: OrgRef | undefined;
    if (values.schoolCode !== null) {
      school = schools.get(values.schoolCode);
      if (!school || (defaultSchool && school.id !== defaultSchool.id)) {
        errors.add(row, column.schoolCode.header, importMessage('school_not_found', { code: values.schoolCode }));
        school = undefined;
      }
    } else if (defaultSchool) {
      school = defaultSchool;
    } else {
      errors.add(row, column.schoolCode.header, importMessage('school_required'));
    }
    const code = errors.check(row, column.code, codeCell, values.code);
    const name = errors.check(row, column.name, nameCell, values.name);
    const kind = errors.choice(row, column.kind, PLACE_KIND_LABELS, values.kind);
    const keyPartValue =
      values.keyPart === null ? undefined : errors.choice(row, column.keyPart, YES_NO, values.keyPart);
    const description =
      values.description === null ? null : errors.check(row, column.description, descriptionCell, values.description);
    const parentCode =
      values.parentCode === null ? null : errors.check(row, column.parentCode, codeCell, values.parentCode);
    if (!school) continue;
    if (parentCode !== null && parentCode !== undefined) {
      if (parentCode === code) errors.add(row, column.parentCode.header, importMessage('place_parent_self'));
      else if (!seen.has(`${school.id}:${parentCode}`) && !existingBySchool.get(school.id)?.has(parentCode)) {
        errors.add(row, column.parentCode.header, importMessage('place_parent_not_found', { code: parentCode }));
      }
    }
    if (code === undefined) continue;
    const key = `${school.id}:${code}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.add(row, column.code.header, importMessage('duplicate_in_file', { row: earlier }));
      continue;
    }
    seen.set(key, row);
    if (name === undefined || kind === undefined || description === undefined || parentCode === undefined) continue;
    planned.push({
      row,
      school,
      existing: existingBySchool.get(school.id)?.get(code) ?? null,
      code,
      name,
      kind,
      keyPart: kind === 'key_part' || keyPartValue === 'yes',
      parentCode,
      description,
    });
  }
  checkCycles(planned, existingBySchool, errors, column.parentCode.header);
  errors.throwIfAny();

  return db.transaction().execute(async (trx) => {
    const ids = new Map<string, number>();
    for (const [schoolId, byCode] of existingBySchool)
      for (const [code, place] of byCode) ids.set(`${schoolId}:${code}`, place.id);
    // Ids for new places up front, so a parent from an earlier row is known and rows go in batches.
    const fresh = planned.filter((item) => !item.existing);
    const allocated = await sql<{ id: number }>`
      SELECT nextval(pg_get_serial_sequence('place', 'id'))::int AS id FROM generate_series(1, ${fresh.length}::int)`.execute(
      trx,
    );
    fresh.forEach((item, index) => {
      ids.set(`${item.school.id}:${item.code}`, allocated.rows[index]!.id);
    });
    const parentIdOf = (item: PlannedPlace) =>
      item.parentCode === null ? null : (ids.get(`${item.school.id}:${item.parentCode}`) ?? null);

    const inserts = fresh.map((item) => ({
      id: ids.get(`${item.school.id}:${item.code}`)!,
      org_id: item.school.id,
      org_path: item.school.path,
      code: item.code,
      name: item.name,
      kind: item.kind,
      key_part: item.keyPart,
      parent_id: parentIdOf(item),
      description: item.description,
    }));
    // Parents first: a batch may only point at rows of earlier batches or itself, and the FK is checked per statement.
    for (let start = 0; start < inserts.length; start += 500) {
      await trx
        .insertInto('place')
        .values(inserts.slice(start, start + 500))
        .execute();
    }
    const updates = planned.filter((item) => item.existing);
    for (let start = 0; start < updates.length; start += 500) {
      const values = updates
        .slice(start, start + 500)
        .map(
          (item) =>
            sql`(${item.existing!.id}::int, ${item.name}::text, ${item.kind}::text, ${item.keyPart}::boolean, ${parentIdOf(item)}::int, ${item.description}::text)`,
        );
      await sql`
        UPDATE place SET name = v.name, kind = v.kind, key_part = v.key_part, parent_id = v.parent_id,
               description = v.description, updated_at = now()
        FROM (VALUES ${sql.join(values)}) AS v(id, name, kind, key_part, parent_id, description)
        WHERE place.id = v.id`.execute(trx);
    }
    const created = inserts.map((item) => item.code);
    const updated = updates.map((item) => item.code);
    await appendAudit(trx, actor, {
      action: 'place.import',
      targetType: 'org',
      targetId: root.id,
      orgPath: defaultSchool?.path ?? root.path,
      detail: { created: created.length, updated: updated.length, createdCodes: created, updatedCodes: updated },
    });
    return { created: created.length, updated: updated.length };
  });
}

/** A row may re-parent an existing place: refuse any chain that comes back to itself. */
function checkCycles(
  planned: PlannedPlace[],
  existing: Map<number, Map<string, PlaceRow>>,
  errors: ImportErrors,
  header: string,
): void {
  const parentOf = new Map<string, string | null>();
  for (const [schoolId, byCode] of existing) {
    const byId = new Map([...byCode.values()].map((place) => [place.id, place.code]));
    for (const place of byCode.values()) {
      parentOf.set(
        `${schoolId}:${place.code}`,
        place.parent_id === null ? null : `${schoolId}:${byId.get(place.parent_id)}`,
      );
    }
  }
  for (const item of planned)
    parentOf.set(
      `${item.school.id}:${item.code}`,
      item.parentCode === null ? null : `${item.school.id}:${item.parentCode}`,
    );
  for (const item of planned) {
    if (!item.existing || item.parentCode === null) continue;
    const start = `${item.school.id}:${item.code}`;
    let current = parentOf.get(start) ?? null;
    for (let steps = 0; current !== null && steps < 10_000; steps++) {
      if (current === start) {
        errors.add(item.row, header, importMessage('place_parent_cycle'));
        break;
      }
      current = parentOf.get(current) ?? null;
    }
  }
}

/** The places ledger (场所台账) of one school or of every school under a bureau. */
export async function placesLedger(
  db: Kysely<DB>,
  orgPath: string,
  title: string,
): Promise<{ buffer: Buffer; count: number }> {
  const rows = await db
    .selectFrom('place')
    .innerJoin('org_unit', 'org_unit.id', 'place.org_id')
    .leftJoin('place as parent', 'parent.id', 'place.parent_id')
    .select([
      'org_unit.code as school_code',
      'org_unit.name as school_name',
      'place.code',
      'place.name',
      'place.kind',
      'place.key_part',
      'parent.code as parent_code',
      'place.description',
    ])
    .where('place.org_path', 'like', `${escapeLike(orgPath)}%`)
    .orderBy('place.org_path')
    .orderBy('place.code')
    .limit(200_000)
    .execute();
  const buffer = await buildLedger({
    sheetName: '场所台账',
    title,
    columns: [
      { header: '学校编码', width: 14 },
      { header: '学校名称', width: 24 },
      ...PLACE_COLUMNS.slice(1).map((c) => ({ header: c.header, width: c.width })),
    ],
    rows: rows.map((row) => [
      row.school_code,
      row.school_name,
      row.code,
      row.name,
      PLACE_KIND_LABELS[row.kind as PlaceKind] ?? row.kind,
      row.parent_code,
      row.key_part ? YES_NO.yes : YES_NO.no,
      row.description,
    ]),
  });
  return { buffer, count: rows.length };
}
