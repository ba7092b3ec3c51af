import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltUser, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { multipartBody } from '../files/test-support.js';

let t: TestApp;
let tree: Tree;
let security: Client;
let otherSecurity: Client;
let teacher: Client;
let departmentTeacher: Client;
let countyOfficer: Client;
let farOfficer: Client;
let countyAdmin: Client;

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  security = await as(await buildUser(db, { role: 'school_security', org: tree.school }));
  otherSecurity = await as(await buildUser(db, { role: 'school_security', org: tree.otherSchool }));
  teacher = await as(await buildUser(db, { role: 'teacher', org: tree.school }));
  departmentTeacher = await as(await buildUser(db, { role: 'teacher', org: tree.department }));
  countyOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.county }));
  farOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.otherCounty }));
  countyAdmin = await as(await buildUser(db, { role: 'system_admin', org: tree.county }));
});
afterAll(() => t.close());

async function createPlace(client: Client, body: Record<string, unknown>) {
  return client.post('/api/v1/places', { orgId: tree.school.id, kind: 'building', ...body });
}

async function xlsx(rows: (string | number | null)[][], headers: string[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('场所');
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function upload(client: Client, buffer: Buffer, filename: string) {
  const { payload, headers } = multipartBody(buffer, filename);
  return client.post('/api/v1/files', payload, headers);
}

const PLACE_HEADERS = ['学校编码', '场所编码', '场所名称', '类型', '上级场所编码', '是否重点部位', '说明'];

describe('places CRUD', () => {
  let buildingId: number;
  let floorId: number;

  it('creates a building, a floor under it and a key part, with audit rows', async () => {
    const building = await createPlace(security, { code: 'B1', name: '教学楼' });
    expect(building.statusCode).toBe(200);
    buildingId = building.json().id;
    expect(building.json()).toMatchObject({ orgId: tree.school.id, kind: 'building', keyPart: false, parentId: null });

    const floor = await createPlace(security, { code: 'B1-F1', name: '一层', kind: 'floor', parentId: buildingId });
    expect(floor.statusCode).toBe(200);
    floorId = floor.json().id;

    const keyPart = await createPlace(security, { code: 'KP1', name: '配电房', kind: 'key_part', parentId: floorId });
    expect(keyPart.json().keyPart).toBe(true);
    const lab = await createPlace(security, {
      code: 'LAB1',
      name: '化学实验室',
      kind: 'room',
      keyPart: true,
      parentId: floorId,
    });
    expect(lab.json()).toMatchObject({ kind: 'room', keyPart: true });

    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'org_path', 'detail'])
      .where('action', '=', 'place.create')
      .where('target_id', '=', String(buildingId))
      .executeTakeFirstOrThrow();
    expect(audit.org_path).toBe(tree.school.path);
    expect(audit.detail).toMatchObject({ after: { code: 'B1', name: '教学楼' } });
  });

  it('lets a department user resolve to the school’s places by department id', async () => {
    await createPlace(security, { code: 'GATE1', name: '南门', kind: 'gate' });
    const viaDepartment = await departmentTeacher.get(`/api/v1/places?orgId=${tree.department.id}`);
    expect(viaDepartment.statusCode).toBe(200);
    expect(viaDepartment.json().items.map((p: { code: string }) => p.code)).toContain('B1');
    const viaSchool = await departmentTeacher.get(`/api/v1/places?orgId=${tree.school.id}`);
    expect(viaSchool.statusCode).toBe(200);
    expect((await departmentTeacher.get(`/api/v1/places/${buildingId}`)).statusCode).toBe(200);
  });

  it('filters by key part, kind and keyword and pages with a cursor', async () => {
    const keyParts = await teacher.get(`/api/v1/places?orgId=${tree.school.id}&keyPart=true`);
    expect(
      keyParts
        .json()
        .items.map((p: { code: string }) => p.code)
        .sort(),
    ).toEqual(['KP1', 'LAB1']);
    const gates = await teacher.get(`/api/v1/places?orgId=${tree.school.id}&kind=gate`);
    expect(gates.json().items).toHaveLength(1);
    const keyword = await teacher.get(`/api/v1/places?orgId=${tree.school.id}&keyword=${encodeURIComponent('实验')}`);
    expect(keyword.json().items.map((p: { code: string }) => p.code)).toEqual(['LAB1']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/places?orgId=${tree.school.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await teacher.get(url)).json();
      seen.push(...page.items.map((p: { code: string }) => p.code));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['B1', 'B1-F1', 'GATE1', 'KP1', 'LAB1']);
    expect((await teacher.get(`/api/v1/places?orgId=${tree.school.id}&cursor=garbage`)).json().code).toBe(
      'invalid_cursor',
    );
  });

  it('scopes: the county sees its schools, another county and another school get 404', async () => {
    const county = await countyOfficer.get(`/api/v1/places?orgId=${tree.county.id}`);
    expect(county.statusCode).toBe(200);
    expect(county.json().items.length).toBeGreaterThanOrEqual(5);
    expect((await countyOfficer.get(`/api/v1/places?orgId=${tree.school.id}`)).statusCode).toBe(200);
    expect((await countyOfficer.get(`/api/v1/places/${buildingId}`)).statusCode).toBe(200);

    expect((await farOfficer.get(`/api/v1/places?orgId=${tree.school.id}`)).statusCode).toBe(404);
    expect((await farOfficer.get(`/api/v1/places/${buildingId}`)).statusCode).toBe(404);
    expect((await otherSecurity.get(`/api/v1/places/${buildingId}`)).statusCode).toBe(404);
    expect((await otherSecurity.get(`/api/v1/places?orgId=${tree.school.id}`)).statusCode).toBe(404);
    expect((await otherSecurity.patch(`/api/v1/places/${buildingId}`, { name: 'x' })).statusCode).toBe(404);
    expect((await otherSecurity.delete(`/api/v1/places/${buildingId}`)).statusCode).toBe(404);
    expect((await departmentTeacher.get(`/api/v1/places?orgId=${tree.otherSchool.id}`)).statusCode).toBe(404);
  });

  it('refuses writes without place.manage (403) and bureau officers', async () => {
    expect((await createPlace(teacher, { code: 'T1', name: 'x' })).statusCode).toBe(403);
    expect((await createPlace(countyOfficer, { code: 'T1', name: 'x' })).statusCode).toBe(403);
    expect((await teacher.delete(`/api/v1/places/${buildingId}`)).statusCode).toBe(403);
  });

  it('lets a county system admin create a place in a school of the county, not in a county', async () => {
    const created = await countyAdmin.post('/api/v1/places', {
      orgId: tree.otherSchool.id,
      kind: 'area',
      code: 'PLAY',
      name: '操场',
    });
    expect(created.statusCode).toBe(200);
    const onCounty = await countyAdmin.post('/api/v1/places', {
      orgId: tree.county.id,
      kind: 'area',
      code: 'X',
      name: 'x',
    });
    expect(onCounty.statusCode).toBe(400);
    expect(onCounty.json().code).toBe('place_org_not_school');
    const far = await countyAdmin.post('/api/v1/places', {
      orgId: tree.farSchool.id,
      kind: 'area',
      code: 'X',
      name: 'x',
    });
    expect(far.statusCode).toBe(404);
  });

  it('updates with before/after, refuses other schools’ parents and cycles', async () => {
    const updated = await security.patch(`/api/v1/places/${buildingId}`, { name: '教学楼甲', description: '五层' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: '教学楼甲', description: '五层' });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'place.update')
      .where('target_id', '=', String(buildingId))
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ before: { name: '教学楼' }, after: { name: '教学楼甲' } });

    const foreign = await createPlace(otherSecurity, { orgId: tree.otherSchool.id, code: 'OB1', name: '他校楼' });
    const wrongParent = await security.patch(`/api/v1/places/${floorId}`, { parentId: foreign.json().id });
    expect(wrongParent.json().code).toBe('place_parent_invalid');
    const cycle = await security.patch(`/api/v1/places/${buildingId}`, { parentId: floorId });
    expect(cycle.json().code).toBe('place_parent_cycle');
    const self = await security.patch(`/api/v1/places/${buildingId}`, { parentId: buildingId });
    expect(self.json().code).toBe('place_parent_cycle');
    const taken = await security.patch(`/api/v1/places/${floorId}`, { code: 'B1' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('code_taken');
  });

  it('deletes leaves only: 409 place_has_children otherwise', async () => {
    const blocked = await security.delete(`/api/v1/places/${buildingId}`);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().code).toBe('place_has_children');
    const leaf = await createPlace(security, { code: 'TMP', name: '临时', kind: 'area' });
    expect((await security.delete(`/api/v1/places/${leaf.json().id}`)).statusCode).toBe(200);
    expect((await security.get(`/api/v1/places/${leaf.json().id}`)).statusCode).toBe(404);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'place.delete')
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ before: { code: 'TMP' } });
  });
});

