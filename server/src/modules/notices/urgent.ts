import {
  type CreateUrgentReportBody,
  escalationStep,
  type ListUrgentReportsQuery,
  type OrgLevel,
  pathIds,
  URGENT_SEVERITY_LABELS,
  type UrgentFollowupBody,
  type UrgentMinutesTable,
  type UrgentReportDetail,
  type UrgentReportSummary,
  type UrgentSeverity,
  urgentDeadlines,
} from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { notify } from '../../platform/notifications.js';
import { decodeCursor, iso, type Page, toPage } from '../../platform/pagination.js';
import { publish } from '../../platform/realtime.js';
import { inScope } from '../../platform/scope.js';

/** Who is told at the bureau that must acknowledge. */
const BUREAU_ROLES = ['bureau_officer'];
const BUREAU_LEVELS: OrgLevel[] = ['province', 'city', 'county'];

export interface UrgentRow {
  id: number;
  school_id: number;
  org_path: string;
  org_name: string;
  category: string;
  severity: string;
  occurred_at: Date;
  place: string;
  description: string;
  measures: string;
  deaths: number;
  injuries: number;
  missing: number;
  phoned: boolean;
  reported_at: Date;
  reported_by_name: string;
  written_by: Date;
  phone_by: Date | null;
  late: boolean;
  state: string;
  handling_level: string;
  handling_org_name: string;
  escalation_level: number;
  acknowledge_by: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by_name: string | null;
  acknowledged_org_name: string | null;
  acknowledge_note: string | null;
  followup_count: number;
}

export function urgentCode(id: number, reportedAt: Date): string {
  return `XB${reportedAt.toISOString().slice(0, 10).replaceAll('-', '')}-${String(id).padStart(5, '0')}`;
}

export function presentUrgent(row: UrgentRow, now = new Date()): UrgentReportSummary {
  return {
    id: row.id,
    code: urgentCode(row.id, row.reported_at),
    orgId: row.school_id,
    orgName: row.org_name,
    orgPath: row.org_path,
    category: row.category as UrgentReportSummary['category'],
    severity: row.severity as UrgentSeverity,
    occurredAt: iso(row.occurred_at)!,
    place: row.place,
    state: row.state as UrgentReportSummary['state'],
    reportedAt: iso(row.reported_at)!,
    reportedByName: row.reported_by_name,
    writtenBy: iso(row.written_by)!,
    acknowledgeBy: iso(row.acknowledge_by),
    late: row.late,
    overdue: row.state === 'pending' && row.acknowledge_by !== null && row.acknowledge_by.getTime() < now.getTime(),
    handlingLevel: row.handling_level as OrgLevel,
    handlingOrgName: row.handling_org_name,
    escalationLevel: row.escalation_level,
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedByName: row.acknowledged_by_name,
    acknowledgedOrgName: row.acknowledged_org_name,
    deaths: row.deaths,
    injuries: row.injuries,
    missing: row.missing,
    followupCount: row.followup_count,
  };
}

