import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNoticeBody, createUrgentReportBody } from './api/notices.js';
import {
  canRemind,
  DEFAULT_URGENT_MINUTES,
  escalationStep,
  nextHandlingLevel,
  parseUrgentMinutes,
  receiptStatus,
  replyIsLate,
  resolveTargetLevels,
  URGENT_SEVERITIES,
  urgentDeadlines,
} from './notices.js';
import { ORG_LEVELS, type OrgLevel } from './org.js';

const HOUR = 3600_000;

describe('notice targets', () => {
  it('addresses only levels below the publisher', () => {
    expect(resolveTargetLevels('county', undefined)).toEqual(['school']);
    expect(resolveTargetLevels('city', [])).toEqual(['county', 'school']);
    expect(resolveTargetLevels('province', ['school', 'school'])).toEqual(['school']);
    expect(resolveTargetLevels('school', undefined)).toEqual(['department']);
    expect(resolveTargetLevels('county', ['city'])).toBeNull();
    expect(resolveTargetLevels('school', ['school'])).toBeNull();
    expect(resolveTargetLevels('department', undefined)).toBeNull();
  });

  it('never resolves to the publisher level or above (property)', () => {
    const rank = (level: OrgLevel) => ORG_LEVELS.indexOf(level);
    fc.assert(
      fc.property(
        fc.constantFrom(...ORG_LEVELS),
        fc.option(fc.array(fc.constantFrom(...ORG_LEVELS), { maxLength: 6 }), { nil: undefined }),
        (publisher, requested) => {
          const levels = resolveTargetLevels(publisher, requested);
          if (levels === null) return;
          expect(levels.length).toBeGreaterThan(0);
          for (const level of levels) expect(rank(level)).toBeGreaterThan(rank(publisher));
          if (requested && requested.length > 0) for (const level of levels) expect(requested).toContain(level);
        },
      ),
    );
  });

  it('receipt status follows read and reply', () => {
    expect(receiptStatus({ readAt: null, repliedAt: null })).toBe('unread');
    expect(receiptStatus({ readAt: new Date(), repliedAt: null })).toBe('read');
    expect(receiptStatus({ readAt: new Date(), repliedAt: new Date() })).toBe('replied');
    const deadline = new Date('2026-05-01T09:00:00Z');
    expect(replyIsLate(deadline, new Date('2026-05-01T09:00:01Z'))).toBe(true);
    expect(replyIsLate(deadline, deadline)).toBe(false);
    expect(replyIsLate(null, new Date())).toBe(false);
  });

  it('never allows two reminders within an hour (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * HOUR }), { maxLength: 40 }), (offsets) => {
        const start = Date.UTC(2026, 4, 1);
        let last: Date | null = null;
        const sent: number[] = [];
        for (const offset of [...offsets].sort((a, b) => a - b)) {
          const now = new Date(start + offset);
          if (canRemind(last, now)) {
            sent.push(now.getTime());
            last = now;
          }
        }
        for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(HOUR);
        if (offsets.length > 0) expect(sent.length).toBeGreaterThan(0);
      }),
    );
  });

  it('validates the publish body', () => {
    const ok = createNoticeBody.safeParse({
      title: '关于开展暑期安全检查的通知',
      body: '各学校：\n请于7月1日前完成。',
    });
    expect(ok.success).toBe(true);
    expect(createNoticeBody.safeParse({ title: '标题', body: '   ' }).success).toBe(false);
    expect(createNoticeBody.safeParse({ title: 'x'.repeat(201), body: '正文' }).success).toBe(false);
    expect(createNoticeBody.safeParse({ title: '标题', body: '正文\u0000' }).success).toBe(false);
    expect(createNoticeBody.safeParse({ title: '标题', body: '正文', extra: 1 }).success).toBe(false);
  });
});

