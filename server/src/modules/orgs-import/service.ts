import { childPath, code as codeSchema, line, type OrgLevel, type SchoolType } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { importMessage, ORG_LEVEL_LABELS, SCHOOL_TYPE_LABELS } from '../../i18n/labels.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { buildTemplate, ImportErrors, readSheet, type SheetColumn } from '../../platform/excel.js';
import { inScope } from '../../platform/scope.js';
import { orgInputProblem } from '../orgs/service.js';

type OrgColumn = 'parentCode' | 'code' | 'name' | 'level' | 'schoolType' | 'address';

export const ORG_COLUMNS: readonly SheetColumn<OrgColumn>[] = [
  {
    key: 'parentCode',
    header: '上级单位编码',
    required: true,
    width: 16,
    note: '须为已有单位（在您的管理范围内），或本表中更早的行',
  },
  {
    key: 'code',
    header: '单位编码',
    required: true,
    width: 16,
    note: '全平台唯一；字母、数字、下划线、点或短横线。已有编码且上级、层级相同的单位将被更新',
  },
  { key: 'name', header: '单位名称', required: true, width: 28 },
  { key: 'level', header: '层级', required: true, width: 10, list: Object.values(ORG_LEVEL_LABELS) },
  {
    key: 'schoolType',
    header: '学校类型',
    width: 12,
    list: Object.values(SCHOOL_TYPE_LABELS),
    note: '层级为“学校”时必填，其他层级不填',
  },
  { key: 'address', header: '地址', width: 36 },
];

const INSTRUCTIONS = [
  '填写说明：',
  '1. 第一行为表头，请勿修改；从第二行起每行一个单位，最多 5000 行。',
  '2. 带 * 的列为必填；“层级”“学校类型”请从下拉列表中选择。',
  '3. 层级关系：市属于省，区县属于市，学校属于区县，部门属于学校或部门。',
  '4. 上级单位可以是本表中更早的行（先填学校，再填其部门）。',
  '5. 任意一行有误时整份文件都不会导入，系统会列出出错的行号和列名。',
];

export function orgTemplate(): Promise<Buffer> {
  return buildTemplate({
    sheetName: '单位',
    columns: ORG_COLUMNS,
    instructions: INSTRUCTIONS,
    examples: [
      ['320102', '320102-S01', '示例第一中学', ORG_LEVEL_LABELS.school, SCHOOL_TYPE_LABELS.secondary, '示例路 1 号'],
      ['320102-S01', '320102-S01-BWC', '保卫处', ORG_LEVEL_LABELS.department, null, null],
    ],
  });
}

interface ExistingOrg {
  id: number;
  parent_id: number | null;
  code: string;
  level: string;
  path: string;
}

interface PlannedOrg {
  row: number;
  code: string;
  name: string;
  level: OrgLevel;
  schoolType: SchoolType | null;
  address: string | null;
  parentCode: string;
  /** Set when the row updates an existing unit. */
  existingId: number | null;
}

const nameCell = line(100);
const addressCell = line(200);

/**
 * Imports org units from an xlsx: every row is validated first; then all are written in one
 * transaction, or nothing is. Audit: one summary row (`org.import`) with counts and codes.
 */
