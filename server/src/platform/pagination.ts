import { AppError } from './errors.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; anything else is a 400. */
export function decodeCursor(cursor: string, shape: ReadonlyArray<'number' | 'string'>): (number | string)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(values) || values.length !== shape.length) throw new Error('shape');
    values.forEach((value, index) => {
      if (typeof value !== shape[index]) throw new Error('type');
      if (typeof value === 'string' && (value.length > 200 || value.includes('\u0000'))) throw new Error('length');
      if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('number');
    });
    return values as (number | string)[];
  } catch {
    throw new AppError(400, 'invalid_cursor');
  }
}

/** Fetch `limit + 1` rows, return `limit` of them and a cursor built from the last one. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  present: (row: Row) => Item,
  cursorOf: (row: Row) => readonly unknown[],
): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(present),
    nextCursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
