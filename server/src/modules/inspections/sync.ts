import {
  type ChecklistContent,
  type ChecklistItem,
  type CorrectionBody,
  checklistContent,
  isInWindow,
  isWithin,
  judgeAnswer,
  type SyncAnswer,
  type SyncOutcome,
  type SyncRecord,
  type SyncScan,
  syncRecord,
} from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { formatMessage, type ProblemCode } from '../../i18n/messages.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { canonicalJson, sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { attachFiles } from '../../platform/files.js';
import { publish } from '../../platform/realtime.js';
import { inScope } from '../../platform/scope.js';
import type { HazardService } from '../hazards/service.js';
import { callerMaySeeTemplate, isBureauLevel, orgById, schoolOfPath, verifyQr } from './common.js';

const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_AGE_MS = 30 * 24 * 3600_000;

interface ItemError {
  itemKey: string | null;
  checkpointId: number | null;
  error: string;
}

/** A record refused with a stable code (and per-item errors); nothing of it is stored. */
export class RecordRejected extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly errors: ItemError[] = [],
  ) {
    super(code);
  }
}

/** The signature input: what was inspected and answered, by whom, received when. */
export function recordSignature(input: {
  clientId: string;
  inspectorId: number;
  receivedAt: Date;
  taskId: number | null;
  schoolId: number;
  templateVersionId: number;
  placeId: number | null;
  routeId: number | null;
  correctsRecordId: number | null;
  startedAt: Date;
  completedAt: Date;
  note: string | null;
  answers: { itemKey: string; checkpointId: number | null; value: unknown; note: string | null; photoIds: string[] }[];
  scans: { checkpointId: number; scannedAt: Date }[];
}): string {
  const answers = [...input.answers].sort((a, b) =>
    `${a.checkpointId ?? 0}:${a.itemKey}` < `${b.checkpointId ?? 0}:${b.itemKey}` ? -1 : 1,
  );
  const scans = [...input.scans].sort((a, b) => a.checkpointId - b.checkpointId);
  return sha256(
    canonicalJson({
      ...input,
      receivedAt: input.receivedAt.toISOString(),
      startedAt: input.startedAt.toISOString(),
      completedAt: input.completedAt.toISOString(),
      answers: answers.map((a) => ({ ...a, photoIds: [...a.photoIds].sort() })),
      scans: scans.map((s) => ({ checkpointId: s.checkpointId, scannedAt: s.scannedAt.toISOString() })),
    }),
  );
}

interface Prepared {
  schoolId: number;
  schoolPath: string;
  /** The unit that owns the record: the school, or the department an officer inspects from. */
  recordPath: string;
  countyId: number;
  placeId: number | null;
  routeId: number | null;
  task: { id: number; window_start: Date; window_end: Date; state: string } | null;
  templateKind: string;
  templateName: string;
  content: ChecklistContent;
  checkpoints: Map<number, { placeId: number; seq: number }>;
}

