import type { Place, PlaceKind } from '@safe-campus/domain';
import type { PlaceRow } from '../../db/schema.js';
import { iso } from '../../platform/pagination.js';

function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export function presentPlace(row: PlaceRow): Place {
  return {
    id: row.id,
    orgId: row.org_id,
    parentId: row.parent_id,
    kind: row.kind as PlaceKind,
    code: row.code,
    name: row.name,
    keyPart: row.key_part,
    description: row.description,
    floorPlanFileId: row.floor_plan_file_id,
    // numeric columns arrive as strings from pg
    planX: numberOrNull(row.plan_x),
    planY: numberOrNull(row.plan_y),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** The fields an audit row keeps of a place. */
export function placeSummary(row: PlaceRow) {
  return {
    code: row.code,
    name: row.name,
    kind: row.kind,
    keyPart: row.key_part,
    parentId: row.parent_id,
    description: row.description,
    floorPlanFileId: row.floor_plan_file_id,
    planX: numberOrNull(row.plan_x),
    planY: numberOrNull(row.plan_y),
  };
}
