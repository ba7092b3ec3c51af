import type { OrgLevel, OrgUnit, SchoolType } from '@safe-campus/domain';
import { iso } from '../../platform/pagination.js';
import type { OrgWithCount } from './queries.js';

export function presentOrg(row: OrgWithCount): OrgUnit {
  return {
    id: row.id,
    parentId: row.parent_id,
    level: row.level as OrgLevel,
    code: row.code,
    name: row.name,
    schoolType: row.school_type as SchoolType | null,
    address: row.address,
    path: row.path,
    childCount: Number(row.child_count ?? 0),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
