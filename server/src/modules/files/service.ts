import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type AuditActor, appendAudit } from '../../platform/audit.js';
import type { AuthContext } from '../../platform/auth-context.js';
import { notFound } from '../../platform/errors.js';
import type { FileStore } from '../../platform/files.js';
import { FileQueries, type StoredFileRow } from './queries.js';

// Keeps the name a user gave, minus anything a file system or a header could trip on.
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f/\\]/g;

export function cleanFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE_NAME_CHARACTERS, '').trim();
  return (cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned).slice(0, 200);
}

export class FileService {
  readonly queries: FileQueries;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly store: FileStore,
  ) {
    this.queries = new FileQueries(db);
  }

  /**
   * Stores an upload (type sniffed from the bytes, size-limited, thumbnail for images) outside any
   * transaction, then records it, unattached, in the caller's active org.
   */
  async upload(auth: AuthContext, actor: AuditActor, filename: string, buffer: Buffer): Promise<StoredFileRow> {
    const written = await this.store.write(buffer);
    const name = cleanFilename(filename);
    return this.db.transaction().execute(async (trx) => {
      const row = await this.queries.insert(trx, {
        sha256: written.sha256,
        filename: name,
        mime: written.type.mime,
        size: buffer.length,
        width: written.width,
        height: written.height,
        has_thumbnail: written.thumbnail,
        org_path: auth.scopePath,
        uploaded_by: auth.userId,
      });
      await appendAudit(trx, actor, {
        action: 'file.upload',
        targetType: 'file',
        targetId: row.id,
        orgPath: auth.scopePath,
        detail: { after: { filename: name, mime: row.mime, size: row.size, sha256: row.sha256 } },
      });
      return row;
    });
  }

  /** The file row when the caller may read it; 404 otherwise (unknown, out of scope, or someone else's draft). */
  async readable(auth: AuthContext, id: string): Promise<StoredFileRow> {
    const row = await this.queries.byId(id);
    if (!row || !(await this.store.canRead(this.db, auth, row))) throw notFound();
    return row;
  }
}
