import {
  type CollectionDetail,
  type CollectionProgress,
  type CollectionSummary,
  correctionsOf,
  type FormAnswers,
  type FormContent,
  type FormTask,
  fieldsOf,
  formContent,
  formTransition,
  type IssueCollectionBody,
  isEditable,
  isHandedIn,
  isLate,
  mergePrefill,
  PREFILL_SOURCES,
  type PrefillSourceId,
  type PrefillValues,
  prefillAnswer,
  type SchoolType,
  type SubmissionAction,
  type SubmissionDetail,
  type SubmissionState,
  validateAnswers,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { endOfDay, startOfDay } from '../../platform/dates.js';
import { AppError, notFound } from '../../platform/errors.js';
import { notify } from '../../platform/notifications.js';
import { decodeCursor, encodeCursor, type Page } from '../../platform/pagination.js';
import { inScope, scopePrefix } from '../../platform/scope.js';
import { appendTimeline, readTimeline } from '../../platform/timeline.js';
import {
  ancestorPaths,
  BUREAU_LEVELS,
  callerIsIssuerOrAbove,
  callerMaySeeCollection,
  formInvalid,
  iso,
  orgById,
  rolesWith,
  rootOf,
} from './common.js';
import { prefillSchool } from './prefill.js';
import type { FormTemplates } from './templates.js';

export const SUBMISSION_RECORD = 'form_submission';

/** A prefilled field as stored: the answer it gives, the basis in Chinese, the source id. */
export interface StoredPrefill {
  value: boolean | number | string | null;
  basis: string;
  source: PrefillSourceId;
}

const COLLECTION_COLUMNS = [
  'form_collection.id',
  'form_collection.issuer_org_id',
  'form_collection.issuer_org_path',
  'form_collection.template_id',
  'form_collection.template_version_id',
  'form_collection.title',
  'form_collection.note',
  'form_collection.period_from',
  'form_collection.period_to',
  'form_collection.deadline',
  'form_collection.school_types',
  'form_collection.remind_days_before',
  'form_collection.status',
  'form_collection.school_count',
  'form_collection.created_at',
] as const;

export interface CollectionRow {
  id: number;
  issuer_org_id: number;
  issuer_org_path: string;
  template_id: number;
  template_version_id: number;
  title: string;
  note: string | null;
  period_from: string;
  period_to: string;
  deadline: Date;
  school_types: string[] | null;
  remind_days_before: number;
  status: string;
  school_count: number;
  created_at: Date;
}

export interface SubmissionRecord {
  id: number;
  collection_id: number;
  school_id: number;
  org_path: string;
  county_id: number;
  city_id: number;
  status: string;
  late: boolean;
  answers: unknown;
  prefilled: unknown;
  prefilled_at: Date | null;
  corrections: unknown;
  revision: number;
  submitted_at: Date | null;
  signed_at: Date | null;
  cosigned_at: Date | null;
  reviewed_at: Date | null;
  review_comment: string | null;
}

const emptyProgress = (): CollectionProgress => ({
  total: 0,
  notYet: 0,
  submitted: 0,
  accepted: 0,
  returned: 0,
  late: 0,
  overdue: 0,
});

export class FormService {
  private readonly contents = new Map<number, FormContent>();

  constructor(
    readonly db: Kysely<DB>,
    readonly templates: FormTemplates,
    readonly timeZone: string,
  ) {}

  /** Content of a template version (immutable, so cached). */
  async content(executor: Kysely<DB>, versionId: number): Promise<FormContent> {
    const cached = this.contents.get(versionId);
    if (cached) return cached;
    const row = await executor
      .selectFrom('form_template_version')
      .select('content')
      .where('id', '=', versionId)
      .executeTakeFirstOrThrow();
    const content = formContent.parse(row.content);
    if (this.contents.size > 200) this.contents.clear();
    this.contents.set(versionId, content);
    return content;
  }

  // -------------------------------------------------------------------------------------------- collections

  async collectionRow(executor: Kysely<DB>, id: number): Promise<CollectionRow | undefined> {
    return executor.selectFrom('form_collection').select(COLLECTION_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async visibleCollection(executor: Kysely<DB>, auth: AuthContext, id: number): Promise<CollectionRow> {
    const row = await this.collectionRow(executor, id);
    if (!row || !callerMaySeeCollection(auth, row.issuer_org_path)) throw notFound();
    return row;
  }

  /** Progress over the submissions in the caller's scope, for several collections at once. */
  private async progressOf(
    auth: AuthContext,
    rows: CollectionRow[],
    now: Date,
  ): Promise<Map<number, CollectionProgress>> {
    const result = new Map<number, CollectionProgress>();
    if (rows.length === 0) return result;
    const counts = await this.db
      .selectFrom('form_submission')
      .innerJoin('form_collection', 'form_collection.id', 'form_submission.collection_id')
      .select([
        'form_submission.collection_id',
        sql<number>`count(*)::int`.as('total'),
        sql<number>`count(*) FILTER (WHERE form_submission.status IN ('draft','returned'))::int`.as('not_yet'),
        sql<number>`count(*) FILTER (WHERE form_submission.status IN ('submitted','signed','cosigned','accepted'))::int`.as(
          'submitted',
        ),
        sql<number>`count(*) FILTER (WHERE form_submission.status = 'accepted')::int`.as('accepted'),
        sql<number>`count(*) FILTER (WHERE form_submission.status = 'returned')::int`.as('returned'),
        sql<number>`count(*) FILTER (WHERE form_submission.late)::int`.as('late'),
        sql<number>`count(*) FILTER (WHERE form_submission.status IN ('draft','returned') AND form_collection.deadline < ${now})::int`.as(
          'overdue',
        ),
      ])
      .where(
        'form_submission.collection_id',
        'in',
        rows.map((row) => row.id),
      )
      .where('form_submission.org_path', 'like', scopePrefix(auth))
      .groupBy('form_submission.collection_id')
      .execute();
    for (const count of counts) {
      result.set(count.collection_id, {
        total: count.total,
        notYet: count.not_yet,
        submitted: count.submitted,
        accepted: count.accepted,
        returned: count.returned,
        late: count.late,
        overdue: count.overdue,
      });
    }
    return result;
  }

  private async presentCollections(auth: AuthContext, rows: CollectionRow[], now = new Date()) {
    const progress = await this.progressOf(auth, rows, now);
    const orgIds = [...new Set(rows.map((row) => row.issuer_org_id))];
    const orgs = orgIds.length
      ? await this.db.selectFrom('org_unit').select(['id', 'name']).where('id', 'in', orgIds).execute()
      : [];
    const orgNames = new Map(orgs.map((org) => [org.id, org.name]));
    const versionIds = [...new Set(rows.map((row) => row.template_version_id))];
    const versions = versionIds.length
      ? await this.db
          .selectFrom('form_template_version')
          .innerJoin('form_template', 'form_template.id', 'form_template_version.template_id')
          .select([
            'form_template_version.id',
            'form_template_version.version',
            'form_template.name',
            sql<boolean>`coalesce((form_template_version.content->>'cosign')::boolean, false)`.as('cosign'),
          ])
          .where('form_template_version.id', 'in', versionIds)
          .execute()
      : [];
    const versionOf = new Map(versions.map((version) => [version.id, version]));
    return rows.map(
      (row): CollectionSummary => ({
        id: row.id,
        title: row.title,
        issuerOrgId: row.issuer_org_id,
        issuerOrgName: orgNames.get(row.issuer_org_id) ?? '',
        templateId: row.template_id,
        templateName: versionOf.get(row.template_version_id)?.name ?? '',
        templateVersion: versionOf.get(row.template_version_id)?.version ?? 0,
        templateVersionId: row.template_version_id,
        cosign: versionOf.get(row.template_version_id)?.cosign ?? false,
        periodFrom: row.period_from,
        periodTo: row.period_to,
        deadline: row.deadline.toISOString(),
        schoolTypes: (row.school_types as SchoolType[] | null) ?? null,
        status: row.status as 'open' | 'closed',
        createdAt: row.created_at.toISOString(),
        progress: progress.get(row.id) ?? emptyProgress(),
        reviewable: can(auth, 'report.review') && callerIsIssuerOrAbove(auth, row.issuer_org_path),
      }),
    );
  }

  async listCollections(
    auth: AuthContext,
    query: { orgId?: number; status?: 'open' | 'closed'; limit: number; cursor?: string },
  ): Promise<Page<CollectionSummary>> {
    const org = await rootOf(this.db, auth, query.orgId);
    let q = this.db
      .selectFrom('form_collection')
      .select(COLLECTION_COLUMNS)
      .where((eb) =>
        eb.or([eb('issuer_org_path', 'like', `${org.path}%`), eb('issuer_org_path', 'in', ancestorPaths(org.path))]),
      );
    if (query.status) q = q.where('status', '=', query.status);
    if (query.cursor) {
      const [afterId] = decodeCursor(query.cursor, ['number']) as [number];
      q = q.where('id', '<', afterId);
    }
    const rows = await q
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const items = await this.presentCollections(auth, rows.slice(0, query.limit));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null };
  }

  async collectionDetail(auth: AuthContext, id: number): Promise<CollectionDetail> {
    const row = await this.visibleCollection(this.db, auth, id);
    const [summary] = await this.presentCollections(auth, [row]);
    return {
      ...summary!,
      note: row.note,
      remindDaysBefore: row.remind_days_before,
      content: await this.content(this.db, row.template_version_id),
    };
  }

  /**
   * Issues a form to the issuer's subtree: the collection and one submission per school, created set-based in
   * one INSERT … SELECT (20,000 schools take seconds, not minutes).
   */
  async issue(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    body: IssueCollectionBody,
    now = new Date(),
  ): Promise<number> {
    const issuer = await orgById(trx, body.orgId);
    if (!issuer || !inScope(auth, issuer.path)) throw notFound();
    if (!BUREAU_LEVELS.includes(issuer.level)) throw new AppError(400, 'form_owner_not_bureau');
    const template = await this.templates.visible(trx, auth, body.templateId);
    if (template.archived) throw new AppError(409, 'form_template_archived');
    const deadline = new Date(body.deadline);
    if (deadline.getTime() <= now.getTime()) throw new AppError(400, 'form_deadline_invalid');
    const version = await trx
      .selectFrom('form_template_version')
      .select(['id'])
      .where('template_id', '=', template.id)
      .where('version', '=', template.current_version)
      .executeTakeFirstOrThrow();
    const collection = await trx
      .insertInto('form_collection')
      .values({
        issuer_org_id: issuer.id,
        issuer_org_path: issuer.path,
        template_id: template.id,
        template_version_id: version.id,
        title: body.title ?? template.name,
        note: body.note?.trim() ? body.note : null,
        period_from: body.periodFrom,
        period_to: body.periodTo,
        deadline,
        school_types: body.schoolTypes ?? null,
        remind_days_before: body.remindDaysBefore ?? 2,
        created_by: auth.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const types = body.schoolTypes ?? null;
    const inserted = await sql<{ count: number }>`
      WITH created AS (
        INSERT INTO form_submission (collection_id, school_id, org_path, province_id, city_id, county_id)
        SELECT ${collection.id}, id, path,
               split_part(path, '/', 2)::int, split_part(path, '/', 3)::int, split_part(path, '/', 4)::int
          FROM org_unit
         WHERE level = 'school' AND path LIKE ${`${issuer.path}%`}
           AND (${types}::text[] IS NULL OR school_type = ANY(${types}::text[]))
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM created`.execute(trx);
    const count = inserted.rows[0]?.count ?? 0;
    if (count === 0) throw new AppError(400, 'form_no_schools');
    await trx.updateTable('form_collection').set({ school_count: count }).where('id', '=', collection.id).execute();
    await appendAudit(trx, actor, {
      action: 'form.issue',
      targetType: 'form_collection',
      targetId: collection.id,
      orgPath: issuer.path,
      detail: {
        templateId: template.id,
        templateVersionId: version.id,
        schools: count,
        deadline: deadline.toISOString(),
        period: [body.periodFrom, body.periodTo],
        schoolTypes: types,
      },
    });
    return collection.id;
  }

  async close(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number): Promise<void> {
    const row = await trx
      .selectFrom('form_collection')
      .select(['id', 'issuer_org_path', 'status'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row || !inScope(auth, row.issuer_org_path)) throw notFound();
    if (row.status === 'closed') throw new AppError(409, 'form_collection_closed');
    await trx
      .updateTable('form_collection')
      .set({ status: 'closed', closed_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await appendAudit(trx, actor, {
      action: 'form.close',
      targetType: 'form_collection',
      targetId: id,
      orgPath: row.issuer_org_path,
      detail: { before: { status: row.status }, after: { status: 'closed' } },
    });
  }

  // -------------------------------------------------------------------------------------------- school tasks

  /** The forms of the caller's school (nothing for a bureau). */
  async tasks(
    auth: AuthContext,
    query: { status?: SubmissionState; open?: boolean },
    now = new Date(),
  ): Promise<FormTask[]> {
    if (auth.activeOrg.level !== 'school' && auth.activeOrg.level !== 'department') return [];
    const schoolId = Number(auth.scopePath.split('/').filter(Boolean)[3]);
    let q = this.db
      .selectFrom('form_submission')
      .innerJoin('form_collection', 'form_collection.id', 'form_submission.collection_id')
      .innerJoin('org_unit as issuer', 'issuer.id', 'form_collection.issuer_org_id')
      .select([
        'form_submission.id',
        'form_submission.collection_id',
        'form_submission.status',
        'form_submission.late',
        'form_submission.review_comment',
        'form_collection.title',
        'form_collection.period_from',
        'form_collection.period_to',
        'form_collection.deadline',
        'form_collection.status as collection_status',
        'issuer.name as issuer_name',
      ])
      .where('form_submission.school_id', '=', schoolId);
    if (query.status) q = q.where('form_submission.status', '=', query.status);
    if (query.open) q = q.where('form_submission.status', 'in', ['draft', 'returned']);
    const rows = await q.orderBy('form_submission.id', 'desc').limit(500).execute();
    return rows.map((row) => ({
      submissionId: row.id,
      collectionId: row.collection_id,
      title: row.title,
      issuerOrgName: row.issuer_name,
      periodFrom: row.period_from,
      periodTo: row.period_to,
      deadline: row.deadline.toISOString(),
      status: row.status as SubmissionState,
      late: row.late,
      overdue: isEditable(row.status as SubmissionState) && row.deadline.getTime() < now.getTime(),
      reviewComment: row.review_comment,
      collectionStatus: row.collection_status as 'open' | 'closed',
    }));
  }

  // -------------------------------------------------------------------------------------------- submissions

  async submissionRow(executor: Kysely<DB>, auth: AuthContext, id: number, lock = false): Promise<SubmissionRecord> {
    let q = executor
      .selectFrom('form_submission')
      .select([
        'id',
        'collection_id',
        'school_id',
        'org_path',
        'county_id',
        'city_id',
        'status',
        'late',
        'answers',
        'prefilled',
        'prefilled_at',
        'corrections',
        'revision',
        'submitted_at',
        'signed_at',
        'cosigned_at',
        'reviewed_at',
        'review_comment',
      ])
      .where('id', '=', id);
    if (lock) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row || !inScope(auth, row.org_path)) throw notFound();
    return row;
  }

  async detail(auth: AuthContext, id: number): Promise<SubmissionDetail> {
    const row = await this.submissionRow(this.db, auth, id);
    const collection = (await this.collectionRow(this.db, row.collection_id))!;
    const content = await this.content(this.db, collection.template_version_id);
    const names = await this.db
      .selectFrom('form_submission')
      .innerJoin('org_unit as school', 'school.id', 'form_submission.school_id')
      .innerJoin('org_unit as county', 'county.id', 'form_submission.county_id')
      .innerJoin('org_unit as city', 'city.id', 'form_submission.city_id')
      .innerJoin('org_unit as issuer', (join) => join.on('issuer.id', '=', collection.issuer_org_id))
      .leftJoin('app_user as submitter', 'submitter.id', 'form_submission.submitted_by')
      .leftJoin('app_user as signer', 'signer.id', 'form_submission.signed_by')
      .leftJoin('app_user as cosigner', 'cosigner.id', 'form_submission.cosigned_by')
      .leftJoin('app_user as reviewer', 'reviewer.id', 'form_submission.reviewed_by')
      .select([
        'school.name as school_name',
        'county.name as county_name',
        'city.name as city_name',
        'issuer.name as issuer_name',
        'submitter.display_name as submitted_by_name',
        'signer.display_name as signed_by_name',
        'cosigner.display_name as cosigned_by_name',
        'reviewer.display_name as reviewed_by_name',
      ])
      .where('form_submission.id', '=', id)
      .executeTakeFirstOrThrow();
    const history = await readTimeline(this.db, SUBMISSION_RECORD, id);
    const status = row.status as SubmissionState;
    const open = collection.status === 'open';
    return {
      id: row.id,
      collectionId: collection.id,
      collectionTitle: collection.title,
      issuerOrgName: names.issuer_name,
      schoolId: row.school_id,
      schoolName: names.school_name,
      countyName: names.county_name,
      cityName: names.city_name,
      periodFrom: collection.period_from,
      periodTo: collection.period_to,
      deadline: collection.deadline.toISOString(),
      templateVersionId: collection.template_version_id,
      content,
      status,
      late: row.late,
      answers: (row.answers ?? {}) as FormAnswers,
      prefilled: (row.prefilled as Record<string, StoredPrefill> | null) ?? null,
      prefilledAt: iso(row.prefilled_at),
      corrections: (row.corrections as string[] | null) ?? [],
      revision: row.revision,
      submittedAt: iso(row.submitted_at),
      submittedByName: names.submitted_by_name,
      signedAt: iso(row.signed_at),
      signedByName: names.signed_by_name,
      cosignedAt: iso(row.cosigned_at),
      cosignedByName: names.cosigned_by_name,
      reviewedAt: iso(row.reviewed_at),
      reviewedByName: names.reviewed_by_name,
      reviewComment: row.review_comment,
      history: history.map((event) => ({
        id: event.id,
        at: event.at,
        actorName: event.actorName,
        action: event.action,
        fromState: event.fromState,
        toState: event.toState,
        note: event.note,
      })),
      can: {
        edit: open && can(auth, 'report.fill') && isEditable(status),
        submit: open && can(auth, 'report.fill') && isEditable(status),
        sign: can(auth, 'report.sign') && formTransition(status, 'sign', content).ok,
        cosign: can(auth, 'report.cosign') && formTransition(status, 'cosign', content).ok,
        review:
          can(auth, 'report.review') &&
          callerIsIssuerOrAbove(auth, collection.issuer_org_path) &&
          (formTransition(status, 'accept', content).ok || formTransition(status, 'return', content).ok),
      },
    };
  }

  /**
   * First open of an editable form by its school: live values for the reporting period fill the fields the
   * platform knows (marked 「系统预填」). Later opens change nothing. Returns whether it prefilled.
   */
  async open(auth: AuthContext, actor: AuditActor, id: number): Promise<boolean> {
    const row = await this.submissionRow(this.db, auth, id);
    if (row.prefilled_at || !isEditable(row.status as SubmissionState)) return false;
    const collection = (await this.collectionRow(this.db, row.collection_id))!;
    const content = await this.content(this.db, collection.template_version_id);
    const sources = fieldsOf(content).flatMap((field) => (field.prefill ? [field.prefill] : []));
    // Read outside the transaction: PGlite has one connection and prefill runs several queries.
    const values: PrefillValues = sources.length
      ? await prefillSchool(
          this.db,
          { id: row.school_id, path: row.org_path },
          {
            from: startOfDay(collection.period_from, this.timeZone),
            to: endOfDay(collection.period_to, this.timeZone),
          },
          sources.filter((source) => (PREFILL_SOURCES as readonly string[]).includes(source)),
        )
      : {};
    const stored: Record<string, StoredPrefill> = {};
    const prefilledValues: FormAnswers = {};
    for (const field of fieldsOf(content)) {
      if (!field.prefill) continue;
      const value = values[field.prefill];
      if (!value) continue;
      const answer = prefillAnswer(field, value);
      stored[field.key] = {
        value: answer === undefined ? null : (answer as boolean | number | string),
        basis: value.basis,
        source: field.prefill,
      };
      if (answer !== undefined) prefilledValues[field.key] = answer;
    }
    return this.db.transaction().execute(async (trx) => {
      const locked = await this.submissionRow(trx, auth, id, true);
      if (locked.prefilled_at || !isEditable(locked.status as SubmissionState)) return false;
      const answers = mergePrefill((locked.answers ?? {}) as FormAnswers, prefilledValues);
      await trx
        .updateTable('form_submission')
        .set({
          prefilled: JSON.stringify(stored),
          prefilled_at: new Date(),
          answers: JSON.stringify(answers),
          corrections: JSON.stringify(correctionsOf(prefilledValues, answers)),
          revision: locked.revision + 1,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
      await appendTimeline(trx, {
        recordType: SUBMISSION_RECORD,
        recordId: id,
        orgPath: locked.org_path,
        actorId: auth.userId,
        action: 'prefill',
        note: `系统预填 ${Object.keys(prefilledValues).length} 项`,
        data: { fields: Object.keys(prefilledValues) },
      });
      await appendAudit(trx, actor, {
        action: 'form.prefill',
        targetType: SUBMISSION_RECORD,
        targetId: id,
        orgPath: locked.org_path,
        detail: { fields: Object.keys(prefilledValues) },
      });
      return true;
    });
  }

  private prefilledOf(row: SubmissionRecord): FormAnswers {
    const stored = (row.prefilled as Record<string, StoredPrefill> | null) ?? {};
    const answers: FormAnswers = {};
    for (const [key, value] of Object.entries(stored)) if (value.value !== null) answers[key] = value.value;
    return answers;
  }

  private async editableForUpdate(trx: Kysely<DB>, auth: AuthContext, id: number, revision: number | undefined) {
    const row = await this.submissionRow(trx, auth, id, true);
    const collection = (await this.collectionRow(trx, row.collection_id))!;
    if (collection.status !== 'open') throw new AppError(409, 'form_collection_closed');
    if (!isEditable(row.status as SubmissionState)) throw new AppError(409, 'form_state');
    if (revision !== undefined && revision !== row.revision) throw new AppError(409, 'form_revision');
    return { row, collection, content: await this.content(trx, collection.template_version_id) };
  }

  async saveDraft(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    body: { answers: FormAnswers; revision?: number },
  ): Promise<void> {
    const { row, content } = await this.editableForUpdate(trx, auth, id, body.revision);
    const errors = validateAnswers(content, body.answers, { complete: false });
    if (errors.length > 0) throw formInvalid(errors);
    const corrections = correctionsOf(this.prefilledOf(row), body.answers);
    await trx
      .updateTable('form_submission')
      .set({
        answers: JSON.stringify(body.answers),
        corrections: JSON.stringify(corrections),
        revision: row.revision + 1,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await appendAudit(trx, actor, {
      action: 'form.save',
      targetType: SUBMISSION_RECORD,
      targetId: id,
      orgPath: row.org_path,
      detail: { fields: Object.keys(body.answers).length, corrections },
    });
  }

  async submit(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    body: { answers?: FormAnswers; revision?: number },
    now = new Date(),
  ): Promise<void> {
    const { row, collection, content } = await this.editableForUpdate(trx, auth, id, body.revision);
    const answers = body.answers ?? ((row.answers ?? {}) as FormAnswers);
    const errors = validateAnswers(content, answers, { complete: true });
    if (errors.length > 0) throw formInvalid(errors);
    const status = row.status as SubmissionState;
    const result = formTransition(status, 'submit', content);
    if (!result.ok) throw new AppError(409, 'form_state');
    // The first hand-in decides lateness; a returned form handed in again keeps its mark.
    const late = row.submitted_at ? row.late : isLate(collection.deadline, now);
    const corrections = correctionsOf(this.prefilledOf(row), answers);
    await trx
      .updateTable('form_submission')
      .set({
        status: result.to,
        answers: JSON.stringify(answers),
        corrections: JSON.stringify(corrections),
        late,
        submitted_by: auth.userId,
        submitted_at: now,
        revision: row.revision + 1,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    await appendTimeline(trx, {
      recordType: SUBMISSION_RECORD,
      recordId: id,
      orgPath: row.org_path,
      actorId: auth.userId,
      action: 'submit',
      fromState: status,
      toState: result.to,
      note: late ? '逾期提交' : null,
      data: { late, corrections },
    });
    await appendAudit(trx, actor, {
      action: 'form.submit',
      targetType: SUBMISSION_RECORD,
      targetId: id,
      orgPath: row.org_path,
      detail: { before: { status }, after: { status: result.to }, late, corrections },
    });
    await this.notifySchool(trx, row, 'report.sign', 'form.sign_needed', `报表待校长签字：${collection.title}`);
  }

  /** sign / cosign / accept / return. */
  async act(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    action: Exclude<SubmissionAction, 'save' | 'submit'>,
    note: string | undefined,
    now = new Date(),
  ): Promise<void> {
    const row = await this.submissionRow(trx, auth, id, true);
    const collection = (await this.collectionRow(trx, row.collection_id))!;
    if ((action === 'accept' || action === 'return') && !callerIsIssuerOrAbove(auth, collection.issuer_org_path)) {
      throw new AppError(403, 'form_review_not_issuer');
    }
    const content = await this.content(trx, collection.template_version_id);
    const status = row.status as SubmissionState;
    const result = formTransition(status, action, content);
    if (!result.ok) throw new AppError(409, 'form_state');
    const comment = note?.trim() ? note.trim() : null;
    const changes =
      action === 'sign'
        ? { signed_by: auth.userId, signed_at: now }
        : action === 'cosign'
          ? { cosigned_by: auth.userId, cosigned_at: now }
          : action === 'accept'
            ? { reviewed_by: auth.userId, reviewed_at: now, review_comment: comment }
            : {
                reviewed_by: auth.userId,
                reviewed_at: now,
                review_comment: comment,
                // Signatures belong to the handed-in version; the timeline keeps who signed before.
                signed_by: null,
                signed_at: null,
                cosigned_by: null,
                cosigned_at: null,
              };
    await trx
      .updateTable('form_submission')
      .set({ status: result.to, ...changes, revision: row.revision + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    await appendTimeline(trx, {
      recordType: SUBMISSION_RECORD,
      recordId: id,
      orgPath: row.org_path,
      actorId: auth.userId,
      action,
      fromState: status,
      toState: result.to,
      note: comment,
    });
    await appendAudit(trx, actor, {
      action: `form.${action}`,
      targetType: SUBMISSION_RECORD,
      targetId: id,
      orgPath: row.org_path,
      detail: { before: { status }, after: { status: result.to }, comment },
    });
    if (action === 'sign' && content.cosign) {
      await this.notifyPolice(trx, row, `报表待派出所会签：${collection.title}`);
    }
    if (action === 'return') {
      await this.notifySchool(trx, row, 'report.fill', 'form.returned', `报表被退回：${collection.title}`, comment);
    }
  }

  /** Users of the school whose roles hold `permission`. */
  private async notifySchool(
    trx: Kysely<DB>,
    row: SubmissionRecord,
    permission: 'report.fill' | 'report.sign',
    kind: string,
    title: string,
    body: string | null = null,
  ): Promise<void> {
    const users = await trx
      .selectFrom('role_assignment')
      .select('user_id')
      .where('org_id', '=', row.school_id)
      .where('role', 'in', rolesWith(permission))
      .execute();
    await notify(trx, {
      userIds: users.map((user) => user.user_id),
      kind,
      title,
      body,
      link: `/forms/submissions/${row.id}`,
      orgPath: row.org_path,
    });
  }

  /** Police liaisons of the school or its county. */
  private async notifyPolice(trx: Kysely<DB>, row: SubmissionRecord, title: string): Promise<void> {
    const users = await trx
      .selectFrom('role_assignment')
      .select('user_id')
      .where('role', 'in', rolesWith('report.cosign'))
      .where('org_path', 'in', ancestorPaths(row.org_path).slice(2))
      .execute();
    await notify(trx, {
      userIds: users.map((user) => user.user_id),
      kind: 'form.cosign_needed',
      title,
      link: `/forms/submissions/${row.id}`,
      orgPath: row.org_path,
    });
  }

  /** Whether a state counts as handed in (for callers outside the domain import). */
  handedIn(status: string): boolean {
    return isHandedIn(status as SubmissionState);
  }
}
