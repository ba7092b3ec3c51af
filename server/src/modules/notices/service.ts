import {
  type CreateNoticeBody,
  canRemind,
  type NoticeDetail,
  type NoticeInboxItem,
  type NoticeReceipt,
  type NoticeSummary,
  nextReminderAt,
  type OrgLevel,
  type ReceiptStatus,
  type ReplyNoticeBody,
  receiptStatus,
  replyIsLate,
  resolveTargetLevels,
  type SchoolType,
  schoolIdOfPath,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { formatDateTime } from '../../platform/dates.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { attachFiles } from '../../platform/files.js';
import { decodeCursor, iso, type Page, toPage } from '../../platform/pagination.js';
import { inScope } from '../../platform/scope.js';
import { sendNoticeReminders } from './reminders.js';

/** Who is reminded at an unread unit: the people who act for it (not every teacher, guard or student). */
export const NOTICE_REMINDED_ROLES = ['bureau_officer', 'school_leader', 'school_security', 'department_officer'];

export interface NoticeRowWithNames {
  id: number;
  org_id: number;
  org_path: string;
  org_name: string;
  title: string;
  body: string;
  receipt_required: boolean;
  reply_deadline: Date | null;
  target_levels: string[];
  target_school_types: string[];
  state: string;
  recipient_count: number;
  read_count: number;
  replied_count: number;
  last_reminded_at: Date | null;
  published_by_name: string;
  published_at: Date;
  withdrawn_at: Date | null;
  withdraw_reason: string | null;
}

interface RecipientRowWithNames {
  id: number;
  notice_id: number;
  org_id: number;
  org_path: string;
  org_name: string;
  level: string;
  read_at: Date | null;
  read_by_name: string | null;
  replied_at: Date | null;
  replied_by_name: string | null;
  reply_text: string | null;
  reminded_count: number;
}

type FileRow = { id: string; filename: string; mime: string; size: number; owner_id: number | null };

function presentSummary(row: NoticeRowWithNames): NoticeSummary {
  return {
    id: row.id,
    orgId: row.org_id,
    orgName: row.org_name,
    orgPath: row.org_path,
    title: row.title,
    state: row.state as NoticeSummary['state'],
    receiptRequired: row.receipt_required,
    replyDeadline: iso(row.reply_deadline),
    publishedAt: iso(row.published_at)!,
    publishedByName: row.published_by_name,
    recipientCount: row.recipient_count,
    readCount: row.read_count,
    repliedCount: row.replied_count,
    lastRemindedAt: iso(row.last_reminded_at),
    withdrawnAt: iso(row.withdrawn_at),
  };
}

function presentFile(file: FileRow) {
  return { id: file.id, filename: file.filename, mime: file.mime, size: file.size };
}

function presentReceipt(row: RecipientRowWithNames, deadline: Date | null, files: FileRow[]): NoticeReceipt {
  return {
    id: row.id,
    orgId: row.org_id,
    orgName: row.org_name,
    orgPath: row.org_path,
    level: row.level as OrgLevel,
    status: receiptStatus({ readAt: row.read_at, repliedAt: row.replied_at }),
    readAt: iso(row.read_at),
    readByName: row.read_by_name,
    repliedAt: iso(row.replied_at),
    repliedByName: row.replied_by_name,
    replyText: row.reply_text,
    replyFiles: files.filter((file) => file.owner_id === row.id).map(presentFile),
    late: row.replied_at !== null && replyIsLate(deadline, row.replied_at),
    remindedCount: row.reminded_count,
  };
}

/**
 * The units the caller receives notices as: its active org, and for a department also its school (the staff
 * of a school's departments read the school's notices and may open them for the school).
 */
export function recipientOrgIds(auth: AuthContext): number[] {
  const ids = [auth.activeOrg.id];
  if (auth.activeOrg.level === 'department') {
    const school = schoolIdOfPath(auth.activeOrg.path);
    if (school !== null && school !== auth.activeOrg.id) ids.push(school);
  }
  return ids;
}

export class NoticeService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly zone: string,
  ) {}

  private noticeQuery(executor: Kysely<DB>) {
    return executor
      .selectFrom('notice')
      .innerJoin('org_unit', 'org_unit.id', 'notice.org_id')
      .innerJoin('app_user', 'app_user.id', 'notice.published_by')
      .select([
        'notice.id',
        'notice.org_id',
        'notice.org_path',
        'org_unit.name as org_name',
        'notice.title',
        'notice.body',
        'notice.receipt_required',
        'notice.reply_deadline',
        'notice.target_levels',
        'notice.target_school_types',
        'notice.state',
        'notice.recipient_count',
        'notice.read_count',
        'notice.replied_count',
        'notice.last_reminded_at',
        'app_user.display_name as published_by_name',
        'notice.published_at',
        'notice.withdrawn_at',
        'notice.withdraw_reason',
      ]);
  }

  private recipientQuery(executor: Kysely<DB>) {
    return executor
      .selectFrom('notice_recipient as r')
      .innerJoin('org_unit as o', 'o.id', 'r.org_id')
      .leftJoin('app_user as reader', 'reader.id', 'r.read_by')
      .leftJoin('app_user as replier', 'replier.id', 'r.replied_by')
      .select([
        'r.id',
        'r.notice_id',
        'r.org_id',
        'r.org_path',
        'o.name as org_name',
        'r.level',
        'r.read_at',
        'reader.display_name as read_by_name',
        'r.replied_at',
        'replier.display_name as replied_by_name',
        'r.reply_text',
        'r.reminded_count',
      ]);
  }

  /** The caller's own receipt row for a notice (as a recipient unit), if any. */
  private async myRecipient(executor: Kysely<DB>, auth: AuthContext, noticeId: number) {
    const ids = recipientOrgIds(auth);
    const rows = await this.recipientQuery(executor)
      .where('r.notice_id', '=', noticeId)
      .where('r.org_id', 'in', ids)
      .execute();
    // The active org's own receipt first (a department reading its school's notice to departments).
    return rows.sort((a, b) => ids.indexOf(a.org_id) - ids.indexOf(b.org_id))[0] ?? null;
  }

  /** Loads a notice the caller may see: in scope (publisher and above) or addressed to the caller's unit. */
  async visible(executor: Kysely<DB>, auth: AuthContext, noticeId: number) {
    const notice = await this.noticeQuery(executor).where('notice.id', '=', noticeId).executeTakeFirst();
    if (!notice) throw notFound();
    const manages = inScope(auth, notice.org_path);
    const recipient = manages ? null : await this.myRecipient(executor, auth, noticeId);
    if (!manages && !recipient) throw notFound();
    return { notice: notice as NoticeRowWithNames, manages, recipient };
  }

  /** A notice the caller manages (its unit published it or lies above the publisher). */
  private async managed(executor: Kysely<DB>, auth: AuthContext, noticeId: number) {
    const notice = await executor
      .selectFrom('notice')
      .selectAll()
      .where('id', '=', noticeId)
      .forUpdate()
      .executeTakeFirst();
    if (!notice || !inScope(auth, notice.org_path)) throw notFound();
    return notice;
  }

  async create(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, body: CreateNoticeBody): Promise<number> {
    const publisher = auth.activeOrg;
    const levels = resolveTargetLevels(publisher.level, body.target.levels);
    if (!levels) throw badRequest('notice_target_invalid');
    const schoolTypes = [...new Set(body.target.schoolTypes ?? [])] as SchoolType[];
    const deadline = body.replyDeadline ? new Date(body.replyDeadline) : null;
    if (deadline && deadline.getTime() <= Date.now()) throw badRequest('notice_deadline_past');
    const notice = await trx
      .insertInto('notice')
      .values({
        org_id: publisher.id,
        org_path: publisher.path,
        title: body.title,
        body: body.body,
        receipt_required: body.receiptRequired,
        reply_deadline: body.receiptRequired ? deadline : null,
        target_levels: levels,
        target_school_types: schoolTypes,
        published_by: auth.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // One set-based INSERT … SELECT over the subtree (20,000 schools in one statement).
    const inserted = await sql<{ count: number }>`
      WITH added AS (
        INSERT INTO notice_recipient (notice_id, org_id, org_path, level)
        SELECT ${notice.id}, o.id, o.path, o.level
        FROM org_unit o
        WHERE o.path LIKE ${`${publisher.path}%`} AND o.id <> ${publisher.id}
          AND o.level = ANY(${levels}::text[])
          AND (o.level <> 'school' OR cardinality(${schoolTypes}::text[]) = 0 OR o.school_type = ANY(${schoolTypes}::text[]))
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM added`.execute(trx);
    const count = Number(inserted.rows[0]?.count ?? 0);
    if (count === 0) throw badRequest('notice_no_recipients');
    await trx.updateTable('notice').set({ recipient_count: count }).where('id', '=', notice.id).execute();
    await attachFiles(trx, auth, body.fileIds, { type: 'notice', id: notice.id, orgPath: publisher.path });
    await appendAudit(trx, actor, {
      action: 'notice.create',
      targetType: 'notice',
      targetId: notice.id,
      orgPath: publisher.path,
      detail: { title: body.title, recipients: count, levels, schoolTypes, files: body.fileIds.length },
    });
    return notice.id;
  }

  /** Detail; a recipient's first open records the unit's receipt. */
  async detail(auth: AuthContext, noticeId: number, now = new Date()): Promise<NoticeDetail> {
    const { notice, manages, recipient } = await this.db.transaction().execute(async (trx) => {
      const found = await this.visible(trx, auth, noticeId);
      if (found.recipient && found.recipient.read_at === null && found.notice.state === 'published') {
        const updated = await trx
          .updateTable('notice_recipient')
          .set({ read_at: now, read_by: auth.userId })
          .where('id', '=', found.recipient.id)
          .where('read_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (updated) {
          await trx
            .updateTable('notice')
            .set((eb) => ({ read_count: eb('read_count', '+', 1) }))
            .where('id', '=', noticeId)
            .execute();
          found.notice.read_count += 1;
          found.recipient = (await this.myRecipient(trx, auth, noticeId)) ?? found.recipient;
        }
      }
      return found;
    });
    const withdrawn = notice.state === 'withdrawn';
    const hideContent = withdrawn && !manages;
    const files = hideContent
      ? []
      : await this.db
          .selectFrom('stored_file')
          .select(['id', 'filename', 'mime', 'size', 'owner_id'])
          .where('owner_type', '=', 'notice')
          .where('owner_id', '=', noticeId)
          .orderBy('created_at')
          .execute();
    const replyFiles = recipient
      ? await this.db
          .selectFrom('stored_file')
          .select(['id', 'filename', 'mime', 'size', 'owner_id'])
          .where('owner_type', '=', 'notice_reply')
          .where('owner_id', '=', recipient.id)
          .execute()
      : [];
    const next = nextReminderAt(notice.last_reminded_at);
    return {
      ...presentSummary(notice),
      body: hideContent ? null : notice.body,
      files: files.map(presentFile),
      target: {
        levels: notice.target_levels as OrgLevel[],
        schoolTypes: notice.target_school_types as SchoolType[],
      },
      withdrawReason: notice.withdraw_reason,
      canManage: manages && can(auth, 'notice.publish'),
      nextReminderAt: next && next.getTime() > now.getTime() ? next.toISOString() : null,
      myReceipt: recipient ? presentReceipt(recipient, notice.reply_deadline, replyFiles) : null,
    };
  }

  /** Notices published by units in the caller's subtree (or below `orgId`), newest first. */
  async listPublished(
    auth: AuthContext,
    query: { orgId?: number; state?: string; q?: string; limit: number; cursor?: string },
  ): Promise<Page<NoticeSummary>> {
    let root = auth.scopePath;
    if (query.orgId !== undefined) {
      const org = await this.db.selectFrom('org_unit').select('path').where('id', '=', query.orgId).executeTakeFirst();
      if (!org || !inScope(auth, org.path)) throw notFound();
      root = org.path;
    }
    let select = this.noticeQuery(this.db).where('notice.org_path', 'like', `${root}%`);
    if (query.state) select = select.where('notice.state', '=', query.state);
    if (query.q) select = select.where('notice.title', 'ilike', `%${escapeLike(query.q)}%`);
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, ['number']) as [number];
      select = select.where('notice.id', '<', id);
    }
    const rows = (await select
      .orderBy('notice.id', 'desc')
      .limit(query.limit + 1)
      .execute()) as NoticeRowWithNames[];
    return toPage(rows, query.limit, presentSummary, (row) => [row.id]);
  }

  /** Notices addressed to the caller's unit (and, at a department, to its school), newest first. */
  async inbox(
    auth: AuthContext,
    query: { unread?: boolean; q?: string; limit: number; cursor?: string },
  ): Promise<Page<NoticeInboxItem>> {
    let select = this.db
      .selectFrom('notice_recipient as r')
      .innerJoin('notice', 'notice.id', 'r.notice_id')
      .innerJoin('org_unit as publisher', 'publisher.id', 'notice.org_id')
      .innerJoin('org_unit as receiver', 'receiver.id', 'r.org_id')
      .select([
        'notice.id',
        'publisher.name as org_name',
        'notice.org_path',
        'notice.title',
        'notice.state',
        'notice.receipt_required',
        'notice.reply_deadline',
        'notice.published_at',
        'receiver.name as recipient_org_name',
        'r.read_at',
        'r.replied_at',
      ])
      .where('r.org_id', 'in', recipientOrgIds(auth));
    if (query.unread) select = select.where('r.read_at', 'is', null).where('notice.state', '=', 'published');
    if (query.q) select = select.where('notice.title', 'ilike', `%${escapeLike(query.q)}%`);
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, ['number']) as [number];
      select = select.where('r.notice_id', '<', id);
    }
    const rows = await select
      .orderBy('r.notice_id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return toPage(
      rows,
      query.limit,
      (row) => ({
        id: row.id,
        orgName: row.org_name,
        orgPath: row.org_path,
        title: row.title,
        state: row.state as NoticeInboxItem['state'],
        receiptRequired: row.receipt_required,
        replyDeadline: iso(row.reply_deadline),
        publishedAt: iso(row.published_at)!,
        recipientOrgName: row.recipient_org_name,
        readAt: iso(row.read_at),
        repliedAt: iso(row.replied_at),
      }),
      (row) => [row.id],
    );
  }

  async unreadCount(auth: AuthContext): Promise<number> {
    const row = await this.db
      .selectFrom('notice_recipient as r')
      .innerJoin('notice', 'notice.id', 'r.notice_id')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('r.org_id', 'in', recipientOrgIds(auth))
      .where('r.read_at', 'is', null)
      .where('notice.state', '=', 'published')
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** The receipt list of a notice the caller manages, filtered, in tree order. */
  async receipts(
    auth: AuthContext,
    noticeId: number,
    query: { status?: ReceiptStatus; level?: OrgLevel; q?: string; limit: number; cursor?: string },
  ): Promise<Page<NoticeReceipt>> {
    const notice = await this.db
      .selectFrom('notice')
      .select(['org_path', 'reply_deadline'])
      .where('id', '=', noticeId)
      .executeTakeFirst();
    if (!notice || !inScope(auth, notice.org_path)) throw notFound();
    let select = this.receiptFilter(this.recipientQuery(this.db).where('r.notice_id', '=', noticeId), query);
    if (query.cursor) {
      const [path] = decodeCursor(query.cursor, ['string']) as [string];
      select = select.where('r.org_path', '>', path);
    }
    const rows = (await select
      .orderBy('r.org_path')
      .limit(query.limit + 1)
      .execute()) as RecipientRowWithNames[];
    const files = await this.replyFilesOf(rows.map((row) => row.id));
    return toPage(
      rows,
      query.limit,
      (row) => presentReceipt(row, notice.reply_deadline, files),
      (row) => [row.org_path],
    );
  }

  private receiptFilter<Q extends ReturnType<NoticeService['recipientQuery']>>(
    select: Q,
    query: { status?: ReceiptStatus; level?: OrgLevel; q?: string },
  ): Q {
    let out = select;
    if (query.status === 'unread') out = out.where('r.read_at', 'is', null) as Q;
    if (query.status === 'read') out = out.where('r.read_at', 'is not', null).where('r.replied_at', 'is', null) as Q;
    if (query.status === 'replied') out = out.where('r.replied_at', 'is not', null) as Q;
    if (query.level) out = out.where('r.level', '=', query.level) as Q;
    if (query.q) out = out.where('o.name', 'ilike', `%${escapeLike(query.q)}%`) as Q;
    return out;
  }

  private async replyFilesOf(recipientIds: number[]): Promise<FileRow[]> {
    if (recipientIds.length === 0) return [];
    return this.db
      .selectFrom('stored_file')
      .select(['id', 'filename', 'mime', 'size', 'owner_id'])
      .where('owner_type', '=', 'notice_reply')
      .where('owner_id', 'in', recipientIds)
      .execute();
  }

  /** Every receipt (for the Excel export), in pages of 2,000. */
  async *receiptPages(noticeId: number, query: { status?: ReceiptStatus; level?: OrgLevel; q?: string }) {
    let after = '';
    for (;;) {
      const rows = (await this.receiptFilter(
        this.recipientQuery(this.db).where('r.notice_id', '=', noticeId).where('r.org_path', '>', after),
        query,
      )
        .orderBy('r.org_path')
        .limit(2000)
        .execute()) as RecipientRowWithNames[];
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.org_path;
      if (rows.length < 2000) return;
    }
  }

  async forExport(auth: AuthContext, noticeId: number) {
    const notice = await this.noticeQuery(this.db).where('notice.id', '=', noticeId).executeTakeFirst();
    if (!notice || !inScope(auth, notice.org_path)) throw notFound();
    return notice as NoticeRowWithNames;
  }

  async reply(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    noticeId: number,
    body: ReplyNoticeBody,
    now = new Date(),
  ): Promise<void> {
    const notice = await trx
      .selectFrom('notice')
      .select(['id', 'state', 'receipt_required', 'reply_deadline'])
      .where('id', '=', noticeId)
      .forUpdate()
      .executeTakeFirst();
    if (!notice) throw notFound();
    const recipient = await this.myRecipient(trx, auth, noticeId);
    if (!recipient) throw notFound();
    if (notice.state === 'withdrawn') throw conflict('notice_withdrawn');
    if (!notice.receipt_required) throw conflict('notice_reply_not_required');
    if (recipient.replied_at !== null) throw conflict('notice_already_replied');
    if (body.text.trim() === '' && body.fileIds.length === 0) throw badRequest('notice_reply_empty');
    await trx
      .updateTable('notice_recipient')
      .set({
        replied_at: now,
        replied_by: auth.userId,
        reply_text: body.text.trim() === '' ? null : body.text,
        read_at: recipient.read_at ?? now,
        read_by: recipient.read_at === null ? auth.userId : undefined,
      })
      .where('id', '=', recipient.id)
      .execute();
    await trx
      .updateTable('notice')
      .set((eb) => ({
        replied_count: eb('replied_count', '+', 1),
        read_count: eb('read_count', '+', recipient.read_at === null ? 1 : 0),
      }))
      .where('id', '=', noticeId)
      .execute();
    await attachFiles(trx, auth, body.fileIds, { type: 'notice_reply', id: recipient.id, orgPath: recipient.org_path });
    await appendAudit(trx, actor, {
      action: 'notice.reply',
      targetType: 'notice',
      targetId: noticeId,
      orgPath: recipient.org_path,
      detail: {
        unit: recipient.org_id,
        files: body.fileIds.length,
        late: replyIsLate(notice.reply_deadline, now),
      },
    });
  }

  /** Reminds the people of every unread unit (not twice within an hour). */
  async remind(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, noticeId: number, now = new Date()) {
    const notice = await this.managed(trx, auth, noticeId);
    if (notice.state === 'withdrawn') throw conflict('notice_withdrawn');
    if (!canRemind(notice.last_reminded_at, now)) {
      throw new AppError(409, 'notice_remind_too_soon', {
        time: formatDateTime(nextReminderAt(notice.last_reminded_at), this.zone),
      });
    }
    const unread = await trx
      .updateTable('notice_recipient')
      .set((eb) => ({ reminded_count: eb('reminded_count', '+', 1), last_reminded_at: now }))
      .where('notice_id', '=', noticeId)
      .where('read_at', 'is', null)
      .returning(['org_id'])
      .execute();
    await trx.updateTable('notice').set({ last_reminded_at: now }).where('id', '=', noticeId).execute();
    const orgIds = unread.map((row) => row.org_id);
    const userIds: number[] = [];
    for (let start = 0; start < orgIds.length; start += 5000) {
      const rows = await trx
        .selectFrom('role_assignment')
        .innerJoin('app_user', 'app_user.id', 'role_assignment.user_id')
        .select('role_assignment.user_id')
        .distinct()
        .where('role_assignment.org_id', 'in', orgIds.slice(start, start + 5000))
        .where('role_assignment.role', 'in', NOTICE_REMINDED_ROLES)
        .where('app_user.disabled', '=', false)
        .execute();
      userIds.push(...rows.map((row) => row.user_id));
    }
    const unique = [...new Set(userIds)];
    await sendNoticeReminders(
      trx,
      { id: noticeId, title: notice.title, receiptRequired: notice.receipt_required },
      unique,
      now,
    );
    await appendAudit(trx, actor, {
      action: 'notice.remind',
      targetType: 'notice',
      targetId: noticeId,
      orgPath: notice.org_path,
      detail: { units: orgIds.length, users: unique.length },
    });
    return {
      units: orgIds.length,
      users: unique.length,
      nextReminderAt: nextReminderAt(now)!.toISOString(),
    };
  }

  async withdraw(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, noticeId: number, reason: string) {
    const notice = await this.managed(trx, auth, noticeId);
    if (notice.state === 'withdrawn') throw conflict('notice_withdrawn');
    await trx
      .updateTable('notice')
      .set({ state: 'withdrawn', withdrawn_at: new Date(), withdrawn_by: auth.userId, withdraw_reason: reason })
      .where('id', '=', noticeId)
      .execute();
    await appendAudit(trx, actor, {
      action: 'notice.withdraw',
      targetType: 'notice',
      targetId: noticeId,
      orgPath: notice.org_path,
      detail: { title: notice.title, reason },
    });
  }

  /** Files of a notice: whoever sees the notice, except recipients once it is withdrawn. */
  async canReadNoticeFiles(database: Kysely<DB>, auth: AuthContext, noticeId: number): Promise<boolean> {
    try {
      const { notice, manages } = await this.visible(database, auth, noticeId);
      return manages || notice.state === 'published';
    } catch {
      return false;
    }
  }

  /** Files of a reply: the replying unit, and the publisher side of its notice. */
  async canReadReplyFiles(database: Kysely<DB>, auth: AuthContext, recipientId: number): Promise<boolean> {
    const row = await database
      .selectFrom('notice_recipient as r')
      .innerJoin('notice', 'notice.id', 'r.notice_id')
      .select(['r.org_id', 'notice.org_path'])
      .where('r.id', '=', recipientId)
      .executeTakeFirst();
    if (!row) return false;
    return inScope(auth, row.org_path) || recipientOrgIds(auth).includes(row.org_id);
  }
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
