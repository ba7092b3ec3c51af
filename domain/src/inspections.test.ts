import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChecklistItem,
  checklistContent,
  completionRate,
  coveredHours,
  isoWeekday,
  judgeAnswer,
  type PlanSchedule,
  planSchedule,
  runsOn,
  windowsOn,
} from './inspections.js';

const item = (extra: Partial<ChecklistItem>): ChecklistItem =>
  ({ key: 'k', text: '疏散通道是否畅通', type: 'pass_fail', required: true, ...extra }) as ChecklistItem;

describe('checklists', () => {
  it('refuses duplicate item keys and inverted limits', () => {
    const section = (keys: string[]) => ({
      title: '消防',
      items: keys.map((key) => ({ key, text: '检查', type: 'text' })),
    });
    expect(checklistContent.safeParse([section(['a', 'b'])]).success).toBe(true);
    expect(checklistContent.safeParse([section(['a']), section(['a'])]).success).toBe(false);
    expect(
      checklistContent.safeParse([{ title: 'x', items: [{ key: 'n', text: '压力', type: 'number', min: 5, max: 1 }] }])
        .success,
    ).toBe(false);
  });

  it('judges answers by type, limits and photos', () => {
    expect(judgeAnswer(item({}), true, 0)).toEqual({ passed: true, error: null });
    expect(judgeAnswer(item({}), false, 0)).toEqual({ passed: false, error: null });
    expect(judgeAnswer(item({ photoRequired: true }), false, 0).error).toBe('photo_missing');
    expect(judgeAnswer(item({}), null, 0).error).toBe('answer_missing');
    expect(judgeAnswer(item({ required: false }), null, 0)).toEqual({ passed: true, error: null });
    expect(judgeAnswer(item({}), 'yes', 0).error).toBe('answer_type');
    const gauge = item({ type: 'number', min: 1, max: 1.6 });
    expect(judgeAnswer(gauge, 1.2, 0).passed).toBe(true);
    expect(judgeAnswer(gauge, 0.5, 0).passed).toBe(false);
    expect(judgeAnswer(item({ type: 'photo' }), null, 1).passed).toBe(true);
    expect(judgeAnswer(item({ type: 'photo' }), null, 0).error).toBe('photo_missing');
  });
});

describe('schedules', () => {
  const base: PlanSchedule = {
    frequency: 'daily',
    windows: [{ start: '08:00', end: '10:00' }],
    startsOn: '2026-11-01',
  };

  it('validates schedules', () => {
    expect(planSchedule.safeParse(base).success).toBe(true);
    expect(planSchedule.safeParse({ ...base, frequency: 'weekly' }).success).toBe(false);
    expect(planSchedule.safeParse({ ...base, windows: [base.windows[0], base.windows[0]] }).success).toBe(false);
    expect(planSchedule.safeParse({ ...base, frequency: 'monthly' }).success).toBe(false);
    expect(planSchedule.safeParse({ ...base, endsOn: '2026-10-01' }).success).toBe(false);
    expect(planSchedule.safeParse({ ...base, windows: [{ start: '25:00', end: '10:00' }] }).success).toBe(false);
  });

  it('runs on the right days', () => {
    expect(isoWeekday('2026-11-23')).toBe(1);
    expect(runsOn({ ...base, frequency: 'weekly', weekdays: [1] }, '2026-11-23')).toBe(true);
    expect(runsOn({ ...base, frequency: 'weekly', weekdays: [1] }, '2026-11-24')).toBe(false);
    expect(runsOn({ ...base, frequency: 'monthly', dayOfMonth: 23 }, '2026-11-23')).toBe(true);
    expect(runsOn({ ...base, frequency: 'quarterly', dayOfMonth: 5 }, '2027-01-05')).toBe(true);
    expect(runsOn({ ...base, frequency: 'quarterly', dayOfMonth: 5 }, '2027-02-05')).toBe(false);
    expect(runsOn({ ...base, frequency: 'once', startsOn: '2026-12-01' }, '2026-12-01')).toBe(true);
    expect(runsOn({ ...base, frequency: 'once', startsOn: '2026-12-01' }, '2026-12-02')).toBe(false);
    expect(runsOn({ ...base, endsOn: '2026-11-10' }, '2026-11-11')).toBe(false);
    expect(runsOn(base, '2026-10-31')).toBe(false);
  });

  it('gives windows that run past midnight into the next day', () => {
    const midnight = new Date('2026-11-22T16:00:00Z'); // 2026-11-23 00:00 in Asia/Shanghai
    const night = windowsOn({ ...base, windows: [{ start: '22:00', end: '06:00' }] }, '2026-11-23', midnight);
    expect(night).toEqual([
      { start: new Date('2026-11-23T14:00:00Z'), end: new Date('2026-11-23T22:00:00Z'), index: 0 },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), (a, b) => {
        const pad = (n: number) => String(n).padStart(2, '0');
        const [w] = windowsOn(
          { ...base, windows: [{ start: `${pad(a)}:00`, end: `${pad(b)}:00` }] },
          '2026-11-23',
          midnight,
        );
        expect(w!.end.getTime()).toBeGreaterThan(w!.start.getTime());
        expect(w!.end.getTime() - w!.start.getTime()).toBeLessThanOrEqual(24 * 3600_000);
      }),
    );
  });

  it('computes completion and 24-hour coverage', () => {
    expect(completionRate(0, 0)).toBeNull();
    expect(completionRate(3, 1)).toBe(0.75);
    const hours = coveredHours([
      { firstScanHour: 0, lastScanHour: 1 },
      { firstScanHour: 22, lastScanHour: 23 },
    ]);
    expect(hours.filter(Boolean)).toHaveLength(4);
    expect(hours[0] && hours[1] && hours[22] && hours[23]).toBe(true);
  });
});
