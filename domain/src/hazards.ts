/**
 * The hazard lifecycle (隐患排查整改闭环) as a pure state machine. The server applies it inside a
 * transaction and appends a timeline event; illegal actions become 409 with the returned code.
 */
export const HAZARD_STATES = ['reported', 'confirmed', 'rectifying', 'rectified', 'closed', 'rejected'] as const;
export type HazardState = (typeof HAZARD_STATES)[number];

export const HAZARD_ACTIONS = ['confirm', 'reject', 'assign', 'rectify', 'verify', 'return', 'reopen'] as const;
export type HazardAction = (typeof HAZARD_ACTIONS)[number];

export const HAZARD_CATEGORIES = [
  'fire',
  'public_order',
  'traffic',
  'food',
  'building',
  'hazardous_chemicals',
  'special_equipment',
  'surroundings',
  'other',
] as const;
export type HazardCategory = (typeof HAZARD_CATEGORIES)[number];

/** 一般 / 较大 / 重大 */
export const HAZARD_GRADES = ['general', 'larger', 'major'] as const;
export type HazardGrade = (typeof HAZARD_GRADES)[number];

export const RISK_LEVELS = ['red', 'orange', 'yellow', 'blue'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface HazardFacts {
  state: HazardState;
  grade: HazardGrade | null;
  /** Under supervision by a bureau (挂牌督办): only that bureau verifies closure. */
  supervised: boolean;
}

export interface ActorFacts {
  /** The actor is the responsible person named in the five fixes. */
  isResponsible: boolean;
  /** The actor acts for the supervising bureau of this hazard. */
  isSupervisor: boolean;
}

export type TransitionResult =
  | { ok: true; next: HazardState }
  | { ok: false; code: 'hazard_action_not_allowed' | 'hazard_not_responsible' | 'hazard_supervisor_must_verify' };

const MOVES: Record<HazardAction, Partial<Record<HazardState, HazardState>>> = {
  confirm: { reported: 'confirmed' },
  reject: { reported: 'rejected' },
  assign: { confirmed: 'rectifying', rectifying: 'rectifying' },
  rectify: { rectifying: 'rectified' },
  verify: { rectified: 'closed' },
  return: { rectified: 'rectifying' },
  reopen: { closed: 'rectifying', rejected: 'reported' },
};

/** Whether closure must be verified by the supervising bureau rather than the school. */
export function needsSupervisorVerification(hazard: Pick<HazardFacts, 'grade' | 'supervised'>): boolean {
  return hazard.supervised || hazard.grade === 'major';
}

export function transition(hazard: HazardFacts, action: HazardAction, actor: ActorFacts): TransitionResult {
  const next = MOVES[action][hazard.state];
  if (!next) return { ok: false, code: 'hazard_action_not_allowed' };
  if (action === 'rectify' && !actor.isResponsible) return { ok: false, code: 'hazard_not_responsible' };
  if ((action === 'verify' || action === 'return') && needsSupervisorVerification(hazard) && !actor.isSupervisor) {
    return { ok: false, code: 'hazard_supervisor_must_verify' };
  }
  return { ok: true, next };
}

/** Actions that make sense from a state, for the detail page's buttons. */
export function availableActions(state: HazardState): HazardAction[] {
  return HAZARD_ACTIONS.filter((action) => MOVES[action][state] !== undefined);
}

export function isOpen(state: HazardState): boolean {
  return state !== 'closed' && state !== 'rejected';
}

/** Overdue: open, past its deadline. */
export function isOverdue(state: HazardState, deadline: Date | null, now: Date): boolean {
  return isOpen(state) && deadline !== null && deadline.getTime() < now.getTime();
}

/** A deadline set by assign, return or supervise must lie in the future. */
export function isValidDeadline(deadline: Date, now: Date): boolean {
  return deadline.getTime() > now.getTime();
}

export interface AlertPolicy {
  /** Remind the responsible person this many hours before the deadline. */
  reminderHours: number;
  /** Escalate one level up after each such period past the deadline. */
  escalationGraceHours: number;
}

/** How far escalation goes: 1 county, 2 city, 3 province. */
export const MAX_ESCALATION_LEVEL = 3;

export interface AlertFacts {
  state: HazardState;
  deadline: Date | null;
  remindedAt: Date | null;
  overdueNotifiedAt: Date | null;
  escalationLevel: number;
}

export type HazardAlert = { kind: 'remind' } | { kind: 'overdue' } | { kind: 'escalate'; level: number };

/**
 * What the sweeper owes a hazard at `now`: a reminder before the deadline, an overdue notice at it,
 * and one escalation level per grace period past it. Each is sent once (the facts record what was sent),
 * so a sweep that runs twice, or late, sends nothing twice and skips nothing.
 */
export function alertsDue(hazard: AlertFacts, now: Date, policy: AlertPolicy): HazardAlert[] {
  // Not yet assigned, finished, or rectified and waiting for verification: nobody is late.
  if (!isOpen(hazard.state) || hazard.state === 'reported' || hazard.state === 'rectified') return [];
  if (hazard.deadline === null) return [];
  const deadline = hazard.deadline.getTime();
  const time = now.getTime();
  const alerts: HazardAlert[] = [];
  if (time < deadline) {
    if (hazard.remindedAt === null && time >= deadline - policy.reminderHours * 3600_000)
      alerts.push({ kind: 'remind' });
    return alerts;
  }
  if (hazard.overdueNotifiedAt === null) alerts.push({ kind: 'overdue' });
  const grace = Math.max(policy.escalationGraceHours, 0) * 3600_000;
  const periods = grace === 0 ? MAX_ESCALATION_LEVEL : Math.floor((time - deadline) / grace);
  const level = Math.min(periods, MAX_ESCALATION_LEVEL);
  if (level > hazard.escalationLevel) alerts.push({ kind: 'escalate', level });
  return alerts;
}

/** rectified / found, null when nothing was found. */
export function rectificationRate(found: number, rectified: number): number | null {
  return found === 0 ? null : rectified / found;
}

/**
 * When the next alert falls due for a hazard in this state (null: none will), so the sweeper reads
 * only hazards that owe something. Consistent with alertsDue: nothing is due before this moment.
 */
export function nextAlertAt(hazard: AlertFacts, policy: AlertPolicy): Date | null {
  if (!isOpen(hazard.state) || hazard.state === 'reported' || hazard.state === 'rectified') return null;
  if (hazard.deadline === null) return null;
  const deadline = hazard.deadline.getTime();
  if (hazard.remindedAt === null && hazard.overdueNotifiedAt === null) {
    return new Date(deadline - policy.reminderHours * 3600_000);
  }
  if (hazard.overdueNotifiedAt === null) return new Date(deadline);
  if (hazard.escalationLevel >= MAX_ESCALATION_LEVEL) return null;
  const grace = Math.max(policy.escalationGraceHours, 0) * 3600_000;
  return new Date(deadline + grace * (hazard.escalationLevel + 1));
}