describe('places bad input', () => {
  it('answers 4xx problem+json and writes nothing', async () => {
    const before = await tableCounts(t.database);
    const huge = 'x'.repeat(1024 * 1024);
    const cases: [Record<string, unknown> | string, number][] = [
      [{ orgId: 'one', kind: 'building', code: 'A', name: 'a' }, 400],
      [{ kind: 'building', code: 'A', name: 'a' }, 400],
      [{ orgId: tree.school.id, kind: 'castle', code: 'A', name: 'a' }, 400],
      [{ orgId: tree.school.id, kind: 'building', code: 'A', name: 'a', extra: 1 }, 400],
      [{ orgId: tree.school.id, kind: 'building', code: 'A', name: 'a\u0000b' }, 400],
      [{ orgId: tree.school.id, kind: 'building', code: 'A b', name: 'a' }, 400],
      [{ orgId: tree.school.id, kind: 'building', code: 'A', name: 'a', planX: 2, planY: 0.5 }, 400],
      [{ orgId: tree.school.id, kind: 'building', code: 'A', name: 'a', planX: 0.5, planY: 0.5 }, 400],
      [{ orgId: tree.school.id, kind: 'building', code: 'A', name: 'a', parentId: 999_999 }, 400],
      [
        {
          orgId: tree.school.id,
          kind: 'building',
          code: 'A',
          name: 'a',
          floorPlanFileId: '00000000-0000-4000-8000-000000000000',
        },
        400,
      ],
      [{ orgId: tree.school.id, kind: 'building', code: 'A', name: 'a', floorPlanFileId: 'not-a-uuid' }, 400],
      [{ orgId: tree.otherSchool.id, kind: 'building', code: 'A', name: 'a' }, 404],
      [{ orgId: tree.farSchool.id, kind: 'building', code: 'A', name: 'a' }, 404],
      [{ orgId: 2_147_483_647, kind: 'building', code: 'A', name: 'a' }, 404],
      [{ orgId: tree.school.id, kind: 'building', code: 'A', name: huge }, 413],
      ['{"orgId":', 400],
    ];
    for (const [body, status] of cases) {
      const response = await security.post(
        '/api/v1/places',
        body,
        typeof body === 'string' ? { 'content-type': 'application/json' } : {},
      );
      expect(response.statusCode, JSON.stringify(body).slice(0, 120)).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const params = await security.get('/api/v1/places/abc');
    expect(params.statusCode).toBe(400);
    expect((await security.get('/api/v1/places?orgId=abc')).statusCode).toBe(400);
    expect((await security.get(`/api/v1/places?orgId=${tree.school.id}&bogus=1`)).statusCode).toBe(400);
    expect((await security.get(`/api/v1/places?orgId=${tree.school.id}&keyword=${'k'.repeat(300)}`)).statusCode).toBe(
      400,
    );
    expect((await security.patch('/api/v1/places/1', { orgId: tree.school.id })).statusCode).toBe(400);
    expect(await tableCounts(t.database)).toEqual(before);
  });
});

describe('floor plans', () => {
  it('attaches an uploaded plan to a place; rooms share it; other schools cannot read it', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#88aaff' } })
      .png()
      .toBuffer();
    const uploaded = await upload(security, png, '一层平面图.png');
    expect(uploaded.statusCode).toBe(200);
    const fileId = uploaded.json().id;
    const floor = await createPlace(security, { code: 'F-PLAN', name: '二层', kind: 'floor', floorPlanFileId: fileId });
    expect(floor.statusCode).toBe(200);
    const room = await createPlace(security, {
      code: 'R-PLAN',
      name: '201',
      kind: 'room',
      parentId: floor.json().id,
      floorPlanFileId: fileId,
      planX: 0.25,
      planY: 0.75,
    });
    expect(room.statusCode).toBe(200);
    expect(room.json()).toMatchObject({ floorPlanFileId: fileId, planX: 0.25, planY: 0.75 });

    const file = await t.database.db
      .selectFrom('stored_file')
      .selectAll()
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    expect(file).toMatchObject({ owner_type: 'place', owner_id: floor.json().id, org_path: tree.school.path });
    expect((await teacher.get(`/api/v1/files/${fileId}`)).statusCode).toBe(200);
    expect((await countyOfficer.get(`/api/v1/files/${fileId}/thumbnail`)).statusCode).toBe(200);
    expect((await otherSecurity.get(`/api/v1/files/${fileId}`)).statusCode).toBe(404);

    // Another school cannot pin its place on this plan.
    const foreign = await otherSecurity.post('/api/v1/places', {
      orgId: tree.otherSchool.id,
      kind: 'room',
      code: 'STEAL',
      name: 'x',
      floorPlanFileId: fileId,
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().code).toBe('floor_plan_invalid');
    // Deleting the owner hands the shared plan to the room.
    await security.patch(`/api/v1/places/${room.json().id}`, { parentId: null });
    expect((await security.delete(`/api/v1/places/${floor.json().id}`)).statusCode).toBe(200);
    expect((await teacher.get(`/api/v1/files/${fileId}`)).statusCode).toBe(200);
  });

  it('refuses a PDF as floor plan', async () => {
    const pdf = await upload(
      security,
      Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'),
      'a.pdf',
    );
    expect(pdf.statusCode).toBe(200);
    const response = await createPlace(security, { code: 'PDFPLAN', name: 'x', floorPlanFileId: pdf.json().id });
    expect(response.json().code).toBe('floor_plan_invalid');
  });
});

describe('places Excel', () => {
  it('serves a template with the data sheet, drop-downs and an instruction sheet', async () => {
    const response = await security.get('/api/v1/places/import/template.xlsx');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    expect(response.headers['content-disposition']).toContain("filename*=UTF-8''");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['场所', '填写说明']);
    expect(workbook.worksheets[0]!.getRow(1).getCell(2).value).toBe('场所编码*');
    expect(workbook.worksheets[0]!.getCell('D2').dataValidation?.type).toBe('list');
    expect((await teacher.get('/api/v1/places/import/template.xlsx')).statusCode).toBe(403);
  });

  it('imports rows whose parents are earlier rows, and updates on re-import', async () => {
    const file = await xlsx(
      [
        [null, 'IMP-B', '实验楼', '楼宇', null, '否', null],
        [null, 'IMP-F1', '实验楼一层', '楼层', 'IMP-B', null, null],
        [null, 'IMP-R1', '危化品库', '重点部位', 'IMP-F1', null, '双人双锁'],
        [null, 'IMP-R2', '物理实验室', '房间', 'IMP-F1', '是', null],
      ],
      PLACE_HEADERS,
    );
    const { payload, headers } = multipartBody(file, '场所.xlsx');
    const response = await security.post(`/api/v1/places/import?orgId=${tree.school.id}`, payload, headers);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ created: 4, updated: 0 });
    const list = (await security.get(`/api/v1/places?orgId=${tree.school.id}&keyword=IMP-`)).json().items;
    const byCode = Object.fromEntries(list.map((p: { code: string }) => [p.code, p]));
    expect(byCode['IMP-R1']).toMatchObject({
      kind: 'key_part',
      keyPart: true,
      description: '双人双锁',
      parentId: byCode['IMP-F1'].id,
    });
    expect(byCode['IMP-R2']).toMatchObject({ kind: 'room', keyPart: true });

    const again = multipartBody(
      await xlsx([[tree.school.code, 'IMP-R2', '物理实验室（新）', '房间', 'IMP-F1', '否', null]], PLACE_HEADERS),
      'b.xlsx',
    );
    const second = await security.post(`/api/v1/places/import?orgId=${tree.school.id}`, again.payload, again.headers);
    expect(second.json()).toEqual({ created: 0, updated: 1 });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'place.import')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ created: 0, updated: 1, updatedCodes: ['IMP-R2'] });
  });

  it('writes nothing when one row is bad and reports row and column', async () => {
    const before = await tableCounts(t.database);
    const file = await xlsx(
      [
        [null, 'OK-1', '好的楼', '楼宇', null, null, null],
        [null, 'OK-2', '好的楼二', '楼宇', null, null, null],
        [null, 'BAD 1', '坏编码', '城堡', 'NOPE', '也许', null],
        [null, 'OK-1', '重复', '楼宇', null, null, null],
        [tree.otherSchool.code, 'OTHER', '他校', '楼宇', null, null, null],
      ],
      PLACE_HEADERS,
    );
    const { payload, headers } = multipartBody(file, 'bad.xlsx');
    const response = await security.post(`/api/v1/places/import?orgId=${tree.school.id}`, payload, headers);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('import_invalid');
    const cells = body.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`);
    expect(cells).toEqual(
      expect.arrayContaining(['4:场所编码', '4:类型', '4:上级场所编码', '4:是否重点部位', '5:场所编码', '6:学校编码']),
    );
    expect(cells.some((cell: string) => cell.startsWith('2:') || cell.startsWith('3:'))).toBe(false);
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('refuses files that are not xlsx, too many rows, and missing headers', async () => {
    const before = await tableCounts(t.database);
    const notXlsx = multipartBody(Buffer.from('hello'), 'a.xlsx');
    const unreadable = await security.post(
      `/api/v1/places/import?orgId=${tree.school.id}`,
      notXlsx.payload,
      notXlsx.headers,
    );
    expect(unreadable.json().code).toBe('import_unreadable');

    const many = Array.from({ length: 5001 }, (_, index) => [
      null,
      `M${index}`,
      `楼${index}`,
      '楼宇',
      null,
      null,
      null,
    ]);
    const big = multipartBody(await xlsx(many, PLACE_HEADERS), 'big.xlsx');
    const tooLarge = await security.post(`/api/v1/places/import?orgId=${tree.school.id}`, big.payload, big.headers);
    expect(tooLarge.json().code).toBe('import_too_large');

    const noHeader = multipartBody(await xlsx([['x']], ['名称']), 'h.xlsx');
    const missing = await security.post(
      `/api/v1/places/import?orgId=${tree.school.id}`,
      noHeader.payload,
      noHeader.headers,
    );
    expect(missing.json().code).toBe('import_invalid');

    const empty = multipartBody(await xlsx([], PLACE_HEADERS), 'e.xlsx');
    expect(
      (await security.post(`/api/v1/places/import?orgId=${tree.school.id}`, empty.payload, empty.headers)).json().code,
    ).toBe('import_empty');

    const file = multipartBody(await xlsx([[null, 'Z1', 'z', '楼宇', null, null, null]], PLACE_HEADERS), 'z.xlsx');
    expect(
      (await otherSecurity.post(`/api/v1/places/import?orgId=${tree.school.id}`, file.payload, file.headers))
        .statusCode,
    ).toBe(404);
    expect(
      (await teacher.post(`/api/v1/places/import?orgId=${tree.school.id}`, file.payload, file.headers)).statusCode,
    ).toBe(403);
    const json = await security.post(`/api/v1/places/import?orgId=${tree.school.id}`, { file: 'x' });
    expect(json.statusCode).toBe(415);
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('lets a county admin import into several schools by school code', async () => {
    const file = multipartBody(
      await xlsx(
        [
          [tree.school.code, 'CTY-1', '一中新楼', '楼宇', null, null, null],
          [tree.otherSchool.code, 'CTY-1', '二小新楼', '楼宇', null, null, null],
        ],
        PLACE_HEADERS,
      ),
      'c.xlsx',
    );
    const response = await countyAdmin.post(
      `/api/v1/places/import?orgId=${tree.county.id}`,
      file.payload,
      file.headers,
    );
    expect(response.json()).toEqual({ created: 2, updated: 0 });
    const noSchool = multipartBody(
      await xlsx([[null, 'CTY-2', 'x', '楼宇', null, null, null]], PLACE_HEADERS),
      'd.xlsx',
    );
    const rejected = await countyAdmin.post(
      `/api/v1/places/import?orgId=${tree.county.id}`,
      noSchool.payload,
      noSchool.headers,
    );
    expect(rejected.json().errors[0]).toMatchObject({ row: 2, column: '学校编码' });
  });

  it('imports 5000 rows in one go', async () => {
    const rows = Array.from({ length: 5000 }, (_, index) => [
      null,
      `BULK-${index}`,
      `房间${index}`,
      '房间',
      index > 0 ? 'BULK-0' : null,
      null,
      null,
    ]);
    const { payload, headers } = multipartBody(await xlsx(rows, PLACE_HEADERS), 'bulk.xlsx');
    const started = performance.now();
    const response = await otherSecurity.post(`/api/v1/places/import?orgId=${tree.otherSchool.id}`, payload, headers);
    const elapsed = performance.now() - started;
    expect(response.json()).toEqual({ created: 5000, updated: 0 });
    console.info(`place import of 5000 rows: ${Math.round(elapsed)} ms`);
  }, 60_000);

  it('exports the ledger, audited, and the export imports back', async () => {
    const response = await countyOfficer.get(`/api/v1/places/export.xlsx?orgId=${tree.school.id}`);
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(2).getCell(3).value).toBe('场所编码');
    const codes: string[] = [];
    sheet.eachRow((row, number) => {
      if (number > 2) codes.push(String(row.getCell(3).value));
    });
    expect(codes).toContain('IMP-R1');
    expect(codes).not.toContain('OB1');
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['detail', 'actor_id'])
      .where('action', '=', 'place.export')
      .executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(countyOfficer.userId);
    expect((await farOfficer.get(`/api/v1/places/export.xlsx?orgId=${tree.school.id}`)).statusCode).toBe(404);

    const reimport = multipartBody(response.rawPayload, 'ledger.xlsx');
    const back = await security.post(
      `/api/v1/places/import?orgId=${tree.school.id}`,
      reimport.payload,
      reimport.headers,
    );
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().created).toBe(0);
  });
});
