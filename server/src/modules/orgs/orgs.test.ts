import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, buildUser, TEST_PASSWORD, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';

let t: TestApp;
let tree: Tree;
let provinceAdmin: Client;
let countyAdmin: Client;
let schoolSecurity: Client;
let countyOfficer: Client;

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  provinceAdmin = await login(
    t.app,
    (await buildUser(db, { role: 'system_admin', org: tree.province })).username,
    TEST_PASSWORD,
  );
  countyAdmin = await login(
    t.app,
    (await buildUser(db, { role: 'system_admin', org: tree.county })).username,
    TEST_PASSWORD,
  );
  schoolSecurity = await login(
    t.app,
    (await buildUser(db, { role: 'school_security', org: tree.school })).username,
    TEST_PASSWORD,
  );
  countyOfficer = await login(
    t.app,
    (await buildUser(db, { role: 'bureau_officer', org: tree.county })).username,
    TEST_PASSWORD,
  );
});
afterAll(() => t.close());

describe('org reads are scoped to the caller subtree', () => {
  it('shows a school user its own school and 404 for another school, its county or the province', async () => {
    expect((await schoolSecurity.get(`/api/v1/orgs/${tree.school.id}`)).json()).toMatchObject({
      id: tree.school.id,
      level: 'school',
      schoolType: 'secondary',
    });
    for (const other of [tree.otherSchool, tree.county, tree.province, tree.farSchool]) {
      const response = await schoolSecurity.get(`/api/v1/orgs/${other.id}`);
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain(other.name);
    }
  });

  it('lists children and the subtree of a county for its bureau officer', async () => {
    const children = (await countyOfficer.get(`/api/v1/orgs/${tree.county.id}/children`)).json();
    expect(children.items.map((o: { id: number }) => o.id).sort()).toEqual(
      [tree.school.id, tree.otherSchool.id].sort(),
    );
    const subtree = (await countyOfficer.get(`/api/v1/orgs/${tree.county.id}/subtree?maxLevel=school`)).json();
    expect(subtree.items.map((o: { level: string }) => o.level)).toEqual(['county', 'school', 'school']);
    expect((await countyOfficer.get(`/api/v1/orgs/${tree.city.id}/children`)).statusCode).toBe(404);
  });

  it('searches within scope with cursor pages that never repeat or leak', async () => {
    const seen = new Set<number>();
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/orgs?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await countyOfficer.get(url)).json();
      for (const item of page.items) {
        expect(item.path.startsWith(tree.county.path)).toBe(true);
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.size).toBe(5); // county, 2 schools, 2 departments
    const bad = await countyOfficer.get('/api/v1/orgs?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalid_cursor');
  });
});

describe('org writes', () => {
  it('creates a school under a county with its materialised path and audits it', async () => {
    const before = (
      await t.database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const response = await provinceAdmin.post('/api/v1/orgs', {
      parentId: tree.county.id,
      level: 'school',
      code: 'NEW-SCHOOL-1',
      name: '新建实验小学',
      schoolType: 'primary',
      address: '中山路 1 号',
    });
    expect(response.statusCode).toBe(200);
    const created = response.json();
    expect(created.path).toBe(`${tree.county.path}${created.id}/`);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(audit.action).toBe('org.create');
    expect(Number(audit.target_id)).toBe(created.id);
    const after = (
      await t.database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    expect(Number(after)).toBe(Number(before) + 1);
  });

  it('refuses a wrong level, a missing school type and a taken code', async () => {
    const cases = [
      [{ parentId: tree.county.id, level: 'city', code: 'X1', name: '错误' }, 'org_level_invalid'],
      [{ parentId: tree.county.id, level: 'school', code: 'X2', name: '无类型' }, 'school_type_required'],
      [
        { parentId: tree.county.id, level: 'school', code: tree.school.code, name: '重复', schoolType: 'primary' },
        'code_taken',
      ],
    ] as const;
    for (const [body, code] of cases) {
      const response = await provinceAdmin.post('/api/v1/orgs', body);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.json().code).toBe(code);
    }
  });

  it('answers 404 for a parent outside the caller scope and 403 without org.manage', async () => {
    const outside = await countyAdmin.post('/api/v1/orgs', {
      parentId: tree.otherCounty.id,
      level: 'school',
      code: 'X3',
      name: '越权',
      schoolType: 'primary',
    });
    expect(outside.statusCode).toBe(404);
    const noPermission = await countyOfficer.post('/api/v1/orgs', {
      parentId: tree.county.id,
      level: 'school',
      code: 'X4',
      name: '无权',
      schoolType: 'primary',
    });
    expect(noPermission.statusCode).toBe(403);
  });

  it('rejects bad input with problem+json and writes nothing', async () => {
    const before = await tableCounts(t.database);
    const bodies: unknown[] = [
      {},
      { parentId: 'abc', level: 'school', code: 'Y', name: 'n', schoolType: 'primary' },
      { parentId: tree.county.id, level: 'school', code: 'Y', name: 'x'.repeat(1_000_000), schoolType: 'primary' },
      { parentId: tree.county.id, level: 'school', code: 'Y', name: 'a\u0000b', schoolType: 'primary' },
      { parentId: tree.county.id, level: 'school', code: 'Y', name: '名', schoolType: 'primary', extra: 1 },
      {
        parentId: tree.county.id,
        level: 'school',
        code: "Y'; DROP TABLE org_unit;--",
        name: '<script>',
        schoolType: 'primary',
      },
      '{"parentId": ',
    ];
    for (const body of bodies) {
      const response =
        typeof body === 'string'
          ? await t.app.inject({
              method: 'POST',
              url: '/api/v1/orgs',
              payload: body,
              headers: {
                cookie: provinceAdmin.cookie,
                'x-csrf-token': provinceAdmin.csrfToken,
                'content-type': 'application/json',
              },
            })
          : await provinceAdmin.post('/api/v1/orgs', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('answers in English when asked', async () => {
    const response = await provinceAdmin.post('/api/v1/orgs', {}, { 'accept-language': 'en-US,en;q=0.9' });
    expect(response.json().message).toBe('The request is not valid');
  });

  it('updates and deletes an empty unit, refuses to delete one with children', async () => {
    const created = (
      await provinceAdmin.post('/api/v1/orgs', {
        parentId: tree.school.id,
        level: 'department',
        code: 'DEPT-TMP',
        name: '临时部门',
      })
    ).json();
    const renamed = await provinceAdmin.patch(`/api/v1/orgs/${created.id}`, { name: '后勤处' });
    expect(renamed.json()).toMatchObject({ id: created.id, name: '后勤处' });
    expect((await provinceAdmin.delete(`/api/v1/orgs/${tree.county.id}`)).json().code).toBe('org_has_children');
    expect((await provinceAdmin.delete(`/api/v1/orgs/${created.id}`)).statusCode).toBe(200);
    expect((await provinceAdmin.get(`/api/v1/orgs/${created.id}`)).statusCode).toBe(404);
  });
});
