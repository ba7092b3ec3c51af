import { alertsDue, type HazardState, MAX_ESCALATION_LEVEL, nextAlertAt } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { notify } from '../../platform/notifications.js';
import { publish } from '../../platform/realtime.js';
import { appendTimeline } from '../../platform/timeline.js';
import type { HazardService } from './service.js';

const BATCH = 200;
const LEVEL_NAMES = ['', '区县', '市', '省'];

/**
 * The hazards sweep: reminders before the deadline, an overdue notice at it, and escalation one level up
 * per grace period. Reads only hazards whose next_alert_at has come, a batch at a time with SKIP LOCKED
 * so several instances never send the same alert.
 */
export async function sweepHazardAlerts(db: Kysely<DB>, service: HazardService, now: Date): Promise<number> {
  let handled = 0;
  for (let round = 0; round < 50; round++) {
    const count = await db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('hazard')
        .selectAll()
        .where('next_alert_at', '<=', now)
        .orderBy('next_alert_at')
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const hazard of due) {
        const facts = {
          state: hazard.state as HazardState,
          deadline: hazard.deadline,
          remindedAt: hazard.reminded_at,
          overdueNotifiedAt: hazard.overdue_notified_at,
          escalationLevel: hazard.escalation_level,
        };
        const link = `/hazards/${hazard.id}`;
        const security = await service.queries.usersWithRole(trx, hazard.school_id, ['school_security']);
        for (const alert of alertsDue(facts, now, service.policy)) {
          if (alert.kind === 'remind') {
            facts.remindedAt = now;
            await notify(trx, {
              userIds: hazard.responsible_user_id ? [hazard.responsible_user_id] : [],
              kind: 'hazard.reminder',
              title: `隐患整改即将到期：${hazard.title}`,
              link,
              orgPath: hazard.org_path,
            });
          } else if (alert.kind === 'overdue') {
            facts.overdueNotifiedAt = now;
            await notify(trx, {
              userIds: [...(hazard.responsible_user_id ? [hazard.responsible_user_id] : []), ...security],
              kind: 'hazard.overdue',
              title: `隐患整改已超期：${hazard.title}`,
              link,
              orgPath: hazard.org_path,
            });
            await appendTimeline(trx, {
              recordType: 'hazard',
              recordId: hazard.id,
              orgPath: hazard.org_path,
              actorId: null,
              action: 'overdue',
              data: { deadline: hazard.deadline?.toISOString() ?? null },
            });
            await publish(trx, {
              type: 'hazard.overdue',
              orgPath: hazard.org_path,
              payload: { id: hazard.id, title: hazard.title, state: hazard.state },
            });
          } else {
            facts.escalationLevel = alert.level;
            const bureauId = [hazard.county_id, hazard.city_id, hazard.province_id][
              Math.min(alert.level, MAX_ESCALATION_LEVEL) - 1
            ]!;
            const officers = await service.queries.usersWithRole(trx, bureauId, ['bureau_officer']);
            await notify(trx, {
              userIds: officers,
              kind: 'hazard.escalated',
              title: `超期未整改隐患上报${LEVEL_NAMES[alert.level]}教育局：${hazard.title}`,
              link,
              orgPath: hazard.org_path,
            });
            await appendTimeline(trx, {
              recordType: 'hazard',
              recordId: hazard.id,
              orgPath: hazard.org_path,
              actorId: null,
              action: 'escalate',
              data: { level: alert.level },
            });
            await publish(trx, {
              type: 'hazard.escalated',
              orgPath: hazard.org_path,
              payload: { id: hazard.id, title: hazard.title, level: alert.level },
            });
          }
        }
        await trx
          .updateTable('hazard')
          .set({
            reminded_at: facts.remindedAt,
            overdue_notified_at: facts.overdueNotifiedAt,
            escalation_level: facts.escalationLevel,
            escalated_at: facts.escalationLevel > hazard.escalation_level ? now : hazard.escalated_at,
            next_alert_at: nextAlertAt(facts, service.policy),
          })
          .where('id', '=', hazard.id)
          .execute();
      }
      return due.length;
    });
    handled += count;
    if (count < BATCH) break;
  }
  return handled;
}
