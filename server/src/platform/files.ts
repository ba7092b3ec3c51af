import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuthContext } from './auth-context.js';
import { sha256 } from './crypto.js';
import { AppError } from './errors.js';

export interface SniffedType {
  mime: string;
  image: boolean;
}

/** Decides the type from the bytes, never from the name or the client's header. */
export function sniffType(buffer: Buffer): SniffedType | null {
  const startsWith = (bytes: number[], offset = 0) => bytes.every((byte, index) => buffer[offset + index] === byte);
  if (startsWith([0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', image: true };
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mime: 'image/png', image: true };
  if (startsWith([0x47, 0x49, 0x46, 0x38])) return { mime: 'image/gif', image: true };
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) {
    return { mime: 'image/webp', image: true };
  }
  if (startsWith([0x25, 0x50, 0x44, 0x46, 0x2d])) return { mime: 'application/pdf', image: false };
  if (startsWith([0x50, 0x4b, 0x03, 0x04])) {
    // Office Open XML documents are zip files; tell them apart by their first entries.
    const head = buffer.subarray(0, Math.min(buffer.length, 4096)).toString('latin1');
    if (head.includes('xl/'))
      return { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', image: false };
    if (head.includes('word/')) {
      return { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', image: false };
    }
    if (head.includes('ppt/')) {
      return { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', image: false };
    }
    if (head.includes('[Content_Types].xml')) {
      return { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', image: false };
    }
  }
  return null;
}

export interface StoredFile {
  id: string;
  filename: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  hasThumbnail: boolean;
  ownerType: string | null;
  ownerId: number | null;
  createdAt: string;
}

/**
 * Decides whether the caller may read files attached to a record of `ownerType`: modules
 * register one per record type they attach files to.
 */
export type FileOwnerReadCheck = (db: Kysely<DB>, auth: AuthContext, ownerId: number) => Promise<boolean>;

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** Content-addressed files under `<dataDir>/files`, thumbnails beside them. */
export class FileStore {
  private readonly owners = new Map<string, FileOwnerReadCheck>();
  readonly root: string;

  constructor(
    dataDir: string,
    readonly maxBytes: number,
  ) {
    this.root = path.join(dataDir, 'files');
  }

  registerOwner(ownerType: string, check: FileOwnerReadCheck): void {
    this.owners.set(ownerType, check);
  }

  pathOf(hash: string): string {
    return path.join(this.root, hash.slice(0, 2), hash);
  }

  thumbnailPathOf(hash: string): string {
    return path.join(this.root, 'thumbnails', hash.slice(0, 2), `${hash}.webp`);
  }

  /** Checks and writes the bytes (no database work: keep file I/O outside transactions). */
  async write(
    buffer: Buffer,
  ): Promise<{ sha256: string; type: SniffedType; width: number | null; height: number | null; thumbnail: boolean }> {
    if (buffer.length > this.maxBytes) throw new AppError(413, 'file_too_large', { limit: formatBytes(this.maxBytes) });
    if (buffer.length === 0) throw new AppError(400, 'file_missing');
    const type = sniffType(buffer);
    if (!type) throw new AppError(415, 'file_type_not_allowed');
    const hash = sha256(buffer);
    let width: number | null = null;
    let height: number | null = null;
    let thumbnail = false;
    if (type.image) {
      // sharp is loaded on the first image upload, not at start.
      const { default: sharp } = await import('sharp');
      try {
        const metadata = await sharp(buffer).metadata();
        width = metadata.width ?? null;
        height = metadata.height ?? null;
        const thumbnailPath = this.thumbnailPathOf(hash);
        await fs.mkdir(path.dirname(thumbnailPath), { recursive: true });
        await sharp(buffer)
          .rotate()
          .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
          .webp()
          .toFile(thumbnailPath);
        thumbnail = true;
      } catch {
        // A file with an image signature that sharp cannot decode is not an image.
        throw new AppError(415, 'file_type_not_allowed');
      }
    }
    const target = this.pathOf(hash);
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.access(target);
    } catch {
      const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(temporary, buffer);
      await fs.rename(temporary, target);
    }
    return { sha256: hash, type, width, height, thumbnail };
  }

  /** Whether `auth` may read the file row: in scope, and either the uploader's or readable through its owner. */
  async canRead(
    db: Kysely<DB>,
    auth: AuthContext,
    file: { org_path: string; owner_type: string | null; owner_id: number | null; uploaded_by: number },
  ): Promise<boolean> {
    if (file.owner_type === null || file.owner_id === null) {
      return file.uploaded_by === auth.userId && file.org_path.startsWith(auth.scopePath);
    }
    // An attached file is readable by whoever may read its record; the owner check applies the scope
    // (a department user reads its school's floor plan although the file belongs to the school).
    const check = this.owners.get(file.owner_type);
    return check ? check(db, auth, file.owner_id) : false;
  }
}

/**
 * Attaches uploaded files to a record in the caller's transaction. Only the uploader's own,
 * still unattached files in scope can be attached; anything else is a 400 so nothing half-links.
 */
export async function attachFiles(
  executor: Kysely<DB>,
  auth: AuthContext,
  fileIds: string[],
  owner: { type: string; id: number; orgPath: string },
): Promise<void> {
  if (fileIds.length === 0) return;
  const unique = [...new Set(fileIds)];
  const updated = await executor
    .updateTable('stored_file')
    .set({ owner_type: owner.type, owner_id: owner.id, org_path: owner.orgPath })
    .where('id', 'in', unique)
    .where('uploaded_by', '=', auth.userId)
    .where('owner_type', 'is', null)
    .returning('id')
    .execute();
  if (updated.length !== unique.length)
    throw new AppError(
      400,
      'validation_failed',
      {},
      { errors: [{ path: 'fileIds', message: 'unknown or already used files' }] },
    );
}