describe('urgent report deadlines', () => {
  const occurred = new Date('2026-06-01T02:00:00Z');

  it('uses the configured minutes per severity', () => {
    const d = urgentDeadlines('extraordinary', occurred, new Date(occurred.getTime() + 20 * 60_000));
    expect(d.phoneBy?.toISOString()).toBe('2026-06-01T02:30:00.000Z');
    expect(d.writtenBy.toISOString()).toBe('2026-06-01T03:00:00.000Z');
    expect(d.acknowledgeBy.toISOString()).toBe('2026-06-01T02:35:00.000Z');
    expect(d.late).toBe(false);
    const late = urgentDeadlines('major', occurred, new Date(occurred.getTime() + 3 * HOUR));
    expect(late.late).toBe(true);
    expect(urgentDeadlines('ordinary', occurred, occurred).phoneBy).toBeNull();
  });

  it('a more severe event never has a later deadline (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 48 * 60 }),
        (a, b, at, delay) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const reported = new Date(at.getTime() + delay * 60_000);
          const mild = urgentDeadlines(URGENT_SEVERITIES[lo]!, at, reported);
          const severe = urgentDeadlines(URGENT_SEVERITIES[hi]!, at, reported);
          expect(severe.writtenBy.getTime()).toBeLessThanOrEqual(mild.writtenBy.getTime());
          expect(severe.acknowledgeBy.getTime()).toBeLessThanOrEqual(mild.acknowledgeBy.getTime());
          expect(severe.acknowledgeBy.getTime()).toBeGreaterThan(reported.getTime());
          if (mild.late) expect(severe.late).toBe(true);
        },
      ),
    );
  });

  it('escalates county → city → province once per deadline, then stops', () => {
    expect(nextHandlingLevel('county')).toBe('city');
    expect(nextHandlingLevel('city')).toBe('province');
    expect(nextHandlingLevel('province')).toBeNull();
    const due = new Date('2026-06-01T03:00:00Z');
    const report = {
      state: 'pending' as const,
      handlingLevel: 'county' as OrgLevel,
      dueAt: due,
      severity: 'major' as const,
    };
    expect(escalationStep(report, new Date(due.getTime() - 1))).toBeNull();
    const first = escalationStep(report, due);
    expect(first?.toLevel).toBe('city');
    expect(first?.nextDueAt?.getTime()).toBe(due.getTime() + 30 * 60_000);
    const second = escalationStep({ ...report, handlingLevel: 'city', dueAt: first!.nextDueAt }, first!.nextDueAt!);
    expect(second).toEqual({ toLevel: 'province', nextDueAt: null });
    expect(
      escalationStep({ ...report, handlingLevel: 'province', dueAt: null }, new Date(due.getTime() + HOUR)),
    ).toBeNull();
    expect(escalationStep({ ...report, state: 'acknowledged' }, new Date(due.getTime() + HOUR))).toBeNull();
  });

  it('escalation terminates within two steps whatever the clock does (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...URGENT_SEVERITIES),
        fc.array(fc.integer({ min: 0, max: 600 }), { maxLength: 30 }),
        (severity, gaps) => {
          let state = {
            state: 'pending' as const,
            handlingLevel: 'county' as OrgLevel,
            dueAt: new Date(0) as Date | null,
            severity,
          };
          let now = 0;
          let steps = 0;
          for (const gap of gaps) {
            now += gap * 60_000;
            const step = escalationStep(state, new Date(now));
            if (step) {
              steps++;
              state = { ...state, handlingLevel: step.toLevel, dueAt: step.nextDueAt };
            }
          }
          expect(steps).toBeLessThanOrEqual(2);
        },
      ),
    );
  });

  it('parses URGENT_REPORT_MINUTES and refuses typos', () => {
    expect(parseUrgentMinutes(undefined)).toEqual(DEFAULT_URGENT_MINUTES);
    const table = parseUrgentMinutes('extraordinary=20/40/10; ordinary=-/720/120');
    expect(table.extraordinary).toEqual({ phone: 20, written: 40, acknowledge: 10 });
    expect(table.ordinary).toEqual({ phone: null, written: 720, acknowledge: 120 });
    expect(table.major).toEqual(DEFAULT_URGENT_MINUTES.major);
    expect(() => parseUrgentMinutes('severe=1/2/3')).toThrow();
    expect(() => parseUrgentMinutes('major=0/2/3')).toThrow();
    expect(() => parseUrgentMinutes('major=60')).toThrow();
  });

  it('takes casualties as counts only', () => {
    const base = {
      orgId: 5,
      category: 'safety_accident',
      severity: 'larger',
      occurredAt: '2026-06-01T10:00:00+08:00',
      place: '教学楼东侧楼梯',
      description: '课间学生下楼拥挤，一名学生摔倒受伤。',
    };
    expect(createUrgentReportBody.safeParse({ ...base, injuries: 1 }).success).toBe(true);
    expect(createUrgentReportBody.safeParse({ ...base, injuries: -1 }).success).toBe(false);
    expect(createUrgentReportBody.safeParse({ ...base, injuredNames: ['张三'] }).success).toBe(false);
  });
});
