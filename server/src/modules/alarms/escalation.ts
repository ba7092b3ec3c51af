import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { appendAudit } from '../../platform/audit.js';
import { notify } from '../../platform/notifications.js';
import { publish } from '../../platform/realtime.js';
import { appendTimeline } from '../../platform/timeline.js';
import { leadersOnDuty } from '../duty/on-duty.js';
import { AlarmQueries } from './queries.js';

const BATCH = 50;
const SYSTEM_ACTOR = { actorId: null, actorName: 'system', ip: null };

/**
 * Escalates alarms not acknowledged within `acknowledgeSeconds` at `now`: the leader on duty (the school's
 * leaders and security officers when the roster names nobody), the county's bureau officers and the police
 * liaisons of the school and county are told, `escalated_at` is set and `alarm.escalated` goes out.
 * Rows are claimed with FOR UPDATE SKIP LOCKED and re-checked under the lock, so instances running at the
 * same moment share the work and never escalate one alarm twice. Returns the ids escalated.
 */
export async function escalateDueAlarms(db: Kysely<DB>, acknowledgeSeconds: number, now: Date): Promise<number[]> {
  const queries = new AlarmQueries(db);
  const cutoff = new Date(now.getTime() - acknowledgeSeconds * 1000);
  const escalated: number[] = [];
  for (let round = 0; round < 20; round++) {
    const batch = await db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('alarm')
        .selectAll()
        .where('state', '=', 'new')
        .where('escalated_at', 'is', null)
        .where('raised_at', '<=', cutoff)
        .orderBy('raised_at')
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const alarm of due) {
        await trx.updateTable('alarm').set({ escalated_at: now, updated_at: now }).where('id', '=', alarm.id).execute();
        const leaders = await leadersOnDuty(trx, alarm.school_id, now);
        const school =
          leaders.length > 0
            ? leaders
            : await queries.usersWithRole(trx, alarm.school_id, ['school_leader', 'school_security']);
        const county = await queries.usersWithRole(trx, alarm.county_id, ['bureau_officer', 'police_liaison']);
        const police = await queries.usersWithRole(trx, alarm.school_id, ['police_liaison']);
        const waited = Math.round((now.getTime() - alarm.raised_at.getTime()) / 1000);
        await notify(trx, {
          userIds: [...school, ...county, ...police],
          kind: 'alarm.escalated',
          title: `警情超时未处置（${waited} 秒未确认）：${alarm.title}`,
          link: '/command',
          orgPath: alarm.org_path,
        });
        await appendTimeline(trx, {
          recordType: 'alarm',
          recordId: alarm.id,
          orgPath: alarm.org_path,
          actorId: null,
          action: 'escalate',
          note: null,
          data: { waitedSeconds: waited, leaderOnDuty: leaders.length > 0, notified: school.length + county.length },
        });
        await appendAudit(trx, SYSTEM_ACTOR, {
          action: 'alarm.escalate',
          targetType: 'alarm',
          targetId: alarm.id,
          orgPath: alarm.org_path,
          detail: { waitedSeconds: waited, notifiedUserIds: [...new Set([...school, ...county, ...police])] },
        });
        await publish(trx, {
          type: 'alarm.escalated',
          orgPath: alarm.org_path,
          payload: {
            id: alarm.id,
            code: alarm.code,
            kind: alarm.kind,
            schoolId: alarm.school_id,
            escalatedAt: now.toISOString(),
          },
        });
      }
      return due.map((alarm) => alarm.id);
    });
    escalated.push(...batch);
    if (batch.length < BATCH) break;
  }
  return escalated;
}

/**
 * The per-instance timer: the 60 s sweeper is too coarse for a 60 s SLA. Runs every `intervalMs` while the
 * server listens; a check still running when the next is due is not doubled.
 */
export class AlarmEscalator {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly acknowledgeSeconds: number,
    private readonly intervalMs: number,
    private readonly log: { error: (object: unknown, message: string) => void },
  ) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  check(now = new Date()): Promise<unknown> {
    if (this.running) return this.running;
    this.running = escalateDueAlarms(this.db, this.acknowledgeSeconds, now)
      .catch((error: unknown) => this.log.error({ err: error }, 'alarm escalation failed'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
