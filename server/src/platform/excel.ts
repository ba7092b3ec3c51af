import type ExcelJS from 'exceljs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { FIELD_MESSAGES } from '../i18n/messages.js';
import { AppError } from './errors.js';

/** exceljs is loaded on first use: it is the heaviest import and most requests never touch Excel. */
export async function loadExcel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

/**
 * Excel import and export helpers shared by every module that has a ledger (台账) or a bulk import:
 * templates with a header row, an instruction sheet and drop-down lists; sheets read into rows by
 * header name; row-level error reports; ledger-style exports.
 */

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Default cap on data rows per import. */
export const IMPORT_MAX_ROWS = 5000;
/** An import file is small; anything bigger than this is not a filled-in template. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;
// Decompressed size limit: a tiny zip can expand to gigabytes (zip bomb) before exceljs sees a row.
const MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024;

export interface SheetColumn<K extends string = string> {
  key: K;
  /** Header text as shown in row 1 (a trailing `*` marks required columns in templates). */
  header: string;
  required?: boolean;
  width?: number;
  /** Allowed values: a drop-down list in the template. */
  list?: readonly string[];
  /** One-line explanation for the instruction sheet. */
  note?: string;
}

export interface SheetRow<K extends string = string> {
  /** Row number as Excel shows it (the header is row 1). */
  row: number;
  values: Record<K, string | null>;
}

export interface ImportRowError {
  row: number;
  column: string | null;
  message: string;
}

/** Collects row-level problems while an import is validated; nothing is written while it has any. */
export class ImportErrors {
  readonly items: ImportRowError[] = [];

  add(row: number, column: string | null, message: string): void {
    this.items.push({ row, column, message });
  }

  /**
   * Checks one cell against a zod schema (the same field rules as the API); records the problem and
   * returns undefined when it fails.
   */
  check<T>(row: number, column: SheetColumn, schema: z.ZodType<T>, value: string | null): T | undefined {
    if (value === null) {
      if (column.required) this.add(row, column.header, FIELD_MESSAGES.required.zh);
      return undefined;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const kind = issue?.message === 'control_characters' ? 'control_characters' : (issue?.code ?? 'other');
    const message = (FIELD_MESSAGES as Record<string, { zh: string }>)[kind] ?? FIELD_MESSAGES.other;
    this.add(row, column.header, message.zh);
    return undefined;
  }

  /** Maps a label from a drop-down list to its code, recording a problem when it is not one of them. */
  choice<C extends string>(
    row: number,
    column: SheetColumn,
    labels: Record<C, string>,
    value: string | null,
  ): C | undefined {
    if (value === null) {
      if (column.required) this.add(row, column.header, FIELD_MESSAGES.required.zh);
      return undefined;
    }
    const code = (Object.keys(labels) as C[]).find((candidate) => labels[candidate] === value);
    if (code === undefined)
      this.add(row, column.header, `${FIELD_MESSAGES.invalid_value.zh}（${Object.values<string>(labels).join('、')}）`);
    return code;
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Throws the 400 `import_invalid` answer when any row failed. At most `limit` errors are returned. */
  throwIfAny(limit = 500): void {
    if (this.empty) return;
    const errors = [...this.items].sort((a, b) => a.row - b.row).slice(0, limit);
    throw new AppError(400, 'import_invalid', { count: this.items.length }, { errors, errorCount: this.items.length });
  }
}

/** Plain text of a cell, whatever Excel stored (numbers, rich text, hyperlinks, formulas, dates). */
export function cellText(value: ExcelJS.CellValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((part) => part.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ('error' in value) return null;
  }
  return String(value);
}

function normaliseHeader(text: string): string {
  return text.replace(/[\s*＊]/g, '').replace(/（.*?）|\(.*?\)/g, '');
}

/** Sum of the uncompressed sizes in a zip's central directory; null when it is not a zip. */
export function zipUncompressedSize(buffer: Buffer): number | null {
  const minimum = Math.max(0, buffer.length - 65_557);
  for (let offset = buffer.length - 22; offset >= minimum; offset--) {
    if (buffer.readUInt32LE(offset) !== 0x06054b50) continue;
    const entries = buffer.readUInt16LE(offset + 10);
    let cursor = buffer.readUInt32LE(offset + 16);
    let total = 0;
    for (let index = 0; index < entries; index++) {
      if (cursor + 46 > buffer.length || buffer.readUInt32LE(cursor) !== 0x02014b50) return null;
      total += buffer.readUInt32LE(cursor + 24);
      cursor +=
        46 + buffer.readUInt16LE(cursor + 28) + buffer.readUInt16LE(cursor + 30) + buffer.readUInt16LE(cursor + 32);
    }
    return total;
  }
  return null;
}

/** Loads an uploaded workbook, refusing anything that is not a reasonable xlsx. */
export async function loadWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
  if (buffer.length > IMPORT_MAX_BYTES)
    throw new AppError(413, 'file_too_large', { limit: `${IMPORT_MAX_BYTES / 1024 / 1024} MB` });
  const uncompressed = zipUncompressedSize(buffer);
  if (uncompressed === null || uncompressed > MAX_UNCOMPRESSED_BYTES) throw new AppError(400, 'import_unreadable');
  const workbook = new (await loadExcel()).Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  } catch {
    throw new AppError(400, 'import_unreadable');
  }
  return workbook;
}

