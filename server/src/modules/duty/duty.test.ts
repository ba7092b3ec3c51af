import { type DutyShift, holidayCoverage } from '@safe-campus/domain';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltOrg, type BuiltUser, buildOrg, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { formatDate } from '../../platform/dates.js';
import { leadersOnDuty, onDutyAt } from './on-duty.js';

let t: TestApp;
let tree: Tree;
let security: Client;
let leaderUser: BuiltUser;
let guardUser: BuiltUser;
let guard: Client;
let guard2User: BuiltUser;
let guard2: Client;
let deptUser: BuiltUser;
let teacherUser: BuiltUser;
let teacher: Client;
let otherGuardUser: BuiltUser;
let otherSecurity: Client;
let county: Client;
let countyUser: BuiltUser;
let far: Client;

const HOUR = 3600_000;
const ZONE = 'Asia/Shanghai';
/** Each test works in its own far-off week so shifts of different tests never overlap. */
let slot = 0;
function base(): number {
  slot += 1;
  return Date.UTC(2031, 0, 1) + slot * 14 * 24 * HOUR;
}
const iso = (ms: number) => new Date(ms).toISOString();

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

function shiftBody(start: number, hours: number, people: { userId: number; role: string }[], extra = {}) {
  return { orgId: tree.school.id, startsAt: iso(start), endsAt: iso(start + hours * HOUR), people, ...extra };
}

