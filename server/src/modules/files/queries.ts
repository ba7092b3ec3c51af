import type { Kysely, Selectable } from 'kysely';
import type { DB, StoredFileTable } from '../../db/schema.js';

export type StoredFileRow = Selectable<StoredFileTable>;

/** Every SQL statement on stored_file owned by this module (attaching lives in platform/files.ts). */
export class FileQueries {
  constructor(private readonly db: Kysely<DB>) {}

  async byId(id: string): Promise<StoredFileRow | undefined> {
    return this.db.selectFrom('stored_file').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(
    executor: Kysely<DB>,
    values: {
      sha256: string;
      filename: string;
      mime: string;
      size: number;
      width: number | null;
      height: number | null;
      has_thumbnail: boolean;
      org_path: string;
      uploaded_by: number;
    },
  ): Promise<StoredFileRow> {
    return executor.insertInto('stored_file').values(values).returningAll().executeTakeFirstOrThrow();
  }
}
