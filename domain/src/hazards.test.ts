import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AlertFacts,
  alertsDue,
  availableActions,
  HAZARD_ACTIONS,
  HAZARD_GRADES,
  HAZARD_STATES,
  type HazardFacts,
  isOpen,
  isOverdue,
  isValidDeadline,
  MAX_ESCALATION_LEVEL,
  nextAlertAt,
  rectificationRate,
  transition,
} from './hazards.js';

const actor = fc.record({ isResponsible: fc.boolean(), isSupervisor: fc.boolean() });

describe('hazard lifecycle', () => {
  it('walks the closed loop report → confirm → assign → rectify → verify', () => {
    const facts: HazardFacts = { state: 'reported', grade: 'general', supervised: false };
    const security = { isResponsible: false, isSupervisor: false };
    const responsible = { isResponsible: true, isSupervisor: false };
    const steps = [
      ['confirm', security, 'confirmed'],
      ['assign', security, 'rectifying'],
      ['rectify', responsible, 'rectified'],
      ['return', security, 'rectifying'],
      ['rectify', responsible, 'rectified'],
      ['verify', security, 'closed'],
    ] as const;
    for (const [action, who, expected] of steps) {
      const result = transition(facts, action, who);
      expect(result).toEqual({ ok: true, next: expected });
      if (result.ok) facts.state = result.next;
    }
  });

  it('reaches only known states from any sequence of actions, and a closed hazard reopens only by reopen', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HAZARD_GRADES, null),
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom(...HAZARD_ACTIONS), actor), { maxLength: 40 }),
        (grade, supervised, actions) => {
          let state: (typeof HAZARD_STATES)[number] = 'reported';
          for (const [action, who] of actions) {
            const result = transition({ state, grade, supervised }, action, who);
            if (!result.ok) continue;
            expect(HAZARD_STATES).toContain(result.next);
            if (state === 'closed') expect(action).toBe('reopen');
            if (result.next === 'closed') expect(state).toBe('rectified');
            state = result.next;
          }
        },
      ),
    );
  });

  it('lets only the responsible person rectify and only the supervising bureau close a major or supervised hazard', () => {
    expect(
      transition({ state: 'rectifying', grade: 'general', supervised: false }, 'rectify', {
        isResponsible: false,
        isSupervisor: false,
      }),
    ).toEqual({ ok: false, code: 'hazard_not_responsible' });
    expect(
      transition({ state: 'rectified', grade: 'major', supervised: false }, 'verify', {
        isResponsible: false,
        isSupervisor: false,
      }),
    ).toEqual({ ok: false, code: 'hazard_supervisor_must_verify' });
    expect(
      transition({ state: 'rectified', grade: 'general', supervised: true }, 'verify', {
        isResponsible: false,
        isSupervisor: true,
      }),
    ).toEqual({ ok: true, next: 'closed' });
  });

  it('offers exactly the actions the machine accepts', () => {
    for (const state of HAZARD_STATES) {
      for (const action of HAZARD_ACTIONS) {
        const accepted = transition({ state, grade: 'general', supervised: false }, action, {
          isResponsible: true,
          isSupervisor: true,
        }).ok;
        expect(availableActions(state).includes(action)).toBe(accepted);
      }
    }
  });

  it('is overdue only while open and past the deadline', () => {
    const now = new Date('2026-07-01T09:00:00+08:00');
    const past = new Date('2026-06-30T17:00:00+08:00');
    expect(isOverdue('rectifying', past, now)).toBe(true);
    expect(isOverdue('closed', past, now)).toBe(false);
    expect(isOverdue('rectifying', null, now)).toBe(false);
    expect(isOpen('rejected')).toBe(false);
  });
});

describe('hazard alerts', () => {
  const policy = { reminderHours: 24, escalationGraceHours: 72 };
  const deadline = new Date('2026-11-20T10:00:00Z');
  const hours = (n: number) => new Date(deadline.getTime() + n * 3600_000);
  const fresh: AlertFacts = {
    state: 'rectifying',
    deadline,
    remindedAt: null,
    overdueNotifiedAt: null,
    escalationLevel: 0,
  };

  it('reminds within the reminder window, marks overdue at the deadline, escalates per grace period', () => {
    expect(alertsDue(fresh, hours(-30), policy)).toEqual([]);
    expect(alertsDue(fresh, hours(-2), policy)).toEqual([{ kind: 'remind' }]);
    expect(alertsDue(fresh, hours(1), policy)).toEqual([{ kind: 'overdue' }]);
    expect(alertsDue({ ...fresh, overdueNotifiedAt: hours(1) }, hours(73), policy)).toEqual([
      { kind: 'escalate', level: 1 },
    ]);
    // A sweep that was down for a week catches up in one step, to the top level at most.
    expect(alertsDue(fresh, hours(24 * 30), policy)).toEqual([
      { kind: 'overdue' },
      { kind: 'escalate', level: MAX_ESCALATION_LEVEL },
    ]);
  });

  it('owes nothing to closed, rejected, unconfirmed or already rectified hazards after the deadline', () => {
    for (const state of ['closed', 'rejected', 'reported', 'rectified'] as const) {
      expect(alertsDue({ ...fresh, state }, hours(100), policy)).toEqual([]);
      expect(nextAlertAt({ ...fresh, state }, policy)).toBeNull();
    }
    expect(alertsDue({ ...fresh, deadline: null }, hours(100), policy)).toEqual([]);
  });

  it('never sends an alert twice: applying what is due leaves nothing due at the same moment', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HAZARD_STATES),
        fc.integer({ min: -200, max: 2000 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 100 }),
        (state, offsetHours, grace, reminder) => {
          const now = hours(offsetHours);
          const rules = { reminderHours: reminder, escalationGraceHours: grace };
          const facts = { ...fresh, state };
          for (const alert of alertsDue(facts, now, rules)) {
            if (alert.kind === 'remind') facts.remindedAt = now;
            if (alert.kind === 'overdue') facts.overdueNotifiedAt = now;
            if (alert.kind === 'escalate') {
              expect(alert.level).toBeGreaterThan(facts.escalationLevel);
              expect(alert.level).toBeLessThanOrEqual(MAX_ESCALATION_LEVEL);
              facts.escalationLevel = alert.level;
            }
          }
          expect(alertsDue(facts, now, rules)).toEqual([]);
          // The sweeper reads a hazard again only at nextAlertAt: it must lie after now, and nothing may fall due before it.
          const next = nextAlertAt(facts, rules);
          if (next !== null) {
            expect(next.getTime()).toBeGreaterThan(now.getTime());
            expect(alertsDue(facts, new Date(next.getTime() - 1), rules)).toEqual([]);
            expect(alertsDue(facts, next, rules).length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });

  it('accepts only future deadlines and computes the rate over found hazards', () => {
    expect(isValidDeadline(hours(1), deadline)).toBe(true);
    expect(isValidDeadline(hours(-1), deadline)).toBe(false);
    expect(rectificationRate(0, 0)).toBeNull();
    expect(rectificationRate(4, 3)).toBe(0.75);
  });
});
