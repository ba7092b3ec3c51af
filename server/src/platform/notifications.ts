import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { publish } from './realtime.js';

export interface NotificationInput {
  userIds: number[];
  kind: string;
  title: string;
  body?: string | null;
  link?: string | null;
  orgPath?: string | null;
}

/**
 * The one notification service: an inbox row per user plus a realtime event. Channels such
 * as SMS or 企业微信 webhooks are adapters that read the inbox (none configured by default).
 */
export async function notify(executor: Kysely<DB>, input: NotificationInput): Promise<void> {
  const userIds = [...new Set(input.userIds)];
  if (userIds.length === 0) return;
  const rows = await executor
    .insertInto('notification')
    .values(
      userIds.map((userId) => ({
        user_id: userId,
        kind: input.kind,
        title: input.title,
        body: input.body ?? null,
        link: input.link ?? null,
        org_path: input.orgPath ?? null,
      })),
    )
    .returning(['id', 'user_id'])
    .execute();
  for (const row of rows) {
    await publish(executor, {
      type: 'notification',
      userId: row.user_id,
      payload: { id: row.id, kind: input.kind, title: input.title, link: input.link ?? null },
    });
  }
}