async function created(client: Client, body: Record<string, unknown>): Promise<DutyShift> {
  const response = await client.post('/api/v1/duty/shifts', body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function auditCount(action: string) {
  const row = await t.database.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  security = await as(await buildUser(db, { role: 'school_security', org: tree.school }));
  leaderUser = await buildUser(db, { role: 'school_leader', org: tree.school });
  guardUser = await buildUser(db, { role: 'guard', org: tree.school });
  guard = await as(guardUser);
  guard2User = await buildUser(db, { role: 'guard', org: tree.school });
  guard2 = await as(guard2User);
  deptUser = await buildUser(db, { role: 'department_officer', org: tree.department });
  teacherUser = await buildUser(db, { role: 'teacher', org: tree.school });
  teacher = await as(teacherUser);
  otherGuardUser = await buildUser(db, { role: 'guard', org: tree.otherSchool });
  otherSecurity = await as(await buildUser(db, { role: 'school_security', org: tree.otherSchool }));
  countyUser = await buildUser(db, { role: 'bureau_officer', org: tree.county });
  county = await as(countyUser);
  far = await as(await buildUser(db, { role: 'bureau_officer', org: tree.otherCounty }));
});

afterAll(async () => {
  await t?.close();
});

describe('shifts', () => {
  it('creates a shift with one audit row, a realtime event and notifications to the people', async () => {
    const start = base();
    const before = await auditCount('duty.shift_create');
    const shift = await created(
      security,
      shiftBody(start, 12, [
        { userId: leaderUser.id, role: 'leader' },
        { userId: guardUser.id, role: 'guard' },
        { userId: deptUser.id, role: 'officer' },
      ]),
    );
    expect(shift.hasLeader).toBe(true);
    expect(shift.people.map((p) => p.role)).toEqual(['leader', 'officer', 'guard']);
    expect(await auditCount('duty.shift_create')).toBe(before + 1);
    const notes = await t.database.db
      .selectFrom('notification')
      .select('user_id')
      .where('kind', '=', 'duty.assigned')
      .where('user_id', 'in', [leaderUser.id, guardUser.id, deptUser.id])
      .execute();
    expect(new Set(notes.map((n) => n.user_id))).toEqual(new Set([leaderUser.id, guardUser.id, deptUser.id]));
    const event = await t.database.db
      .selectFrom('realtime_event')
      .select(['org_path', 'payload'])
      .where('type', '=', 'duty.changed')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.org_path).toBe(tree.school.path);
  });

  it('refuses a holiday shift without a leader, people of another unit, and a bad length — nothing written', async () => {
    const start = base();
    const counts = await tableCounts(t.database);
    const cases: [Record<string, unknown>, string][] = [
      [
        shiftBody(start, 12, [{ userId: guardUser.id, role: 'guard' }], { kind: 'holiday', holidayName: '元旦' }),
        'duty_leader_required',
      ],
      [
        shiftBody(start, 12, [{ userId: leaderUser.id, role: 'leader' }], { kind: 'holiday' }),
        'duty_holiday_name_required',
      ],
      [shiftBody(start, 12, [{ userId: otherGuardUser.id, role: 'guard' }]), 'duty_person_invalid'],
      [shiftBody(start, 12, [{ userId: countyUser.id, role: 'leader' }]), 'duty_person_invalid'],
      [shiftBody(start, 0.5, [{ userId: guardUser.id, role: 'guard' }]), 'duty_shift_invalid'],
      [shiftBody(start, 25, [{ userId: guardUser.id, role: 'guard' }]), 'duty_shift_invalid'],
      [shiftBody(start, -2, [{ userId: guardUser.id, role: 'guard' }]), 'duty_shift_invalid'],
      [
        shiftBody(start, 8, [
          { userId: guardUser.id, role: 'guard' },
          { userId: guardUser.id, role: 'officer' },
        ]),
        'duty_person_duplicate',
      ],
      [shiftBody(start, 8, []), 'validation_failed'],
      [{ ...shiftBody(start, 8, [{ userId: guardUser.id, role: 'boss' }]) }, 'validation_failed'],
      [{ ...shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]), orgId: 'x' }, 'validation_failed'],
      [
        { ...shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]), startsAt: 'tomorrow' },
        'validation_failed',
      ],
      [
        { ...shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]), note: 'x'.repeat(100_000) },
        'validation_failed',
      ],
      [{ ...shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]), phone: '值班电话' }, 'validation_failed'],
      [{ ...shiftBody(start, 8, [{ userId: 2_147_483_647, role: 'guard' }]) }, 'duty_person_invalid'],
      [{ ...shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]), extra: 1 }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const response = await security.post('/api/v1/duty/shifts', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe(code);
      expect(response.json().message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(await tableCounts(t.database)).toEqual(counts);
  });

  it('writes only its own unit: another school and a bureau above get 404; the bureau reads the subtree', async () => {
    const start = base();
    const body = shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]);
    expect((await otherSecurity.post('/api/v1/duty/shifts', body)).statusCode).toBe(404);
    expect((await county.post('/api/v1/duty/shifts', body)).statusCode).toBe(404);
    expect((await teacher.post('/api/v1/duty/shifts', body)).statusCode).toBe(403);
    const shift = await created(security, body);
    const period = `from=${formatDate(new Date(start), ZONE)}&to=${formatDate(new Date(start + 24 * HOUR), ZONE)}`;
    const read = await county.get(`/api/v1/duty/shifts?orgId=${tree.school.id}&${period}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().items.map((s: DutyShift) => s.id)).toContain(shift.id);
    expect((await far.get(`/api/v1/duty/shifts?orgId=${tree.school.id}&${period}`)).statusCode).toBe(404);
    expect((await far.get(`/api/v1/duty/shifts/${shift.id}`)).statusCode).toBe(404);
    expect((await otherSecurity.patch(`/api/v1/duty/shifts/${shift.id}`, { note: '改' })).statusCode).toBe(404);
    expect((await county.delete(`/api/v1/duty/shifts/${shift.id}`)).statusCode).toBe(404);
    expect(
      (await security.get(`/api/v1/duty/shifts?orgId=${tree.school.id}&from=2026-01-01&to=2026-12-31`)).json().code,
    ).toBe('duty_period_invalid');
    expect(
      (await security.get(`/api/v1/duty/shifts?orgId=${tree.school.id}&from=2026-02-01&to=2026-01-01`)).statusCode,
    ).toBe(400);
  });

  it('refuses overlapping shifts for the same person (409), also when two arrive at once', async () => {
    const start = base();
    await created(security, shiftBody(start, 12, [{ userId: guardUser.id, role: 'guard' }]));
    const overlap = await security.post(
      '/api/v1/duty/shifts',
      shiftBody(start + 11 * HOUR, 12, [{ userId: guardUser.id, role: 'guard' }]),
    );
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().code).toBe('duty_overlap');
    // Touching end to start is not an overlap.
    await created(security, shiftBody(start + 12 * HOUR, 12, [{ userId: guardUser.id, role: 'guard' }]));
    const later = start + 3 * 24 * HOUR;
    const racing = await Promise.all(
      [0, 1, 2].map((i) =>
        security.post(
          '/api/v1/duty/shifts',
          shiftBody(later + i * HOUR, 8, [{ userId: guard2User.id, role: 'guard' }]),
        ),
      ),
    );
    expect(racing.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
  });

  it('edits a future shift, tells people added and removed; refuses changes to ended shifts and deletes of started ones', async () => {
    const start = base();
    const shift = await created(security, shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]));
    const patched = await security.patch(`/api/v1/duty/shifts/${shift.id}`, {
      people: [
        { userId: guard2User.id, role: 'guard' },
        { userId: leaderUser.id, role: 'leader' },
      ],
      phone: '025-12345678',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().people.map((p: { userId: number }) => p.userId)).toEqual([leaderUser.id, guard2User.id]);
    const removed = await t.database.db
      .selectFrom('notification')
      .select('title')
      .where('user_id', '=', guardUser.id)
      .where('kind', '=', 'duty.removed')
      .execute();
    expect(removed.length).toBeGreaterThan(0);
    expect((await security.patch(`/api/v1/duty/shifts/${shift.id}`, {})).statusCode).toBe(400);

    const now = Date.now();
    const running = await created(security, {
      ...shiftBody(now - 2 * HOUR, 8, [{ userId: teacherUser.id, role: 'officer' }]),
    });
    const del = await security.delete(`/api/v1/duty/shifts/${running.id}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().code).toBe('duty_shift_started');
    const ended = await created(security, shiftBody(now - 30 * HOUR, 8, [{ userId: teacherUser.id, role: 'officer' }]));
    expect((await security.patch(`/api/v1/duty/shifts/${ended.id}`, { note: '补记' })).json().code).toBe(
      'duty_shift_ended',
    );
    const before = await auditCount('duty.shift_delete');
    expect((await security.delete(`/api/v1/duty/shifts/${shift.id}`)).statusCode).toBe(204);
    expect(await auditCount('duty.shift_delete')).toBe(before + 1);
    expect((await security.get(`/api/v1/duty/shifts/${shift.id}`)).statusCode).toBe(404);
  });
});

