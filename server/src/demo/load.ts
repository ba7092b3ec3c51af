import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type OrgLevel, passwordProblems, ROLE_CODES, type RoleCode, type SchoolType } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { appendAudit } from '../platform/audit.js';
import type { Config } from '../platform/config.js';
import { FieldCipher, loadFieldKey } from '../platform/crypto.js';
import { hashPassword } from '../platform/passwords.js';
import { loadDemoAlarms } from './alarms.js';
import { DEMO_CITIES, DEMO_PROVINCE, DEPARTMENTS, type DemoPlace, personName, placesFor } from './data.js';
import { loadDemoDevices } from './devices.js';
import { loadDemoDuty } from './duty.js';
import { loadDemoForms } from './forms.js';
import { loadDemoGuards } from './guards.js';
import { loadDemoHazards } from './hazards.js';
import { loadDemoInspections } from './inspections.js';
import { loadDemoNotices } from './notices.js';

export interface DemoAccount {
  username: string;
  password: string;
  role: string;
  orgId: number;
  orgName: string;
  orgLevel: string;
  orgPath: string;
}

/** One readable password per role; none contains a demo user name. */
export const DEMO_PASSWORDS: Record<RoleCode, string> = {
  system_admin: 'Admin@2026',
  security_admin: 'Secure@2026',
  audit_admin: 'Audit@2026',
  bureau_officer: 'Bureau@2026',
  school_leader: 'Leader@2026',
  school_security: 'Safety@2026',
  department_officer: 'Office@2026',
  teacher: 'Teacher@2026',
  guard: 'Guard@2026',
  student_officer: 'Student@2026',
  police_liaison: 'Police@2026',
};

/** Roles every demo school gets, with the user-name suffix and a job title for the display name. */
const SCHOOL_ROLES: { role: RoleCode; suffix: string; title: string }[] = [
  { role: 'school_leader', suffix: 'leader', title: '分管校长' },
  { role: 'school_security', suffix: 'security', title: '安保主任' },
  { role: 'teacher', suffix: 'teacher', title: '教师' },
  { role: 'guard', suffix: 'guard', title: '保安' },
  { role: 'student_officer', suffix: 'student', title: '学生干部' },
];

interface PlannedOrg {
  parent: number | null;
  level: OrgLevel;
  code: string;
  name: string;
  schoolType: SchoolType | null;
  address: string | null;
}

interface PlannedUser {
  username: string;
  displayName: string;
  role: RoleCode;
  org: number;
}

interface PlannedPlace {
  org: number;
  parent: number | null;
  place: DemoPlace;
}

interface Plan {
  orgs: PlannedOrg[];
  users: PlannedUser[];
  places: PlannedPlace[];
}

