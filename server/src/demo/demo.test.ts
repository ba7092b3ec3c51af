import fs from 'node:fs';
import path from 'node:path';
import { passwordProblems, ROLE_CODES, SCHOOL_TYPES } from '@safe-campus/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, login, type TestApp } from '../../test/harness.js';
import { FieldCipher, loadFieldKey } from '../platform/crypto.js';
import { type DemoAccount, loadDemo } from './load.js';

let testApp: TestApp;
let accounts: DemoAccount[];

beforeAll(async () => {
  testApp = await createTestApp();
  const loaded = await loadDemo(testApp.database.db, testApp.config);
  if (!loaded) throw new Error('demo did not load into an empty database');
  accounts = loaded;
});
afterAll(async () => {
  await testApp.close();
});

describe('demo province', () => {
  it('has at least 40 schools of all five types under three cities', async () => {
    const db = testApp.database.db;
    const schools = await db
      .selectFrom('org_unit')
      .select(['school_type', 'address', 'code'])
      .where('level', '=', 'school')
      .execute();
    expect(schools.length).toBeGreaterThanOrEqual(40);
    expect(new Set(schools.map((school) => school.school_type))).toEqual(new Set(SCHOOL_TYPES));
    expect(schools.every((school) => school.address?.startsWith('江苏省'))).toBe(true);
    const cities = await db.selectFrom('org_unit').select('name').where('level', '=', 'city').execute();
    expect(cities.map((city) => city.name).sort()).toEqual(['南京市', '常州市', '苏州市'].sort());
  });

  it('keeps every materialised path consistent with its parent', async () => {
    const rows = await testApp.database.db.selectFrom('org_unit').select(['id', 'parent_id', 'path']).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const row of rows) {
      const parentPath = row.parent_id === null ? '/' : byId.get(row.parent_id)!.path;
      expect(row.path).toBe(`${parentPath}${row.id}/`);
    }
  });

  it('gives every school places with gates and key parts in its own path', async () => {
    const db = testApp.database.db;
    const schools = await db.selectFrom('org_unit').select(['id', 'path']).where('level', '=', 'school').execute();
    const places = await db
      .selectFrom('place')
      .select(['org_id', 'org_path', 'kind', 'key_part', 'name', 'plan_x'])
      .execute();
    for (const school of schools) {
      const own = places.filter((place) => place.org_id === school.id);
      expect(own.every((place) => place.org_path === school.path && place.plan_x === null)).toBe(true);
      expect(own.some((place) => place.kind === 'gate')).toBe(true);
      expect(own.some((place) => place.name === '配电房' && place.key_part)).toBe(true);
      expect(own.some((place) => place.name === '监控室')).toBe(true);
    }
  });

  it('has every role, demo users with encrypted phones and a password each role accepts', async () => {
    expect(new Set(accounts.map((account) => account.role))).toEqual(new Set(ROLE_CODES));
    for (const account of accounts) expect(passwordProblems(account.password, account.username)).toEqual([]);
    const users = await testApp.database.db
      .selectFrom('app_user')
      .select(['username', 'demo', 'must_change_password', 'phone_encrypted'])
      .execute();
    expect(users).toHaveLength(accounts.length);
    expect(users.every((user) => user.demo && !user.must_change_password)).toBe(true);
    const cipher = new FieldCipher(loadFieldKey(testApp.config.secretKey, testApp.config.dataDir));
    expect(cipher.decrypt(users[0]!.phone_encrypted!)).toMatch(/^1380000\d{4}$/);
    const written = JSON.parse(
      fs.readFileSync(path.join(testApp.config.dataDir, 'demo-accounts.json'), 'utf8'),
    ) as DemoAccount[];
    expect(written).toEqual(accounts);
  });

  it('lets one account of each role sign in', async () => {
    for (const role of ROLE_CODES) {
      const account = accounts.find((candidate) => candidate.role === role)!;
      const client = await login(testApp.app, account.username, account.password);
      const me = await client.get('/api/v1/auth/me');
      expect(me.statusCode).toBe(200);
      expect(me.json().user.username).toBe(account.username);
      expect(me.json().user.pending).toBe('none');
    }
  });

  it('records one audit row and loads only once', async () => {
    const audit = await testApp.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'system.demo_load')
      .execute();
    expect(audit).toHaveLength(1);
    expect(await loadDemo(testApp.database.db, testApp.config)).toBeNull();
  });
});
