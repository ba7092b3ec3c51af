import {
  type ChecklistContent,
  completionRate,
  coveredHours,
  type InspectionCalendar,
  type InspectionStats,
  type MyTask,
  type PatrolCoverage,
  type RecordDetail,
  type RecordSummary,
  type TaskSummary,
  type TemplateKind,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { endOfDay, startOfDay } from '../../platform/dates.js';
import { AppError, notFound } from '../../platform/errors.js';
import { inScope } from '../../platform/scope.js';
import { type OrgRef, schoolOfPath } from './common.js';
import type { InspectionService } from './service.js';
import { recordSignature } from './sync.js';
import { businessDays } from './tasks.js';

function taskQuery(db: Kysely<DB>) {
  return db
    .selectFrom('inspection_task as k')
    .innerJoin('inspection_plan as p', 'p.id', 'k.plan_id')
    .innerJoin('org_unit as s', 's.id', 'k.school_id')
    .innerJoin('inspection_template_version as v', 'v.id', 'k.template_version_id')
    .innerJoin('inspection_template as t', 't.id', 'v.template_id')
    .leftJoin('place as pl', 'pl.id', 'k.place_id')
    .leftJoin('patrol_route as r', 'r.id', 'k.route_id')
    .select([
      'k.id',
      'k.plan_id',
      'p.name as plan_name',
      'k.school_id',
      's.name as school_name',
      't.id as template_id',
      'k.template_version_id',
      't.name as template_name',
      't.kind as template_kind',
      'k.place_id',
      'pl.name as place_name',
      'k.route_id',
      'r.name as route_name',
      'k.day',
      'k.window_start',
      'k.window_end',
      'k.state',
      'k.record_id',
      'k.assignee_ids',
      'k.duty_role',
      'k.org_path',
    ]);
}
type TaskRow = Awaited<ReturnType<ReturnType<typeof taskQuery>['execute']>>[number];

async function presentTasks(db: Kysely<DB>, rows: TaskRow[]): Promise<TaskSummary[]> {
  const userIds = [...new Set(rows.flatMap((r) => r.assignee_ids))];
  const users = userIds.length
    ? await db.selectFrom('app_user').select(['id', 'display_name']).where('id', 'in', userIds).execute()
    : [];
  const names = new Map(users.map((u) => [u.id, u.display_name]));
  return rows.map((row) => ({
    id: row.id,
    planId: row.plan_id,
    planName: row.plan_name,
    schoolId: row.school_id,
    schoolName: row.school_name,
    templateId: row.template_id,
    templateVersionId: row.template_version_id,
    templateName: row.template_name,
    templateKind: row.template_kind as TemplateKind,
    placeId: row.place_id,
    placeName: row.place_name,
    routeId: row.route_id,
    routeName: row.route_name,
    day: row.day,
    windowStart: row.window_start.toISOString(),
    windowEnd: row.window_end.toISOString(),
    state: row.state as TaskSummary['state'],
    recordId: row.record_id,
    assignees: row.assignee_ids.map((id) => ({ id, name: names.get(id) ?? '' })),
    dutyRole: row.duty_role as TaskSummary['dutyRole'],
  }));
}

export class InspectionReports {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly service: InspectionService,
    private readonly timeZone: string,
  ) {}

  today(now = new Date()): string {
    return businessDays(now, this.timeZone)[0];
  }

  async tasks(
    root: OrgRef,
    query: { day?: string; state?: string; planId?: number; limit: number; after?: [string, number] },
  ) {
    let q = taskQuery(this.db)
      .where('k.org_path', 'like', `${root.path}%`)
      .where('k.day', '=', query.day ?? this.today());
    if (query.state) q = q.where('k.state', '=', query.state);
    if (query.planId) q = q.where('k.plan_id', '=', query.planId);
    if (query.after) {
      const [start, id] = query.after;
      q = q.where((eb) =>
        eb.or([
          eb('k.window_start', '>', new Date(start)),
          eb.and([eb('k.window_start', '=', new Date(start)), eb('k.id', '>', id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('k.window_start')
      .orderBy('k.id')
      .limit(query.limit + 1)
      .execute();
    return { rows, items: await presentTasks(this.db, rows) };
  }

  /** The caller's tasks of a day with everything needed offline. */
  async mine(auth: AuthContext, day: string | undefined, now = new Date()): Promise<{ day: string; tasks: MyTask[] }> {
    const theDay = day ?? this.today(now);
    const rows = await taskQuery(this.db)
      .where('k.day', '=', theDay)
      .where('k.org_path', 'like', `${auth.scopePath}%`)
      .where((eb) =>
        eb.or([
          eb(sql<number>`${auth.userId}`, '=', eb.fn.any('k.assignee_ids')),
          eb.and([
            eb('k.duty_role', 'is not', null),
            eb.exists(
              eb
                .selectFrom('duty_shift as ds')
                .innerJoin('duty_assignment as da', 'da.shift_id', 'ds.id')
                .select('ds.id')
                .whereRef('ds.org_id', '=', 'k.school_id')
                .where('da.user_id', '=', auth.userId)
                .whereRef('da.duty_role', '=', 'k.duty_role')
                .whereRef('ds.starts_at', '<', 'k.window_end')
                .whereRef('ds.ends_at', '>', 'k.window_start'),
            ),
          ]),
        ]),
      )
      .orderBy('k.window_start')
      .orderBy('k.id')
      .limit(500)
      .execute();
    const summaries = await presentTasks(this.db, rows);
    const versionIds = [...new Set(rows.map((r) => r.template_version_id))];
    const versions = versionIds.length
      ? await this.db
          .selectFrom('inspection_template_version')
          .select(['id', 'version', 'content', 'template_id'])
          .where('id', 'in', versionIds)
          .execute()
      : [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    const routeIds = [...new Set(rows.map((r) => r.route_id).filter((id): id is number => id !== null))];
    const checkpoints = await this.service.checkpointsOf(this.db, routeIds);
    return {
      day: theDay,
      tasks: summaries.map((task, index) => {
        const row = rows[index]!;
        const version = byId.get(row.template_version_id)!;
        return {
          ...task,
          template: {
            versionId: version.id,
            templateId: version.template_id,
            name: row.template_name,
            kind: row.template_kind as TemplateKind,
            version: version.version,
            content: version.content as ChecklistContent,
          },
          checkpoints: row.route_id !== null ? (checkpoints.get(row.route_id) ?? []) : null,
          openNow: row.window_start.getTime() <= now.getTime() && now.getTime() <= row.window_end.getTime(),
        };
      }),
    };
  }

  private childUnitExpr(root: OrgRef) {
    const depth = root.path.split('/').filter(Boolean).length;
    return sql<string>`split_part(k.org_path, '/', ${depth + 2})`;
  }

  private async children(root: OrgRef) {
    return this.db
      .selectFrom('org_unit')
      .select(['id', 'name'])
      .where('parent_id', '=', root.id)
      .where('level', '!=', 'department')
      .orderBy('id')
      .execute();
  }

  async calendar(root: OrgRef, from: string, to: string): Promise<InspectionCalendar> {
    const days: string[] = [];
    for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1)) {
      days.push(d.toISOString().slice(0, 10));
      if (days.length > 62) throw new AppError(400, 'inspection_range_too_long');
    }
    const counts = await this.db
      .selectFrom('inspection_task as k')
      .select(['k.day', 'k.state', (eb) => eb.fn.countAll<string>().as('n')])
      .where('k.org_path', 'like', `${root.path}%`)
      .where('k.day', '>=', from)
      .where('k.day', '<=', to)
      .groupBy(['k.day', 'k.state'])
      .execute();
    const isSchool = root.level === 'school' || root.level === 'department';
    const taskRows = isSchool
      ? await taskQuery(this.db)
          .where('k.org_path', 'like', `${root.path}%`)
          .where('k.day', '>=', from)
          .where('k.day', '<=', to)
          .orderBy('k.window_start')
          .limit(5000)
          .execute()
      : [];
    const count = (day: string, state: string) =>
      Number(counts.find((c) => c.day === day && c.state === state)?.n ?? 0);
    let units: InspectionCalendar['units'] = [];
    if (!isSchool) {
      const byUnit = await this.db
        .selectFrom('inspection_task as k')
        .select([this.childUnitExpr(root).as('unit'), 'k.state', (eb) => eb.fn.countAll<string>().as('n')])
        .where('k.org_path', 'like', `${root.path}%`)
        .where('k.day', '>=', from)
        .where('k.day', '<=', to)
        .groupBy([sql`1`, 'k.state'])
        .execute();
      units = (await this.children(root)).map((child) => {
        const n = (state: string) =>
          Number(byUnit.find((u) => Number(u.unit) === child.id && u.state === state)?.n ?? 0);
        return {
          orgId: child.id,
          orgName: child.name,
          pending: n('pending'),
          done: n('done'),
          missed: n('missed'),
          completionRate: completionRate(n('done'), n('missed')),
        };
      });
    }
    return {
      org: { id: root.id, name: root.name, level: root.level },
      from,
      to,
      days: days.map((day) => ({
        day,
        pending: count(day, 'pending'),
        done: count(day, 'done'),
        missed: count(day, 'missed'),
        completionRate: completionRate(count(day, 'done'), count(day, 'missed')),
        tasks: taskRows
          .filter((row) => row.day === day)
          .map((row) => ({
            id: row.id,
            planId: row.plan_id,
            planName: row.plan_name,
            templateKind: row.template_kind as TemplateKind,
            placeName: row.place_name,
            routeName: row.route_name,
            windowStart: row.window_start.toISOString(),
            windowEnd: row.window_end.toISOString(),
            state: row.state as TaskSummary['state'],
            recordId: row.record_id,
          })),
      })),
      units,
    };
  }

  // -------------------------------------------------------------------------------------------- records

  recordQuery() {
    return this.db
      .selectFrom('inspection_record as rec')
      .innerJoin('org_unit as s', 's.id', 'rec.school_id')
      .innerJoin('inspection_template_version as v', 'v.id', 'rec.template_version_id')
      .innerJoin('inspection_template as t', 't.id', 'v.template_id')
      .innerJoin('app_user as u', 'u.id', 'rec.inspector_id')
      .leftJoin('inspection_task as k', 'k.id', 'rec.task_id')
      .leftJoin('inspection_plan as p', 'p.id', 'k.plan_id')
      .leftJoin('place as pl', 'pl.id', 'rec.place_id')
      .leftJoin('patrol_route as r', 'r.id', 'rec.route_id')
      .leftJoin('org_unit as b', 'b.id', 'rec.spot_check_org_id')
      .selectAll('rec')
      .select([
        's.name as school_name',
        't.id as template_id',
        't.name as template_name',
        'v.version as template_version',
        'v.content as content',
        'u.display_name as inspector_name',
        'p.name as plan_name',
        'pl.name as place_name',
        'r.name as route_name',
        'b.name as spot_check_org_name',
      ]);
  }

  presentRecord(
    row: Awaited<ReturnType<ReturnType<InspectionReports['recordQuery']>['execute']>>[number],
  ): RecordSummary {
    return {
      id: row.id,
      clientId: row.client_id,
      schoolId: row.school_id,
      schoolName: row.school_name,
      templateId: row.template_id,
      templateName: row.template_name,
      templateKind: row.template_kind as TemplateKind,
      templateVersion: row.template_version,
      templateVersionId: row.template_version_id,
      taskId: row.task_id,
      planName: row.plan_name,
      placeId: row.place_id,
      placeName: row.place_name,
      routeId: row.route_id,
      routeName: row.route_name,
      inspectorId: row.inspector_id,
      inspectorName: row.inspector_name,
      spotCheckOrgId: row.spot_check_org_id,
      spotCheckOrgName: row.spot_check_org_name,
      correctsRecordId: row.corrects_record_id,
      startedAt: row.started_at.toISOString(),
      completedAt: row.completed_at.toISOString(),
      receivedAt: row.received_at.toISOString(),
      inWindow: row.in_window,
      itemCount: row.item_count,
      failedCount: row.failed_count,
    };
  }

  filteredRecords(
    root: OrgRef,
    f: {
      from?: string;
      to?: string;
      kind?: string;
      templateId?: number;
      planId?: number;
      inspectorId?: number;
      placeId?: number;
      failed?: boolean;
      inWindow?: boolean;
      spotCheck?: boolean;
    },
  ) {
    let q = this.recordQuery().where('rec.org_path', 'like', `${root.path}%`);
    if (f.from) q = q.where('rec.completed_at', '>=', startOfDay(f.from, this.timeZone));
    if (f.to) q = q.where('rec.completed_at', '<', endOfDay(f.to, this.timeZone));
    if (f.kind) q = q.where('rec.template_kind', '=', f.kind);
    if (f.templateId) q = q.where('t.id', '=', f.templateId);
    if (f.planId) q = q.where('k.plan_id', '=', f.planId);
    if (f.inspectorId) q = q.where('rec.inspector_id', '=', f.inspectorId);
    if (f.placeId) q = q.where('rec.place_id', '=', f.placeId);
    if (f.failed !== undefined) q = q.where('rec.failed_count', f.failed ? '>' : '=', 0);
    if (f.inWindow !== undefined) q = q.where('rec.in_window', '=', f.inWindow);
    if (f.spotCheck !== undefined) q = q.where('rec.spot_check_org_id', f.spotCheck ? 'is not' : 'is', null);
    return q;
  }

  async recordDetail(auth: AuthContext, id: number): Promise<RecordDetail> {
    const row = await this.recordQuery().where('rec.id', '=', id).executeTakeFirst();
    if (!row || !inScope(auth, row.org_path)) throw notFound();
    const answers = await this.db
      .selectFrom('inspection_answer as a')
      .leftJoin('patrol_checkpoint as c', 'c.id', 'a.checkpoint_id')
      .leftJoin('place as pl', 'pl.id', 'c.place_id')
      .select([
        'a.item_key',
        'a.checkpoint_id',
        'a.value',
        'a.passed',
        'a.note',
        'a.photo_ids',
        'a.hazard_id',
        'pl.name',
        'c.seq',
      ])
      .where('a.record_id', '=', id)
      .orderBy('c.seq')
      .execute();
    const scans = await this.db
      .selectFrom('inspection_scan as sc')
      .innerJoin('patrol_checkpoint as c', 'c.id', 'sc.checkpoint_id')
      .innerJoin('place as pl', 'pl.id', 'c.place_id')
      .select(['sc.checkpoint_id', 'sc.scanned_at', 'c.seq', 'pl.name'])
      .where('sc.record_id', '=', id)
      .orderBy('sc.scanned_at')
      .execute();
    const photoIds = [...new Set(answers.flatMap((a) => a.photo_ids))];
    const photos = photoIds.length
      ? await this.db
          .selectFrom('stored_file')
          .select(['id', 'mime', 'has_thumbnail'])
          .where('id', 'in', photoIds)
          .execute()
      : [];
    const photoById = new Map(photos.map((p) => [p.id, p]));
    const hazards = await this.db
      .selectFrom('hazard')
      .select(['id', 'code', 'title', 'state'])
      .where('inspection_id', '=', id)
      .orderBy('id')
      .execute();
    const corrections = await this.db
      .selectFrom('inspection_record as c')
      .innerJoin('app_user as u', 'u.id', 'c.inspector_id')
      .select(['c.id', 'c.completed_at', 'u.display_name'])
      .where('c.corrects_record_id', '=', id)
      .orderBy('c.id')
      .execute();
    const items = new Map<
      string,
      { text: string; section: string; type: string; unit: string | null; order: number }
    >();
    let order = 0;
    for (const section of row.content as ChecklistContent) {
      for (const item of section.items) {
        items.set(item.key, {
          text: item.text,
          section: section.title,
          type: item.type,
          unit: item.unit ?? null,
          order: order++,
        });
      }
    }
    const sortedAnswers = [...answers].sort(
      (a, b) =>
        (a.seq ?? 0) - (b.seq ?? 0) || (items.get(a.item_key)?.order ?? 0) - (items.get(b.item_key)?.order ?? 0),
    );
    const signatureValid =
      recordSignature({
        clientId: row.client_id,
        inspectorId: row.inspector_id,
        receivedAt: row.received_at,
        taskId: row.task_id,
        schoolId: row.school_id,
        templateVersionId: row.template_version_id,
        placeId: row.place_id,
        routeId: row.route_id,
        correctsRecordId: row.corrects_record_id,
        startedAt: row.started_at,
        completedAt: row.completed_at,
        note: row.note,
        answers: answers.map((a) => ({
          itemKey: a.item_key,
          checkpointId: a.checkpoint_id,
          value: a.value,
          note: a.note,
          photoIds: a.photo_ids,
        })),
        scans: scans.map((s) => ({ checkpointId: s.checkpoint_id, scannedAt: s.scanned_at })),
      }) === row.signature;
    return {
      ...this.presentRecord(row),
      note: row.note,
      signature: row.signature,
      signatureValid,
      answers: sortedAnswers.map((a) => {
        const item = items.get(a.item_key);
        return {
          itemKey: a.item_key,
          itemText: item?.text ?? a.item_key,
          sectionTitle: item?.section ?? '',
          itemType: item?.type ?? 'text',
          unit: item?.unit ?? null,
          checkpointId: a.checkpoint_id,
          checkpointPlaceName: a.name,
          value: a.value as RecordDetail['answers'][number]['value'],
          passed: a.passed,
          note: a.note,
          photos: a.photo_ids
            .map((pid) => photoById.get(pid))
            .filter((p) => p !== undefined)
            .map((p) => ({ id: p.id, mime: p.mime, hasThumbnail: p.has_thumbnail })),
          hazardId: a.hazard_id,
        };
      }),
      scans: scans.map((s) => ({
        checkpointId: s.checkpoint_id,
        seq: s.seq,
        placeName: s.name,
        scannedAt: s.scanned_at.toISOString(),
      })),
      hazards,
      corrections: corrections.map((c) => ({
        id: c.id,
        completedAt: c.completed_at.toISOString(),
        inspectorName: c.display_name,
      })),
    };
  }

  // -------------------------------------------------------------------------------------------- statistics

  period(query: { from?: string; to?: string }, now = new Date()) {
    const today = this.today(now);
    const from = query.from ?? `${today.slice(0, 4)}-01-01`;
    const to = query.to ?? today;
    if (from > to) throw new AppError(400, 'date_range_invalid');
    return { from, to };
  }

  async stats(root: OrgRef, from: string, to: string): Promise<InspectionStats> {
    const base = () =>
      this.db
        .selectFrom('inspection_task as k')
        .where('k.org_path', 'like', `${root.path}%`)
        .where('k.day', '>=', from)
        .where('k.day', '<=', to);
    const totals = await base()
      .select(['k.state', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('k.state')
      .execute();
    const tn = (state: string) => Number(totals.find((t) => t.state === state)?.n ?? 0);
    const isSchool = root.level === 'school' || root.level === 'department';
    let byUnit: InspectionStats['byUnit'];
    if (isSchool) {
      byUnit = [
        {
          orgId: root.id,
          orgName: root.name,
          pending: tn('pending'),
          done: tn('done'),
          missed: tn('missed'),
          completionRate: completionRate(tn('done'), tn('missed')),
        },
      ];
    } else {
      const rows = await base()
        .select([this.childUnitExpr(root).as('unit'), 'k.state', (eb) => eb.fn.countAll<string>().as('n')])
        .groupBy([sql`1`, 'k.state'])
        .execute();
      byUnit = (await this.children(root)).map((child) => {
        const n = (state: string) => Number(rows.find((r) => Number(r.unit) === child.id && r.state === state)?.n ?? 0);
        return {
          orgId: child.id,
          orgName: child.name,
          pending: n('pending'),
          done: n('done'),
          missed: n('missed'),
          completionRate: completionRate(n('done'), n('missed')),
        };
      });
    }
    const planRows = await base()
      .innerJoin('inspection_plan as p', 'p.id', 'k.plan_id')
      .innerJoin('org_unit as s', 's.id', 'k.school_id')
      .select([
        'k.plan_id',
        'p.name',
        's.name as school_name',
        sql<string>`count(*) FILTER (WHERE k.state = 'pending')`.as('pending'),
        sql<string>`count(*) FILTER (WHERE k.state = 'done')`.as('done'),
        sql<string>`count(*) FILTER (WHERE k.state = 'missed')`.as('missed'),
      ])
      .groupBy(['k.plan_id', 'p.name', 's.name'])
      .orderBy(sql`count(*) FILTER (WHERE k.state = 'missed')`, 'desc')
      .orderBy('k.plan_id')
      .limit(500)
      .execute();
    const fromAt = startOfDay(from, this.timeZone);
    const beforeAt = endOfDay(to, this.timeZone);
    const kinds = await this.db
      .selectFrom('inspection_record as rec')
      .select([
        'rec.template_kind',
        (eb) => eb.fn.countAll<string>().as('n'),
        sql<string>`count(rec.spot_check_org_id)`.as('spot'),
        sql<string>`coalesce(sum(rec.failed_count), 0)`.as('failed'),
      ])
      .where('rec.org_path', 'like', `${root.path}%`)
      .where('rec.completed_at', '>=', fromAt)
      .where('rec.completed_at', '<', beforeAt)
      .groupBy('rec.template_kind')
      .orderBy('rec.template_kind')
      .execute();
    const hazards = await this.db
      .selectFrom('hazard')
      .innerJoin('inspection_record as rec', 'rec.id', 'hazard.inspection_id')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('rec.org_path', 'like', `${root.path}%`)
      .where('rec.completed_at', '>=', fromAt)
      .where('rec.completed_at', '<', beforeAt)
      .executeTakeFirst();
    return {
      org: { id: root.id, name: root.name, level: root.level },
      from,
      to,
      totals: {
        pending: tn('pending'),
        done: tn('done'),
        missed: tn('missed'),
        completionRate: completionRate(tn('done'), tn('missed')),
      },
      byUnit,
      byPlan: planRows.map((r) => ({
        planId: r.plan_id,
        planName: r.name,
        schoolName: r.school_name,
        pending: Number(r.pending),
        done: Number(r.done),
        missed: Number(r.missed),
        completionRate: completionRate(Number(r.done), Number(r.missed)),
      })),
      recordsByKind: kinds.map((k) => ({
        kind: k.template_kind as TemplateKind,
        records: Number(k.n),
        spotChecks: Number(k.spot),
      })),
      records: kinds.reduce((sum, k) => sum + Number(k.n), 0),
      failedItems: kinds.reduce((sum, k) => sum + Number(k.failed), 0),
      hazardsCreated: Number(hazards?.n ?? 0),
    };
  }

  async coverage(root: OrgRef, day: string, limit: number, afterId?: number): Promise<PatrolCoverage> {
    let schoolsQuery = this.db
      .selectFrom('org_unit')
      .select(['id', 'name', 'path'])
      .where('level', '=', 'school')
      .where('path', 'like', `${root.path}%`);
    if (root.level === 'department') {
      const school = schoolOfPath(root.path)!;
      schoolsQuery = this.db.selectFrom('org_unit').select(['id', 'name', 'path']).where('id', '=', school.id);
    }
    if (afterId) schoolsQuery = schoolsQuery.where('id', '>', afterId);
    const schools = await schoolsQuery
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const page = schools.slice(0, limit);
    const start = startOfDay(day, this.timeZone);
    const end = endOfDay(day, this.timeZone);
    const rounds = page.length
      ? await sql<{ school_id: number; first_hour: number; last_hour: number }>`
          SELECT rec.school_id,
                 extract(hour FROM min(sc.scanned_at) AT TIME ZONE ${this.timeZone})::int AS first_hour,
                 extract(hour FROM max(sc.scanned_at) AT TIME ZONE ${this.timeZone})::int AS last_hour
          FROM inspection_record rec
          JOIN inspection_scan sc ON sc.record_id = rec.id
          WHERE rec.school_id = ANY(${page.map((s) => s.id)}::int[])
            AND rec.route_id IS NOT NULL
            AND sc.scanned_at >= ${start} AND sc.scanned_at < ${end}
          GROUP BY rec.id, rec.school_id
        `.execute(this.db)
      : { rows: [] };
    return {
      day,
      items: page.map((school) => {
        const mine = rounds.rows.filter((r) => r.school_id === school.id);
        const hours = coveredHours(mine.map((r) => ({ firstScanHour: r.first_hour, lastScanHour: r.last_hour })));
        return {
          schoolId: school.id,
          schoolName: school.name,
          hours,
          coveredHours: hours.filter(Boolean).length,
          rounds: mine.length,
        };
      }),
      nextCursor: schools.length > limit ? String(page[page.length - 1]!.id) : null,
    };
  }
}
