import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterFailedLogin,
  afterSuccessfulLogin,
  isIdleExpired,
  isLocked,
  MAX_FAILED_LOGINS,
  maskIdNumber,
  maskPhone,
} from './account.js';
import { allowedChildLevels, canBeChildOf, childPath, isWithin, ORG_LEVELS, pathIds, schoolIdOfPath } from './org.js';
import { passwordProblems } from './password.js';
import { PERMISSIONS, permissionsOf, ROLE_PERMISSIONS, roleHasPermission } from './permissions.js';
import { ADMINISTRATOR_ROLES, canAssignRoleAt, ROLE_CODES, ROLES } from './roles.js';

describe('org paths', () => {
  it('a child path lies within its parent and not within a sibling', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (ancestors, a, b) => {
          const parent = ancestors.reduce<string | null>((path, id) => childPath(path, id), null)!;
          const child = childPath(parent, a);
          expect(isWithin(child, parent)).toBe(true);
          expect(pathIds(child)).toEqual([...ancestors, a]);
          if (a !== b) expect(isWithin(child, childPath(parent, b))).toBe(false);
        },
      ),
    );
  });

  it('does not confuse /1/2/ with /1/23/', () => {
    expect(isWithin('/1/23/', '/1/2/')).toBe(false);
    expect(isWithin('/1/2/3/', '/1/2/')).toBe(true);
  });

  it('knows the school of a path', () => {
    expect(schoolIdOfPath('/1/2/3/4/5/')).toBe(4);
    expect(schoolIdOfPath('/1/2/3/')).toBeNull();
  });

  it('allows exactly the next level below each level (departments may nest)', () => {
    expect(allowedChildLevels(null)).toEqual(['province']);
    for (let i = 0; i < ORG_LEVELS.length - 1; i++) expect(canBeChildOf(ORG_LEVELS[i + 1]!, ORG_LEVELS[i]!)).toBe(true);
    expect(canBeChildOf('school', 'city')).toBe(false);
    expect(canBeChildOf('department', 'department')).toBe(true);
  });
});

describe('roles and permissions', () => {
  it('uses only known permissions and every role has at least the base ones', () => {
    for (const role of ROLE_CODES) {
      for (const permission of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toContain(permission);
      expect(roleHasPermission(role, 'org.read')).toBe(true);
    }
  });

  it('separates the three administrators (三员分立)', () => {
    expect(ADMINISTRATOR_ROLES).toEqual(['system_admin', 'security_admin', 'audit_admin']);
    expect(roleHasPermission('system_admin', 'audit.read')).toBe(false);
    expect(roleHasPermission('system_admin', 'role.assign_admin')).toBe(false);
    expect(roleHasPermission('security_admin', 'role.assign_admin')).toBe(true);
    expect(roleHasPermission('security_admin', 'user.manage')).toBe(false);
    expect(
      [...permissionsOf(['audit_admin'])].filter(
        (p) => !['org.read', 'file.upload', 'notification.read', 'stream.subscribe'].includes(p),
      ),
    ).toEqual(['audit.read']);
    for (const admin of ADMINISTRATOR_ROLES) expect(roleHasPermission(admin, 'hazard.read')).toBe(false);
  });

  it('keeps the police liaison to reading and co-signing', () => {
    const writes = [...permissionsOf(['police_liaison'])].filter(
      (p) => !p.endsWith('.read') && !['file.upload', 'stream.subscribe'].includes(p),
    );
    expect(writes).toEqual(['report.cosign']);
  });

  it('assigns roles only at their levels', () => {
    expect(canAssignRoleAt('school_security', 'school')).toBe(true);
    expect(canAssignRoleAt('school_security', 'county')).toBe(false);
    expect(canAssignRoleAt('bureau_officer', 'school')).toBe(false);
    for (const role of ROLE_CODES) expect(ROLES[role].levels.length).toBeGreaterThan(0);
  });

  it('unions permissions of several roles', () => {
    fc.assert(
      fc.property(fc.subarray([...ROLE_CODES]), (roles) => {
        const granted = permissionsOf(roles);
        for (const role of roles)
          for (const permission of ROLE_PERMISSIONS[role]) expect(granted.has(permission)).toBe(true);
        for (const permission of granted) expect(roles.some((role) => roleHasPermission(role, permission))).toBe(true);
      }),
    );
  });
});

describe('password rule', () => {
  it('accepts strong passwords and names what is wrong with weak ones', () => {
    expect(passwordProblems('Campus#2026')).toEqual([]);
    expect(passwordProblems('short1A')).toContain('too_short');
    expect(passwordProblems('alllowercase')).toContain('too_few_classes');
    expect(passwordProblems('Zhangsan#2026', 'zhangsan')).toContain('contains_username');
    expect(passwordProblems('Has space 1A')).toContain('whitespace');
  });

  it('never accepts a password with fewer than 8 characters or fewer than 3 classes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (password) => {
        const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9\s]/].filter((r) => r.test(password)).length;
        const accepted = passwordProblems(password).length === 0;
        if (accepted) {
          expect(password.length).toBeGreaterThanOrEqual(8);
          expect(classes).toBeGreaterThanOrEqual(3);
        }
      }),
    );
  });
});

describe('lockout and idle timeout', () => {
  it('locks exactly at the fifth consecutive failure, for 15 minutes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        (failures, now) => {
          let counters = afterSuccessfulLogin();
          for (let i = 1; i <= failures; i++) {
            counters = afterFailedLogin(counters, now);
            expect(isLocked(counters, now)).toBe(i >= MAX_FAILED_LOGINS);
          }
          if (failures >= MAX_FAILED_LOGINS) {
            expect(isLocked(counters, new Date(now.getTime() + 14 * 60_000))).toBe(true);
            expect(isLocked(counters, new Date(now.getTime() + 15 * 60_000 + 1))).toBe(false);
          }
        },
      ),
    );
  });

  it('starts a fresh count after a lock has run out', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    let counters = afterSuccessfulLogin();
    for (let i = 0; i < 5; i++) counters = afterFailedLogin(counters, now);
    const later = new Date(now.getTime() + 16 * 60_000);
    expect(afterFailedLogin(counters, later)).toEqual({ failedLogins: 1, lockedUntil: null });
  });

  it('expires a session idle for more than 30 minutes', () => {
    const seen = new Date('2026-01-01T00:00:00Z');
    expect(isIdleExpired(seen, new Date(seen.getTime() + 30 * 60_000))).toBe(false);
    expect(isIdleExpired(seen, new Date(seen.getTime() + 30 * 60_000 + 1))).toBe(true);
  });
});

describe('masking', () => {
  it('masks phone and ID numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskIdNumber('320102199001011234')).toBe('320102********1234');
    expect(maskPhone(null)).toBeNull();
  });
});
