import {
  type AlertPolicy,
  type CreateHazardBody,
  HAZARD_ACTIONS,
  type HazardAction,
  type HazardCommand,
  type HazardDetail,
  type HazardState,
  type hazardActionBodies,
  isOpen,
  isValidDeadline,
  isWithin,
  needsSupervisorVerification,
  nextAlertAt,
  type OrgLevel,
  type Permission,
  pathIds,
  transition,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { z } from 'zod';
import type { DB, HazardRow, HazardTable } from '../../db/schema.js';
import { type AuditActor, appendAudit, auditCtes } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { AppError, notFound } from '../../platform/errors.js';
import { attachFiles } from '../../platform/files.js';
import { notify } from '../../platform/notifications.js';
import { iso } from '../../platform/pagination.js';
import { notifyStoredEvents, publish } from '../../platform/realtime.js';
import { inScope } from '../../platform/scope.js';
import { appendTimeline, readTimeline, type TimelineEvent } from '../../platform/timeline.js';
import { hazardSummaryForAudit, type PhotoRow, photoIdsOf, presentHazardDetail } from './presenter.js';
import { type HazardListRow, HazardQueries, type HazardRoot, LEVEL_COLUMN } from './queries.js';

const BUREAU_LEVELS: readonly OrgLevel[] = ['province', 'city', 'county'];

/** The permission each command needs (the route declares it; the detail page's buttons use it too). */
export const COMMAND_PERMISSION: Record<HazardCommand, Permission> = {
  confirm: 'hazard.confirm',
  reject: 'hazard.confirm',
  assign: 'hazard.assign',
  rectify: 'hazard.rectify',
  verify: 'hazard.verify',
  return: 'hazard.verify',
  reopen: 'hazard.reopen',
  supervise: 'hazard.supervise',
  progress: 'hazard.assign',
};

/** How far back a phone's queued report may date its finding. */
const FOUND_AT_MAX_AGE_MS = 30 * 24 * 3600_000;
const CLOCK_SKEW_MS = 5 * 60_000;

type CommandBody<C extends HazardCommand> = z.infer<(typeof hazardActionBodies)[C]>;

function isBureau(auth: AuthContext): boolean {
  return BUREAU_LEVELS.includes(auth.activeOrg.level);
}

/** The path of the school a path lies in (depth 4), or null above schools. */
function schoolPathOf(path: string): string | null {
  const ids = pathIds(path);
  return ids.length >= 4 ? `/${ids.slice(0, 4).join('/')}/` : null;
}

/**
 * Who sees a hazard: readers of its unit's subtree (a school's staff, a department officer for their
 * department, the bureaus above), plus the person who reported it and the person responsible for it,
 * while they act inside its school.
 */
export function canSeeHazard(
  auth: AuthContext,
  hazard: Pick<HazardRow, 'org_path' | 'reported_by' | 'responsible_user_id'>,
): boolean {
  if (can(auth, 'hazard.read') && inScope(auth, hazard.org_path)) return true;
  if (hazard.reported_by !== auth.userId && hazard.responsible_user_id !== auth.userId) return false;
  const school = schoolPathOf(hazard.org_path);
  return school !== null && isWithin(auth.scopePath, school);
}

export interface SupervisorFacts {
  supervised: boolean;
  grade: string | null;
  supervisingOrgPath: string | null;
  orgPath: string;
}

/** Acts for the supervising bureau: the supervising unit or one above it; for major hazards any bureau above the school. */
export function isSupervisorOf(auth: AuthContext, facts: SupervisorFacts): boolean {
  if (!isBureau(auth)) return false;
  if (facts.supervised && facts.supervisingOrgPath) return isWithin(facts.supervisingOrgPath, auth.scopePath);
  return facts.grade === 'major' && inScope(auth, facts.orgPath);
}

/** A hazard report as the route received it. */
export interface HazardReport {
  auth: AuthContext;
  actor: AuditActor;
  input: CreateHazardBody;
  now: Date;
  /** Its Idempotency-Key, claimed by the statement that writes it (platform/idempotency.ts's table and hash). */
  idempotency?: { key: string; requestHash: string };
}

/** A report checked and ready to write (`HazardService.prepareReport`). */
export interface PreparedReport extends HazardReport {
  foundAt: Date;
  planX: number | null;
  planY: number | null;
  photoIds: string[];
  floorPlanFileId: string | null;
  spotCheck: boolean;
  description: string | null;
}

type WrittenReport = HazardListRow & { timeline_id: number; timeline_at: Date };

export interface ReportedHazard {
  id: number;
  detail: HazardDetail | null;
}

/** A report with no place and no photos: checked by the statement that writes it, so reports can share one. */
export function isPlainReport(input: CreateHazardBody): boolean {
  return input.placeId == null && !input.photoIds?.length;
}

/** The fields an audit row keeps of the hazard a report creates, but its code (known once written). */
function auditSummaryOf(report: PreparedReport) {
  const { code: _, ...summary } = hazardSummaryForAudit({
    code: '',
    title: report.input.title,
    state: 'reported',
    grade: null,
    risk_level: null,
    category: report.input.category,
    responsible_user_id: null,
    deadline: null,
    supervised: report.spotCheck,
    supervising_org_id: report.spotCheck ? report.auth.activeOrg.id : null,
  });
  return summary;
}

export class HazardService {
  readonly queries: HazardQueries;

  constructor(
    private readonly db: Kysely<DB>,
    readonly policy: AlertPolicy,
  ) {
    this.queries = new HazardQueries(db);
  }

  private async org(executor: Kysely<DB>, id: number) {
    return executor
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'name'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The unit a ledger or statistics call covers: `orgId` or the caller's active org, in scope. */
  async root(auth: AuthContext, orgId: number | undefined): Promise<HazardRoot & { name: string }> {
    const org = await this.org(this.db, orgId ?? auth.activeOrg.id);
    if (!org || !inScope(auth, org.path)) throw notFound();
    return { id: org.id, level: org.level as OrgLevel, path: org.path, name: org.name };
  }

  /** A visible hazard with names, or 404. */
  async get(auth: AuthContext, id: number) {
    const row = await this.queries.byId(id);
    if (!row || !canSeeHazard(auth, row)) throw notFound();
    return row;
  }

  async detail(auth: AuthContext, id: number, now = new Date()) {
    const row = await this.get(auth, id);
    const timeline = await readTimeline(this.db, 'hazard', id);
    const photoIds = [...new Set(timeline.flatMap(photoIdsOf))];
    const photos = new Map<string, PhotoRow>();
    if (photoIds.length > 0) {
      const rows = await this.db
        .selectFrom('stored_file')
        .select(['id', 'mime', 'has_thumbnail'])
        .where('id', 'in', photoIds)
        .where('owner_type', '=', 'hazard')
        .where('owner_id', '=', id)
        .execute();
      for (const photo of rows) photos.set(photo.id, photo);
    }
    let floorPlanFileId: string | null = null;
    if (row.place_id !== null) {
      const place = await this.db
        .selectFrom('place')
        .select('floor_plan_file_id')
        .where('id', '=', row.place_id)
        .executeTakeFirst();
      floorPlanFileId = place?.floor_plan_file_id ?? null;
    }
    const supervisingOrgPath = await this.supervisingOrgPath(this.db, row);
    return presentHazardDetail(
      row,
      timeline,
      photos,
      floorPlanFileId,
      this.commandsFor(auth, row, supervisingOrgPath),
      now,
    );
  }

  private async supervisingOrgPath(executor: Kysely<DB>, row: HazardRow): Promise<string | null> {
    if (row.supervising_org_id === null) return null;
    return (await this.org(executor, row.supervising_org_id))?.path ?? null;
  }

  /** The buttons the caller may press now. */
  commandsFor(auth: AuthContext, row: HazardRow, supervisingOrgPath: string | null): HazardCommand[] {
    const commands: HazardCommand[] = [];
    const actor = {
      isResponsible: row.responsible_user_id === auth.userId,
      isSupervisor: isSupervisorOf(auth, { ...this.supervisorFacts(row), supervisingOrgPath }),
    };
    for (const action of HAZARD_ACTIONS) {
      if (!can(auth, COMMAND_PERMISSION[action])) continue;
      if (!this.mayWrite(auth, row, action)) continue;
      if (transition(this.facts(row), action, actor).ok) commands.push(action);
    }
    if (can(auth, 'hazard.supervise') && isBureau(auth) && isOpen(row.state as HazardState)) {
      if (inScope(auth, row.org_path) && (!supervisingOrgPath || isWithin(supervisingOrgPath, auth.scopePath))) {
        commands.push('supervise');
      }
    }
    if (can(auth, 'hazard.assign') && !isBureau(auth) && row.supervised && isOpen(row.state as HazardState)) {
      if (inScope(auth, row.org_path)) commands.push('progress');
    }
    return commands;
  }

  /** Writes other than rectify need the hazard inside the caller's scope; rectify needs the responsible person. */
  private mayWrite(auth: AuthContext, row: HazardRow, action: HazardAction): boolean {
    if (action === 'rectify') return canSeeHazard(auth, row);
    return inScope(auth, row.org_path);
  }

  private facts(row: HazardRow) {
    return { state: row.state as HazardState, grade: row.grade as never, supervised: row.supervised };
  }

  private supervisorFacts(row: HazardRow) {
    return { supervised: row.supervised, grade: row.grade, orgPath: row.org_path };
  }

  private alertColumns(row: Pick<HazardRow, 'state' | 'deadline'> & Partial<HazardRow>, reset: boolean) {
    const facts = {
      state: row.state as HazardState,
      deadline: row.deadline ?? null,
      remindedAt: reset ? null : (row.reminded_at ?? null),
      overdueNotifiedAt: reset ? null : (row.overdue_notified_at ?? null),
      escalationLevel: reset ? 0 : (row.escalation_level ?? 0),
    };
    return {
      ...(reset ? { reminded_at: null, overdue_notified_at: null, escalation_level: 0, escalated_at: null } : {}),
      next_alert_at: nextAlertAt(facts, this.policy),
    };
  }

  // ---------------------------------------------------------------------------------------------- create

  /** Reports a hazard; returns its id. Runs inside the caller's transaction. */
  async create(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    input: CreateHazardBody,
    now = new Date(),
  ): Promise<number> {
    return (await this.report(trx, auth, actor, input, now)).id;
  }

  /**
   * Reports a hazard and returns its id with the detail page's view of it, built from what the write returned
   * (no second read). Without photos it is one statement, atomic by itself. Reports with photos return no
   * detail: the route reads it afterwards.
   */
  async report(
    executor: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    input: CreateHazardBody,
    now = new Date(),
  ): Promise<ReportedHazard> {
    const prepared = await this.prepareReport(executor, { auth, actor, input, now });
    const [row] = await this.writeReports(executor, [prepared]);
    return this.finishReport(executor, prepared, row);
  }

  /**
   * Checks a report before writing. A place and photos are checked against the unit here; a plain report
   * (`isPlain`) needs no database read: its unit (exists, in scope, a school or department) is checked inside the
   * statement that writes it, and only a refused one is looked at again to say why (`finishReport`).
   */
  async prepareReport(executor: Kysely<DB>, report: HazardReport): Promise<PreparedReport> {
    const { auth, input, now } = report;
    const foundAt = input.foundAt ? new Date(input.foundAt) : now;
    if (foundAt.getTime() > now.getTime() + CLOCK_SKEW_MS || foundAt.getTime() < now.getTime() - FOUND_AT_MAX_AGE_MS) {
      throw new AppError(400, 'hazard_found_at_invalid');
    }
    const planX = input.planX ?? null;
    const planY = input.planY ?? null;
    if ((planX === null) !== (planY === null)) throw new AppError(400, 'place_plan_invalid');
    if (planX !== null && input.placeId == null) throw new AppError(400, 'place_plan_invalid');
    const photoIds = input.photoIds ?? [];
    let floorPlanFileId: string | null = null;
    if (!isPlainReport(input)) {
      const unit = await this.reportingUnit(executor, auth, input.orgId);
      if (input.placeId != null) {
        const place = await executor
          .selectFrom('place')
          .select(['org_id', 'floor_plan_file_id'])
          .where('id', '=', input.placeId)
          .executeTakeFirst();
        if (!place || place.org_id !== pathIds(unit.path)[3]) throw new AppError(400, 'hazard_place_invalid');
        if (planX !== null && place.floor_plan_file_id === null) throw new AppError(400, 'place_plan_invalid');
        floorPlanFileId = place.floor_plan_file_id;
      }
      await this.checkPhotos(executor, photoIds);
    }
    // A bureau reporting inside a school is a spot check (督导检查): the school owns the hazard, the bureau supervises it.
    const spotCheck = isBureau(auth);
    return {
      ...report,
      foundAt,
      planX,
      planY,
      photoIds,
      floorPlanFileId,
      spotCheck,
      description: input.description?.trim() ? input.description : null,
    };
  }

  /**
   * Writes reports — one, or several made at the same moment by different people (the report route's batches) —
   * in one statement: per report the hazard, its first timeline step, the security officers' inbox rows, the
   * realtime events (NOTIFYed at commit, all in one notification), the audit row and the names the page shows.
   * Returns each report's row, or undefined for a report whose unit the statement refused or whose
   * Idempotency-Key was already taken.
   */
  async writeReports(executor: Kysely<DB>, reports: readonly PreparedReport[]): Promise<(WrittenReport | undefined)[]> {
    const column = <T>(pick: (report: PreparedReport, index: number) => T) => reports.map(pick);
    const written = await sql<WrittenReport & { ordinal: number; notified: unknown }>`
      WITH input AS (
        SELECT * FROM unnest(
          ${column((_, index) => index)}::integer[], ${column((r) => r.input.orgId)}::integer[],
          ${column((r) => r.auth.scopePath)}::text[], ${column((r) => r.input.title)}::text[],
          ${column((r) => r.description)}::text[], ${column((r) => r.input.category)}::text[],
          ${column((r) => r.input.placeId ?? null)}::integer[], ${column((r) => r.planX)}::numeric[],
          ${column((r) => r.planY)}::numeric[], ${column((r) => (r.spotCheck ? 'spot_check' : 'report'))}::text[],
          ${column((r) => r.auth.userId)}::integer[], ${column((r) => r.foundAt)}::timestamptz[],
          ${column((r) => r.spotCheck)}::boolean[],
          ${column((r) => (r.spotCheck ? r.auth.activeOrg.id : null))}::integer[],
          ${column((r) => (r.spotCheck ? r.now : null))}::timestamptz[],
          ${column((r) => `YH${r.foundAt.getUTCFullYear()}`)}::text[],
          ${column((r) => JSON.stringify(r.photoIds))}::jsonb[],
          ${column((r) => `新上报隐患：${r.input.title}`)}::text[],
          ${column((r) => r.now)}::timestamptz[], ${column((r) => r.actor.actorId)}::integer[],
          ${column((r) => r.actor.actorName)}::text[], ${column((r) => r.actor.ip)}::text[],
          ${column((r) => JSON.stringify(auditSummaryOf(r)))}::jsonb[],
          ${column((r) => r.idempotency?.key ?? null)}::text[],
          ${column((r) => r.idempotency?.requestHash ?? null)}::text[]
        ) AS input(ordinal, org_id, scope_path, title, description, category, place_id, plan_x, plan_y, source,
          reported_by, reported_at, supervised, supervising_org_id, supervised_at, code_prefix, photo_ids,
          notification_title, audit_at, actor_id, actor_name, ip, audit_after, idempotency_key, request_hash)
      ),
      n AS (
        SELECT input.*, nextval(pg_get_serial_sequence('hazard', 'id'))::integer AS id, unit.path AS unit_path,
          unit.level AS unit_level, unit.id AS unit_id
        FROM input JOIN org_unit unit ON unit.id = input.org_id
        WHERE unit.level IN ('school', 'department') AND starts_with(unit.path, input.scope_path)
      ),
      -- A key already taken (a retry, a double tap) writes nothing here; the route answers it as runIdempotent does.
      claimed AS (
        INSERT INTO idempotency_key (user_id, key, route, request_hash, status, response)
        SELECT reported_by, idempotency_key, 'POST /hazards', request_hash, 200, to_jsonb(id)
        FROM n WHERE idempotency_key IS NOT NULL
        ON CONFLICT (user_id, key) DO NOTHING
        RETURNING (response #>> '{}')::integer AS id
      ),
      h AS (
        INSERT INTO hazard (id, code, org_path, province_id, city_id, county_id, school_id, department_id, title,
          description, category, place_id, plan_x, plan_y, source, reported_by, reported_at, supervised,
          supervising_org_id, supervised_at)
        SELECT id, code_prefix || lpad(id::text, 7, '0'), unit_path,
          split_part(unit_path, '/', 2)::integer, split_part(unit_path, '/', 3)::integer,
          split_part(unit_path, '/', 4)::integer, split_part(unit_path, '/', 5)::integer,
          CASE WHEN unit_level = 'department' THEN unit_id END, title, description, category, place_id, plan_x,
          plan_y, source, reported_by, reported_at, supervised, supervising_org_id, supervised_at
        FROM n
        WHERE idempotency_key IS NULL OR id IN (SELECT id FROM claimed)
        RETURNING *
      ),
      t AS (
        INSERT INTO timeline_event (record_type, record_id, org_path, actor_id, action, from_state, to_state, note, data)
        SELECT 'hazard', h.id, h.org_path, h.reported_by, 'report', NULL, 'reported', h.description,
          jsonb_build_object('photoIds', n.photo_ids, 'category', h.category, 'source', h.source)
        FROM h JOIN n USING (id)
        RETURNING id, at, record_id
      ),
      inbox AS (
        INSERT INTO notification (user_id, kind, title, body, link, org_path)
        SELECT DISTINCT role_assignment.user_id, 'hazard.reported', n.notification_title, NULL::text,
          '/hazards/' || h.id, h.org_path
        FROM h JOIN n USING (id), role_assignment JOIN app_user ON app_user.id = role_assignment.user_id
        WHERE role_assignment.org_id = h.school_id AND role_assignment.role = 'school_security'
          AND NOT app_user.disabled AND role_assignment.user_id <> h.reported_by
        RETURNING id, user_id, kind, title, link
      ),
      events AS (
        INSERT INTO realtime_event (type, org_path, user_id, payload)
        SELECT 'notification', NULL, inbox.user_id,
          jsonb_build_object('id', inbox.id, 'kind', inbox.kind, 'title', inbox.title, 'link', inbox.link)
        FROM inbox
        UNION ALL
        SELECT 'hazard.changed', h.org_path, NULL, jsonb_build_object('id', h.id, 'state', 'reported', 'action', 'report')
        FROM h
        RETURNING id, type, org_path, user_id, payload, at
      ),
      ${auditCtes(
        {
          at: sql`n.audit_at`,
          actorId: sql`n.actor_id`,
          actorName: sql`n.actor_name`,
          ip: sql`n.ip`,
          action: 'hazard.create',
          targetType: 'hazard',
          targetId: sql`h.id`,
          orgPath: sql`h.org_path`,
          detail: sql`jsonb_build_object('after', n.audit_after || jsonb_build_object('code', h.code))`,
        },
        sql`h JOIN n USING (id)`,
      )}
      SELECT h.*, n.ordinal,
        (SELECT name FROM org_unit WHERE id = h.school_id) AS school_name,
        (SELECT name FROM org_unit WHERE id = h.department_id) AS department_name,
        (SELECT name FROM place WHERE id = h.place_id) AS place_name,
        (SELECT display_name FROM app_user WHERE id = h.reported_by) AS reporter_name,
        NULL::text AS responsible_name,
        (SELECT name FROM org_unit WHERE id = h.supervising_org_id) AS supervising_org_name,
        t.id AS timeline_id, t.at AS timeline_at,
        ${notifyStoredEvents(sql`events`)} AS notified
      FROM h JOIN n USING (id) JOIN t ON t.record_id = h.id`.execute(executor);
    const byOrdinal = new Map(written.rows.map(({ ordinal, notified: _, ...row }) => [ordinal, row] as const));
    return reports.map((_, index) => byOrdinal.get(index));
  }

  /**
   * After the write: a refused report gets its reason (404 outside the caller's scope, 400 for a bureau), photos
   * are attached, and the detail page's view is built from the written row.
   */
  async finishReport(
    executor: Kysely<DB>,
    report: PreparedReport,
    written: WrittenReport | undefined,
  ): Promise<ReportedHazard> {
    const { auth, now } = report;
    if (!written) {
      await this.reportingUnit(executor, auth, report.input.orgId);
      throw notFound();
    }
    const { timeline_id: timelineId, timeline_at: timelineAt, ...row } = written;
    const id = row.id;
    if (report.photoIds.length > 0) {
      await attachFiles(executor, auth, report.photoIds, { type: 'hazard', id, orgPath: row.org_path });
      return { id, detail: null };
    }
    const timeline: TimelineEvent[] = [
      {
        id: timelineId,
        at: iso(timelineAt)!,
        actorId: auth.userId,
        actorName: row.reporter_name,
        action: 'report',
        fromState: null,
        toState: 'reported',
        note: report.description,
        data: { photoIds: report.photoIds, category: row.category, source: row.source },
      },
    ];
    const supervisingOrgPath = report.spotCheck ? auth.activeOrg.path : null;
    return {
      id,
      detail: presentHazardDetail(
        row,
        timeline,
        new Map(),
        report.floorPlanFileId,
        this.commandsFor(auth, row, supervisingOrgPath),
        now,
      ),
    };
  }

  /** The school or department a report is made in: 404 outside the caller's scope, 400 for a bureau. */
  async reportingUnit(executor: Kysely<DB>, auth: AuthContext, orgId: number) {
    const unit = await this.org(executor, orgId);
    if (!unit || !inScope(auth, unit.path)) throw notFound();
    if (unit.level !== 'school' && unit.level !== 'department') throw new AppError(400, 'hazard_org_not_school');
    return unit;
  }

  /** Photos must be images the caller uploaded and has not attached yet (attachFiles checks the rest). */
  private async checkPhotos(trx: Kysely<DB>, photoIds: string[]): Promise<void> {
    if (photoIds.length === 0) return;
    const files = await trx
      .selectFrom('stored_file')
      .select(['id', 'mime'])
      .where('id', 'in', [...new Set(photoIds)])
      .execute();
    if (files.some((file) => !file.mime.startsWith('image/'))) throw new AppError(400, 'hazard_photo_not_image');
  }

  // ---------------------------------------------------------------------------------------------- commands

  /** Applies one command inside the caller's transaction; the route renders the detail afterwards. */
  async act<C extends HazardCommand>(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    command: C,
    body: CommandBody<C>,
    now = new Date(),
  ): Promise<number> {
    const before = await this.queries.forUpdate(trx, id);
    if (!before || !canSeeHazard(auth, before)) throw notFound();
    const supervisingOrgPath = await this.supervisingOrgPath(trx, before);
    let changes: Partial<Record<keyof HazardTable, unknown>>;
    let note: string | null = null;
    let data: Record<string, unknown> = {};
    let toState = before.state as HazardState;

    if (command === 'supervise' || command === 'progress') {
      ({ changes, note, data } = await this.applySupervision(
        trx,
        auth,
        before,
        supervisingOrgPath,
        command,
        body,
        now,
      ));
    } else {
      const action = command as HazardAction;
      if (!this.mayWrite(auth, before, action)) throw notFound();
      const result = transition(this.facts(before), action, {
        isResponsible: before.responsible_user_id === auth.userId,
        isSupervisor: isSupervisorOf(auth, { ...this.supervisorFacts(before), supervisingOrgPath }),
      });
      if (!result.ok) throw new AppError(409, result.code);
      toState = result.next;
      ({ changes, note, data } = await this.applyAction(trx, auth, before, action, body as never, now));
    }

    const deadline = (changes.deadline as Date | undefined) ?? before.deadline;
    const resetAlerts = changes.deadline !== undefined || toState !== before.state;
    const after = await trx
      .updateTable('hazard')
      .set({
        ...(changes as Partial<HazardRow>),
        state: toState,
        ...this.alertColumns({ ...before, state: toState, deadline }, resetAlerts && changes.deadline !== undefined),
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendTimeline(trx, {
      recordType: 'hazard',
      recordId: id,
      orgPath: before.org_path,
      actorId: auth.userId,
      action: command,
      fromState: before.state,
      toState,
      note,
      data,
    });
    await this.announce(trx, auth, after, command);
    // Last, as in create: the audit chain's lock is held only until the commit.
    await appendAudit(trx, actor, {
      action: `hazard.${command}`,
      targetType: 'hazard',
      targetId: id,
      orgPath: before.org_path,
      detail: { before: hazardSummaryForAudit(before), after: hazardSummaryForAudit(after) },
    });
    return id;
  }

  private async applyAction(
    trx: Kysely<DB>,
    auth: AuthContext,
    before: HazardRow,
    action: HazardAction,
    body: Record<string, unknown>,
    now: Date,
  ): Promise<{
    changes: Partial<Record<keyof HazardTable, unknown>>;
    note: string | null;
    data: Record<string, unknown>;
  }> {
    switch (action) {
      case 'confirm': {
        const input = body as CommandBody<'confirm'>;
        return {
          changes: { grade: input.grade, risk_level: input.riskLevel },
          note: input.note?.trim() || null,
          data: { grade: input.grade, riskLevel: input.riskLevel },
        };
      }
      case 'reject': {
        const input = body as CommandBody<'reject'>;
        return { changes: { reject_reason: input.reason }, note: input.reason, data: {} };
      }
      case 'assign': {
        const input = body as CommandBody<'assign'>;
        const deadline = this.futureDeadline(input.deadline, now);
        const responsible = await this.responsiblePerson(trx, before, input.responsibleUserId);
        return {
          changes: {
            responsible_unit: input.responsibleUnit,
            responsible_user_id: input.responsibleUserId,
            measures: input.measures,
            funds: input.funds ?? null,
            deadline,
            interim_measures: input.interimMeasures,
          },
          note: input.note?.trim() || null,
          data: {
            responsibleUnit: input.responsibleUnit,
            responsibleUserId: input.responsibleUserId,
            responsibleUserName: responsible.display_name,
            measures: input.measures,
            funds: input.funds ?? null,
            deadline: deadline.toISOString(),
            interimMeasures: input.interimMeasures,
          },
        };
      }
      case 'rectify': {
        const input = body as CommandBody<'rectify'>;
        const photoIds = input.photoIds ?? [];
        await this.checkPhotos(trx, photoIds);
        await attachFiles(trx, auth, photoIds, { type: 'hazard', id: before.id, orgPath: before.org_path });
        return {
          changes: { rectification_note: input.note, rectified_at: now },
          note: input.note,
          data: { photoIds },
        };
      }
      case 'verify': {
        const input = body as CommandBody<'verify'>;
        return { changes: { closed_at: now, closed_by: auth.userId }, note: input.note?.trim() || null, data: {} };
      }
      case 'return': {
        const input = body as CommandBody<'return'>;
        const deadline = this.futureDeadline(input.deadline, now);
        return { changes: { deadline }, note: input.reason, data: { deadline: deadline.toISOString() } };
      }
      case 'reopen': {
        const input = body as CommandBody<'reopen'>;
        return {
          changes: { closed_at: null, closed_by: null, reject_reason: null },
          note: input.reason,
          data: {},
        };
      }
    }
  }

  private async applySupervision(
    trx: Kysely<DB>,
    auth: AuthContext,
    before: HazardRow,
    supervisingOrgPath: string | null,
    command: 'supervise' | 'progress',
    body: unknown,
    now: Date,
  ): Promise<{
    changes: Partial<Record<keyof HazardTable, unknown>>;
    note: string | null;
    data: Record<string, unknown>;
  }> {
    if (!inScope(auth, before.org_path)) throw notFound();
    if (!isOpen(before.state as HazardState)) throw new AppError(409, 'hazard_action_not_allowed');
    if (command === 'supervise') {
      if (!isBureau(auth)) throw new AppError(403, 'forbidden');
      // A higher bureau may take over; a lower or sibling one may not overrule it.
      if (supervisingOrgPath && !isWithin(supervisingOrgPath, auth.scopePath)) {
        throw new AppError(409, 'hazard_already_supervised');
      }
      const input = body as CommandBody<'supervise'>;
      const deadline = this.futureDeadline(input.deadline, now);
      return {
        changes: {
          supervised: true,
          supervising_org_id: auth.activeOrg.id,
          supervision_deadline: deadline,
          supervision_requirements: input.requirements,
          supervised_at: now,
        },
        note: input.requirements,
        data: { supervisingOrgName: auth.activeOrg.name, deadline: deadline.toISOString() },
      };
    }
    if (isBureau(auth)) throw new AppError(403, 'forbidden');
    if (!before.supervised) throw new AppError(409, 'hazard_not_supervised');
    const input = body as CommandBody<'progress'>;
    const photoIds = input.photoIds ?? [];
    await this.checkPhotos(trx, photoIds);
    await attachFiles(trx, auth, photoIds, { type: 'hazard', id: before.id, orgPath: before.org_path });
    return { changes: {}, note: input.note, data: { photoIds } };
  }

  private futureDeadline(value: string, now: Date): Date {
    const deadline = new Date(value);
    if (!isValidDeadline(deadline, now)) throw new AppError(400, 'hazard_deadline_past');
    return deadline;
  }

  /** The responsible person works in the hazard's school (any of its departments) and can sign in. */
  private async responsiblePerson(trx: Kysely<DB>, hazard: HazardRow, userId: number) {
    const schoolPath = schoolPathOf(hazard.org_path)!;
    const user = await trx
      .selectFrom('app_user')
      .innerJoin('role_assignment', 'role_assignment.user_id', 'app_user.id')
      .select(['app_user.id', 'app_user.display_name'])
      .where('app_user.id', '=', userId)
      .where('app_user.disabled', '=', false)
      .where('role_assignment.org_path', 'like', `${schoolPath}%`)
      .where('role_assignment.role', 'not in', ['system_admin', 'security_admin', 'audit_admin'])
      .executeTakeFirst();
    if (!user) throw new AppError(400, 'hazard_responsible_invalid');
    return user;
  }

  /** Tells the people the step concerns, in the inbox and on the realtime stream. */
  private async announce(trx: Kysely<DB>, auth: AuthContext, hazard: HazardRow, command: HazardCommand) {
    const link = `/hazards/${hazard.id}`;
    const others = (ids: (number | null)[]) =>
      ids.filter((userId): userId is number => userId !== null && userId !== auth.userId);
    const security = () => this.queries.usersWithRole(trx, hazard.school_id, ['school_security']);
    const bureau = (orgId: number | null) =>
      orgId === null ? Promise.resolve([]) : this.queries.usersWithRole(trx, orgId, ['bureau_officer']);
    const send = async (userIds: (number | null)[], kind: string, title: string) =>
      notify(trx, { userIds: others(userIds), kind, title, link, orgPath: hazard.org_path });
    switch (command) {
      case 'confirm':
        if (hazard.grade === 'major')
          await send(await bureau(hazard.county_id), 'hazard.major', `重大隐患：${hazard.title}`);
        break;
      case 'assign':
        await send([hazard.responsible_user_id], 'hazard.assigned', `请整改隐患：${hazard.title}`);
        break;
      case 'rectify': {
        const verifiers = needsSupervisorVerification({
          grade: hazard.grade as never,
          supervised: hazard.supervised,
        })
          ? await bureau(hazard.supervising_org_id ?? hazard.county_id)
          : await security();
        await send(verifiers, 'hazard.rectified', `隐患已整改，待验收：${hazard.title}`);
        break;
      }
      case 'verify':
        await send(
          [hazard.responsible_user_id, hazard.reported_by],
          'hazard.closed',
          `隐患已验收销号：${hazard.title}`,
        );
        break;
      case 'return':
        await send([hazard.responsible_user_id], 'hazard.returned', `隐患整改未通过验收，请重新整改：${hazard.title}`);
        break;
      case 'reopen':
        await send(
          [hazard.responsible_user_id, ...(await security())],
          'hazard.reopened',
          `隐患已重新打开：${hazard.title}`,
        );
        break;
      case 'supervise': {
        const school = await this.queries.usersWithRole(trx, hazard.school_id, ['school_security', 'school_leader']);
        await send(school, 'hazard.supervised', `隐患被挂牌督办：${hazard.title}`);
        break;
      }
      case 'progress':
        await send(await bureau(hazard.supervising_org_id), 'hazard.progress', `督办隐患整改进展：${hazard.title}`);
        break;
      default:
        break;
    }
    await publish(trx, {
      type: 'hazard.changed',
      orgPath: hazard.org_path,
      payload: { id: hazard.id, state: hazard.state, action: command },
    });
  }

  /** Which level column of the root decides the per-child breakdown. */
  static childColumn(level: OrgLevel): 'city_id' | 'county_id' | 'school_id' | 'department_id' {
    switch (level) {
      case 'province':
        return 'city_id';
      case 'city':
        return 'county_id';
      case 'county':
        return 'school_id';
      default:
        return 'department_id';
    }
  }

  static levelColumn = LEVEL_COLUMN;
}
