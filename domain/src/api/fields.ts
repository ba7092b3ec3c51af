import { z } from 'zod';

// PostgreSQL text cannot hold NUL, and other control characters have no place in a record either.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// A lone UTF-16 surrogate cannot be encoded as UTF-8 and the database refuses it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text a database column can hold and a person meant to type: no control characters, well-formed UTF-16. */
export function isCleanText(value: string, allowLineBreaks = true): boolean {
  if (CONTROL_CHARACTERS.test(value) || LONE_SURROGATE.test(value)) return false;
  return allowLineBreaks || !/[\r\n]/.test(value);
}

/**
 * Text PostgreSQL can store at all, in a text or a jsonb column: no NUL, well-formed UTF-16. Other control
 * characters pass; for text a person typed, use `isCleanText` (stricter).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** A string from a machine (a device, a gateway): anything storable (`isStorableText`), up to max characters. */
export function storableString(max: number) {
  return z.string().max(max).refine(isStorableText, { message: 'control_characters' });
}

/** A trimmed line of text (no line breaks), 1..max characters. */
export function line(max = 200) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => isCleanText(value, false), { message: 'control_characters' });
}

/** Free text that may span lines, 0..max characters. */
export function paragraph(max = 5000) {
  return z
    .string()
    .max(max)
    .refine((value) => isCleanText(value), { message: 'control_characters' });
}

/** A search term from a query string: trimmed, up to max characters, clean text. */
export function searchText(max = 100) {
  return z
    .string()
    .trim()
    .max(max)
    .refine((value) => isCleanText(value, false), { message: 'control_characters' });
}

/** A database id in a JSON body. */
export const id = z.number().int().positive().max(2_147_483_647);

/** A database id in a path or query string. */
export const idParam = z.coerce.number().int().positive().max(2_147_483_647);

/** `/1/12/305/` */
export const orgPath = z.string().regex(/^\/(\d+\/)+$/);

export const code = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'code_format' });

export const username = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, { message: 'username_format' });

export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9-]{5,20}$/, { message: 'phone_format' });

export const isoDateTime = z.iso.datetime({ offset: true });

export const idParams = z.strictObject({ id: idParam });

/** Cursor pagination: `limit` and an opaque `cursor` from the previous page's `nextCursor`. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Query-string boolean: `true`/`false`/`1`/`0`. */
export const queryBoolean = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
