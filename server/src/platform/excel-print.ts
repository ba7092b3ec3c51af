import type ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { contentDisposition, loadExcel, XLSX_MIME } from './excel.js';

/**
 * Printable ledgers (台账) streamed to the client: a title row, a subtitle (unit, period, export time), a
 * bordered header row repeated on every printed page, and rows committed one at a time so memory stays flat.
 */
export const THIN_BORDER: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

export interface PrintableSheetOptions {
  filename: string;
  sheetName: string;
  /** Column widths in characters; their count sets the width of the merged title. */
  widths: number[];
  title: string;
  subtitle: string;
  orientation?: 'portrait' | 'landscape';
}

/** Starts the download and returns the streaming workbook with its sheet, title and subtitle written. */
export async function openPrintableSheet(
  reply: FastifyReply,
  options: PrintableSheetOptions,
): Promise<{ workbook: ExcelJS.stream.xlsx.WorkbookWriter; sheet: ExcelJS.Worksheet }> {
  reply.raw.writeHead(200, {
    'content-type': XLSX_MIME,
    'content-disposition': contentDisposition('attachment', options.filename),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  reply.hijack();
  const Excel = await loadExcel();
  const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream: reply.raw, useStyles: true });
  const sheet = workbook.addWorksheet(options.sheetName, { views: [{ state: 'frozen', ySplit: 3 }] });
  options.widths.forEach((width, index) => {
    sheet.getColumn(index + 1).width = width;
  });
  sheet.pageSetup = {
    paperSize: 9,
    orientation: options.orientation ?? 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: '3:3',
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
  };
  sheet.headerFooter = { oddFooter: '第 &P 页，共 &N 页' };
  const titleRow = sheet.addRow([options.title]);
  sheet.mergeCells(1, 1, 1, options.widths.length);
  titleRow.font = { bold: true, size: 16 };
  titleRow.alignment = { horizontal: 'center', vertical: 'middle' };
  titleRow.height = 28;
  titleRow.commit();
  const subtitleRow = sheet.addRow([options.subtitle]);
  sheet.mergeCells(2, 1, 2, options.widths.length);
  subtitleRow.alignment = { horizontal: 'left' };
  subtitleRow.commit();
  return { workbook, sheet };
}

/** A bold, shaded, bordered header row. */
export function writeHeaderRow(sheet: ExcelJS.Worksheet, headers: string[]): void {
  const row = sheet.addRow(headers);
  row.font = { bold: true };
  row.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  row.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
    cell.border = THIN_BORDER;
  });
  row.commit();
}

/** A bordered data row, wrapped and top-aligned. */
export function writeBorderedRow(
  sheet: ExcelJS.Worksheet,
  values: (string | number | null)[],
  options: { bold?: boolean } = {},
): void {
  const row = sheet.addRow(values);
  row.alignment = { vertical: 'top', wrapText: true };
  row.eachCell({ includeEmpty: true }, (cell) => {
    cell.border = THIN_BORDER;
  });
  if (options.bold) row.font = { bold: true };
  row.commit();
}

/** A plain line below the table (totals, notes, the sign-off line). */
export function writeLine(sheet: ExcelJS.Worksheet, values: (string | number)[] = [], bold = false): void {
  const row = sheet.addRow(values);
  if (bold) row.font = { bold: true };
  row.commit();
}
