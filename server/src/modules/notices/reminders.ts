import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { enqueueJob, firstRunOfJob, type Sweeper } from '../../platform/jobs.js';
import { notify } from '../../platform/notifications.js';

/** Users reminded per transaction: the first chunk in the request, each further one in a job of its own. */
export const NOTICE_REMIND_CHUNK = 1000;
const NOTICE_REMIND_JOB = 'notices.remind';

export interface RemindedNotice {
  id: number;
  title: string;
  receiptRequired: boolean;
}

/** One job: a chunk of the users a reminder (notice, time) goes to. */
const remindJob = z.object({
  noticeId: z.number().int(),
  at: z.iso.datetime(),
  chunk: z.number().int().min(1),
  userIds: z.array(z.number().int()),
});
type RemindJob = z.infer<typeof remindJob>;

const jobKey = (job: Pick<RemindJob, 'noticeId' | 'at' | 'chunk'>) =>
  `${NOTICE_REMIND_JOB}:${job.noticeId}:${job.at}:${job.chunk}`;

export function registerNoticeReminders(sweeper: Sweeper): void {
  sweeper.handle(NOTICE_REMIND_JOB, (payload, { db }) => sendQueuedReminders(db, payload));
}

function notifyReminder(executor: Kysely<DB>, notice: RemindedNotice, userIds: number[]): Promise<void> {
  return notify(executor, {
    userIds,
    kind: 'notice.reminder',
    title: `请阅读通知：${notice.title}`,
    body: notice.receiptRequired ? '本通知需回执，请及时阅读并提交回执。' : '请及时阅读。',
    link: `/notices/${notice.id}`,
  });
}

/**
 * The notifications of one reminder: the first `chunkUsers` users in the caller's transaction (a reminder to a
 * county's schools is sent at once), the others queued in jobs of `chunkUsers` users each, queued in that same
 * transaction, so a reminder to 20,000 schools is neither one huge transaction nor half sent.
 */
export async function sendNoticeReminders(
  trx: Kysely<DB>,
  notice: RemindedNotice,
  userIds: number[],
  now: Date,
  chunkUsers = NOTICE_REMIND_CHUNK,
): Promise<void> {
  const size = Math.max(1, chunkUsers);
  await notifyReminder(trx, notice, userIds.slice(0, size));
  const at = now.toISOString();
  for (let start = size, chunk = 1; start < userIds.length; start += size, chunk++) {
    const job: RemindJob = { noticeId: notice.id, at, chunk, userIds: userIds.slice(start, start + size) };
    await enqueueJob(trx, { kind: NOTICE_REMIND_JOB, payload: job, runAt: now, dedupeKey: jobKey(job) });
  }
}

/**
 * One queued chunk. Nothing is sent for a notice withdrawn since, or reminded again since (the newer reminder
 * covers its units). The job's payload is marked `sent` in the transaction of the notifications (the runner never
 * rewrites a payload), so a job run again after a run that committed but was not recorded sends nothing twice.
 */
async function sendQueuedReminders(db: Kysely<DB>, payload: unknown): Promise<void> {
  const job = remindJob.parse(payload);
  await db.transaction().execute(async (trx) => {
    if (!(await firstRunOfJob(trx, jobKey(job)))) return;
    const notice = await trx
      .selectFrom('notice')
      .select(['id', 'title', 'receipt_required', 'state', 'last_reminded_at'])
      .where('id', '=', job.noticeId)
      .executeTakeFirst();
    if (!notice || notice.state === 'withdrawn') return;
    if (notice.last_reminded_at && notice.last_reminded_at.getTime() > Date.parse(job.at)) return;
    await notifyReminder(
      trx,
      { id: notice.id, title: notice.title, receiptRequired: notice.receipt_required },
      job.userIds,
    );
  });
}
