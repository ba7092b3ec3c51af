import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltUser, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { multipartBody } from '../files/test-support.js';

let t: TestApp;
let tree: Tree;
let countyAdmin: Client;
let schoolAdmin: Client;
let secAdmin: Client;
let teacher: Client;

const HEADERS = ['上级单位编码', '单位编码', '单位名称', '层级', '学校类型', '地址'];

async function xlsx(rows: (string | null)[][], headers = HEADERS): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('单位');
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function importAs(client: Client, rows: (string | null)[][]) {
  const { payload, headers } = multipartBody(await xlsx(rows), '单位.xlsx');
  return client.post('/api/v1/orgs/import', payload, headers);
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  const as = async (user: BuiltUser) => login(t.app, user.username, user.password);
  countyAdmin = await as(await buildUser(db, { role: 'system_admin', org: tree.county }));
  schoolAdmin = await as(await buildUser(db, { role: 'system_admin', org: tree.school }));
  secAdmin = await as(await buildUser(db, { role: 'security_admin', org: tree.county }));
  teacher = await as(await buildUser(db, { role: 'teacher', org: tree.school }));
});
afterAll(() => t.close());

describe('org import', () => {
  it('serves a template with drop-downs and instructions', async () => {
    const response = await countyAdmin.get('/api/v1/orgs/import/template.xlsx');
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['单位', '填写说明']);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      '上级单位编码*',
      '单位编码*',
      '单位名称*',
      '层级*',
      '学校类型',
      '地址',
    ]);
    expect(sheet.getCell('D3').dataValidation).toMatchObject({ type: 'list', formulae: ['"省,市,区县,学校,部门"'] });
    expect((await teacher.get('/api/v1/orgs/import/template.xlsx')).statusCode).toBe(403);
  });

  it('creates a school and its departments from earlier rows, then updates on re-import', async () => {
    const response = await importAs(countyAdmin, [
      [tree.county.code, 'IMP-S1', '新建中学', '学校', '中学', '学府路 1 号'],
      ['IMP-S1', 'IMP-S1-D1', '保卫处', '部门', null, null],
      ['IMP-S1-D1', 'IMP-S1-D2', '门卫室', '部门', null, null],
      [tree.school.code, 'IMP-D3', '后勤处', '部门', null, null],
    ]);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ created: 4, updated: 0 });
    const db = t.database.db;
    const rows = await db.selectFrom('org_unit').selectAll().where('code', 'like', 'IMP-%').orderBy('code').execute();
    const byCode = Object.fromEntries(rows.map((row) => [row.code, row]));
    expect(byCode['IMP-S1']).toMatchObject({
      level: 'school',
      school_type: 'secondary',
      parent_id: tree.county.id,
      address: '学府路 1 号',
    });
    expect(byCode['IMP-S1']!.path).toBe(`${tree.county.path}${byCode['IMP-S1']!.id}/`);
    expect(byCode['IMP-S1-D2']!.path).toBe(`${byCode['IMP-S1-D1']!.path}${byCode['IMP-S1-D2']!.id}/`);
    expect(byCode['IMP-D3']!.parent_id).toBe(tree.school.id);
    // The new units work through the API.
    expect((await countyAdmin.get(`/api/v1/orgs/${byCode['IMP-S1']!.id}/children`)).json().items).toHaveLength(1);

    const again = await importAs(countyAdmin, [
      [tree.county.code, 'IMP-S1', '新建第一中学', '学校', '中学', null],
      ['IMP-S1', 'IMP-S1-D1', '保卫处', '部门', null, null],
      ['IMP-S1', 'IMP-S1-D4', '教务处', '部门', null, null],
    ]);
    expect(again.json()).toEqual({ created: 1, updated: 2 });
    const renamed = await db
      .selectFrom('org_unit')
      .select(['name', 'address'])
      .where('code', '=', 'IMP-S1')
      .executeTakeFirstOrThrow();
    expect(renamed).toEqual({ name: '新建第一中学', address: null });
    const audit = await db
      .selectFrom('audit_log')
      .select(['detail', 'actor_id'])
      .where('action', '=', 'org.import')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ created: 1, updated: 2, createdCodes: ['IMP-S1-D4'] });
  });

  it('writes nothing when any row is bad and reports each row and column', async () => {
    const before = await tableCounts(t.database);
    const response = await importAs(countyAdmin, [
      [tree.county.code, 'OK-S', '好学校', '学校', '小学', null],
      [tree.county.code, 'BAD-1', '没类型学校', '学校', null, null],
      ['OK-S', 'BAD-2', '部门有类型', '部门', '中学', null],
      ['OK-S', 'BAD-3', '学校下的学校', '学校', '中学', null],
      ['NOWHERE', 'BAD-4', '无上级', '部门', null, null],
      [tree.otherCounty.code, 'BAD-5', '越权', '学校', '中学', null],
      ['OK-S', 'OK-S', '重复', '部门', null, null],
      [tree.county.code, tree.farSchool.code, '别处的编码', '学校', '中学', null],
      [tree.county.code, 'bad code', '坏编码', '学校', '中学', null],
      [tree.county.code, 'BAD-7', '名称\n换行', '城堡', null, null],
      [null, null, '缺编码', null, null, null],
    ]);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('import_invalid');
    expect(body.message).toContain('未写入任何数据');
    const cells = body.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`);
    expect(cells).toEqual(
      expect.arrayContaining([
        '3:学校类型',
        '4:学校类型',
        '5:层级',
        '6:上级单位编码',
        '7:上级单位编码',
        '8:单位编码',
        '9:单位编码',
        '10:单位编码',
        '11:单位名称',
        '11:层级',
        '12:上级单位编码',
        '12:单位编码',
        '12:层级',
      ]),
    );
    expect(cells.some((cell: string) => cell.startsWith('2:'))).toBe(false);
    expect(body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('limits a school administrator to its own subtree and refuses non-managers', async () => {
    const before = await tableCounts(t.database);
    const outside = await importAs(schoolAdmin, [[tree.county.code, 'SA-S', '越级学校', '学校', '中学', null]]);
    expect(outside.json().errors[0]).toMatchObject({ row: 2, column: '上级单位编码' });
    expect((await importAs(secAdmin, [[tree.school.code, 'SEC-D', 'x', '部门', null, null]])).statusCode).toBe(403);
    expect((await importAs(teacher, [[tree.school.code, 'T-D', 'x', '部门', null, null]])).statusCode).toBe(403);
    expect(await tableCounts(t.database)).toEqual(before);
    const own = await importAs(schoolAdmin, [[tree.school.code, 'SA-D', '安全办', '部门', null, null]]);
    expect(own.json()).toEqual({ created: 1, updated: 0 });
  });

  it('refuses unreadable, empty, header-less and oversized files', async () => {
    const before = await tableCounts(t.database);
    const send = (buffer: Buffer) => {
      const { payload, headers } = multipartBody(buffer, 'x.xlsx');
      return countyAdmin.post('/api/v1/orgs/import', payload, headers);
    };
    expect((await send(Buffer.from('PK\u0003\u0004 not really a zip'))).json().code).toBe('import_unreadable');
    expect(await send(await xlsx([])).then((r) => r.json().code)).toBe('import_empty');
    expect((await send(await xlsx([['a']], ['别的列']))).json().code).toBe('import_invalid');
    const many = Array.from({ length: 5001 }, (_, index) => [
      tree.school.code,
      `MANY-${index}`,
      `部门${index}`,
      '部门',
      null,
      null,
    ]);
    expect((await send(await xlsx(many))).json().code).toBe('import_too_large');
    const wrongField = multipartBody(await xlsx([]), 'x.xlsx', { field: 'upload' });
    expect((await countyAdmin.post('/api/v1/orgs/import', wrongField.payload, wrongField.headers)).json().code).toBe(
      'file_missing',
    );
    expect((await countyAdmin.post('/api/v1/orgs/import', { rows: [] })).statusCode).toBe(415);
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('imports 5000 rows in one go', async () => {
    const rows = Array.from({ length: 5000 }, (_, index) => [
      tree.otherSchool.code,
      `BULK-${index}`,
      `部门${index}`,
      '部门',
      null,
      null,
    ]);
    const started = performance.now();
    const response = await importAs(countyAdmin, rows);
    const elapsed = performance.now() - started;
    expect(response.json()).toEqual({ created: 5000, updated: 0 });
    console.info(`org import of 5000 rows: ${Math.round(elapsed)} ms`);
  }, 60_000);
});