describe('onDutyAt', () => {
  it('includes the start instant and excludes the end instant', async () => {
    const start = base();
    const shift = await created(
      security,
      shiftBody(start, 12, [
        { userId: leaderUser.id, role: 'leader' },
        { userId: guardUser.id, role: 'guard' },
      ]),
    );
    const db = t.database.db;
    expect(await onDutyAt(db, tree.school.id, new Date(start - 1))).toEqual([]);
    const atStart = await onDutyAt(db, tree.school.id, new Date(start));
    expect(atStart.map((p) => p.userId).sort()).toEqual([leaderUser.id, guardUser.id].sort());
    expect(atStart.every((p) => p.shiftId === shift.id)).toBe(true);
    expect(await leadersOnDuty(db, tree.school.id, new Date(start + 12 * HOUR - 1))).toEqual([leaderUser.id]);
    expect(await onDutyAt(db, tree.school.id, new Date(start + 12 * HOUR))).toEqual([]);
    // Another unit's roster is not this unit's.
    expect(await onDutyAt(db, tree.otherSchool.id, new Date(start))).toEqual([]);
  });
});

describe('holiday table generator', () => {
  const body = (from: string, to: string, extra = {}) => ({
    orgId: tree.school.id,
    from,
    to,
    pattern: [
      { start: '08:00', end: '20:00' },
      { start: '20:00', end: '08:00' },
    ],
    leaders: [leaderUser.id],
    people: [guardUser.id, guard2User.id],
    holidayName: '元旦',
    phone: '025-88886666',
    ...extra,
  });

  it('previews without writing, then writes the whole table; leaders by day, people by shift', async () => {
    const counts = await tableCounts(t.database);
    const preview = await security.post(
      '/api/v1/duty/shifts/generate',
      body('2032-01-01', '2032-01-03', { dryRun: true }),
    );
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().created).toBe(0);
    expect(preview.json().shifts).toHaveLength(6);
    expect(await tableCounts(t.database)).toEqual(counts);
    const first = preview.json().shifts[0];
    expect(first.startsAt).toBe('2032-01-01T00:00:00.000Z'); // 08:00 in Asia/Shanghai
    expect(preview.json().shifts[1].endsAt).toBe('2032-01-02T00:00:00.000Z'); // night ends 08:00 next day

    const before = await auditCount('duty.generate');
    const written = await security.post('/api/v1/duty/shifts/generate', body('2032-01-01', '2032-01-03'));
    expect(written.statusCode, written.body).toBe(200);
    expect(written.json().created).toBe(6);
    expect(await auditCount('duty.generate')).toBe(before + 1);
    const list = await security.get(`/api/v1/duty/shifts?orgId=${tree.school.id}&from=2032-01-01&to=2032-01-03`);
    const shifts: DutyShift[] = list.json().items;
    expect(shifts).toHaveLength(6);
    expect(shifts.every((s) => s.kind === 'holiday' && s.hasLeader && s.holidayName === '元旦')).toBe(true);
    const guards = shifts.map((s) => s.people.find((p) => p.role === 'officer')!.userId);
    expect(guards).toEqual([guardUser.id, guard2User.id, guardUser.id, guard2User.id, guardUser.id, guard2User.id]);
  });

  it('is all-or-nothing: one clash refuses the whole table', async () => {
    await created(
      security,
      shiftBody(Date.UTC(2033, 0, 2, 2), 4, [{ userId: guard2User.id, role: 'guard' }]), // 2033-01-02 10:00–14:00
    );
    const counts = await tableCounts(t.database);
    const response = await security.post('/api/v1/duty/shifts/generate', body('2033-01-01', '2033-01-03'));
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('duty_overlap');
    expect(await tableCounts(t.database)).toEqual(counts);
  });

  it('refuses bad patterns, rotas and periods', async () => {
    const counts = await tableCounts(t.database);
    const bad: [Record<string, unknown>, number, string][] = [
      [body('2034-01-01', '2034-01-02', { leaders: [] }), 400, 'duty_leader_required'],
      [body('2034-01-01', '2034-01-02', { pattern: [{ start: '08:00', end: '08:30' }] }), 400, 'duty_pattern_invalid'],
      [
        body('2034-01-01', '2034-01-02', {
          pattern: [
            { start: '08:00', end: '20:00' },
            { start: '19:00', end: '08:00' },
          ],
        }),
        400,
        'duty_pattern_invalid',
      ],
      [body('2034-01-01', '2034-01-02', { pattern: [{ start: '25:00', end: '08:00' }] }), 400, 'validation_failed'],
      [body('2034-01-01', '2034-01-02', { peoplePerShift: 3 }), 400, 'duty_rota_too_small'],
      [body('2034-01-01', '2034-05-02'), 400, 'duty_period_invalid'],
      [body('2034-01-03', '2034-01-02'), 400, 'duty_period_invalid'],
      [body('2034-01-01', '2034-01-02', { people: [otherGuardUser.id] }), 400, 'duty_person_invalid'],
      [body('2034-01-01', '2034-01-02', { orgId: tree.otherSchool.id }), 404, 'not_found'],
      [body('2034-01-01', '2034-01-02', { people: 'all' }), 400, 'validation_failed'],
    ];
    for (const [input, status, code] of bad) {
      const response = await security.post('/api/v1/duty/shifts/generate', input);
      expect(response.statusCode, JSON.stringify(input)).toBe(status);
      expect(response.json().code).toBe(code);
    }
    expect(await tableCounts(t.database)).toEqual(counts);
  });
});

