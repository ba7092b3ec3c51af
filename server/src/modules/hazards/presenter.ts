import {
  type HazardCategory,
  type HazardCommand,
  type HazardDetail,
  type HazardGrade,
  type HazardState,
  type HazardSummary,
  type HazardTimelineEntry,
  isOverdue,
  type RiskLevel,
} from '@safe-campus/domain';
import type { HazardRow } from '../../db/schema.js';
import { iso } from '../../platform/pagination.js';
import type { TimelineEvent } from '../../platform/timeline.js';
import type { HazardListRow } from './queries.js';

function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export function presentHazardSummary(row: HazardListRow, now: Date): HazardSummary {
  return {
    id: row.id,
    code: row.code,
    title: row.title,
    category: row.category as HazardCategory,
    grade: row.grade as HazardGrade | null,
    riskLevel: row.risk_level as RiskLevel | null,
    state: row.state as HazardState,
    source: row.source as HazardSummary['source'],
    schoolId: row.school_id,
    schoolName: row.school_name,
    departmentId: row.department_id,
    departmentName: row.department_name,
    placeId: row.place_id,
    placeName: row.place_name,
    reportedAt: iso(row.reported_at)!,
    reportedById: row.reported_by,
    reportedByName: row.reporter_name,
    responsibleUnit: row.responsible_unit,
    responsibleUserId: row.responsible_user_id,
    responsibleUserName: row.responsible_name,
    deadline: iso(row.deadline),
    overdue: isOverdue(row.state as HazardState, row.deadline, now),
    supervised: row.supervised,
    supervisingOrgName: row.supervising_org_name,
    supervisionDeadline: iso(row.supervision_deadline),
    closedAt: iso(row.closed_at),
    updatedAt: iso(row.updated_at)!,
  };
}

export interface PhotoRow {
  id: string;
  mime: string;
  has_thumbnail: boolean;
}

/** The photo ids a timeline step recorded. */
export function photoIdsOf(event: { data: unknown }): string[] {
  const data = event.data as { photoIds?: unknown } | null;
  return Array.isArray(data?.photoIds)
    ? data.photoIds.filter((value): value is string => typeof value === 'string')
    : [];
}

export function presentHazardDetail(
  row: HazardListRow,
  timeline: TimelineEvent[],
  photos: Map<string, PhotoRow>,
  floorPlanFileId: string | null,
  commands: HazardCommand[],
  now: Date,
): HazardDetail {
  const photosOf = (event: TimelineEvent) =>
    photoIdsOf(event)
      .map((id) => photos.get(id))
      .filter((photo): photo is PhotoRow => photo !== undefined)
      .map((photo) => ({ id: photo.id, mime: photo.mime, hasThumbnail: photo.has_thumbnail }));
  const entries: HazardTimelineEntry[] = timeline.map((event) => {
    const { photoIds: _photoIds, ...data } = (event.data ?? {}) as Record<string, unknown>;
    return {
      id: event.id,
      at: event.at,
      actorName: event.actorName,
      action: event.action,
      fromState: event.fromState as HazardState | null,
      toState: event.toState as HazardState | null,
      note: event.note,
      photos: photosOf(event),
      data: Object.keys(data).length > 0 ? data : null,
    };
  });
  const before = timeline.filter((event) => event.action === 'report').flatMap(photosOf);
  const after = timeline.filter((event) => event.action === 'rectify').flatMap(photosOf);
  return {
    ...presentHazardSummary(row, now),
    description: row.description,
    planX: numberOrNull(row.plan_x),
    planY: numberOrNull(row.plan_y),
    floorPlanFileId,
    measures: row.measures,
    funds: numberOrNull(row.funds),
    interimMeasures: row.interim_measures,
    rejectReason: row.reject_reason,
    rectificationNote: row.rectification_note,
    escalationLevel: row.escalation_level,
    supervision:
      row.supervised && row.supervising_org_id !== null
        ? {
            orgId: row.supervising_org_id,
            orgName: row.supervising_org_name ?? '',
            deadline: iso(row.supervision_deadline),
            requirements: row.supervision_requirements,
            at: iso(row.supervised_at ?? row.reported_at)!,
          }
        : null,
    inspectionId: row.inspection_id,
    photos: { before, after },
    timeline: entries,
    commands,
  };
}

/** The fields an audit row keeps of a hazard. */
export function hazardSummaryForAudit(
  row: Pick<
    HazardRow,
    | 'code'
    | 'title'
    | 'state'
    | 'grade'
    | 'risk_level'
    | 'category'
    | 'responsible_user_id'
    | 'deadline'
    | 'supervised'
    | 'supervising_org_id'
  >,
) {
  return {
    code: row.code,
    title: row.title,
    state: row.state,
    grade: row.grade,
    riskLevel: row.risk_level,
    category: row.category,
    responsibleUserId: row.responsible_user_id,
    deadline: iso(row.deadline),
    supervised: row.supervised,
    supervisingOrgId: row.supervising_org_id,
  };
}