export class UrgentReportService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly minutes: UrgentMinutesTable,
  ) {}

  private query(executor: Kysely<DB>) {
    return executor
      .selectFrom('urgent_report as u')
      .innerJoin('org_unit as school', 'school.id', 'u.school_id')
      .innerJoin('org_unit as handler', 'handler.id', 'u.handling_org_id')
      .innerJoin('app_user as reporter', 'reporter.id', 'u.reported_by')
      .leftJoin('app_user as acker', 'acker.id', 'u.acknowledged_by')
      .leftJoin('org_unit as ack_org', 'ack_org.id', 'u.acknowledged_org_id')
      .select([
        'u.id',
        'u.school_id',
        'u.org_path',
        'school.name as org_name',
        'u.category',
        'u.severity',
        'u.occurred_at',
        'u.place',
        'u.description',
        'u.measures',
        'u.deaths',
        'u.injuries',
        'u.missing',
        'u.phoned',
        'u.reported_at',
        'reporter.display_name as reported_by_name',
        'u.written_by',
        'u.phone_by',
        'u.late',
        'u.state',
        'u.handling_level',
        'handler.name as handling_org_name',
        'u.escalation_level',
        'u.acknowledge_by',
        'u.acknowledged_at',
        'acker.display_name as acknowledged_by_name',
        'ack_org.name as acknowledged_org_name',
        'u.acknowledge_note',
        'u.followup_count',
      ]);
  }

  private async load(executor: Kysely<DB>, auth: AuthContext, id: number): Promise<UrgentRow> {
    const row = await this.query(executor).where('u.id', '=', id).executeTakeFirst();
    if (!row || !inScope(auth, row.org_path)) throw notFound();
    return row as UrgentRow;
  }

  async create(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    body: CreateUrgentReportBody,
    now = new Date(),
  ): Promise<number> {
    const school = await trx
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'name'])
      .where('id', '=', body.orgId)
      .executeTakeFirst();
    if (!school || !inScope(auth, school.path)) throw notFound();
    if (school.level !== 'school') throw badRequest('urgent_report_school_only');
    const occurredAt = new Date(body.occurredAt);
    if (occurredAt.getTime() > now.getTime() + 5 * 60_000) throw badRequest('urgent_report_occurred_future');
    const countyId = pathIds(school.path)[2];
    if (countyId === undefined) throw badRequest('urgent_report_school_only');
    const deadlines = urgentDeadlines(body.severity, occurredAt, now, this.minutes);
    const row = await trx
      .insertInto('urgent_report')
      .values({
        school_id: school.id,
        org_path: school.path,
        category: body.category,
        severity: body.severity,
        occurred_at: occurredAt,
        place: body.place,
        description: body.description,
        measures: body.measures,
        deaths: body.deaths,
        injuries: body.injuries,
        missing: body.missing,
        phoned: body.phoned,
        reported_by: auth.userId,
        reported_at: now,
        written_by: deadlines.writtenBy,
        phone_by: deadlines.phoneBy,
        late: deadlines.late,
        handling_org_id: countyId,
        handling_level: 'county',
        acknowledge_by: deadlines.acknowledgeBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, {
      action: 'urgent_report.create',
      targetType: 'urgent_report',
      targetId: row.id,
      orgPath: school.path,
      detail: { severity: body.severity, category: body.category, late: deadlines.late },
    });
    await this.announce(trx, row.id, school.path, 'urgent_report.raised', body.severity, 'county');
    await this.tellBureau(
      trx,
      countyId,
      row.id,
      `${school.name}报送${URGENT_SEVERITY_LABELS[body.severity]}突发事件信息`,
    );
    return row.id;
  }

  private async announce(
    executor: Kysely<DB>,
    id: number,
    orgPath: string,
    type: string,
    severity: string,
    level: string,
  ): Promise<void> {
    // Titles and descriptions stay out of the event: it reaches every report.read holder in scope.
    await publish(executor, { type, orgPath, payload: { id, severity, handlingLevel: level } });
  }

  private async tellBureau(executor: Kysely<DB>, orgId: number, id: number, title: string): Promise<void> {
    const users = await executor
      .selectFrom('role_assignment')
      .innerJoin('app_user', 'app_user.id', 'role_assignment.user_id')
      .select('role_assignment.user_id')
      .distinct()
      .where('role_assignment.org_id', '=', orgId)
      .where('role_assignment.role', 'in', BUREAU_ROLES)
      .where('app_user.disabled', '=', false)
      .execute();
    await notify(executor, {
      userIds: users.map((user) => user.user_id),
      kind: 'urgent_report',
      title,
      body: '请及时签收。',
      link: `/notices/urgent/${id}`,
    });
  }

  async followup(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number, body: UrgentFollowupBody) {
    const report = await trx
      .selectFrom('urgent_report')
      .select(['id', 'org_path', 'severity', 'handling_level'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!report || !inScope(auth, report.org_path)) throw notFound();
    await trx
      .insertInto('urgent_report_followup')
      .values({
        report_id: id,
        org_path: report.org_path,
        text: body.text,
        deaths: body.deaths ?? null,
        injuries: body.injuries ?? null,
        missing: body.missing ?? null,
        created_by: auth.userId,
      })
      .execute();
    await trx
      .updateTable('urgent_report')
      .set((eb) => ({
        followup_count: eb('followup_count', '+', 1),
        ...(body.deaths === undefined ? {} : { deaths: body.deaths }),
        ...(body.injuries === undefined ? {} : { injuries: body.injuries }),
        ...(body.missing === undefined ? {} : { missing: body.missing }),
      }))
      .where('id', '=', id)
      .execute();
    await appendAudit(trx, actor, {
      action: 'urgent_report.followup',
      targetType: 'urgent_report',
      targetId: id,
      orgPath: report.org_path,
      detail: { deaths: body.deaths, injuries: body.injuries, missing: body.missing },
    });
    await this.announce(trx, id, report.org_path, 'urgent_report.followup', report.severity, report.handling_level);
  }

  async acknowledge(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    note: string | null | undefined,
    now = new Date(),
  ) {
    const report = await trx
      .selectFrom('urgent_report')
      .select(['id', 'org_path', 'state', 'severity', 'handling_level', 'acknowledge_by'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!report || !inScope(auth, report.org_path)) throw notFound();
    if (!BUREAU_LEVELS.includes(auth.activeOrg.level)) throw notFound();
    if (report.state !== 'pending') throw conflict('urgent_report_acknowledged');
    await trx
      .updateTable('urgent_report')
      .set({
        state: 'acknowledged',
        acknowledged_at: now,
        acknowledged_by: auth.userId,
        acknowledged_org_id: auth.activeOrg.id,
        acknowledge_note: note ?? null,
        acknowledge_by: null,
      })
      .where('id', '=', id)
      .execute();
    await appendAudit(trx, actor, {
      action: 'urgent_report.acknowledge',
      targetType: 'urgent_report',
      targetId: id,
      orgPath: report.org_path,
      detail: {
        level: auth.activeOrg.level,
        overdue: report.acknowledge_by !== null && report.acknowledge_by.getTime() < now.getTime(),
      },
    });
    await this.announce(trx, id, report.org_path, 'urgent_report.acknowledged', report.severity, report.handling_level);
  }

  async detail(auth: AuthContext, id: number, now = new Date()): Promise<UrgentReportDetail> {
    const row = await this.load(this.db, auth, id);
    const followups = await this.db
      .selectFrom('urgent_report_followup as f')
      .innerJoin('app_user', 'app_user.id', 'f.created_by')
      .select([
        'f.id',
        'f.text',
        'f.deaths',
        'f.injuries',
        'f.missing',
        'f.created_at',
        'app_user.display_name as created_by_name',
      ])
      .where('f.report_id', '=', id)
      .orderBy('f.id')
      .execute();
    return {
      ...presentUrgent(row, now),
      description: row.description,
      measures: row.measures,
      phoned: row.phoned,
      phoneBy: iso(row.phone_by),
      acknowledgeNote: row.acknowledge_note,
      followups: followups.map((f) => ({
        id: f.id,
        text: f.text,
        deaths: f.deaths,
        injuries: f.injuries,
        missing: f.missing,
        createdAt: iso(f.created_at)!,
        createdByName: f.created_by_name,
      })),
      canAcknowledge:
        row.state === 'pending' && can(auth, 'report.review') && BUREAU_LEVELS.includes(auth.activeOrg.level),
    };
  }

  private async filtered(auth: AuthContext, query: Omit<ListUrgentReportsQuery, 'limit' | 'cursor'>) {
    let root = auth.scopePath;
    if (query.orgId !== undefined) {
      const org = await this.db.selectFrom('org_unit').select('path').where('id', '=', query.orgId).executeTakeFirst();
      if (!org || !inScope(auth, org.path)) throw notFound();
      root = org.path;
    }
    let select = this.query(this.db).where('u.org_path', 'like', `${root}%`);
    if (query.severity) select = select.where('u.severity', '=', query.severity);
    if (query.state) select = select.where('u.state', '=', query.state);
    if (query.category) select = select.where('u.category', '=', query.category);
    if (query.from) select = select.where('u.occurred_at', '>=', new Date(query.from));
    if (query.to) select = select.where('u.occurred_at', '<', new Date(query.to));
    return { select, root };
  }

  async list(auth: AuthContext, query: ListUrgentReportsQuery): Promise<Page<UrgentReportSummary>> {
    let { select } = await this.filtered(auth, query);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, ['string', 'number']) as [string, number];
      const after = new Date(at);
      if (Number.isNaN(after.getTime())) throw badRequest('invalid_cursor');
      select = select.where((eb) =>
        eb.or([eb('u.occurred_at', '<', after), eb.and([eb('u.occurred_at', '=', after), eb('u.id', '<', id)])]),
      );
    }
    const rows = (await select
      .orderBy('u.occurred_at', 'desc')
      .orderBy('u.id', 'desc')
      .limit(query.limit + 1)
      .execute()) as UrgentRow[];
    const now = new Date();
    return toPage(
      rows,
      query.limit,
      (row) => presentUrgent(row, now),
      (row) => [row.occurred_at.toISOString(), row.id],
    );
  }

  /** Every matching report for the Excel export (at most 20,000, newest first). */
  async forExport(auth: AuthContext, query: Omit<ListUrgentReportsQuery, 'limit' | 'cursor'>) {
    const { select, root } = await this.filtered(auth, query);
    const rows = (await select
      .orderBy('u.occurred_at', 'desc')
      .orderBy('u.id', 'desc')
      .limit(20_001)
      .execute()) as UrgentRow[];
    const unit = await this.db
      .selectFrom('org_unit')
      .select(['id', 'name'])
      .where('path', '=', root)
      .executeTakeFirst();
    return { rows, root, unit };
  }

  /**
   * Escalates every pending report whose acknowledgement deadline has passed, one bureau up. Idempotent: the
   * update moves the deadline on (or clears it at the top), so a second run at the same instant finds nothing.
   */
  async sweepEscalations(db: Kysely<DB>, now: Date): Promise<number> {
    let escalated = 0;
    for (let round = 0; round < 20; round++) {
      const done = await db.transaction().execute(async (trx) => {
        const due = await trx
          .selectFrom('urgent_report')
          .select(['id', 'org_path', 'state', 'severity', 'handling_level', 'acknowledge_by', 'school_id'])
          .where('state', '=', 'pending')
          .where('acknowledge_by', '<=', now)
          .orderBy('acknowledge_by')
          .limit(200)
          .forUpdate()
          .skipLocked()
          .execute();
        for (const report of due) {
          const step = escalationStep(
            {
              state: 'pending',
              handlingLevel: report.handling_level as OrgLevel,
              dueAt: report.acknowledge_by,
              severity: report.severity as UrgentSeverity,
            },
            now,
            this.minutes,
          );
          if (!step) {
            await trx.updateTable('urgent_report').set({ acknowledge_by: null }).where('id', '=', report.id).execute();
            continue;
          }
          const ids = pathIds(report.org_path);
          const target = step.toLevel === 'city' ? ids[1] : ids[0];
          if (target === undefined) continue;
          await trx
            .updateTable('urgent_report')
            .set((eb) => ({
              handling_org_id: target,
              handling_level: step.toLevel,
              escalation_level: eb('escalation_level', '+', 1),
              escalated_at: now,
              acknowledge_by: step.nextDueAt,
            }))
            .where('id', '=', report.id)
            .execute();
          await this.announce(
            trx,
            report.id,
            report.org_path,
            'urgent_report.escalated',
            report.severity,
            step.toLevel,
          );
          const school = await trx
            .selectFrom('org_unit')
            .select('name')
            .where('id', '=', report.school_id)
            .executeTakeFirst();
          await this.tellBureau(
            trx,
            target,
            report.id,
            `${school?.name ?? ''}报送的${URGENT_SEVERITY_LABELS[report.severity as UrgentSeverity]}突发事件信息逾期未签收，已上报`,
          );
          escalated++;
        }
        return due.length;
      });
      if (done < 200) break;
    }
    return escalated;
  }
}