/** The whole demo as rows that refer to each other by array index; ids are assigned afterwards. */
function planDemo(): Plan {
  const orgs: PlannedOrg[] = [];
  const users: PlannedUser[] = [];
  const places: PlannedPlace[] = [];
  const addOrg = (org: PlannedOrg) => orgs.push(org) - 1;
  const addUser = (username: string, role: RoleCode, org: number, title: string) => {
    users.push({ username, role, org, displayName: `${personName(users.length)}（${title}）` });
  };
  const addPlaces = (org: number, parent: number | null, list: DemoPlace[]) => {
    for (const place of list) {
      const index = places.push({ org, parent, place }) - 1;
      if (place.children) addPlaces(org, index, place.children);
    }
  };

  const province = addOrg({
    parent: null,
    level: 'province',
    code: DEMO_PROVINCE.code,
    name: DEMO_PROVINCE.name,
    schoolType: null,
    address: null,
  });
  addUser(`${DEMO_PROVINCE.key}.admin`, 'system_admin', province, '系统管理员');
  addUser(`${DEMO_PROVINCE.key}.secadmin`, 'security_admin', province, '安全管理员');
  addUser(`${DEMO_PROVINCE.key}.auditor`, 'audit_admin', province, '审计管理员');
  addUser(`${DEMO_PROVINCE.key}.bureau`, 'bureau_officer', province, '省教育厅安全处');

  for (const city of DEMO_CITIES) {
    const cityIndex = addOrg({
      parent: province,
      level: 'city',
      code: city.code,
      name: city.name,
      schoolType: null,
      address: null,
    });
    addUser(`${city.key}.bureau`, 'bureau_officer', cityIndex, `${city.name}教育局`);
    for (const county of city.counties) {
      const countyIndex = addOrg({
        parent: cityIndex,
        level: 'county',
        code: county.code,
        name: county.name,
        schoolType: null,
        address: null,
      });
      const countyKey = `${city.key}-${county.key}`;
      addUser(`${countyKey}.bureau`, 'bureau_officer', countyIndex, `${county.name}教育局`);
      addUser(`${countyKey}.police`, 'police_liaison', countyIndex, `${county.name}公安分局`);
      county.schools.forEach((school, n) => {
        const number = String(n + 1).padStart(2, '0');
        const schoolIndex = addOrg({
          parent: countyIndex,
          level: 'school',
          code: `${county.code}${String(n + 1).padStart(3, '0')}`,
          name: school.name,
          schoolType: school.type,
          address: `${DEMO_PROVINCE.name}${city.name}${county.name}${school.street}`,
        });
        const schoolKey = `${countyKey}-sch${number}`;
        for (const { role, suffix, title } of SCHOOL_ROLES) addUser(`${schoolKey}.${suffix}`, role, schoolIndex, title);
        // The first school of each county has its own police liaison (驻校警务).
        if (n === 0) addUser(`${schoolKey}.police`, 'police_liaison', schoolIndex, '驻校民警');
        for (const department of DEPARTMENTS[school.type]) {
          const departmentIndex = addOrg({
            parent: schoolIndex,
            level: 'department',
            code: `${county.code}${String(n + 1).padStart(3, '0')}-${department.key}`,
            name: department.name,
            schoolType: null,
            address: null,
          });
          addUser(`${schoolKey}-${department.key}.officer`, 'department_officer', departmentIndex, department.name);
        }
        addPlaces(schoolIndex, null, placesFor(school.type, school.boarding ?? false));
      });
    }
  }
  return { orgs, users, places };
}

async function nextIds(trx: Kysely<DB>, table: 'org_unit' | 'app_user' | 'place', count: number): Promise<number[]> {
  const result = await sql<{ id: number }>`
    SELECT nextval(pg_get_serial_sequence(${table}, 'id'))::int AS id FROM generate_series(1, ${count})`.execute(trx);
  return result.rows.map((row) => row.id);
}

async function insertChunked<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += size) await insert(rows.slice(start, start + size));
}

/**
 * Argon2 is slow on purpose: hash each distinct password once and share the hash. One hash per core
 * at a time: as fast as all at once, without holding 19 MiB per queued hash (it shows in the RSS).
 */
async function hashRolePasswords(roles: RoleCode[]): Promise<Map<RoleCode, string>> {
  const hashes = new Map<RoleCode, string>();
  const queue = [...roles];
  const worker = async () => {
    for (let role = queue.shift(); role; role = queue.shift())
      hashes.set(role, await hashPassword(DEMO_PASSWORDS[role]));
  };
  await Promise.all(Array.from({ length: Math.min(4, os.availableParallelism()) }, worker));
  return hashes;
}