export async function importOrgs(
  db: Kysely<DB>,
  auth: AuthContext,
  actor: AuditActor,
  buffer: Buffer,
): Promise<{ created: number; updated: number }> {
  const rows = await readSheet(buffer, ORG_COLUMNS);
  const errors = new ImportErrors();
  const column = Object.fromEntries(ORG_COLUMNS.map((c) => [c.key, c])) as Record<OrgColumn, SheetColumn>;

  const mentioned = [
    ...new Set(rows.flatMap((r) => [r.values.code, r.values.parentCode]).filter((v): v is string => v !== null)),
  ];
  const existing = new Map<string, ExistingOrg>();
  for (let start = 0; start < mentioned.length; start += 1000) {
    const found = await db
      .selectFrom('org_unit')
      .select(['id', 'parent_id', 'code', 'level', 'path'])
      .where('code', 'in', mentioned.slice(start, start + 1000))
      .execute();
    for (const org of found) existing.set(org.code, org);
  }

  const planned = new Map<string, PlannedOrg>();
  for (const { row, values } of rows) {
    const code = errors.check(row, column.code, codeSchema, values.code);
    const name = errors.check(row, column.name, nameCell, values.name);
    const level = errors.choice(row, column.level, ORG_LEVEL_LABELS, values.level);
    const schoolType =
      values.schoolType === null ? null : errors.choice(row, column.schoolType, SCHOOL_TYPE_LABELS, values.schoolType);
    const address = values.address === null ? null : errors.check(row, column.address, addressCell, values.address);
    const parentCode = errors.check(row, column.parentCode, codeSchema, values.parentCode);

    // The parent: an earlier row of the file, or an existing unit inside the caller's scope.
    let parentLevel: OrgLevel | undefined;
    let parentExisting: ExistingOrg | undefined;
    if (parentCode !== undefined) {
      const earlier = planned.get(parentCode);
      const stored = existing.get(parentCode);
      if (earlier && earlier.code !== code) {
        parentLevel = earlier.level;
        if (earlier.existingId !== null) parentExisting = existing.get(parentCode);
      } else if (stored && inScope(auth, stored.path) && parentCode !== code) {
        parentLevel = stored.level as OrgLevel;
        parentExisting = stored;
      } else errors.add(row, column.parentCode.header, importMessage('org_parent_not_found', { code: parentCode }));
    }
    if (level !== undefined && parentLevel !== undefined && schoolType !== undefined) {
      const problem = orgInputProblem({ level, schoolType }, parentLevel);
      if (problem?.code === 'org_level_invalid') {
        errors.add(
          row,
          column.level.header,
          importMessage('org_level_invalid', { child: ORG_LEVEL_LABELS[level], parent: ORG_LEVEL_LABELS[parentLevel] }),
        );
      } else if (problem) {
        errors.add(row, column.schoolType.header, importMessage(problem.code));
      }
    }
    if (code === undefined) continue;
    const duplicate = planned.get(code);
    if (duplicate) {
      errors.add(row, column.code.header, importMessage('duplicate_in_file', { row: duplicate.row }));
      continue;
    }
    // An existing code updates that unit, but only where it already is: same parent, same level, in scope.
    const stored = existing.get(code);
    let existingId: number | null = null;
    if (stored) {
      const sameParent = parentExisting !== undefined && stored.parent_id === parentExisting.id;
      if (!sameParent || stored.level !== level || !inScope(auth, stored.path)) {
        errors.add(row, column.code.header, importMessage('org_code_elsewhere', { code }));
      } else existingId = stored.id;
    }
    if (
      name === undefined ||
      level === undefined ||
      schoolType === undefined ||
      address === undefined ||
      parentCode === undefined
    ) {
      // Keep the code known so later rows can name it as parent; the file fails anyway.
      planned.set(code, {
        row,
        code,
        name: '',
        level: level ?? 'department',
        schoolType: null,
        address: null,
        parentCode: parentCode ?? '',
        existingId,
      });
      continue;
    }
    planned.set(code, { row, code, name, level, schoolType, address, parentCode, existingId });
  }
  errors.throwIfAny();

  const items = [...planned.values()];
  const fresh = items.filter((item) => item.existingId === null);
  return db.transaction().execute(async (trx) => {
    const ids = await sql<{ id: number }>`
      SELECT nextval(pg_get_serial_sequence('org_unit', 'id'))::int AS id FROM generate_series(1, ${fresh.length}::int)`.execute(
      trx,
    );
    const paths = new Map<string, { id: number; path: string }>();
    for (const [code, org] of existing) paths.set(code, { id: org.id, path: org.path });
    const inserts = fresh.map((item, index) => {
      const id = ids.rows[index]!.id;
      const parent = paths.get(item.parentCode)!;
      const path = childPath(parent.path, id);
      paths.set(item.code, { id, path });
      return {
        id,
        parent_id: parent.id,
        level: item.level,
        code: item.code,
        name: item.name,
        school_type: item.schoolType,
        address: item.address,
        path,
      };
    });
    for (let start = 0; start < inserts.length; start += 500) {
      await trx
        .insertInto('org_unit')
        .values(inserts.slice(start, start + 500))
        .execute();
    }
    const updated = items.filter((item) => item.existingId !== null);
    for (const item of updated) {
      await trx
        .updateTable('org_unit')
        .set({ name: item.name, school_type: item.schoolType, address: item.address, updated_at: new Date() })
        .where('id', '=', item.existingId!)
        .execute();
    }
    await appendAudit(trx, actor, {
      action: 'org.import',
      targetType: 'org',
      orgPath: auth.scopePath,
      detail: {
        created: inserts.length,
        updated: updated.length,
        createdCodes: inserts.map((org) => org.code),
        updatedCodes: updated.map((item) => item.code),
      },
    });
    return { created: inserts.length, updated: updated.length };
  });
}