describe('swaps', () => {
  it('a person on a future shift asks, the unit approves, and the roster changes in the same step', async () => {
    const start = Date.now() + 5 * 24 * HOUR + slot * HOUR;
    base();
    const shift = await created(security, shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]));
    expect((await guard2.post('/api/v1/duty/swaps', { shiftId: shift.id, toUserId: guardUser.id })).json().code).toBe(
      'duty_not_on_shift',
    );
    expect(
      (await guard.post('/api/v1/duty/swaps', { shiftId: shift.id, toUserId: otherGuardUser.id })).json().code,
    ).toBe('duty_swap_target_invalid');
    const asked = await guard.post('/api/v1/duty/swaps', {
      shiftId: shift.id,
      toUserId: guard2User.id,
      reason: '家中有事',
    });
    expect(asked.statusCode, asked.body).toBe(200);
    const swapId = asked.json().id;
    expect((await guard.post('/api/v1/duty/swaps', { shiftId: shift.id, toUserId: guard2User.id })).statusCode).toBe(
      409,
    );
    // Only the unit approves; the guard cannot (no duty.manage), the county cannot (not its roster).
    expect((await guard.post(`/api/v1/duty/swaps/${swapId}/approve`, {})).statusCode).toBe(403);
    expect((await county.post(`/api/v1/duty/swaps/${swapId}/approve`, {})).statusCode).toBe(404);
    expect((await otherSecurity.post(`/api/v1/duty/swaps/${swapId}/approve`, {})).statusCode).toBe(404);
    const list = await security.get(`/api/v1/duty/swaps?orgId=${tree.school.id}&state=pending`);
    expect(list.json().items.map((s: { id: number }) => s.id)).toContain(swapId);
    const approved = await security.post(`/api/v1/duty/swaps/${swapId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(204);
    const after = (await security.get(`/api/v1/duty/shifts/${shift.id}`)).json();
    expect(after.people.map((p: { userId: number }) => p.userId)).toEqual([guard2User.id]);
    expect((await security.post(`/api/v1/duty/swaps/${swapId}/reject`, {})).json().code).toBe('duty_swap_state');
  });

  it('an approval that would overlap the colleague fails whole: the swap stays pending and the roster unchanged', async () => {
    const start = Date.now() + 9 * 24 * HOUR + slot * HOUR;
    base();
    const shift = await created(security, shiftBody(start, 8, [{ userId: guardUser.id, role: 'guard' }]));
    const swapId = (await guard.post('/api/v1/duty/swaps', { shiftId: shift.id, toUserId: guard2User.id })).json().id;
    await created(security, shiftBody(start + 2 * HOUR, 8, [{ userId: guard2User.id, role: 'guard' }]));
    const counts = await tableCounts(t.database);
    const response = await security.post(`/api/v1/duty/swaps/${swapId}/approve`, {});
    expect(response.statusCode).toBe(409);
    expect(await tableCounts(t.database)).toEqual(counts);
    const swap = await t.database.db
      .selectFrom('duty_swap')
      .select('state')
      .where('id', '=', swapId)
      .executeTakeFirstOrThrow();
    expect(swap.state).toBe('pending');
    const people = (await security.get(`/api/v1/duty/shifts/${shift.id}`)).json().people;
    expect(people.map((p: { userId: number }) => p.userId)).toEqual([guardUser.id]);
    // The requester withdraws it; nobody else can.
    expect((await guard2.post(`/api/v1/duty/swaps/${swapId}/cancel`, {})).statusCode).toBe(404);
    expect((await guard.post(`/api/v1/duty/swaps/${swapId}/cancel`, {})).statusCode).toBe(204);
  });

  it('cannot swap a shift that has started', async () => {
    const running = await created(
      security,
      shiftBody(Date.now() - 3 * 24 * HOUR - HOUR, 2, [{ userId: guardUser.id, role: 'guard' }]),
    );
    const response = await guard.post('/api/v1/duty/swaps', { shiftId: running.id, toUserId: guard2User.id });
    expect(response.statusCode).toBe(409);
  });
});

describe('handovers', () => {
  it('the person on the shift writes it near the end, hands it to the next shift; it cannot be written twice or edited', async () => {
    const now = Date.now();
    const end = now + 20 * 60_000;
    const shift = await created(security, {
      ...shiftBody(end - 10 * HOUR, 10, [{ userId: guardUser.id, role: 'guard' }]),
    });
    const next = await created(security, shiftBody(end, 10, [{ userId: guard2User.id, role: 'guard' }]));
    const early = await created(security, shiftBody(now - 100 * HOUR, 2, [{ userId: guard2User.id, role: 'guard' }]));
    expect((await guard2.post(`/api/v1/duty/shifts/${early.id}/handover`, { summary: '太晚了' })).json().code).toBe(
      'duty_handover_window',
    );
    expect((await guard2.post(`/api/v1/duty/shifts/${shift.id}/handover`, { summary: '不是我的班' })).statusCode).toBe(
      403,
    );
    expect((await guard.post(`/api/v1/duty/shifts/${next.id}/handover`, { summary: 'x' })).statusCode).toBe(403);
    expect(
      (
        await guard.post(`/api/v1/duty/shifts/${shift.id}/handover`, { summary: '正常', handedTo: leaderUser.id })
      ).json().code,
    ).toBe('duty_handover_recipient_invalid');
    expect((await guard.post(`/api/v1/duty/shifts/${shift.id}/handover`, { summary: '   ' })).statusCode).toBe(400);
    expect((await otherSecurity.post(`/api/v1/duty/shifts/${shift.id}/handover`, { summary: 'x' })).statusCode).toBe(
      404,
    );
    const written = await guard.post(`/api/v1/duty/shifts/${shift.id}/handover`, {
      summary: '夜间巡查 4 次，正常',
      openIssues: '北门道闸抬杆偶发故障，已报修',
      handedTo: guard2User.id,
    });
    expect(written.statusCode, written.body).toBe(200);
    expect((await guard.post(`/api/v1/duty/shifts/${shift.id}/handover`, { summary: '再写' })).json().code).toBe(
      'duty_handover_exists',
    );
    await expect(
      t.database.db.updateTable('duty_handover').set({ summary: '篡改' }).where('id', '=', written.json().id).execute(),
    ).rejects.toThrow();
    const list = await county.get(`/api/v1/duty/handovers?orgId=${tree.county.id}`);
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((h: { id: number }) => h.id === written.json().id);
    expect(item).toMatchObject({ handedToId: guard2User.id, openIssues: '北门道闸抬杆偶发故障，已报修' });
    expect((await far.get(`/api/v1/duty/handovers?orgId=${tree.county.id}`)).statusCode).toBe(404);
    const farList = await otherSecurity.get('/api/v1/duty/handovers');
    expect(farList.json().items.some((h: { id: number }) => h.id === written.json().id)).toBe(false);
    const shown = (await security.get(`/api/v1/duty/shifts/${shift.id}`)).json();
    expect(shown.handedOver).toBe(true);
    const note = await t.database.db
      .selectFrom('notification')
      .select('kind')
      .where('user_id', '=', guard2User.id)
      .where('kind', '=', 'duty.handover')
      .execute();
    expect(note).toHaveLength(1);
  });
});

describe('who is on duty now', () => {
  it('lists every school and bureau of the subtree with its people now, and those with nobody', async () => {
    const db = t.database.db;
    // A county of its own: 25 schools, every third with somebody on duty now.
    const myCounty = await buildOrg(db, { parent: tree.city, level: 'county', name: '值班区' });
    const schools: BuiltOrg[] = [];
    for (let i = 0; i < 25; i++) {
      schools.push(
        await buildOrg(db, { parent: myCounty, level: 'school', name: `值班学校${i}`, schoolType: 'primary' }),
      );
    }
    await buildOrg(db, { parent: schools[0]!, level: 'department', name: '保卫处' });
    const now = Date.now();
    let staffed = 0;
    for (const [i, school] of schools.entries()) {
      if (i % 3 !== 0) continue;
      const person = await buildUser(db, { role: 'school_leader', org: school });
      const shift = await db
        .insertInto('duty_shift')
        .values({
          org_id: school.id,
          org_path: school.path,
          starts_at: new Date(now - HOUR),
          ends_at: new Date(now + HOUR),
          phone: `0251234${i}`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('duty_assignment')
        .values({ shift_id: shift.id, user_id: person.id, duty_role: 'leader' })
        .execute();
      staffed++;
    }
    // An ended shift does not count.
    const ended = await db
      .insertInto('duty_shift')
      .values({
        org_id: schools[1]!.id,
        org_path: schools[1]!.path,
        starts_at: new Date(now - 5 * HOUR),
        ends_at: new Date(now - HOUR),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('duty_assignment')
      .values({ shift_id: ended.id, user_id: guardUser.id, duty_role: 'guard' })
      .execute();
    const officer = await as(await buildUser(db, { role: 'bureau_officer', org: myCounty }));
    const seen: { orgId: number; nobody: boolean; leaderNames: string[]; level: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await officer.get(`/api/v1/duty/now?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json();
      expect(page.totals).toEqual({ units: 26, onDuty: staffed, nobody: 26 - staffed });
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(26); // the county itself and its 25 schools; no departments
    expect(new Set(seen.map((u) => u.orgId)).size).toBe(26);
    expect(seen.find((u) => u.level === 'county')?.nobody).toBe(true);
    expect(seen.filter((u) => !u.nobody).every((u) => u.leaderNames.length === 1)).toBe(true);
    expect(
      seen
        .filter((u) => !u.nobody)
        .map((u) => u.orgId)
        .sort(),
    ).toEqual(
      schools
        .filter((_, i) => i % 3 === 0)
        .map((s) => s.id)
        .sort(),
    );
    const nobody = (await officer.get('/api/v1/duty/now?nobody=true&limit=200')).json();
    expect(nobody.items).toHaveLength(26 - staffed);
    expect(nobody.items.every((u: { nobody: boolean }) => u.nobody)).toBe(true);
    // Out of scope and bad input.
    expect((await far.get(`/api/v1/duty/now?orgId=${myCounty.id}`)).statusCode).toBe(404);
    expect((await officer.get('/api/v1/duty/now?cursor=garbage')).json().code).toBe('invalid_cursor');
    expect((await officer.get('/api/v1/duty/now?limit=100000')).statusCode).toBe(400);
    expect((await teacher.get('/api/v1/duty/now')).statusCode).toBe(403);
  });
});

