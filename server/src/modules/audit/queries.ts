import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { escapeLike } from '../orgs/queries.js';

export interface AuditFilter {
  scopePath: string;
  /** Rows with no org (failed logins of unknown names) are shown at the top level only. */
  includeUnscoped: boolean;
  action?: string;
  actorId?: number;
  from?: string;
  to?: string;
  keyword?: string;
  beforeId?: number;
  limit: number;
}

export function auditQuery(db: Kysely<DB>, filter: AuditFilter) {
  let query = db.selectFrom('audit_log').selectAll();
  query = query.where((eb) =>
    filter.includeUnscoped
      ? eb.or([eb('org_path', 'like', `${filter.scopePath}%`), eb('org_path', 'is', null)])
      : eb('org_path', 'like', `${filter.scopePath}%`),
  );
  if (filter.action) query = query.where('action', 'like', `${escapeLike(filter.action)}%`);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.from) query = query.where('at', '>=', new Date(filter.from));
  if (filter.to) query = query.where('at', '<=', new Date(filter.to));
  if (filter.keyword) {
    const pattern = `%${escapeLike(filter.keyword)}%`;
    query = query.where((eb) =>
      eb.or([eb('actor_name', 'ilike', pattern), eb('target_id', '=', filter.keyword!), eb('ip', 'like', pattern)]),
    );
  }
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(filter.limit);
}
