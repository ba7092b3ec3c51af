import {
  type CreateShiftBody,
  DUTY_MAX_PERIOD_DAYS,
  type DutyPerson,
  type DutyRole,
  type GenerateShiftsBody,
  isValidShift,
  isWithin,
  type OrgLevel,
  type UpdateShiftBody,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { endOfDay, formatDateTime, startOfDay } from '../../platform/dates.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { notify } from '../../platform/notifications.js';
import { publish } from '../../platform/realtime.js';
import { inScope } from '../../platform/scope.js';
import { membersAmong, overlapsFor, peopleOf, presentShift, type Span, shiftsWhere } from './queries.js';

/** Advisory lock namespace for one person's shifts: two writes that could overlap for them run one after the other. */
const PERSON_LOCK = 727_106;
/** A handover is written from this long before the shift ends… */
export const HANDOVER_OPENS_MS = 3600_000;
/** …until this long after. */
export const HANDOVER_CLOSES_MS = 24 * 3600_000;

export interface Unit {
  id: number;
  name: string;
  path: string;
  level: OrgLevel;
}

export interface Period {
  days: string[];
  start: Date;
  end: Date;
}

/** Days `from..to` (inclusive) in the business time zone, at most DUTY_MAX_PERIOD_DAYS. */
export function periodOf(from: string, to: string, zone: string): Period {
  if (from > to) throw badRequest('duty_period_invalid', { days: DUTY_MAX_PERIOD_DAYS });
  const days: string[] = [];
  for (let day = from; day <= to; ) {
    days.push(day);
    if (days.length > DUTY_MAX_PERIOD_DAYS) throw badRequest('duty_period_invalid', { days: DUTY_MAX_PERIOD_DAYS });
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    day = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  }
  return { days, start: startOfDay(from, zone), end: endOfDay(to, zone) };
}

function checkPeople(people: { userId: number; role: DutyRole }[]) {
  if (new Set(people.map((p) => p.userId)).size !== people.length) throw badRequest('duty_person_duplicate');
}

async function lockPeople(trx: Kysely<DB>, userIds: number[]) {
  for (const userId of [...new Set(userIds)].sort((a, b) => a - b)) {
    await sql`SELECT pg_advisory_xact_lock(${PERSON_LOCK}, ${userId})`.execute(trx);
  }
}

function shiftSummary(startsAt: Date, endsAt: Date, zone: string) {
  return `${formatDateTime(startsAt, zone)}–${formatDateTime(endsAt, zone).slice(11)}`;
}

/**
 * A person on a shift acts on it (swap request, handover) while inside the shift's unit or a unit below it:
 * a department officer on the school's roster writes the handover from the department. Others need the
 * shift in scope (404 otherwise) and to be on it (403).
 */
function assertReach(auth: AuthContext, orgPath: string, people: DutyPerson[]) {
  const mine = people.some((p) => p.userId === auth.userId);
  if (!inScope(auth, orgPath) && !(mine && isWithin(auth.scopePath, orgPath))) throw notFound();
  if (!mine) throw new AppError(403, 'duty_not_on_shift');
}

export class DutyService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly zone: string,
  ) {}

  async unit(id: number, executor: Kysely<DB> = this.db): Promise<Unit | undefined> {
    const row = await executor
      .selectFrom('org_unit')
      .select(['id', 'name', 'path', 'level'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, level: row.level as OrgLevel } : undefined;
  }

  /** A unit the caller may read: `orgId` or the active org, in scope; 404 otherwise. */
  async readable(auth: AuthContext, orgId: number | undefined, executor: Kysely<DB> = this.db): Promise<Unit> {
    const unit = await this.unit(orgId ?? auth.activeOrg.id, executor);
    if (!unit || !inScope(auth, unit.path)) throw notFound();
    return unit;
  }

  /** The unit whose roster the caller writes: only their own active org (a school or a bureau). */
  async writable(auth: AuthContext, orgId: number, executor: Kysely<DB> = this.db): Promise<Unit> {
    const unit = await this.readable(auth, orgId, executor);
    if (unit.id !== auth.activeOrg.id) throw notFound();
    if (unit.level === 'department') throw badRequest('duty_unit_invalid');
    return unit;
  }

  private async validateShift(
    executor: Kysely<DB>,
    unit: Unit,
    shift: {
      startsAt: Date;
      endsAt: Date;
      kind: string;
      holidayName: string | null;
      people: { userId: number; role: DutyRole }[];
    },
    exclude: number[],
  ) {
    if (!isValidShift(shift)) throw badRequest('duty_shift_invalid');
    checkPeople(shift.people);
    if (shift.kind === 'holiday') {
      if (!shift.holidayName) throw badRequest('duty_holiday_name_required');
      if (!shift.people.some((p) => p.role === 'leader')) throw badRequest('duty_leader_required');
    }
    const ids = shift.people.map((p) => p.userId);
    const members = await membersAmong(executor, unit.id, ids);
    const strangers = ids.filter((id) => !members.has(id));
    if (strangers.length > 0) throw badRequest('duty_person_invalid', { names: strangers.join('、') });
    await lockPeople(executor, ids);
    const overlaps = await overlapsFor(executor, ids, [shift], exclude);
    if (overlaps.length > 0) {
      throw new AppError(
        409,
        'duty_overlap',
        { names: [...new Set(overlaps.map((o) => o.name))].join('、') },
        {
          conflicts: overlaps.map((o) => ({ userId: o.user_id, shiftId: o.shift_id })),
        },
      );
    }
  }

  private async changed(trx: Kysely<DB>, unit: { id: number; path: string }, shiftId: number | null, action: string) {
    await publish(trx, { type: 'duty.changed', orgPath: unit.path, payload: { orgId: unit.id, shiftId, action } });
  }

  private async tellPeople(
    trx: Kysely<DB>,
    userIds: number[],
    put: boolean,
    unit: Unit,
    span: { startsAt: Date; endsAt: Date },
  ) {
    const when = shiftSummary(span.startsAt, span.endsAt, this.zone);
    await notify(trx, {
      userIds,
      kind: put ? 'duty.assigned' : 'duty.removed',
      title: put ? `您已被安排值班：${when}` : `您的值班已取消：${when}`,
      body: unit.name,
      link: '/duty',
      orgPath: unit.path,
    });
  }

  async create(auth: AuthContext, actor: AuditActor, body: CreateShiftBody) {
    const unit = await this.writable(auth, body.orgId);
    const shift = {
      startsAt: new Date(body.startsAt),
      endsAt: new Date(body.endsAt),
      kind: body.kind,
      holidayName: body.kind === 'holiday' ? (body.holidayName ?? null) : null,
      people: body.people,
    };
    const id = await this.db.transaction().execute(async (trx) => {
      await this.validateShift(trx, unit, shift, []);
      const row = await trx
        .insertInto('duty_shift')
        .values({
          org_id: unit.id,
          org_path: unit.path,
          starts_at: shift.startsAt,
          ends_at: shift.endsAt,
          kind: shift.kind,
          holiday_name: shift.holidayName,
          phone: body.phone ?? null,
          note: body.note ?? null,
          created_by: auth.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('duty_assignment')
        .values(body.people.map((p) => ({ shift_id: row.id, user_id: p.userId, duty_role: p.role })))
        .execute();
      await appendAudit(trx, actor, {
        action: 'duty.shift_create',
        targetType: 'duty_shift',
        targetId: row.id,
        orgPath: unit.path,
        detail: { startsAt: body.startsAt, endsAt: body.endsAt, kind: body.kind, people: body.people },
      });
      await this.tellPeople(
        trx,
        body.people.map((p) => p.userId),
        true,
        unit,
        shift,
      );
      await this.changed(trx, unit, row.id, 'create');
      return row.id;
    });
    return this.get(auth, id);
  }

  async get(auth: AuthContext, id: number) {
    const [row] = await shiftsWhere(this.db, { ids: [id] });
    if (!row || !inScope(auth, row.org_path)) throw notFound();
    return presentShift(row);
  }

  /** A shift of the caller's own unit, locked for the write; 404 when out of reach. */
  private async ownShift(trx: Kysely<DB>, auth: AuthContext, id: number) {
    const row = await trx.selectFrom('duty_shift').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row || !inScope(auth, row.org_path)) throw notFound();
    const unit = await this.writable(auth, row.org_id, trx);
    return { row, unit };
  }

  async update(auth: AuthContext, actor: AuditActor, id: number, body: UpdateShiftBody, now = new Date()) {
    await this.db.transaction().execute(async (trx) => {
      const { row, unit } = await this.ownShift(trx, auth, id);
      if (row.ends_at.getTime() <= now.getTime()) throw conflict('duty_shift_ended');
      const before = (await peopleOf(trx, [id])).get(id) ?? [];
      const started = row.starts_at.getTime() <= now.getTime();
      const startsAt = body.startsAt ? new Date(body.startsAt) : row.starts_at;
      // A running shift keeps its start: it is already history.
      if (started && startsAt.getTime() !== row.starts_at.getTime()) throw conflict('duty_shift_started');
      const kind = body.kind ?? row.kind;
      const next = {
        startsAt,
        endsAt: body.endsAt ? new Date(body.endsAt) : row.ends_at,
        kind,
        holidayName: kind === 'holiday' ? (body.holidayName !== undefined ? body.holidayName : row.holiday_name) : null,
        people: body.people ?? before.map((p) => ({ userId: p.userId, role: p.role })),
      };
      await this.validateShift(trx, unit, next, [id]);
      await trx
        .updateTable('duty_shift')
        .set({
          starts_at: next.startsAt,
          ends_at: next.endsAt,
          kind: next.kind,
          holiday_name: next.holidayName,
          ...(body.phone !== undefined ? { phone: body.phone } : {}),
          ...(body.note !== undefined ? { note: body.note } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      let added: number[] = [];
      let removed: number[] = [];
      if (body.people) {
        const old = new Set(before.map((p) => p.userId));
        const fresh = new Set(body.people.map((p) => p.userId));
        added = [...fresh].filter((u) => !old.has(u));
        removed = [...old].filter((u) => !fresh.has(u));
        await trx.deleteFrom('duty_assignment').where('shift_id', '=', id).execute();
        await trx
          .insertInto('duty_assignment')
          .values(body.people.map((p) => ({ shift_id: id, user_id: p.userId, duty_role: p.role })))
          .execute();
      }
      await appendAudit(trx, actor, {
        action: 'duty.shift_update',
        targetType: 'duty_shift',
        targetId: id,
        orgPath: unit.path,
        detail: { before: { startsAt: row.starts_at, endsAt: row.ends_at, people: before }, change: body },
      });
      await this.tellPeople(trx, added, true, unit, next);
      await this.tellPeople(trx, removed, false, unit, next);
      await this.changed(trx, unit, id, 'update');
    });
    return this.get(auth, id);
  }

  async remove(auth: AuthContext, actor: AuditActor, id: number, now = new Date()) {
    await this.db.transaction().execute(async (trx) => {
      const { row, unit } = await this.ownShift(trx, auth, id);
      if (row.starts_at.getTime() <= now.getTime()) throw conflict('duty_shift_started');
      const people = (await peopleOf(trx, [id])).get(id) ?? [];
      await trx.deleteFrom('duty_shift').where('id', '=', id).execute();
      await appendAudit(trx, actor, {
        action: 'duty.shift_delete',
        targetType: 'duty_shift',
        targetId: id,
        orgPath: unit.path,
        detail: { startsAt: row.starts_at, endsAt: row.ends_at, people },
      });
      await this.tellPeople(
        trx,
        people.map((p) => p.userId),
        false,
        unit,
        { startsAt: row.starts_at, endsAt: row.ends_at },
      );
      await this.changed(trx, unit, id, 'delete');
    });
  }

  /** Builds the shifts of a holiday table; throws on a bad pattern or rota. */
  plan(body: GenerateShiftsBody, names: Map<number, string>) {
    const period = periodOf(body.from, body.to, this.zone);
    const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
    const slots = body.pattern
      .map((slot) => {
        const start = minutes(slot.start);
        let end = minutes(slot.end);
        if (end <= start) end += 24 * 60;
        return { start, end };
      })
      .sort((a, b) => a.start - b.start);
    for (const [index, slot] of slots.entries()) {
      if (slot.end - slot.start < 60 || slot.end - slot.start > 24 * 60) throw badRequest('duty_pattern_invalid');
      const next = slots[index + 1];
      if (next && next.start < slot.end) throw badRequest('duty_pattern_invalid');
    }
    // The last slot of a day must end before the first slot of the next day starts.
    if (slots[slots.length - 1]!.end > slots[0]!.start + 24 * 60) throw badRequest('duty_pattern_invalid');
    const leaders = [...new Set(body.leaders)];
    const rota = [...new Set(body.people)];
    const shifts: (Span & { people: DutyPerson[] })[] = [];
    let turn = 0;
    for (const [dayIndex, day] of period.days.entries()) {
      const midnight = startOfDay(day, this.zone).getTime();
      const leader = leaders.length > 0 ? leaders[dayIndex % leaders.length] : undefined;
      for (const slot of slots) {
        const people: DutyPerson[] = [];
        if (leader !== undefined) people.push({ userId: leader, name: names.get(leader) ?? '', role: 'leader' });
        // People take turns shift by shift; the day's leader is skipped if also in the rota.
        for (let tries = 0; tries < rota.length && people.length < body.peoplePerShift + (leader ? 1 : 0); tries++) {
          const userId = rota[turn % rota.length]!;
          turn++;
          if (people.some((p) => p.userId === userId)) continue;
          people.push({ userId, name: names.get(userId) ?? '', role: body.peopleRole });
        }
        if (people.length < body.peoplePerShift + (leader ? 1 : 0))
          throw badRequest('duty_rota_too_small', { needed: body.peoplePerShift });
        shifts.push({
          startsAt: new Date(midnight + slot.start * 60_000),
          endsAt: new Date(midnight + slot.end * 60_000),
          people,
        });
      }
    }
    return shifts;
  }

  async generate(auth: AuthContext, actor: AuditActor, body: GenerateShiftsBody) {
    const unit = await this.writable(auth, body.orgId);
    if (body.kind === 'holiday') {
      if (!body.holidayName) throw badRequest('duty_holiday_name_required');
      if (body.leaders.length === 0) throw badRequest('duty_leader_required');
    }
    const ids = [...new Set([...body.leaders, ...body.people])];
    const members = await membersAmong(this.db, unit.id, ids);
    const strangers = ids.filter((id) => !members.has(id));
    if (strangers.length > 0) throw badRequest('duty_person_invalid', { names: strangers.join('、') });
    const users = await this.db.selectFrom('app_user').select(['id', 'display_name']).where('id', 'in', ids).execute();
    const names = new Map(users.map((u) => [u.id, u.display_name]));
    const shifts = this.plan(body, names);
    const present = () =>
      shifts.map((s) => ({ startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), people: s.people }));
    const checkOverlaps = async (executor: Kysely<DB>) => {
      const overlaps = await overlapsFor(executor, ids, shifts);
      if (overlaps.length > 0) {
        throw new AppError(
          409,
          'duty_overlap',
          { names: [...new Set(overlaps.map((o) => o.name))].join('、') },
          { conflicts: overlaps.map((o) => ({ userId: o.user_id, shiftId: o.shift_id })) },
        );
      }
    };
    if (body.dryRun) {
      await checkOverlaps(this.db);
      return { dryRun: true, created: 0, shifts: present() };
    }
    await this.db.transaction().execute(async (trx) => {
      await lockPeople(trx, ids);
      await checkOverlaps(trx);
      const rows = await trx
        .insertInto('duty_shift')
        .values(
          shifts.map((s) => ({
            org_id: unit.id,
            org_path: unit.path,
            starts_at: s.startsAt,
            ends_at: s.endsAt,
            kind: body.kind,
            holiday_name: body.kind === 'holiday' ? (body.holidayName ?? null) : null,
            phone: body.phone ?? null,
            created_by: auth.userId,
          })),
        )
        .returning(['id', 'starts_at'])
        .execute();
      // Rows come back in insert order.
      await trx
        .insertInto('duty_assignment')
        .values(
          rows.flatMap((row, index) =>
            shifts[index]!.people.map((p) => ({ shift_id: row.id, user_id: p.userId, duty_role: p.role })),
          ),
        )
        .execute();
      await appendAudit(trx, actor, {
        action: 'duty.generate',
        targetType: 'org',
        targetId: unit.id,
        orgPath: unit.path,
        detail: {
          from: body.from,
          to: body.to,
          pattern: body.pattern,
          holidayName: body.holidayName ?? null,
          shifts: rows.length,
        },
      });
      await notify(trx, {
        userIds: ids,
        kind: 'duty.assigned',
        title: `您已被排入${body.holidayName ?? ''}值班表：${body.from} 至 ${body.to}`,
        body: unit.name,
        link: '/duty',
        orgPath: unit.path,
      });
      await this.changed(trx, unit, null, 'generate');
    });
    return { dryRun: false, created: shifts.length, shifts: present() };
  }

  // ---------------------------------------------------------------------------------------------- swaps

  async requestSwap(
    auth: AuthContext,
    actor: AuditActor,
    body: { shiftId: number; toUserId: number; reason?: string | null },
    now = new Date(),
  ) {
    return this.db.transaction().execute(async (trx) => {
      const shift = await trx.selectFrom('duty_shift').selectAll().where('id', '=', body.shiftId).executeTakeFirst();
      if (!shift) throw notFound();
      const people = (await peopleOf(trx, [shift.id])).get(shift.id) ?? [];
      assertReach(auth, shift.org_path, people);
      if (shift.starts_at.getTime() <= now.getTime()) throw conflict('duty_shift_started');
      if (people.some((p) => p.userId === body.toUserId)) throw badRequest('duty_swap_target_invalid');
      const members = await membersAmong(trx, shift.org_id, [body.toUserId]);
      if (!members.has(body.toUserId)) throw badRequest('duty_swap_target_invalid');
      const pending = await trx
        .selectFrom('duty_swap')
        .select('id')
        .where('shift_id', '=', shift.id)
        .where('from_user_id', '=', auth.userId)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (pending) throw conflict('duty_swap_pending');
      const row = await trx
        .insertInto('duty_swap')
        .values({
          shift_id: shift.id,
          org_path: shift.org_path,
          from_user_id: auth.userId,
          to_user_id: body.toUserId,
          reason: body.reason ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(trx, actor, {
        action: 'duty.swap_request',
        targetType: 'duty_swap',
        targetId: row.id,
        orgPath: shift.org_path,
        detail: { shiftId: shift.id, toUserId: body.toUserId, reason: body.reason ?? null },
      });
      await notify(trx, {
        userIds: [body.toUserId],
        kind: 'duty.swap',
        title: `${auth.displayName} 申请由您替班：${shiftSummary(shift.starts_at, shift.ends_at, this.zone)}`,
        link: '/duty',
        orgPath: shift.org_path,
      });
      await this.changed(trx, { id: shift.org_id, path: shift.org_path }, shift.id, 'swap_request');
      return row.id;
    });
  }

  /** approve (applied to the roster in the same transaction), reject (duty.manage of the unit), cancel (the requester). */
  async decideSwap(
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    decision: 'approve' | 'reject' | 'cancel',
    note: string | null,
    now = new Date(),
  ) {
    await this.db.transaction().execute(async (trx) => {
      const swap = await trx.selectFrom('duty_swap').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      const requester = swap?.from_user_id === auth.userId && decision === 'cancel';
      if (!swap || !(inScope(auth, swap.org_path) || (requester && isWithin(auth.scopePath, swap.org_path))))
        throw notFound();
      const shift = await trx
        .selectFrom('duty_shift')
        .selectAll()
        .where('id', '=', swap.shift_id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      let unit: Unit;
      if (decision === 'cancel') {
        if (swap.from_user_id !== auth.userId) throw notFound();
        unit = (await this.unit(shift.org_id, trx))!;
      } else {
        unit = await this.writable(auth, shift.org_id, trx);
      }
      if (swap.state !== 'pending') throw conflict('duty_swap_state');
      const state = { approve: 'approved', reject: 'rejected', cancel: 'cancelled' }[decision];
      if (decision === 'approve') {
        if (shift.starts_at.getTime() <= now.getTime()) throw conflict('duty_shift_started');
        const people = (await peopleOf(trx, [shift.id])).get(shift.id) ?? [];
        if (!people.some((p) => p.userId === swap.from_user_id)) throw conflict('duty_swap_state');
        if (people.some((p) => p.userId === swap.to_user_id)) throw badRequest('duty_swap_target_invalid');
        const members = await membersAmong(trx, shift.org_id, [swap.to_user_id]);
        if (!members.has(swap.to_user_id)) throw badRequest('duty_swap_target_invalid');
        await lockPeople(trx, [swap.to_user_id]);
        const overlaps = await overlapsFor(
          trx,
          [swap.to_user_id],
          [{ startsAt: shift.starts_at, endsAt: shift.ends_at }],
        );
        if (overlaps.length > 0) throw conflict('duty_overlap', { names: overlaps[0]!.name });
        await trx
          .updateTable('duty_assignment')
          .set({ user_id: swap.to_user_id })
          .where('shift_id', '=', shift.id)
          .where('user_id', '=', swap.from_user_id)
          .execute();
        await trx.updateTable('duty_shift').set({ updated_at: now }).where('id', '=', shift.id).execute();
      }
      await trx
        .updateTable('duty_swap')
        .set({ state, decided_by: auth.userId, decided_at: now })
        .where('id', '=', id)
        .execute();
      await appendAudit(trx, actor, {
        action: `duty.swap_${decision}`,
        targetType: 'duty_swap',
        targetId: id,
        orgPath: swap.org_path,
        detail: { shiftId: shift.id, fromUserId: swap.from_user_id, toUserId: swap.to_user_id, note },
      });
      const span = { startsAt: shift.starts_at, endsAt: shift.ends_at };
      if (decision === 'approve') {
        await this.tellPeople(trx, [swap.to_user_id], true, unit, span);
        await this.tellPeople(trx, [swap.from_user_id], false, unit, span);
      } else if (decision === 'reject') {
        await notify(trx, {
          userIds: [swap.from_user_id],
          kind: 'duty.swap',
          title: `换班申请未获批准：${shiftSummary(shift.starts_at, shift.ends_at, this.zone)}`,
          body: note,
          link: '/duty',
          orgPath: swap.org_path,
        });
      }
      await this.changed(trx, { id: shift.org_id, path: shift.org_path }, shift.id, `swap_${decision}`);
    });
  }

  // ---------------------------------------------------------------------------------------------- handover

  async handover(
    auth: AuthContext,
    actor: AuditActor,
    shiftId: number,
    body: { summary: string; openIssues?: string | null; handedTo?: number | null },
    now = new Date(),
  ) {
    return this.db.transaction().execute(async (trx) => {
      const shift = await trx
        .selectFrom('duty_shift')
        .selectAll()
        .where('id', '=', shiftId)
        .forUpdate()
        .executeTakeFirst();
      if (!shift) throw notFound();
      const people = (await peopleOf(trx, [shift.id])).get(shift.id) ?? [];
      assertReach(auth, shift.org_path, people);
      const end = shift.ends_at.getTime();
      if (now.getTime() < end - HANDOVER_OPENS_MS || now.getTime() > end + HANDOVER_CLOSES_MS)
        throw conflict('duty_handover_window');
      const existing = await trx
        .selectFrom('duty_handover')
        .select('id')
        .where('shift_id', '=', shift.id)
        .executeTakeFirst();
      if (existing) throw conflict('duty_handover_exists');
      if (body.handedTo != null) {
        // The next shift: one of the unit that is running at the end of this one or starts within the hour after.
        const next = await trx
          .selectFrom('duty_shift as s')
          .innerJoin('duty_assignment as a', 'a.shift_id', 's.id')
          .select('s.id')
          .where('s.org_id', '=', shift.org_id)
          .where('s.id', '<>', shift.id)
          .where('a.user_id', '=', body.handedTo)
          .where('s.starts_at', '<=', new Date(end + HANDOVER_OPENS_MS))
          .where('s.ends_at', '>', shift.ends_at)
          .executeTakeFirst();
        if (!next) throw badRequest('duty_handover_recipient_invalid');
      }
      const row = await trx
        .insertInto('duty_handover')
        .values({
          shift_id: shift.id,
          org_path: shift.org_path,
          written_by: auth.userId,
          written_at: now,
          summary: body.summary,
          open_issues: body.openIssues || null,
          handed_to: body.handedTo ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(trx, actor, {
        action: 'duty.handover',
        targetType: 'duty_handover',
        targetId: row.id,
        orgPath: shift.org_path,
        detail: { shiftId: shift.id, handedTo: body.handedTo ?? null },
      });
      if (body.handedTo != null) {
        await notify(trx, {
          userIds: [body.handedTo],
          kind: 'duty.handover',
          title: `${auth.displayName} 已向您交班`,
          body: body.openIssues || body.summary.slice(0, 200),
          link: '/duty?tab=handovers',
          orgPath: shift.org_path,
        });
      }
      await this.changed(trx, { id: shift.org_id, path: shift.org_path }, shift.id, 'handover');
      return row.id;
    });
  }
}