/**
 * Reads the first sheet (or the named one) into rows keyed by column, matching headers by text.
 * Empty rows are skipped; a missing required header or too many rows fails the whole file.
 */
export async function readSheet<K extends string>(
  buffer: Buffer,
  columns: readonly SheetColumn<K>[],
  options: { sheetName?: string; maxRows?: number } = {},
): Promise<SheetRow<K>[]> {
  const workbook = await loadWorkbook(buffer);
  const sheet = (options.sheetName ? workbook.getWorksheet(options.sheetName) : undefined) ?? workbook.worksheets[0];
  if (!sheet) throw new AppError(400, 'import_unreadable');
  const maxRows = options.maxRows ?? IMPORT_MAX_ROWS;

  // The header is row 1 of a template; a ledger export has a title above it, so look at the first rows.
  let headerRowNumber = 1;
  let columnIndex = new Map<K, number>();
  for (let candidate = 1; candidate <= 3; candidate++) {
    const found = new Map<K, number>();
    sheet.getRow(candidate).eachCell({ includeEmpty: false }, (cell, index) => {
      const text = normaliseHeader(cellText(cell.value) ?? '');
      const column = columns.find((entry) => normaliseHeader(entry.header) === text);
      if (column && !found.has(column.key)) found.set(column.key, index);
    });
    if (found.size > columnIndex.size) {
      columnIndex = found;
      headerRowNumber = candidate;
    }
  }
  const errors = new ImportErrors();
  for (const column of columns) {
    if (column.required && !columnIndex.has(column.key))
      errors.add(headerRowNumber, column.header, FIELD_MESSAGES.required.zh);
  }
  errors.throwIfAny();

  const rows: SheetRow<K>[] = [];
  let tooMany = false;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber <= headerRowNumber || tooMany) return;
    const values = {} as Record<K, string | null>;
    let any = false;
    for (const column of columns) {
      const index = columnIndex.get(column.key);
      const text = index === undefined ? null : cellText(row.getCell(index).value);
      const trimmed = text === null ? null : text.trim();
      values[column.key] = trimmed === '' ? null : trimmed;
      if (values[column.key] !== null) any = true;
    }
    if (!any) return;
    if (rows.length >= maxRows) {
      tooMany = true;
      return;
    }
    rows.push({ row: rowNumber, values });
  });
  if (tooMany) throw new AppError(400, 'import_too_large', { max: maxRows });
  if (rows.length === 0) throw new AppError(400, 'import_empty');
  return rows;
}

/**
 * An import template: the data sheet with a bold header row (required columns marked `*`),
 * drop-down lists where values are fixed, example rows, and an instruction sheet in Chinese.
 */