/** Loads the demo province into an empty database; returns the accounts, or null if data exists. */
export async function loadDemo(db: Kysely<DB>, config: Config): Promise<DemoAccount[] | null> {
  const existing = await db.selectFrom('org_unit').select('id').limit(1).executeTakeFirst();
  if (existing) return null;

  const plan = planDemo();
  const cipher = new FieldCipher(loadFieldKey(config.secretKey, config.dataDir));
  for (const user of plan.users) {
    const problems = passwordProblems(DEMO_PASSWORDS[user.role], user.username);
    if (problems.length > 0) throw new Error(`demo password of ${user.username} is rejected: ${problems.join(', ')}`);
  }
  const hashes = await hashRolePasswords([...new Set(plan.users.map((user) => user.role))]);
  const phones = plan.users.map((_, n) => cipher.encrypt(`1380000${String(n + 1).padStart(4, '0')}`));

  const accounts = await db.transaction().execute(async (trx) => {
    // A concurrent first start may have loaded it meanwhile.
    const raced = await trx.selectFrom('org_unit').select('id').limit(1).executeTakeFirst();
    if (raced) return null;
    const orgIds = await nextIds(trx, 'org_unit', plan.orgs.length);
    const userIds = await nextIds(trx, 'app_user', plan.users.length);
    const placeIds = await nextIds(trx, 'place', plan.places.length);
    const paths: string[] = [];
    const orgRows = plan.orgs.map((org, index) => {
      const id = orgIds[index]!;
      paths[index] = `${org.parent === null ? '/' : paths[org.parent]}${id}/`;
      return {
        id,
        parent_id: org.parent === null ? null : orgIds[org.parent]!,
        level: org.level,
        code: org.code,
        name: org.name,
        school_type: org.schoolType,
        address: org.address,
        path: paths[index]!,
      };
    });
    await insertChunked(orgRows, 1000, (chunk) => trx.insertInto('org_unit').values(chunk).execute());
    await insertChunked(
      plan.users.map((user, index) => ({
        id: userIds[index]!,
        username: user.username,
        display_name: user.displayName,
        phone_encrypted: phones[index]!,
        password_hash: hashes.get(user.role)!,
        must_change_password: false,
        demo: true,
        password_changed_at: new Date(),
      })),
      1000,
      (chunk) => trx.insertInto('app_user').values(chunk).execute(),
    );
    await insertChunked(
      plan.users.map((user, index) => ({
        user_id: userIds[index]!,
        role: user.role,
        org_id: orgIds[user.org]!,
        org_path: paths[user.org]!,
      })),
      1000,
      (chunk) => trx.insertInto('role_assignment').values(chunk).execute(),
    );
    await insertChunked(
      plan.places.map(({ org, parent, place }, index) => ({
        id: placeIds[index]!,
        org_id: orgIds[org]!,
        org_path: paths[org]!,
        parent_id: parent === null ? null : placeIds[parent]!,
        kind: place.kind,
        code: place.code,
        name: place.name,
        key_part: place.keyPart ?? place.kind === 'key_part',
        description: place.description ?? null,
        floor_plan_file_id: null,
        plan_x: null,
        plan_y: null,
      })),
      1000,
      (chunk) => trx.insertInto('place').values(chunk).execute(),
    );
    await loadDemoHazards(trx);
    await loadDemoDevices(trx);
    await loadDemoAlarms(trx);
    await loadDemoDuty(trx);
    await loadDemoGuards(trx);
    await loadDemoInspections(trx, config.businessTimeZone);
    await loadDemoForms(trx);
    await loadDemoNotices(trx);
    const schools = plan.orgs.filter((org) => org.level === 'school').length;
    await appendAudit(
      trx,
      { actorId: null, actorName: 'system', ip: null },
      {
        action: 'system.demo_load',
        targetType: 'org',
        targetId: orgIds[0]!,
        orgPath: paths[0]!,
        detail: { orgs: plan.orgs.length, schools, users: plan.users.length, places: plan.places.length },
      },
    );
    // Grouped by role in the order of ROLE_CODES, so the list (and the login table printed at start) reads top-down.
    const byRole = plan.users
      .map((user, index) => ({ user, index }))
      .sort((a, b) => ROLE_CODES.indexOf(a.user.role) - ROLE_CODES.indexOf(b.user.role) || a.index - b.index)
      .map(({ user }) => user);
    return byRole.map((user): DemoAccount => {
      const org = plan.orgs[user.org]!;
      return {
        username: user.username,
        password: DEMO_PASSWORDS[user.role],
        role: user.role,
        orgId: orgIds[user.org]!,
        orgName: org.name,
        orgLevel: org.level,
        orgPath: paths[user.org]!,
      };
    });
  });
  if (!accounts) return null;
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(path.join(config.dataDir, 'demo-accounts.json'), `${JSON.stringify(accounts, null, 2)}\n`, {
    mode: 0o600,
  });
  return accounts;
}
