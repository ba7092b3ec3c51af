import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALARM_ACTIONS,
  ALARM_STATES,
  type AlarmState,
  ackOverdue,
  alarmActionsFrom,
  alarmTransition,
  DEVICE_KINDS,
  deviceEventPayload,
  deviceStatus,
  eventEffect,
  healthRates,
  holidayCoverage,
  isValidShift,
  parseDeviceTopic,
} from './devices.js';

describe('device events', () => {
  it('accepts the documented payload and refuses anything else', () => {
    const ok = { v: 1, eventId: 'evt-0001', type: 'alarm', kind: 'one_key', at: '2026-11-23T08:00:00+08:00' };
    expect(deviceEventPayload.safeParse(ok).success).toBe(true);
    for (const bad of [
      { ...ok, v: 2 },
      { ...ok, eventId: '' },
      { ...ok, eventId: 'a b' },
      { ...ok, type: 'explode' },
      { ...ok, at: 'yesterday' },
      { ...ok, extra: 1 },
      { ...ok, details: { nested: { deep: true } } },
    ]) {
      expect(deviceEventPayload.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(eventEffect({ type: 'alarm', kind: 'fire' })).toEqual({ raise: 'fire' });
    expect(eventEffect({ type: 'tamper' })).toEqual({ raise: 'tamper' });
    expect(eventEffect({ type: 'heartbeat' })).toEqual({ alive: true });
  });

  it('parses only well-formed device topics', () => {
    expect(parseDeviceTopic('safe-campus/320102001/CAM-01/alarm')).toEqual({
      schoolCode: '320102001',
      deviceCode: 'CAM-01',
      channel: 'alarm',
    });
    for (const topic of ['safe-campus/a/b/c', 'safe-campus/a/b/alarm/x', 'other/a/b/alarm', 'safe-campus/+/b/alarm']) {
      expect(parseDeviceTopic(topic)).toBeNull();
    }
  });

  it('derives status and health rates', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const seen = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    expect(deviceStatus({ kind: 'camera', lastSeenAt: seen(60), faultSince: null }, now, 300)).toBe('online');
    expect(deviceStatus({ kind: 'camera', lastSeenAt: seen(600), faultSince: null }, now, 300)).toBe('offline');
    expect(deviceStatus({ kind: 'camera', lastSeenAt: null, faultSince: null }, now, 300)).toBe('unknown');
    expect(deviceStatus({ kind: 'camera', lastSeenAt: seen(1), faultSince: seen(5) }, now, 300)).toBe('fault');
    expect(deviceStatus({ kind: 'bollard', lastSeenAt: null, faultSince: null }, now, 300)).toBe('passive');
    expect(healthRates(['online', 'online', 'offline', 'passive'])).toEqual({ onlineRate: 2 / 3, intactRate: 3 / 4 });
    expect(healthRates([])).toEqual({ onlineRate: null, intactRate: null });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('online', 'offline', 'fault', 'unknown', 'passive' as const)),
        (statuses) => {
          const { onlineRate, intactRate } = healthRates(statuses);
          for (const rate of [onlineRate, intactRate]) if (rate !== null) expect(rate).toBeGreaterThanOrEqual(0);
          for (const rate of [onlineRate, intactRate]) if (rate !== null) expect(rate).toBeLessThanOrEqual(1);
        },
      ),
    );
    expect(DEVICE_KINDS).toContain('bollard');
  });
});

describe('alarm lifecycle', () => {
  it('walks new → acknowledged → dispatched → on scene → resolved and stays resolved', () => {
    let state: AlarmState = 'new';
    for (const action of ['acknowledge', 'dispatch', 'arrive', 'resolve'] as const) {
      const result = alarmTransition(state, action);
      expect(result.ok).toBe(true);
      if (result.ok) state = result.next;
    }
    expect(state).toBe('resolved');
    expect(alarmActionsFrom('resolved')).toEqual([]);
  });

  it('never leaves the known states, and nothing reopens a resolved alarm', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALARM_ACTIONS), { maxLength: 30 }), (actions) => {
        let state: AlarmState = 'new';
        for (const action of actions) {
          const before = state;
          const result = alarmTransition(state, action);
          if (result.ok) state = result.next;
          expect(ALARM_STATES).toContain(state);
          if (before === 'resolved') expect(state).toBe('resolved');
        }
      }),
    );
  });

  it('escalates an unacknowledged alarm once its acknowledgement time has passed, once', () => {
    const raisedAt = new Date('2026-11-23T10:00:00Z');
    const policy = { acknowledgeSeconds: 60, arriveSeconds: 600 };
    const at = (seconds: number) => new Date(raisedAt.getTime() + seconds * 1000);
    expect(ackOverdue({ state: 'new', raisedAt, escalatedAt: null }, at(59), policy)).toBe(false);
    expect(ackOverdue({ state: 'new', raisedAt, escalatedAt: null }, at(60), policy)).toBe(true);
    expect(ackOverdue({ state: 'new', raisedAt, escalatedAt: at(60) }, at(120), policy)).toBe(false);
    expect(ackOverdue({ state: 'acknowledged', raisedAt, escalatedAt: null }, at(120), policy)).toBe(false);
  });
});

describe('duty', () => {
  it('checks shift length and holiday coverage with a leader on duty', () => {
    const at = (iso: string) => new Date(iso);
    expect(isValidShift({ startsAt: at('2026-10-01T00:00:00Z'), endsAt: at('2026-10-01T00:30:00Z') })).toBe(false);
    expect(isValidShift({ startsAt: at('2026-10-01T00:00:00Z'), endsAt: at('2026-10-02T00:00:00Z') })).toBe(true);
    expect(isValidShift({ startsAt: at('2026-10-01T00:00:00Z'), endsAt: at('2026-10-02T01:00:00Z') })).toBe(false);
    const dayOf = (date: Date) => date.toISOString().slice(0, 10);
    const result = holidayCoverage(
      ['2026-10-01', '2026-10-02', '2026-10-03'],
      [
        { startsAt: at('2026-10-01T00:00:00Z'), endsAt: at('2026-10-02T00:00:00Z'), hasLeader: true },
        { startsAt: at('2026-10-02T08:00:00Z'), endsAt: at('2026-10-02T20:00:00Z'), hasLeader: false },
      ],
      dayOf,
    );
    expect(result).toEqual({ uncovered: ['2026-10-03'], withoutLeader: ['2026-10-02', '2026-10-03'] });
  });
});