describe('holiday coverage', () => {
  it('equals the domain count on random rosters', async () => {
    const db = t.database.db;
    const myCounty = await buildOrg(db, { parent: tree.city, level: 'county', name: '覆盖区' });
    const person = await buildUser(db, { role: 'bureau_officer', org: myCounty });
    const officer = await as(person);
    const days = ['2035-01-01', '2035-01-02', '2035-01-03'];
    const dayOf = (at: Date) => formatDate(at, ZONE);
    const periodStart = Date.UTC(2034, 11, 31, 16); // 2035-01-01 00:00 in Shanghai
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const expected = new Map<number, { uncovered: string[]; withoutLeader: string[] }>();
    for (let i = 0; i < 12; i++) {
      const school = await buildOrg(db, {
        parent: myCounty,
        level: 'school',
        name: `覆盖学校${i}`,
        schoolType: 'primary',
      });
      const shifts: { startsAt: Date; endsAt: Date; hasLeader: boolean }[] = [];
      const n = Math.floor(random() * 5);
      for (let k = 0; k < n; k++) {
        // Anywhere from a day before the period to its end, odd minutes, 1–24 h long.
        const startsAt = new Date(periodStart - 24 * HOUR + Math.floor(random() * 4 * 24 * 60) * 60_000);
        const endsAt = new Date(startsAt.getTime() + (60 + Math.floor(random() * 23 * 60)) * 60_000);
        const hasLeader = random() < 0.5;
        shifts.push({ startsAt, endsAt, hasLeader });
        const row = await db
          .insertInto('duty_shift')
          .values({ org_id: school.id, org_path: school.path, starts_at: startsAt, ends_at: endsAt, kind: 'holiday' })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db
          .insertInto('duty_assignment')
          .values({ shift_id: row.id, user_id: person.id, duty_role: hasLeader ? 'leader' : 'officer' })
          .execute();
      }
      expected.set(school.id, holidayCoverage(days, shifts, dayOf));
    }
    const response = await officer.get('/api/v1/duty/holiday-coverage?from=2035-01-01&to=2035-01-03&limit=5');
    expect(response.statusCode, response.body).toBe(200);
    const items = [...response.json().items];
    let cursor = response.json().nextCursor;
    while (cursor) {
      const next = (
        await officer.get(`/api/v1/duty/holiday-coverage?from=2035-01-01&to=2035-01-03&limit=5&cursor=${cursor}`)
      ).json();
      items.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(items).toHaveLength(12);
    for (const item of items) {
      expect({ uncovered: item.uncovered, withoutLeader: item.withoutLeader }, item.orgName).toEqual(
        expected.get(item.orgId),
      );
      expect(item.hasTable).toBe(item.uncovered.length === 0);
    }
    const totals = response.json().totals;
    const values = [...expected.values()];
    expect(totals).toEqual({
      schools: 12,
      withTable: values.filter((v) => v.uncovered.length === 0).length,
      withoutTable: values.filter((v) => v.uncovered.length > 0).length,
      withoutLeader: values.filter((v) => v.withoutLeader.length > 0).length,
    });
    const gaps = (
      await officer.get('/api/v1/duty/holiday-coverage?from=2035-01-01&to=2035-01-03&gaps=true&limit=200')
    ).json();
    expect(gaps.items).toHaveLength(values.filter((v) => v.withoutLeader.length > 0).length);

    const xlsx = await officer.get('/api/v1/duty/holiday-coverage/export.xlsx?from=2035-01-01&to=2035-01-03');
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('假期值班情况')!;
    expect(String(sheet.getCell('A1').value)).toContain('假期值班');
    expect(sheet.getRow(3).values).toContain('是否有值班表');
    expect(sheet.rowCount).toBeGreaterThanOrEqual(3 + 12);
    expect((await officer.get('/api/v1/duty/holiday-coverage?from=2035-01-01')).statusCode).toBe(400);
  });
});

describe('roster export', () => {
  it('streams a printable 值班表 with the leader on duty and the people', async () => {
    await security.post('/api/v1/duty/shifts/generate', {
      orgId: tree.school.id,
      from: '2036-10-01',
      to: '2036-10-02',
      pattern: [{ start: '08:00', end: '08:00' }],
      leaders: [leaderUser.id],
      people: [guardUser.id],
      holidayName: '国庆',
      phone: '025-66668888',
    });
    const before = await auditCount('duty.export');
    const response = await county.get(
      `/api/v1/duty/shifts/export.xlsx?orgId=${tree.school.id}&from=2036-10-01&to=2036-10-02`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toContain('attachment');
    expect(await auditCount('duty.export')).toBe(before + 1);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('值班表')!;
    expect(String(sheet.getCell('A1').value)).toBe(`${tree.school.name}国庆假期值班表`);
    expect(sheet.getRow(3).values).toContain('带班领导');
    expect(sheet.getRow(4).getCell(4).value).toBe('08:00–次日08:00');
    expect(sheet.getRow(4).getCell(5).value).toBe('测试school_leader');
    expect(sheet.getRow(4).getCell(7).value).toBe('025-66668888');
  });
});
