import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { formatDate, formatDateTime } from '../../platform/dates.js';
import { enqueueJob, firstRunOfJob, type Sweeper } from '../../platform/jobs.js';
import { notify } from '../../platform/notifications.js';
import { rolesWith } from './common.js';

const DAY = 24 * 3600_000;
/** Late notices go out daily for this many days after the deadline, then stop. */
export const LATE_NOTICE_DAYS = 7;
/** Schools per reminder job: the notifications of one job are written in one transaction. */
export const REMINDER_CHUNK_SCHOOLS = 1000;
/** Notifications per INSERT inside a job. */
const NOTIFY_CHUNK = 500;
const REMINDER_JOB = 'forms.remind';
const PENDING = ['draft', 'returned'];

/** One job: the schools of one chunk of a (collection, kind, day), by submission id, pending when the sweep ran. */
const reminderJob = z.object({
  collectionId: z.number().int(),
  kind: z.enum(['reminder', 'late']),
  day: z.iso.date(),
  chunk: z.number().int().min(0),
  /** Submission ids `fromId..toId` (inclusive). */
  fromId: z.number().int(),
  toId: z.number().int(),
});
type ReminderJob = z.infer<typeof reminderJob>;

const jobKey = (job: ReminderJob) => `${REMINDER_JOB}:${job.collectionId}:${job.kind}:${job.day}:${job.chunk}`;

/** The daily sweep that decides the reminders, and the job handler that sends them. */
export function registerFormReminders(sweeper: Sweeper, timeZone: string): void {
  sweeper.register('forms.reminders', ({ db, now }) => sweepFormReminders(db, timeZone, now));
  sweeper.handle(REMINDER_JOB, (payload, { db }) => sendFormReminders(db, timeZone, payload));
}

/**
 * Reminders before the deadline and late notices after it, at most one of each kind per (collection, business
 * day): the `form_collection_notice` row is claimed first, in the same transaction that queues the jobs sending
 * the schools' notifications (one job per `chunkSchools` schools, so that a collection issued to 20,000 schools is
 * not one huge transaction), so a sweep that runs twice (or on two instances) queues them once. The issuer's late
 * summary, a handful of officers, goes out in the claim's transaction.
 */
export async function sweepFormReminders(
  db: Kysely<DB>,
  timeZone: string,
  now: Date,
  options: { chunkSchools?: number } = {},
): Promise<void> {
  const chunkSchools = Math.max(1, options.chunkSchools ?? REMINDER_CHUNK_SCHOOLS);
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
        .select('id')
        .where('collection_id', '=', collection.id)
        .where('status', 'in', PENDING)
        .orderBy('id')
        .execute();
      for (let start = 0, chunk = 0; start < pending.length; start += chunkSchools, chunk++) {
        const ids = pending.slice(start, start + chunkSchools);
        const job: ReminderJob = {
          collectionId: collection.id,
          kind,
          day,
          chunk,
          fromId: ids[0]!.id,
          toId: ids.at(-1)!.id,
        };
        await enqueueJob(trx, { kind: REMINDER_JOB, payload: job, runAt: now, dedupeKey: jobKey(job) });
      }
      if (kind === 'late' && pending.length > 0) {
        const officers = await trx
          .selectFrom('role_assignment')
          .select('user_id')
          .where('org_id', '=', collection.issuer_org_id)
          .where('role', 'in', rolesWith('report.review'))
          .execute();
        await notify(trx, {
          userIds: officers.map((row) => row.user_id),
          kind: 'form.late_summary',
          title: `${collection.title}：${pending.length} 所学校逾期未报`,
          link: `/forms/collections/${collection.id}`,
          orgPath: collection.issuer_org_path,
        });
      }
    });
  }
}

/**
 * One reminder job: the users who fill the forms of the chunk's schools that are still not submitted (and only
 * while the collection is open) get the notification. The job's payload is marked `sent` in the same transaction
 * as the notifications (the runner never rewrites a payload), so a job run again after a run that committed but
 * could not be recorded as done sends nothing twice.
 */
async function sendFormReminders(db: Kysely<DB>, timeZone: string, payload: unknown): Promise<void> {
  const job = reminderJob.parse(payload);
  await db.transaction().execute(async (trx) => {
    if (!(await firstRunOfJob(trx, jobKey(job)))) return;
    const collection = await trx
      .selectFrom('form_collection')
      .select(['title', 'deadline', 'status'])
      .where('id', '=', job.collectionId)
      .executeTakeFirst();
    if (collection?.status !== 'open') return;
    const recipients = await trx
      .selectFrom('form_submission')
      .innerJoin('role_assignment', 'role_assignment.org_id', 'form_submission.school_id')
      .select('role_assignment.user_id')
      .where('form_submission.collection_id', '=', job.collectionId)
      .where('form_submission.id', '>=', job.fromId)
      .where('form_submission.id', '<=', job.toId)
      .where('form_submission.status', 'in', PENDING)
      .where('role_assignment.role', 'in', rolesWith('report.fill'))
      .execute();
    const deadlineText = formatDateTime(collection.deadline, timeZone);
    const title =
      job.kind === 'reminder'
        ? `报表即将截止：${collection.title}（${deadlineText}）`
        : `报表已逾期未报：${collection.title}（截止 ${deadlineText}）`;
    for (let index = 0; index < recipients.length; index += NOTIFY_CHUNK) {
      await notify(trx, {
        userIds: recipients.slice(index, index + NOTIFY_CHUNK).map((row) => row.user_id),
        kind: job.kind === 'reminder' ? 'form.reminder' : 'form.late',
        title,
        link: '/forms/tasks',
        orgPath: null,
      });
    }
    await trx
      .updateTable('form_collection_notice')
      .set({ recipients: sql`recipients + ${recipients.length}` })
      .where('collection_id', '=', job.collectionId)
      .where('kind', '=', job.kind)
      .where('day', '=', job.day)
      .execute();
  });
}
