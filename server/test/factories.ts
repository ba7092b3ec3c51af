import type { OrgLevel, RoleCode, SchoolType } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { hashPassword } from '../src/platform/passwords.js';

export const TEST_PASSWORD = 'Test-Passw0rd!';
let passwordHash: Promise<string> | null = null;
function testPasswordHash(): Promise<string> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  return passwordHash;
}

let sequence = 0;
const unique = (prefix: string) => `${prefix}${process.pid}x${++sequence}`;

export interface BuiltOrg {
  id: number;
  path: string;
  level: OrgLevel;
  name: string;
  code: string;
}

export async function buildOrg(
  db: Kysely<DB>,
  options: { parent?: BuiltOrg | null; level: OrgLevel; name?: string; schoolType?: SchoolType; code?: string },
): Promise<BuiltOrg> {
  const code = options.code ?? unique(options.level.toUpperCase());
  const name = options.name ?? `${options.level}-${code}`;
  const row = await db
    .insertInto('org_unit')
    .values({
      parent_id: options.parent?.id ?? null,
      level: options.level,
      code,
      name,
      school_type: options.level === 'school' ? (options.schoolType ?? 'secondary') : null,
      path: `/tmp-${code}/`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const path = `${options.parent?.path ?? '/'}${row.id}/`;
  await db.updateTable('org_unit').set({ path }).where('id', '=', row.id).execute();
  return { id: row.id, path, level: options.level, name, code };
}

/**
 * Two counties in one city plus a county in a second city, two schools in the first county,
 * departments in each school: enough to test own / other school / other county / above.
 */
export async function buildTree(db: Kysely<DB>) {
  const province = await buildOrg(db, { level: 'province', name: '测试省' });
  const city = await buildOrg(db, { parent: province, level: 'city', name: '甲市' });
  const otherCity = await buildOrg(db, { parent: province, level: 'city', name: '乙市' });
  const county = await buildOrg(db, { parent: city, level: 'county', name: '一区' });
  const otherCounty = await buildOrg(db, { parent: otherCity, level: 'county', name: '二区' });
  const school = await buildOrg(db, { parent: county, level: 'school', name: '第一中学', schoolType: 'secondary' });
  const otherSchool = await buildOrg(db, { parent: county, level: 'school', name: '第二小学', schoolType: 'primary' });
  const farSchool = await buildOrg(db, {
    parent: otherCounty,
    level: 'school',
    name: '远方中学',
    schoolType: 'secondary',
  });
  const department = await buildOrg(db, { parent: school, level: 'department', name: '总务处' });
  const otherDepartment = await buildOrg(db, { parent: otherSchool, level: 'department', name: '教务处' });
  return {
    province,
    city,
    otherCity,
    county,
    otherCounty,
    school,
    otherSchool,
    farSchool,
    department,
    otherDepartment,
  };
}
export type Tree = Awaited<ReturnType<typeof buildTree>>;

export interface BuiltUser {
  id: number;
  username: string;
  password: string;
}

export async function buildUser(
  db: Kysely<DB>,
  options: {
    role: RoleCode;
    org: BuiltOrg;
    username?: string;
    mustChangePassword?: boolean;
    demo?: boolean;
    extraRoles?: { role: RoleCode; org: BuiltOrg }[];
  },
): Promise<BuiltUser> {
  const username = options.username ?? unique(options.role.replace('_', ''));
  const user = await db
    .insertInto('app_user')
    .values({
      username,
      display_name: `测试${options.role}`,
      password_hash: await testPasswordHash(),
      must_change_password: options.mustChangePassword ?? false,
      demo: options.demo ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const assignments = [{ role: options.role, org: options.org }, ...(options.extraRoles ?? [])];
  await db
    .insertInto('role_assignment')
    .values(assignments.map((a) => ({ user_id: user.id, role: a.role, org_id: a.org.id, org_path: a.org.path })))
    .execute();
  return { id: user.id, username, password: TEST_PASSWORD };
}
