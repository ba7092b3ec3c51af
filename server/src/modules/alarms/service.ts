import {
  ALARM_KINDS,
  type AlarmAction,
  type AlarmCommand,
  type AlarmCounts,
  type AlarmKind,
  type AlarmState,
  type AlarmToHazardBody,
  type AlarmToIncidentBody,
  type alarmActionBodies,
  alarmActionsFrom,
  alarmTransition,
  type CreateAlarmBody,
  type HelpRequestBody,
  isWithin,
  type OrgLevel,
  pathIds,
} from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.js';
import type { AlarmRow, AlarmTable } from '../../db/schema-devices.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import { type AuthContext, can } from '../../platform/auth-context.js';
import { endOfDay, formatDate, startOfDay } from '../../platform/dates.js';
import { AppError, notFound } from '../../platform/errors.js';
import { notify } from '../../platform/notifications.js';
import { publish } from '../../platform/realtime.js';
import { inScope } from '../../platform/scope.js';
import { appendTimeline, readTimeline } from '../../platform/timeline.js';
import type { HazardService } from '../hazards/service.js';
import { alarmForAudit, presentAlarmDetail } from './presenter.js';
import { AlarmQueries, type AlarmRoot } from './queries.js';
import { raiseAlarm } from './raise.js';

export interface AlarmPolicy {
  acknowledgeSeconds: number;
  arriveSeconds: number;
  timeZone: string;
}

type ActionBody<A extends AlarmAction> = z.infer<(typeof alarmActionBodies)[A]>;

const ADMIN_ROLES = ['system_admin', 'security_admin', 'audit_admin'];
/** The assignee acts on what was sent to them even without the school's whole queue. */
const ASSIGNEE_ACTIONS: AlarmAction[] = ['arrive', 'resolve'];

/** The path of the school a path lies in (depth 4), or null above schools. */
export function schoolPathOf(path: string): string | null {
  const ids = pathIds(path);
  return ids.length >= 4 ? `/${ids.slice(0, 4).join('/')}/` : null;
}

/** The caller acts inside the alarm's school (its staff, a department of it). */
function insideSchool(auth: AuthContext, alarm: Pick<AlarmRow, 'org_path'>): boolean {
  return isWithin(auth.scopePath, alarm.org_path);
}

/**
 * Who sees an alarm: readers (alarm.read) whose scope holds its school, the bureaus above; the person who
 * asked for help and the person it was sent to, while they act inside its school.
 */
export function canSeeAlarm(
  auth: AuthContext,
  alarm: Pick<AlarmRow, 'org_path' | 'reporter_id' | 'dispatched_to'>,
): boolean {
  if (can(auth, 'alarm.read') && inScope(auth, alarm.org_path)) return true;
  if (alarm.reporter_id !== auth.userId && alarm.dispatched_to !== auth.userId) return false;
  return insideSchool(auth, alarm);
}

function mayAct(auth: AuthContext, alarm: AlarmRow, action: AlarmAction): boolean {
  if (!can(auth, 'alarm.handle')) return false;
  if (inScope(auth, alarm.org_path)) return true;
  return alarm.dispatched_to === auth.userId && ASSIGNEE_ACTIONS.includes(action) && insideSchool(auth, alarm);
}

export class AlarmService {
  readonly queries: AlarmQueries;

  constructor(
    private readonly db: Kysely<DB>,
    readonly policy: AlarmPolicy,
    private readonly hazards: HazardService,
  ) {
    this.queries = new AlarmQueries(db);
  }

