import type { StoredFile } from '../../platform/files.js';
import { iso } from '../../platform/pagination.js';
import type { StoredFileRow } from './queries.js';

export function presentFile(row: StoredFileRow): StoredFile {
  return {
    id: row.id,
    filename: row.filename,
    mime: row.mime,
    size: row.size,
    width: row.width,
    height: row.height,
    hasThumbnail: row.has_thumbnail,
    ownerType: row.owner_type,
    ownerId: row.owner_id,
    createdAt: iso(row.created_at)!,
  };
}