export class InspectionSync {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly hazards: HazardService,
    private readonly qrKey: Buffer,
  ) {}

  /** Processes a batch: each record in its own transaction, one outcome per record, in order. */
  async syncBatch(auth: AuthContext, actor: AuditActor, records: unknown[], now = new Date()): Promise<SyncOutcome[]> {
    const results: SyncOutcome[] = [];
    for (const [index, raw] of records.entries()) {
      results.push(await this.syncOne(auth, actor, index, raw, now));
    }
    return results;
  }

  private outcome(index: number, clientId: string | null, partial: Partial<SyncOutcome>): SyncOutcome {
    return {
      index,
      clientId,
      outcome: 'rejected',
      recordId: null,
      code: null,
      message: null,
      errors: [],
      inWindow: null,
      taskDone: false,
      hazardIds: [],
      ...partial,
    };
  }

  private rejected(index: number, clientId: string | null, code: ProblemCode, errors: ItemError[] = []): SyncOutcome {
    return this.outcome(index, clientId, {
      outcome: 'rejected',
      code,
      message: formatMessage(code, 'zh', {}),
      errors,
    });
  }

  private async existing(inspectorId: number, clientId: string) {
    return this.db
      .selectFrom('inspection_record')
      .select(['id', 'in_window', 'task_id'])
      .where('inspector_id', '=', inspectorId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  }

  private async duplicate(index: number, clientId: string, record: { id: number; in_window: boolean | null }) {
    const task = await this.db
      .selectFrom('inspection_task')
      .select('id')
      .where('record_id', '=', record.id)
      .executeTakeFirst();
    const hazards = await this.db.selectFrom('hazard').select('id').where('inspection_id', '=', record.id).execute();
    return this.outcome(index, clientId, {
      outcome: 'duplicate',
      recordId: record.id,
      inWindow: record.in_window,
      taskDone: task !== undefined,
      hazardIds: hazards.map((h) => h.id),
    });
  }

  async syncOne(auth: AuthContext, actor: AuditActor, index: number, raw: unknown, now: Date): Promise<SyncOutcome> {
    const rawClientId =
      raw && typeof raw === 'object' && typeof (raw as { clientId?: unknown }).clientId === 'string'
        ? ((raw as { clientId: string }).clientId.slice(0, 64) as string)
        : null;
    const parsed = syncRecord.safeParse(raw);
    if (!parsed.success) {
      return this.rejected(
        index,
        rawClientId,
        'validation_failed',
        parsed.error.issues.slice(0, 20).map((issue) => ({
          itemKey: null,
          checkpointId: null,
          error: `${issue.path.join('.')}: ${issue.message}`,
        })),
      );
    }
    const record = parsed.data;
    const before = await this.existing(auth.userId, record.clientId);
    if (before) return this.duplicate(index, record.clientId, before);
    try {
      const result = await this.db.transaction().execute((trx) => this.store(trx, auth, actor, record, now, null));
      return this.outcome(index, record.clientId, { outcome: 'accepted', ...result });
    } catch (error) {
      if (error instanceof RecordRejected) return this.rejected(index, record.clientId, error.code, error.errors);
      if (error instanceof AppError && error.status < 500) return this.rejected(index, record.clientId, error.code);
      if ((error as { code?: string }).code === '23505') {
        // The same record arrived twice at once (two tabs, a retry racing the first send).
        const again = await this.existing(auth.userId, record.clientId);
        if (again) return this.duplicate(index, record.clientId, again);
      }
      throw error;
    }
  }

  /** A correction: a new record of the corrected one's version, school and place, pointing at it. */
  async correct(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    originalId: number,
    body: CorrectionBody,
    now = new Date(),
  ): Promise<number> {
    const original = await trx
      .selectFrom('inspection_record')
      .selectAll()
      .where('id', '=', originalId)
      .executeTakeFirst();
    if (!original || !inScope(auth, original.org_path)) throw new AppError(404, 'not_found');
    const duplicate = await trx
      .selectFrom('inspection_record')
      .select(['id', 'corrects_record_id'])
      .where('inspector_id', '=', auth.userId)
      .where('client_id', '=', body.clientId)
      .executeTakeFirst();
    if (duplicate) {
      if (duplicate.corrects_record_id === originalId) return duplicate.id;
      throw new AppError(409, 'inspection_client_id_used');
    }
    const completedAt = now.toISOString();
    const record: SyncRecord = {
      clientId: body.clientId,
      taskId: null,
      schoolId: original.school_id,
      templateVersionId: original.template_version_id,
      placeId: original.place_id,
      startedAt: completedAt,
      completedAt,
      note: body.reason,
      answers: body.answers,
      scans: body.scans,
    };
    try {
      const result = await this.store(trx, auth, actor, record, now, original);
      return result.recordId;
    } catch (error) {
      if (error instanceof RecordRejected) {
        throw new AppError(400, error.code, {}, { errors: error.errors });
      }
      throw error;
    }
  }

  private async prepare(
    trx: Kysely<DB>,
    auth: AuthContext,
    record: SyncRecord,
    original: { route_id: number | null; school_id: number; org_path: string } | null,
  ): Promise<Prepared> {
    const version = await trx
      .selectFrom('inspection_template_version as v')
      .innerJoin('inspection_template as t', 't.id', 'v.template_id')
      .select(['v.id', 'v.content', 't.kind', 't.name', 't.builtin', 't.owner_org_path', 't.published'])
      .where('v.id', '=', record.templateVersionId)
      .executeTakeFirst();
    if (!version) throw new RecordRejected('inspection_version_unknown');
    let task: Prepared['task'] = null;
    let schoolPath: string;
    let recordPath: string | null = original?.org_path ?? null;
    let placeId = record.placeId ?? null;
    let routeId: number | null = original?.route_id ?? null;
    if (record.taskId != null) {
      const row = await trx
        .selectFrom('inspection_task')
        .select([
          'id',
          'org_path',
          'school_id',
          'template_version_id',
          'place_id',
          'route_id',
          'assignee_ids',
          'duty_role',
          'window_start',
          'window_end',
          'state',
        ])
        .where('id', '=', record.taskId)
        .executeTakeFirst();
      if (!row || !inScope(auth, row.org_path)) throw new RecordRejected('inspection_task_unknown');
      if (!(await this.mayDo(trx, auth, row))) throw new RecordRejected('inspection_task_not_assigned');
      if (row.template_version_id !== record.templateVersionId) throw new RecordRejected('inspection_version_mismatch');
      if (record.schoolId != null && record.schoolId !== row.school_id)
        throw new RecordRejected('inspection_school_invalid');
      task = row;
      schoolPath = schoolOfPath(row.org_path)!.path;
      placeId = row.place_id;
      routeId = row.route_id;
    } else {
      const school = await orgById(trx, record.schoolId!);
      // A department's officer inspects in their own school; the record then belongs to their department.
      const ownSchool = school?.level === 'school' && isWithin(auth.scopePath, school.path);
      if (school?.level !== 'school' || !(inScope(auth, school.path) || ownSchool)) {
        throw new RecordRejected('inspection_school_invalid');
      }
      recordPath ??= inScope(auth, school.path) ? school.path : auth.scopePath;
      if (!callerMaySeeTemplate(auth, version) && !original) throw new RecordRejected('inspection_version_unknown');
      schoolPath = school.path;
    }
    const school = schoolOfPath(schoolPath)!;
    if (placeId !== null && record.taskId == null) {
      const place = await trx.selectFrom('place').select('org_id').where('id', '=', placeId).executeTakeFirst();
      if (place?.org_id !== school.id) throw new RecordRejected('inspection_place_invalid');
    }
    const checkpoints = new Map<number, { placeId: number; seq: number }>();
    if (routeId !== null) {
      const rows = await trx
        .selectFrom('patrol_checkpoint')
        .select(['id', 'place_id', 'seq'])
        .where('route_id', '=', routeId)
        .where('retired_at', 'is', null)
        .execute();
      for (const row of rows) checkpoints.set(row.id, { placeId: row.place_id, seq: row.seq });
    }
    return {
      schoolId: school.id,
      schoolPath: school.path,
      recordPath: recordPath ?? school.path,
      countyId: school.countyId,
      placeId,
      routeId,
      task,
      templateKind: version.kind,
      templateName: version.name,
      content: checklistContent.parse(version.content),
      checkpoints,
    };
  }

  /** Assigned to the caller; their duty role while on duty during the window; or a manager of the school. */
  private async mayDo(
    trx: Kysely<DB>,
    auth: AuthContext,
    task: { school_id: number; assignee_ids: number[]; duty_role: string | null; window_start: Date; window_end: Date },
  ): Promise<boolean> {
    if (task.assignee_ids.includes(auth.userId)) return true;
    if (can(auth, 'inspection.manage')) return true;
    if (!task.duty_role) return false;
    const shift = await trx
      .selectFrom('duty_shift')
      .innerJoin('duty_assignment', 'duty_assignment.shift_id', 'duty_shift.id')
      .select('duty_shift.id')
      .where('duty_shift.org_id', '=', task.school_id)
      .where('duty_assignment.user_id', '=', auth.userId)
      .where('duty_assignment.duty_role', '=', task.duty_role)
      .where('duty_shift.starts_at', '<', task.window_end)
      .where('duty_shift.ends_at', '>', task.window_start)
      .executeTakeFirst();
    return shift !== undefined;
  }

  private checkScans(prepared: Prepared, scans: SyncScan[], record: SyncRecord): ItemError[] {
    const errors: ItemError[] = [];
    if (prepared.routeId === null) {
      if (scans.length > 0) errors.push({ itemKey: null, checkpointId: null, error: 'scan_without_route' });
      return errors;
    }
    const seen = new Set<number>();
    for (const scan of scans) {
      const named = verifyQr(this.qrKey, scan.qr);
      if (named === null)
        throw new RecordRejected('inspection_qr_invalid', [
          { itemKey: null, checkpointId: scan.checkpointId, error: 'qr_forged' },
        ]);
      if (!prepared.checkpoints.has(named) || named !== scan.checkpointId) {
        throw new RecordRejected('inspection_qr_wrong_place', [
          { itemKey: null, checkpointId: scan.checkpointId, error: 'qr_not_on_route' },
        ]);
      }
      if (seen.has(named)) errors.push({ itemKey: null, checkpointId: named, error: 'scan_duplicate' });
      seen.add(named);
      const at = Date.parse(scan.scannedAt);
      if (at < Date.parse(record.startedAt) - CLOCK_SKEW_MS || at > Date.parse(record.completedAt) + CLOCK_SKEW_MS) {
        errors.push({ itemKey: null, checkpointId: named, error: 'scan_time_outside_record' });
      }
    }
    for (const id of prepared.checkpoints.keys()) {
      if (!seen.has(id)) errors.push({ itemKey: null, checkpointId: id, error: 'scan_missing' });
    }
    return errors;
  }

  private judge(prepared: Prepared, answers: SyncAnswer[]) {
    const items = new Map<string, { item: ChecklistItem; section: string }>();
    for (const section of prepared.content)
      for (const item of section.items) items.set(item.key, { item, section: section.title });
    const slots: (number | null)[] = prepared.routeId === null ? [null] : [...prepared.checkpoints.keys()];
    const errors: ItemError[] = [];
    const given = new Map<string, SyncAnswer>();
    for (const answer of answers) {
      const checkpointId = answer.checkpointId ?? null;
      if (!items.has(answer.itemKey)) {
        errors.push({ itemKey: answer.itemKey, checkpointId, error: 'unknown_item' });
        continue;
      }
      if (!slots.includes(checkpointId)) {
        errors.push({ itemKey: answer.itemKey, checkpointId, error: 'checkpoint_invalid' });
        continue;
      }
      const slot = `${checkpointId ?? 0}:${answer.itemKey}`;
      if (given.has(slot)) errors.push({ itemKey: answer.itemKey, checkpointId, error: 'duplicate_answer' });
      given.set(slot, answer);
    }
    const judged: {
      answer: SyncAnswer;
      item: ChecklistItem;
      checkpointId: number | null;
      passed: boolean;
    }[] = [];
    for (const checkpointId of slots) {
      for (const { item } of items.values()) {
        const answer = given.get(`${checkpointId ?? 0}:${item.key}`);
        const value = answer?.value ?? null;
        const result = judgeAnswer(item, value, answer?.photoIds.length ?? 0);
        if (result.error) {
          errors.push({ itemKey: item.key, checkpointId, error: result.error });
          continue;
        }
        if (answer) judged.push({ answer, item, checkpointId, passed: result.passed });
      }
    }
    return { errors, judged };
  }

  private async store(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    record: SyncRecord,
    now: Date,
    original: {
      id: number;
      route_id: number | null;
      school_id: number;
      org_path: string;
    } | null,
  ): Promise<{ recordId: number; inWindow: boolean | null; taskDone: boolean; hazardIds: number[] }> {
    const completedAt = new Date(record.completedAt);
    const startedAt = new Date(record.startedAt);
    if (completedAt.getTime() > now.getTime() + CLOCK_SKEW_MS || completedAt.getTime() < now.getTime() - MAX_AGE_MS) {
      throw new RecordRejected('inspection_time_invalid');
    }
    const prepared = await this.prepare(trx, auth, record, original);
    const scanErrors = this.checkScans(prepared, record.scans, record);
    const { errors, judged } = this.judge(prepared, record.answers);
    if (scanErrors.length || errors.length) {
      throw new RecordRejected(
        scanErrors.length ? 'inspection_scans_incomplete' : 'inspection_answers_invalid',
        [...scanErrors, ...errors].slice(0, 200),
      );
    }
    const photoIds = record.answers.flatMap((a) => a.photoIds);
    if (new Set(photoIds).size !== photoIds.length) throw new RecordRejected('inspection_photo_invalid');
    if (photoIds.length) {
      const files = await trx
        .selectFrom('stored_file')
        .select(['id', 'mime'])
        .where('id', 'in', photoIds)
        .where('uploaded_by', '=', auth.userId)
        .where('owner_type', 'is', null)
        .execute();
      if (files.length !== photoIds.length || files.some((f) => !f.mime.startsWith('image/'))) {
        throw new RecordRejected('inspection_photo_invalid');
      }
    }

    const inWindow = prepared.task
      ? isInWindow({ start: prepared.task.window_start, end: prepared.task.window_end }, completedAt)
      : null;
    const failed = judged.filter((j) => !j.passed);
    const spotCheckOrgId = isBureauLevel(auth.activeOrg.level) ? auth.activeOrg.id : null;
    const note = record.note?.trim() ? record.note : null;
    const answersForSignature = record.answers.map((a) => ({
      itemKey: a.itemKey,
      checkpointId: a.checkpointId ?? null,
      value: a.value,
      note: a.note?.trim() ? a.note : null,
      photoIds: a.photoIds,
    }));
    const scans = record.scans.map((s) => ({ checkpointId: s.checkpointId, scannedAt: new Date(s.scannedAt) }));
    const signature = recordSignature({
      clientId: record.clientId,
      inspectorId: auth.userId,
      receivedAt: now,
      taskId: prepared.task?.id ?? null,
      schoolId: prepared.schoolId,
      templateVersionId: record.templateVersionId,
      placeId: prepared.placeId,
      routeId: prepared.routeId,
      correctsRecordId: original?.id ?? null,
      startedAt,
      completedAt,
      note,
      answers: answersForSignature,
      scans,
    });
    const row = await trx
      .insertInto('inspection_record')
      .values({
        client_id: record.clientId,
        inspector_id: auth.userId,
        task_id: prepared.task?.id ?? null,
        org_path: prepared.recordPath,
        school_id: prepared.schoolId,
        county_id: prepared.countyId,
        template_version_id: record.templateVersionId,
        template_kind: prepared.templateKind,
        route_id: prepared.routeId,
        place_id: prepared.placeId,
        spot_check_org_id: spotCheckOrgId,
        corrects_record_id: original?.id ?? null,
        started_at: startedAt,
        completed_at: completedAt,
        received_at: now,
        in_window: inWindow,
        item_count: judged.length,
        failed_count: failed.length,
        note,
        signature,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const recordId = row.id;

    // Failed items become hazards (their photos go with the hazard); the rest of the photos stay with the record.
    const hazardIds: number[] = [];
    const hazardOf = new Map<string, number>();
    const alreadyFailed = new Set<string>();
    if (original) {
      const rows = await trx
        .selectFrom('inspection_answer')
        .select(['item_key', 'checkpoint_id'])
        .where('record_id', '=', original.id)
        .where('passed', '=', false)
        .execute();
      for (const r of rows) alreadyFailed.add(`${r.checkpoint_id ?? 0}:${r.item_key}`);
    }
    const failedPhotoIds = new Set<string>();
    for (const entry of failed) {
      const slot = `${entry.checkpointId ?? 0}:${entry.item.key}`;
      if (alreadyFailed.has(slot)) continue;
      const placeId =
        entry.checkpointId !== null
          ? (prepared.checkpoints.get(entry.checkpointId)?.placeId ?? null)
          : prepared.placeId;
      const valueText =
        typeof entry.answer.value === 'number' ? `检查值 ${entry.answer.value}${entry.item.unit ?? ''}；` : '';
      const hazardId = await this.hazards.create(
        trx,
        auth,
        actor,
        {
          orgId: prepared.schoolId,
          title: entry.item.text.slice(0, 100),
          description:
            `${prepared.templateName}发现不合格项：${entry.item.text}。${valueText}${entry.answer.note ?? ''}`.slice(
              0,
              2000,
            ),
          category: entry.item.hazardCategory ?? 'other',
          placeId,
          photoIds: entry.answer.photoIds,
          foundAt: completedAt.toISOString(),
        },
        now,
      );
      for (const id of entry.answer.photoIds) failedPhotoIds.add(id);
      await trx
        .updateTable('hazard')
        .set({ inspection_id: recordId, ...(spotCheckOrgId ? {} : { source: 'inspection' }) })
        .where('id', '=', hazardId)
        .execute();
      hazardIds.push(hazardId);
      hazardOf.set(slot, hazardId);
    }
    const rest = photoIds.filter((id) => !failedPhotoIds.has(id));
    await attachFiles(trx, auth, rest, { type: 'inspection_record', id: recordId, orgPath: prepared.recordPath });

    const passedBySlot = new Map(judged.map((j) => [`${j.checkpointId ?? 0}:${j.item.key}`, j.passed]));
    if (record.answers.length) {
      await trx
        .insertInto('inspection_answer')
        .values(
          record.answers.map((a) => {
            const slot = `${a.checkpointId ?? 0}:${a.itemKey}`;
            return {
              record_id: recordId,
              checkpoint_id: a.checkpointId ?? null,
              item_key: a.itemKey,
              value: JSON.stringify(a.value),
              passed: passedBySlot.get(slot) ?? true,
              note: a.note?.trim() ? a.note : null,
              photo_ids: a.photoIds,
              hazard_id: hazardOf.get(slot) ?? null,
            };
          }),
        )
        .execute();
    }
    if (scans.length) {
      await trx
        .insertInto('inspection_scan')
        .values(scans.map((s) => ({ record_id: recordId, checkpoint_id: s.checkpointId, scanned_at: s.scannedAt })))
        .execute();
    }

    // Conflict rule: the first record completed inside the window completes the task, even when the sweeper
    // already marked it missed while the phone was offline; later ones are kept as extra records.
    let taskDone = false;
    if (prepared.task && inWindow) {
      const updated = await trx
        .updateTable('inspection_task')
        .set({ state: 'done', record_id: recordId })
        .where('id', '=', prepared.task.id)
        .where('record_id', 'is', null)
        .returning('id')
        .executeTakeFirst();
      taskDone = updated !== undefined;
    }
    await appendAudit(trx, actor, {
      action: original ? 'inspection.record_correct' : 'inspection.record_create',
      targetType: 'inspection_record',
      targetId: recordId,
      orgPath: prepared.recordPath,
      detail: {
        after: {
          clientId: record.clientId,
          taskId: prepared.task?.id ?? null,
          templateVersionId: record.templateVersionId,
          inWindow,
          taskDone,
          failed: failed.length,
          hazardIds,
          signature,
          correctsRecordId: original?.id ?? null,
        },
      },
    });
    await publish(trx, {
      type: 'inspection.recorded',
      orgPath: prepared.recordPath,
      payload: { id: recordId, taskId: prepared.task?.id ?? null, taskDone, failed: failed.length },
    });
    return { recordId, inWindow, taskDone, hazardIds };
  }
}
