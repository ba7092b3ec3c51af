import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { startOfDay } from '../platform/dates.js';

const HOUR = 3600_000;
const ZONE = 'Asia/Shanghai';
/** The next public holiday the seeds ask about (学校假期是否有值班表、是否带班). */
const HOLIDAY = { name: '元旦', days: ['2027-01-01', '2027-01-02', '2027-01-03'] };

interface ShiftPlan {
  orgId: number;
  orgPath: string;
  startsAt: Date;
  endsAt: Date;
  kind: 'regular' | 'holiday';
  holidayName: string | null;
  phone: string;
  people: { userId: number; role: 'leader' | 'officer' | 'guard' }[];
}

function dayString(at: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    at,
  );
}

function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * Demo duty rosters: for every demo school, this week's day shift (08:00–20:00: the security officer) and
 * night shift (20:00–次日08:00: the guard), with the school leader on duty (领导带班) every day; the two days
 * before the week too, so that handovers exist; every eighth school has no roster this week (nobody on
 * duty now). Each county bureau has a 24-hour shift with its officer as leader. A 元旦 holiday table
 * (2027-01-01..03) for most schools: the first school of each county has none (its officer makes one in
 * the demo) and the second one has a day without a leader, so the coverage report shows gaps. Handovers for the ended day
 * shifts of the first school of each county. Deterministic apart from "this week".
 */
