import { maskPhone, type OrgLevel, type RoleAssignment, type RoleCode, type User } from '@safe-campus/domain';
import type { AppUserRow } from '../../db/schema.js';
import type { FieldCipher } from '../../platform/crypto.js';
import { iso } from '../../platform/pagination.js';
import type { AssignmentRow } from './queries.js';

export function presentAssignment(row: AssignmentRow): RoleAssignment {
  return {
    id: row.id,
    role: row.role as RoleCode,
    orgId: row.org_id,
    orgName: row.org_name,
    orgLevel: row.org_level as OrgLevel,
    orgPath: row.org_path,
  };
}

/** Decrypts and masks the phone: the full number never leaves the server. */
export function maskedPhone(cipher: FieldCipher, stored: string | null): string | null {
  if (!stored) return null;
  try {
    return maskPhone(cipher.decrypt(stored));
  } catch {
    return null;
  }
}

/**
 * The API shape of a user: no password hash, no TOTP secret, the phone masked, and only the
 * assignments the caller can see.
 */
export function presentUser(
  row: AppUserRow,
  assignments: AssignmentRow[],
  cipher: FieldCipher,
  now = new Date(),
): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    phone: maskedPhone(cipher, row.phone_encrypted),
    disabled: row.disabled,
    locked: row.locked_until !== null && row.locked_until.getTime() > now.getTime(),
    totpEnabled: row.totp_enabled,
    mustChangePassword: row.must_change_password,
    lastLoginAt: iso(row.last_login_at),
    roles: assignments.map(presentAssignment),
    createdAt: iso(row.created_at)!,
  };
}

/** What an audit row keeps of a user: nothing secret, the phone masked. */
export function userSummary(row: AppUserRow, cipher: FieldCipher) {
  return {
    username: row.username,
    displayName: row.display_name,
    phone: maskedPhone(cipher, row.phone_encrypted),
    disabled: row.disabled,
  };
}
