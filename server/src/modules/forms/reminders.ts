import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { formatDate, formatDateTime } from '../../platform/dates.js';
import { notify } from '../../platform/notifications.js';
import { rolesWith } from './common.js';

const DAY = 24 * 3600_000;
/** Late notices go out daily for this many days after the deadline, then stop. */
export const LATE_NOTICE_DAYS = 7;
const CHUNK = 500;

/**
 * Reminders before the deadline and late notices after it, at most one of each kind per (collection, business
 * day): the `form_collection_notice` row is claimed first, in the same transaction as the notifications, so a sweep
 * that runs twice (or on two instances) sends once.
 */
export async function sweepFormReminders(db: Kysely<DB>, timeZone: string, now: Date): Promise<void> {
  const day = formatDate(now, timeZone);
  const collections = await db
    .selectFrom('form_collection')
    .select(['id', 'title', 'deadline', 'remind_days_before', 'issuer_org_id', 'issuer_org_path'])
    .where('status', '=', 'open')
    .where('deadline', '>', new Date(now.getTime() - LATE_NOTICE_DAYS * DAY))
    .execute();
  for (const collection of collections) {
    const deadline = collection.deadline.getTime();
    const kind =
      deadline > now.getTime()
        ? collection.remind_days_before > 0 && now.getTime() >= deadline - collection.remind_days_before * DAY
          ? 'reminder'
          : null
        : 'late';
    if (!kind) continue;
    await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('form_collection_notice')
        .values({ collection_id: collection.id, kind, day })
        .onConflict((conflict) => conflict.columns(['collection_id', 'kind', 'day']).doNothing())
        .returning('collection_id')
        .executeTakeFirst();
      if (!claimed) return;
      const pending = await trx
        .selectFrom('form_submission')
        .innerJoin('role_assignment', 'role_assignment.org_id', 'form_submission.school_id')
        .select(['form_submission.id', 'form_submission.org_path', 'role_assignment.user_id'])
        .where('form_submission.collection_id', '=', collection.id)
        .where('form_submission.status', 'in', ['draft', 'returned'])
        .where('role_assignment.role', 'in', rolesWith('report.fill'))
        .execute();
      const deadlineText = formatDateTime(collection.deadline, timeZone);
      const title =
        kind === 'reminder'
          ? `报表即将截止：${collection.title}（${deadlineText}）`
          : `报表已逾期未报：${collection.title}（截止 ${deadlineText}）`;
      for (let index = 0; index < pending.length; index += CHUNK) {
        const chunk = pending.slice(index, index + CHUNK);
        await notify(trx, {
          userIds: chunk.map((row) => row.user_id),
          kind: kind === 'reminder' ? 'form.reminder' : 'form.late',
          title,
          link: '/forms/tasks',
          orgPath: null,
        });
      }
      const schools = new Set(pending.map((row) => row.id)).size;
      if (kind === 'late') {
        const officers = await trx
          .selectFrom('role_assignment')
          .select('user_id')
          .where('org_id', '=', collection.issuer_org_id)
          .where('role', 'in', rolesWith('report.review'))
          .execute();
        const notYet = await trx
          .selectFrom('form_submission')
          .select(sql<number>`count(*)::int`.as('count'))
          .where('collection_id', '=', collection.id)
          .where('status', 'in', ['draft', 'returned'])
          .executeTakeFirstOrThrow();
        if (notYet.count > 0) {
          await notify(trx, {
            userIds: officers.map((row) => row.user_id),
            kind: 'form.late_summary',
            title: `${collection.title}：${notYet.count} 所学校逾期未报`,
            link: `/forms/collections/${collection.id}`,
            orgPath: collection.issuer_org_path,
          });
        }
      }
      await trx
        .updateTable('form_collection_notice')
        .set({ recipients: pending.length })
        .where('collection_id', '=', collection.id)
        .where('kind', '=', kind)
        .where('day', '=', day)
        .execute();
      void schools;
    });
  }
}