export async function loadDemoDuty(trx: Kysely<DB>, now = new Date()): Promise<void> {
  const staff = await sql<{
    org_id: number;
    org_path: string;
    code: string;
    level: string;
    role: string;
    user_id: number;
  }>`
    SELECT o.id AS org_id, o.path AS org_path, o.code, o.level, ra.role, min(ra.user_id) AS user_id
    FROM org_unit o
    JOIN role_assignment ra ON ra.org_id = o.id
    WHERE (o.level = 'school' AND ra.role IN ('school_leader', 'school_security', 'guard', 'teacher'))
       OR (o.level = 'county' AND ra.role = 'bureau_officer')
    GROUP BY o.id, o.path, o.code, o.level, ra.role
    ORDER BY o.path`.execute(trx);
  const units = new Map<number, { path: string; code: string; level: string; roles: Map<string, number> }>();
  for (const row of staff.rows) {
    const unit = units.get(row.org_id) ?? { path: row.org_path, code: row.code, level: row.level, roles: new Map() };
    unit.roles.set(row.role, row.user_id);
    units.set(row.org_id, unit);
  }
  const today = dayString(now);
  const weekday = (new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7;
  const monday = addDays(today, -weekday);
  const days = Array.from({ length: 9 }, (_, i) => addDays(monday, i - 2));

  const shifts: ShiftPlan[] = [];
  let schoolIndex = 0;
  for (const [orgId, unit] of units) {
    const phone = `025-8${String(orgId).padStart(7, '0').slice(-7)}`;
    if (unit.level === 'county') {
      const officer = unit.roles.get('bureau_officer');
      if (officer === undefined) continue;
      for (const day of days) {
        const start = startOfDay(day, ZONE).getTime() + 8 * HOUR;
        shifts.push({
          orgId,
          orgPath: unit.path,
          startsAt: new Date(start),
          endsAt: new Date(start + 24 * HOUR),
          kind: 'regular',
          holidayName: null,
          phone,
          people: [{ userId: officer, role: 'leader' }],
        });
      }
      continue;
    }
    const leader = unit.roles.get('school_leader');
    const security = unit.roles.get('school_security');
    const guard = unit.roles.get('guard');
    if (leader === undefined || security === undefined || guard === undefined) continue;
    schoolIndex += 1;
    const plan = (day: string, kind: 'regular' | 'holiday', dayLeader = true, nightLeader = true) => {
      const morning = startOfDay(day, ZONE).getTime() + 8 * HOUR;
      const lead = (on: boolean) => (on ? [{ userId: leader, role: 'leader' as const }] : []);
      shifts.push({
        orgId,
        orgPath: unit.path,
        startsAt: new Date(morning),
        endsAt: new Date(morning + 12 * HOUR),
        kind,
        holidayName: kind === 'holiday' ? HOLIDAY.name : null,
        phone,
        people: [...lead(dayLeader), { userId: security, role: 'officer' }],
      });
      shifts.push({
        orgId,
        orgPath: unit.path,
        startsAt: new Date(morning + 12 * HOUR),
        endsAt: new Date(morning + 24 * HOUR),
        kind,
        holidayName: kind === 'holiday' ? HOLIDAY.name : null,
        phone,
        people: [...lead(nightLeader), { userId: guard, role: 'guard' }],
      });
    };
    // Every eighth school has not made this week's roster: nobody on duty there now.
    if (schoolIndex % 8 !== 4) for (const day of days) plan(day, 'regular');
    // The first school of each county has no holiday table yet (its officer makes one in the demo).
    if (!unit.code.endsWith('001') && !days.includes(HOLIDAY.days[0]!)) {
      // The second school leaves 01-02 without a leader: the night before and both shifts of that day
      // (a night shift counts for the morning it reaches).
      const gap = unit.code.endsWith('002');
      HOLIDAY.days.forEach((day, i) => {
        plan(day, 'holiday', !(gap && i === 1), !(gap && i <= 1));
      });
    }
  }

  const ids: { id: number }[] = [];
  for (let i = 0; i < shifts.length; i += 1000) {
    const chunk = shifts.slice(i, i + 1000);
    const rows = await trx
      .insertInto('duty_shift')
      .values(
        chunk.map((s) => ({
          org_id: s.orgId,
          org_path: s.orgPath,
          starts_at: s.startsAt,
          ends_at: s.endsAt,
          kind: s.kind,
          holiday_name: s.holidayName,
          phone: s.phone,
        })),
      )
      .returning('id')
      .execute();
    ids.push(...rows);
  }
  const assignments = shifts.flatMap((s, i) =>
    s.people.map((p) => ({ shift_id: ids[i]!.id, user_id: p.userId, duty_role: p.role })),
  );
  for (let i = 0; i < assignments.length; i += 2000) {
    await trx
      .insertInto('duty_assignment')
      .values(assignments.slice(i, i + 2000))
      .execute();
  }

  // Handovers: the ended day shifts of the first school of each county, handed to the guard of the night shift.
  const SUMMARIES = [
    '白班巡查校园 4 次，校门、围墙、教学楼正常；上下学时段护学岗到位。',
    '白班接待来访 6 人次，均已登记；消防控制室设备运行正常。',
    '白班巡查发现实验楼东侧一处照明故障，已报总务处。',
  ];
  const handovers: {
    shift_id: number;
    org_path: string;
    written_by: number;
    written_at: Date;
    summary: string;
    open_issues: string | null;
    handed_to: number | null;
  }[] = [];
  // The first school of each county: the demo logins (nj-xw-sch01.*) work there.
  const firstSchools = new Set(
    [...units.entries()].filter(([, unit]) => unit.level === 'school' && unit.code.endsWith('001')).map(([id]) => id),
  );
  shifts.forEach((shift, i) => {
    if (shift.kind !== 'regular' || shift.endsAt.getTime() > now.getTime() || !firstSchools.has(shift.orgId)) return;
    const officer = shift.people.find((p) => p.role === 'officer');
    if (!officer) return;
    const night = shifts[i + 1];
    const n = handovers.length;
    handovers.push({
      shift_id: ids[i]!.id,
      org_path: shift.orgPath,
      written_by: officer.userId,
      written_at: new Date(shift.endsAt.getTime() - 10 * 60_000),
      summary: SUMMARIES[n % SUMMARIES.length]!,
      open_issues: n % 3 === 2 ? '北门道闸抬杆偶发故障，已报修，夜班请留意车辆进出。' : null,
      handed_to: night?.people.find((p) => p.role === 'guard')?.userId ?? null,
    });
  });
  if (handovers.length > 0) await trx.insertInto('duty_handover').values(handovers).execute();

  // A pending swap at the same schools: the guard asks a teacher to take a night shift later this week.
  const swaps: { shift_id: number; org_path: string; from_user_id: number; to_user_id: number; reason: string }[] = [];
  const asked = new Set<number>();
  shifts.forEach((shift, i) => {
    const teacher = units.get(shift.orgId)?.roles.get('teacher');
    const guard = shift.people.find((p) => p.role === 'guard');
    if (!guard || teacher === undefined || asked.has(shift.orgId) || !firstSchools.has(shift.orgId)) return;
    if (shift.kind !== 'regular' || shift.startsAt.getTime() < now.getTime() + 24 * HOUR) return;
    asked.add(shift.orgId);
    swaps.push({
      shift_id: ids[i]!.id,
      org_path: shift.orgPath,
      from_user_id: guard.userId,
      to_user_id: teacher,
      reason: '家中老人住院需陪护，请求调换夜班。',
    });
  });
  if (swaps.length > 0) await trx.insertInto('duty_swap').values(swaps).execute();
}
