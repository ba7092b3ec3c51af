import type { DutyRole } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

export interface OnDutyPerson {
  userId: number;
  name: string;
  dutyRole: DutyRole;
  shiftId: number;
  shiftEndsAt: Date;
}

/**
 * Who is on duty at `orgId` at `now` (shifts of that unit itself, not of units below). Used by the
 * command center (leader on duty), alarm escalation and the duty pages. Swaps are already applied to
 * duty_assignment when approved, so this reads assignments only.
 */
export async function onDutyAt(db: Kysely<DB>, orgId: number, now: Date): Promise<OnDutyPerson[]> {
  const rows = await db
    .selectFrom('duty_shift')
    .innerJoin('duty_assignment', 'duty_assignment.shift_id', 'duty_shift.id')
    .innerJoin('app_user', 'app_user.id', 'duty_assignment.user_id')
    .select([
      'duty_assignment.user_id',
      'app_user.display_name',
      'duty_assignment.duty_role',
      'duty_shift.id as shift_id',
      'duty_shift.ends_at',
    ])
    .where('duty_shift.org_id', '=', orgId)
    .where('duty_shift.starts_at', '<=', now)
    .where('duty_shift.ends_at', '>', now)
    .orderBy('duty_assignment.duty_role')
    .orderBy('app_user.display_name')
    .execute();
  return rows.map((row) => ({
    userId: row.user_id,
    name: row.display_name,
    dutyRole: row.duty_role as DutyRole,
    shiftId: row.shift_id,
    shiftEndsAt: row.ends_at,
  }));
}

/** The leaders on duty (领导带班) at `orgId` now; empty when the roster has none. */
export async function leadersOnDuty(db: Kysely<DB>, orgId: number, now: Date): Promise<number[]> {
  return (await onDutyAt(db, orgId, now)).filter((person) => person.dutyRole === 'leader').map((p) => p.userId);
}