  private async org(executor: Kysely<DB>, id: number) {
    return executor
      .selectFrom('org_unit')
      .select(['id', 'path', 'level', 'name'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The unit a list covers: `orgId` or the caller's active org, in scope. */
  async root(auth: AuthContext, orgId: number | undefined): Promise<AlarmRoot & { name: string }> {
    const org = await this.org(this.db, orgId ?? auth.activeOrg.id);
    if (!org || !inScope(auth, org.path)) throw notFound();
    return { id: org.id, level: org.level as OrgLevel, path: org.path, name: org.name };
  }

  async get(auth: AuthContext, id: number) {
    const row = await this.queries.byId(id);
    if (!row || !canSeeAlarm(auth, row)) throw notFound();
    return row;
  }

  async detail(auth: AuthContext, id: number, now = new Date()) {
    const row = await this.get(auth, id);
    const timeline = await readTimeline(this.db, 'alarm', id);
    const incident =
      row.incident_id === null
        ? null
        : ((await this.db
            .selectFrom('incident')
            .select(['id', 'title', 'kind', 'description'])
            .where('id', '=', row.incident_id)
            .executeTakeFirst()) ?? null);
    return presentAlarmDetail(row, timeline, incident, this.commandsFor(auth, row), this.policy, now);
  }

  /** The buttons the caller may press now. */
  commandsFor(auth: AuthContext, row: AlarmRow): AlarmCommand[] {
    const commands: AlarmCommand[] = alarmActionsFrom(row.state as AlarmState).filter((action) =>
      mayAct(auth, row, action),
    );
    if (row.state === 'resolved' && can(auth, 'alarm.handle') && inScope(auth, row.org_path)) {
      if (row.hazard_id === null && can(auth, 'hazard.report')) commands.push('hazard');
      if (row.incident_id === null && row.false_alarm !== true) commands.push('incident');
    }
    return commands;
  }

  // ---------------------------------------------------------------------------------------------- create

  private async checkPlace(trx: Kysely<DB>, schoolId: number, placeId: number | null | undefined) {
    if (placeId == null) return null;
    const place = await trx.selectFrom('place').select(['org_id', 'name']).where('id', '=', placeId).executeTakeFirst();
    if (place?.org_id !== schoolId) throw new AppError(400, 'alarm_place_invalid');
    return place.name;
  }

  /** 接警登记: the duty officer enters an alarm reported by phone or in person. */
  async createManual(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, input: CreateAlarmBody): Promise<number> {
    const unit = await this.org(trx, input.orgId);
    if (!unit || !inScope(auth, unit.path)) throw notFound();
    if (unit.level !== 'school') throw new AppError(400, 'alarm_org_not_school');
    await this.checkPlace(trx, unit.id, input.placeId);
    const raised = await raiseAlarm(trx, {
      school: { id: unit.id, path: unit.path },
      source: 'manual',
      kind: input.kind,
      title: input.title.trim(),
      description: input.description?.trim() || null,
      placeId: input.placeId ?? null,
      locationText: input.locationText?.trim() || null,
      reporterId: auth.userId,
    });
    await appendAudit(trx, actor, {
      action: 'alarm.create',
      targetType: 'alarm',
      targetId: raised.id,
      orgPath: unit.path,
      detail: { code: raised.code, kind: input.kind, title: input.title },
    });
    return raised.id;
  }

  /** 师生求助 from the phone: the caller's school, where they are, optionally what happened. */
  async helpRequest(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, input: HelpRequestBody): Promise<number> {
    const schoolPath = schoolPathOf(auth.activeOrg.path);
    if (!schoolPath) throw new AppError(400, 'alarm_org_not_school');
    const schoolId = pathIds(schoolPath)[3]!;
    const placeName = await this.checkPlace(trx, schoolId, input.placeId);
    const where = input.locationText?.trim() || placeName || '手机定位位置';
    const raised = await raiseAlarm(trx, {
      school: { id: schoolId, path: schoolPath },
      source: 'help_request',
      kind: 'help_request',
      title: `师生求助：${where}`.slice(0, 120),
      description: input.description?.trim() || null,
      placeId: input.placeId ?? null,
      locationText: input.locationText?.trim() || null,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      reporterId: auth.userId,
    });
    await appendAudit(trx, actor, {
      action: 'alarm.help_request',
      targetType: 'alarm',
      targetId: raised.id,
      orgPath: schoolPath,
      detail: { code: raised.code, placeId: input.placeId ?? null, located: input.latitude != null },
    });
    const officers = await this.queries.usersWithRole(trx, schoolId, ['school_security']);
    await notify(trx, {
      userIds: officers.filter((userId) => userId !== auth.userId),
      kind: 'alarm.help_request',
      title: `师生求助：${where}`,
      link: `/command`,
      orgPath: schoolPath,
    });
    return raised.id;
  }

  // ---------------------------------------------------------------------------------------------- lifecycle

  async act<A extends AlarmAction>(
    trx: Kysely<DB>,
    auth: AuthContext,
    actor: AuditActor,
    id: number,
    action: A,
    body: ActionBody<A>,
    now = new Date(),
  ): Promise<number> {
    const before = await this.queries.forUpdate(trx, id);
    if (!before || !canSeeAlarm(auth, before)) throw notFound();
    if (!mayAct(auth, before, action)) {
      // A requester who sees their own help request may not handle it; anyone else out of scope learns nothing.
      if (inScope(auth, before.org_path) || before.dispatched_to === auth.userId) throw new AppError(403, 'forbidden');
      throw notFound();
    }
    const result = alarmTransition(before.state as AlarmState, action);
    if (!result.ok) throw new AppError(409, result.code);

    const changes: Partial<Record<keyof AlarmTable, unknown>> = { state: result.next, updated_at: now };
    let note: string | null = null;
    const data: Record<string, unknown> = {};
    switch (action) {
      case 'acknowledge': {
        const input = body as ActionBody<'acknowledge'>;
        changes.acknowledged_at = now;
        changes.acknowledged_by = auth.userId;
        note = input.note?.trim() || null;
        break;
      }
      case 'dispatch': {
        const input = body as ActionBody<'dispatch'>;
        const assignee = await this.assignee(trx, before, input.assigneeId);
        if (before.acknowledged_at === null) {
          changes.acknowledged_at = now;
          changes.acknowledged_by = auth.userId;
        }
        changes.dispatched_at = now;
        changes.dispatched_to = assignee.id;
        changes.dispatch_team = input.team?.trim() || null;
        // A re-dispatch starts the arrival clock again.
        changes.on_scene_at = null;
        note = input.note?.trim() || null;
        Object.assign(data, {
          assigneeId: assignee.id,
          assigneeName: assignee.display_name,
          team: changes.dispatch_team,
        });
        break;
      }
      case 'arrive': {
        const input = body as ActionBody<'arrive'>;
        changes.on_scene_at = now;
        note = input.note?.trim() || null;
        break;
      }
      case 'resolve': {
        const input = body as ActionBody<'resolve'>;
        if (before.acknowledged_at === null) {
          changes.acknowledged_at = now;
          changes.acknowledged_by = auth.userId;
        }
        changes.resolved_at = now;
        changes.resolved_by = auth.userId;
        changes.outcome = input.outcome.trim();
        changes.false_alarm = input.falseAlarm;
        changes.notes = input.notes?.trim() || null;
        note = input.notes?.trim() || null;
        Object.assign(data, { outcome: changes.outcome, falseAlarm: input.falseAlarm });
        break;
      }
    }
    const after = await trx
      .updateTable('alarm')
      .set(changes as Partial<AlarmRow>)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendTimeline(trx, {
      recordType: 'alarm',
      recordId: id,
      orgPath: before.org_path,
      actorId: auth.userId,
      action,
      fromState: before.state,
      toState: result.next,
      note,
      data,
    });
    await appendAudit(trx, actor, {
      action: `alarm.${action}`,
      targetType: 'alarm',
      targetId: id,
      orgPath: before.org_path,
      detail: { before: alarmForAudit(before), after: alarmForAudit(after) },
    });
    await this.announce(trx, auth, after, action);
    return id;
  }

  /** The assignee works at the school (any of its departments), can sign in and is no administrator. */
  private async assignee(trx: Kysely<DB>, alarm: AlarmRow, userId: number) {
    const user = await trx
      .selectFrom('app_user')
      .innerJoin('role_assignment', 'role_assignment.user_id', 'app_user.id')
      .select(['app_user.id', 'app_user.display_name'])
      .where('app_user.id', '=', userId)
      .where('app_user.disabled', '=', false)
      .where('role_assignment.org_path', 'like', `${alarm.org_path}%`)
      .where('role_assignment.role', 'not in', ADMIN_ROLES)
      .executeTakeFirst();
    if (!user) throw new AppError(400, 'alarm_assignee_invalid');
    return user;
  }

  private async announce(trx: Kysely<DB>, auth: AuthContext, alarm: AlarmRow, action: string) {
    const others = (ids: (number | null)[]) =>
      ids.filter((userId): userId is number => userId !== null && userId !== auth.userId);
    const link = `/m/alarms/${alarm.id}`;
    if (action === 'dispatch') {
      await notify(trx, {
        userIds: others([alarm.dispatched_to]),
        kind: 'alarm.dispatched',
        title: `出警：${alarm.title}`,
        link: '/m/alarms/mine',
        orgPath: alarm.org_path,
      });
    }
    // The person who asked for help follows the progress.
    if (alarm.source === 'help_request' && ['acknowledge', 'dispatch', 'arrive', 'resolve'].includes(action)) {
      const titles: Record<string, string> = {
        acknowledge: '您的求助已收到，正在处置',
        dispatch: '已派人前往您的位置',
        arrive: '处置人员已到场',
        resolve: '您的求助已处置完毕',
      };
      await notify(trx, {
        userIds: others([alarm.reporter_id]),
        kind: 'alarm.help_progress',
        title: titles[action]!,
        link,
        orgPath: alarm.org_path,
      });
    }
    await publish(trx, {
      type: 'alarm.changed',
      orgPath: alarm.org_path,
      payload: {
        id: alarm.id,
        state: alarm.state,
        action,
        schoolId: alarm.school_id,
        // The requester and the responder follow the alarm without alarm.read.
        audience: [alarm.reporter_id, alarm.dispatched_to].filter((userId) => userId !== null),
      },
    });
  }

  // ---------------------------------------------------------------------------------------------- follow-up

  private async resolvedForFollowUp(trx: Kysely<DB>, auth: AuthContext, id: number): Promise<AlarmRow> {
    const row = await this.queries.forUpdate(trx, id);
    if (!row || !canSeeAlarm(auth, row)) throw notFound();
    if (!inScope(auth, row.org_path)) throw new AppError(403, 'forbidden');
    if (row.state !== 'resolved') throw new AppError(409, 'alarm_not_resolved');
    return row;
  }

  /** A resolved alarm that revealed a hazard becomes one (through the hazards module); the alarm links it. */
  async toHazard(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number, input: AlarmToHazardBody) {
    if (!can(auth, 'hazard.report')) throw new AppError(403, 'forbidden');
    const row = await this.resolvedForFollowUp(trx, auth, id);
    if (row.hazard_id !== null) throw new AppError(409, 'alarm_hazard_exists');
    const description = [input.description?.trim(), `来源：警情 ${row.code}（${row.outcome ?? ''}）`]
      .filter(Boolean)
      .join('\n');
    // HazardService.create writes the hazard's own audit row (the one row of this write).
    const hazardId = await this.hazards.create(trx, auth, actor, {
      orgId: row.school_id,
      title: input.title?.trim() || row.title.slice(0, 100),
      category: input.category,
      description,
      placeId: row.place_id,
    });
    await trx.updateTable('alarm').set({ hazard_id: hazardId, updated_at: new Date() }).where('id', '=', id).execute();
    await appendTimeline(trx, {
      recordType: 'alarm',
      recordId: id,
      orgPath: row.org_path,
      actorId: auth.userId,
      action: 'hazard',
      data: { hazardId },
    });
    await publish(trx, {
      type: 'alarm.changed',
      orgPath: row.org_path,
      payload: { id, state: row.state, action: 'hazard', schoolId: row.school_id, audience: [row.reporter_id] },
    });
    return hazardId;
  }

  /** 事件记录: a real event is kept as an incident. */
  async toIncident(trx: Kysely<DB>, auth: AuthContext, actor: AuditActor, id: number, input: AlarmToIncidentBody) {
    const row = await this.resolvedForFollowUp(trx, auth, id);
    if (row.incident_id !== null) throw new AppError(409, 'alarm_incident_exists');
    if (row.false_alarm === true) throw new AppError(409, 'alarm_false_alarm');
    const incident = await trx
      .insertInto('incident')
      .values({
        org_path: row.org_path,
        school_id: row.school_id,
        alarm_id: id,
        title: input.title?.trim() || row.title.slice(0, 100),
        kind: input.kind,
        description: input.description.trim(),
        occurred_at: row.raised_at,
        created_by: auth.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('alarm')
      .set({ incident_id: incident.id, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await appendTimeline(trx, {
      recordType: 'alarm',
      recordId: id,
      orgPath: row.org_path,
      actorId: auth.userId,
      action: 'incident',
      note: input.description.trim(),
      data: { incidentId: incident.id, kind: input.kind },
    });
    await appendAudit(trx, actor, {
      action: 'alarm.incident',
      targetType: 'alarm',
      targetId: id,
      orgPath: row.org_path,
      detail: { incidentId: incident.id, kind: input.kind },
    });
    await publish(trx, {
      type: 'alarm.changed',
      orgPath: row.org_path,
      payload: { id, state: row.state, action: 'incident', schoolId: row.school_id, audience: [row.reporter_id] },
    });
    return incident.id;
  }

  // ---------------------------------------------------------------------------------------------- figures

  /** Today's alarms under the root, by kind (every kind listed, zeros included). */
  async countsToday(root: AlarmRoot, now: Date): Promise<AlarmCounts> {
    const day = formatDate(now, this.policy.timeZone);
    const rows = await this.queries.countsByKind(
      root,
      startOfDay(day, this.policy.timeZone),
      endOfDay(day, this.policy.timeZone),
    );
    const byKind = new Map(rows.map((row) => [row.kind, row]));
    const sum = (pick: (row: (typeof rows)[number]) => number) =>
      rows.reduce((total, row) => total + Number(pick(row)), 0);
    return {
      day,
      total: sum((row) => row.total),
      open: sum((row) => row.open),
      escalated: sum((row) => row.escalated),
      falseAlarms: sum((row) => row.false_alarms),
      byKind: ALARM_KINDS.map((kind) => ({ kind: kind as AlarmKind, count: Number(byKind.get(kind)?.total ?? 0) })),
    };
  }

  /** People of a school who can be sent: guards, security officers and leaders, those on duty first. */
  async responders(schoolId: number, onDuty: Set<number>) {
    const rows = await this.db
      .selectFrom('role_assignment')
      .innerJoin('app_user', 'app_user.id', 'role_assignment.user_id')
      .innerJoin('org_unit', 'org_unit.id', 'role_assignment.org_id')
      .select(['app_user.id', 'app_user.display_name', 'role_assignment.role'])
      .where('org_unit.path', 'like', `${(await this.org(this.db, schoolId))?.path ?? '/none/'}%`)
      .where('role_assignment.role', 'in', ['guard', 'school_security', 'school_leader'])
      .where('app_user.disabled', '=', false)
      .orderBy('app_user.display_name')
      .limit(500)
      .execute();
    const seen = new Set<number>();
    const order = { guard: 0, school_security: 1, school_leader: 2 } as Record<string, number>;
    return rows
      .sort((a, b) => Number(onDuty.has(b.id)) - Number(onDuty.has(a.id)) || order[a.role]! - order[b.role]!)
      .filter((row) => {
        if (seen.has(row.id)) return false;
        seen.add(row.id);
        return true;
      })
      .map((row) => ({ id: row.id, name: row.display_name, role: row.role, onDuty: onDuty.has(row.id) }));
  }
}