export async function buildTemplate(options: {
  sheetName: string;
  columns: readonly SheetColumn[];
  instructions: readonly string[];
  examples?: readonly (readonly (string | null)[])[];
  validationRows?: number;
}): Promise<Buffer> {
  const workbook = new (await loadExcel()).Workbook();
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(options.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = options.columns.map((column) => ({
    header: column.required ? `${column.header}*` : column.header,
    key: column.key,
    width: column.width ?? Math.max(12, column.header.length * 2 + 4),
  }));
  const headerRow = sheet.getRow(1);
  headerRow.font = { bold: true };
  headerRow.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  options.columns.forEach((column, index) => {
    if (column.note) headerRow.getCell(index + 1).note = column.note;
  });
  // Codes look like numbers; text format keeps leading zeros.
  options.columns.forEach((_column, index) => {
    sheet.getColumn(index + 1).numFmt = '@';
  });
  for (const example of options.examples ?? []) sheet.addRow([...example]);
  const lastRow = (options.validationRows ?? IMPORT_MAX_ROWS) + 1;
  options.columns.forEach((column, index) => {
    if (!column.list) return;
    const letter = sheet.getColumn(index + 1).letter;
    const formula = `"${column.list.join(',')}"`;
    // exceljs keeps per-cell validations in `dataValidations` (untyped) and merges them into ranges on write.
    const validations = (
      sheet as unknown as { dataValidations: { add(address: string, rule: ExcelJS.DataValidation): void } }
    ).dataValidations;
    for (let row = 2; row <= lastRow; row++) {
      validations.add(`${letter}${row}`, {
        type: 'list',
        allowBlank: !column.required,
        formulae: [formula],
        showErrorMessage: true,
        errorTitle: '取值不正确',
        error: `请从下拉列表中选择：${column.list.join('、')}`,
      });
    }
  });

  const help = workbook.addWorksheet('填写说明');
  help.columns = [
    { header: '列名', key: 'header', width: 18 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '可选值', key: 'list', width: 36 },
    { header: '说明', key: 'note', width: 60 },
  ];
  help.getRow(1).font = { bold: true };
  for (const column of options.columns) {
    help.addRow({
      header: column.header,
      required: column.required ? '是' : '否',
      list: column.list?.join('、') ?? '',
      note: column.note ?? '',
    });
  }
  help.addRow([]);
  for (const line of options.instructions) help.addRow([line]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A ledger (台账) export: a title row, a header row and the records, as one sheet. */
export async function buildLedger(options: {
  sheetName: string;
  title?: string;
  columns: readonly { header: string; width?: number }[];
  rows: readonly (readonly (string | number | null)[])[];
}): Promise<Buffer> {
  const workbook = new (await loadExcel()).Workbook();
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(options.sheetName);
  let headerRowNumber = 1;
  if (options.title) {
    sheet.addRow([options.title]);
    sheet.mergeCells(1, 1, 1, Math.max(1, options.columns.length));
    const title = sheet.getRow(1);
    title.font = { bold: true, size: 14 };
    title.alignment = { horizontal: 'center' };
    headerRowNumber = 2;
  }
  sheet.addRow(options.columns.map((column) => column.header));
  const header = sheet.getRow(headerRowNumber);
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  options.columns.forEach((column, index) => {
    sheet.getColumn(index + 1).width = column.width ?? 16;
  });
  sheet.views = [{ state: 'frozen', ySplit: headerRowNumber }];
  for (const row of options.rows) sheet.addRow([...row]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The uploaded file of a single-file multipart request (field `file`), as a buffer. */
export async function uploadedFile(
  request: FastifyRequest,
  maxBytes?: number,
): Promise<{ filename: string; buffer: Buffer }> {
  let part: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    part = await request.file();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new AppError(415, 'unsupported_media_type');
    throw error;
  }
  if (part?.fieldname !== 'file') throw new AppError(400, 'file_missing');
  let buffer: Buffer;
  try {
    buffer = await part.toBuffer();
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(413, 'file_too_large', {
        limit: formatLimit(maxBytes ?? request.server.platform.config.fileMaxBytes),
      });
    }
    throw error;
  }
  if (maxBytes !== undefined && buffer.length > maxBytes)
    throw new AppError(413, 'file_too_large', { limit: formatLimit(maxBytes) });
  if (buffer.length === 0) throw new AppError(400, 'file_missing');
  return { filename: part.filename ?? 'file', buffer };
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'file';
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Sends an xlsx buffer as a download. */
export function sendXlsx(reply: FastifyReply, buffer: Buffer, filename: string): FastifyReply {
  return reply
    .header('content-type', XLSX_MIME)
    .header('content-disposition', contentDisposition('attachment', filename))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(buffer);
}

/** Today's date in the business time zone, for file names: 2026-11-23. */
export function dateStamp(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
