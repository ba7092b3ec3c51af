import type { OrgLevel } from './org.js';

/**
 * Notices (通知) with per-unit read receipts, and urgent information reports (信息报送) with deadlines by
 * severity. Pure rules; the server applies them (see docs/notices.md).
 */

// ------------------------------------------------------------------------------------------------ notices

export const NOTICE_STATES = ['published', 'withdrawn'] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];

/** A recipient unit's receipt: unread → read (first opened by someone of the unit) → replied (回执, when required). */
export const RECEIPT_STATUSES = ['unread', 'read', 'replied'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** Levels a unit of `publisher` level may address: bureaus the bureaus and schools below, a school its departments. */
export function noticeTargetLevels(publisher: OrgLevel): OrgLevel[] {
  switch (publisher) {
    case 'province':
      return ['city', 'county', 'school'];
    case 'city':
      return ['county', 'school'];
    case 'county':
      return ['school'];
    case 'school':
      return ['department'];
    case 'department':
      return [];
  }
}

/**
 * The levels a notice goes to: the requested ones (all allowed ones when none are named). Null when a
 * requested level is not below the publisher (a county cannot address cities, a school cannot address schools).
 */
export function resolveTargetLevels(
  publisher: OrgLevel,
  requested: readonly OrgLevel[] | undefined,
): OrgLevel[] | null {
  const allowed = noticeTargetLevels(publisher);
  if (allowed.length === 0) return null;
  if (!requested || requested.length === 0) return allowed;
  const unique = [...new Set(requested)];
  return unique.every((level) => allowed.includes(level)) ? allowed.filter((level) => unique.includes(level)) : null;
}

export function receiptStatus(receipt: {
  readAt: Date | string | null;
  repliedAt: Date | string | null;
}): ReceiptStatus {
  if (receipt.repliedAt !== null) return 'replied';
  if (receipt.readAt !== null) return 'read';
  return 'unread';
}

/** Reminders to unread units are at most one per this interval per notice. */
export const NOTICE_REMINDER_INTERVAL_MS = 3600_000;

/** When the publisher may next remind (null: now). */
export function nextReminderAt(lastRemindedAt: Date | null, intervalMs = NOTICE_REMINDER_INTERVAL_MS): Date | null {
  return lastRemindedAt === null ? null : new Date(lastRemindedAt.getTime() + intervalMs);
}

export function canRemind(lastRemindedAt: Date | null, now: Date, intervalMs = NOTICE_REMINDER_INTERVAL_MS): boolean {
  const next = nextReminderAt(lastRemindedAt, intervalMs);
  return next === null || now.getTime() >= next.getTime();
}

/** A reply (回执) is late when a deadline was set and it came after it. */
export function replyIsLate(deadline: Date | null, repliedAt: Date): boolean {
  return deadline !== null && repliedAt.getTime() > deadline.getTime();
}

// ---------------------------------------------------------------------------------------- urgent reports

/** 一般 / 较大 / 重大 / 特别重大, from least to most severe. */
export const URGENT_SEVERITIES = ['ordinary', 'larger', 'major', 'extraordinary'] as const;
export type UrgentSeverity = (typeof URGENT_SEVERITIES)[number];
export const URGENT_SEVERITY_LABELS: Record<UrgentSeverity, string> = {
  ordinary: '一般',
  larger: '较大',
  major: '重大',
  extraordinary: '特别重大',
};

export const URGENT_CATEGORIES = [
  'safety_accident', // 安全事故（校舍、交通、溺水、踩踏、火灾等）
  'public_health', // 公共卫生（传染病、食物中毒）
  'natural_disaster', // 自然灾害
  'public_security', // 社会安全（校园侵害、群体性事件）
  'other',
] as const;
export type UrgentCategory = (typeof URGENT_CATEGORIES)[number];
export const URGENT_CATEGORY_LABELS: Record<UrgentCategory, string> = {
  safety_accident: '安全事故',
  public_health: '公共卫生事件',
  natural_disaster: '自然灾害',
  public_security: '社会安全事件',
  other: '其他',
};

export const URGENT_STATES = ['pending', 'acknowledged'] as const;
export type UrgentState = (typeof URGENT_STATES)[number];

/**
 * Minutes for one severity: `phone` after the event, by telephone (null: no phone report asked); `written`
 * after the event, the written report in the platform; `acknowledge` after the report, the bureau's
 * acknowledgement — past it the report escalates one bureau up, and again after each further such period.
 */
export interface UrgentMinutes {
  phone: number | null;
  written: number;
  acknowledge: number;
}
export type UrgentMinutesTable = Record<UrgentSeverity, UrgentMinutes>;

/**
 * Defaults, after the usual education-system practice (教育系统突发事件信息报送): 特别重大 and 重大 events are
 * phoned in at once (30 / 60 min) and reported in writing within 1 / 2 hours; 较大 within 4 hours; 一般 within
 * 24 hours. Bureaus acknowledge within 15 / 30 / 60 / 240 minutes. Deployments override them with
 * `URGENT_REPORT_MINUTES` (see docs/configuration.md).
 */
export const DEFAULT_URGENT_MINUTES: UrgentMinutesTable = {
  extraordinary: { phone: 30, written: 60, acknowledge: 15 },
  major: { phone: 60, written: 120, acknowledge: 30 },
  larger: { phone: null, written: 240, acknowledge: 60 },
  ordinary: { phone: null, written: 1440, acknowledge: 240 },
};

const MINUTE = 60_000;

export interface UrgentDeadlines {
  phoneBy: Date | null;
  writtenBy: Date;
  acknowledgeBy: Date;
  /** The written report came after `writtenBy` (迟报). */
  late: boolean;
}

export function urgentDeadlines(
  severity: UrgentSeverity,
  occurredAt: Date,
  reportedAt: Date,
  table: UrgentMinutesTable = DEFAULT_URGENT_MINUTES,
): UrgentDeadlines {
  const minutes = table[severity];
  const writtenBy = new Date(occurredAt.getTime() + minutes.written * MINUTE);
  return {
    phoneBy: minutes.phone === null ? null : new Date(occurredAt.getTime() + minutes.phone * MINUTE),
    writtenBy,
    acknowledgeBy: new Date(reportedAt.getTime() + minutes.acknowledge * MINUTE),
    late: reportedAt.getTime() > writtenBy.getTime(),
  };
}

/** The bureau level an unacknowledged report goes to next: county → city → province → nowhere. */
export function nextHandlingLevel(level: OrgLevel): OrgLevel | null {
  if (level === 'county') return 'city';
  if (level === 'city') return 'province';
  return null;
}

/**
 * What the sweeper does with a pending report at `now`: escalate once its acknowledgement deadline for the
 * current level has passed and a higher bureau exists. The next deadline is one acknowledgement period later.
 */
export function escalationStep(
  report: { state: UrgentState; handlingLevel: OrgLevel; dueAt: Date | null; severity: UrgentSeverity },
  now: Date,
  table: UrgentMinutesTable = DEFAULT_URGENT_MINUTES,
): { toLevel: OrgLevel; nextDueAt: Date | null } | null {
  if (report.state !== 'pending' || report.dueAt === null || now.getTime() < report.dueAt.getTime()) return null;
  const toLevel = nextHandlingLevel(report.handlingLevel);
  if (toLevel === null) return null;
  const further = nextHandlingLevel(toLevel);
  return {
    toLevel,
    nextDueAt: further === null ? null : new Date(now.getTime() + table[report.severity].acknowledge * MINUTE),
  };
}

/**
 * Parses `URGENT_REPORT_MINUTES`: `severity=phone/written/acknowledge` pairs separated by `;` or `,`, phone
 * `-` for none, e.g. `extraordinary=30/60/15;ordinary=-/1440/240`. Unnamed severities keep their defaults.
 * Throws on anything else, so a typo stops the server at start instead of silently using defaults.
 */
export function parseUrgentMinutes(text: string | undefined | null): UrgentMinutesTable {
  const table: UrgentMinutesTable = { ...DEFAULT_URGENT_MINUTES };
  if (!text || text.trim() === '') return table;
  for (const part of text.split(/[;,]/)) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const match = /^(\w+)=(-|\d{1,5})\/(\d{1,5})\/(\d{1,5})$/.exec(trimmed);
    const severity = match?.[1] as UrgentSeverity | undefined;
    if (!match || !severity || !URGENT_SEVERITIES.includes(severity))
      throw new Error(`URGENT_REPORT_MINUTES: cannot read "${trimmed}"`);
    const phone = match[2] === '-' ? null : Number(match[2]);
    const written = Number(match[3]);
    const acknowledge = Number(match[4]);
    if (written < 1 || acknowledge < 1 || (phone !== null && phone < 1))
      throw new Error(`URGENT_REPORT_MINUTES: minutes must be positive in "${trimmed}"`);
    table[severity] = { phone, written, acknowledge };
  }
  return table;
}
