import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { iso } from './pagination.js';

export interface TimelineEventInput {
  recordType: string;
  recordId: number;
  orgPath: string;
  actorId: number | null;
  action: string;
  fromState?: string | null;
  toState?: string | null;
  note?: string | null;
  data?: Record<string, unknown> | null;
}

export interface TimelineEvent {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string | null;
  action: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  data: unknown;
}

/** Appends an event to a stateful record's timeline; call it in the transaction that changes the record. */
export async function appendTimeline(executor: Kysely<DB>, event: TimelineEventInput): Promise<void> {
  await executor
    .insertInto('timeline_event')
    .values({
      record_type: event.recordType,
      record_id: event.recordId,
      org_path: event.orgPath,
      actor_id: event.actorId,
      action: event.action,
      from_state: event.fromState ?? null,
      to_state: event.toState ?? null,
      note: event.note ?? null,
      data: JSON.stringify(event.data ?? null),
    })
    .execute();
}

export async function readTimeline(
  executor: Kysely<DB>,
  recordType: string,
  recordId: number,
): Promise<TimelineEvent[]> {
  const rows = await executor
    .selectFrom('timeline_event')
    .leftJoin('app_user', 'app_user.id', 'timeline_event.actor_id')
    .select([
      'timeline_event.id',
      'timeline_event.at',
      'timeline_event.actor_id',
      'app_user.display_name',
      'timeline_event.action',
      'timeline_event.from_state',
      'timeline_event.to_state',
      'timeline_event.note',
      'timeline_event.data',
    ])
    .where('record_type', '=', recordType)
    .where('record_id', '=', recordId)
    .orderBy('timeline_event.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: iso(row.at) ?? '',
    actorId: row.actor_id,
    actorName: row.display_name,
    action: row.action,
    fromState: row.from_state,
    toState: row.to_state,
    note: row.note,
    data: row.data,
  }));
}
