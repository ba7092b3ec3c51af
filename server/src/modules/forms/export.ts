import {
  type FormField,
  type FormSummary,
  NOT_APPLICABLE,
  printable,
  type SubmissionDetail,
  type SubmissionState,
} from '@safe-campus/domain';
import type { FastifyReply } from 'fastify';
import { formatDate, formatDateTime } from '../../platform/dates.js';
import { loadExcel, sendXlsx } from '../../platform/excel.js';
import {
  openPrintableSheet,
  THIN_BORDER,
  writeBorderedRow,
  writeHeaderRow,
  writeLine,
} from '../../platform/excel-print.js';

export const SUBMISSION_STATE_LABELS: Record<SubmissionState, string> = {
  draft: '填报中',
  submitted: '已提交，待校长签字',
  signed: '校长已签字',
  cosigned: '所长已会签',
  accepted: '已通过',
  returned: '已退回',
};

function answerText(field: FormField, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (value === NOT_APPLICABLE) return '/';
  if (field.type === 'table' && Array.isArray(value)) {
    return value
      .map(
        (row, index) =>
          `${index + 1}. ${(field.columns ?? [])
            .map((column) => `${column.label}：${printable(column, (row as Record<string, never>)[column.key]) ?? ''}`)
            .join('；')}`,
      )
      .join('\n');
  }
  const text = printable(field, value as never);
  return text === null ? '' : String(text);
}

/**
 * The school form in the layout of the paper one (Attachment 1): title, unit and date, one row per field under its
 * section, the prefilled value and its basis beside the answer, the footnote and the 校长/所长 sign-off line.
 */
export async function submissionWorkbook(detail: SubmissionDetail, timeZone: string, now: Date): Promise<Buffer> {
  const Excel = await loadExcel();
  const workbook = new Excel.Workbook();
  const sheet = workbook.addWorksheet('报表');
  sheet.columns = [{ width: 34 }, { width: 30 }, { width: 14 }, { width: 36 }];
  sheet.pageSetup = { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  const merged = (values: string, bold = false, height?: number) => {
    const row = sheet.addRow([values]);
    sheet.mergeCells(row.number, 1, row.number, 4);
    row.font = { bold };
    row.alignment = { wrapText: true, vertical: 'middle' };
    if (height) row.height = height;
    return row;
  };
  const title = merged(detail.content.title, true, 30);
  title.font = { bold: true, size: 16 };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  const fillDate = typeof detail.answers.fillDate === 'string' ? detail.answers.fillDate : '';
  merged(`单位名称：${detail.schoolName}　　　　填表日期：${fillDate}`);
  merged(
    `报表任务：${detail.collectionTitle}（${detail.issuerOrgName}，${detail.periodFrom} 至 ${detail.periodTo}）　状态：${SUBMISSION_STATE_LABELS[detail.status]}${detail.late ? '（逾期提交）' : ''}`,
  );
  const header = sheet.addRow(['项目', '填报内容', '', '说明（系统预填依据）']);
  sheet.mergeCells(header.number, 2, header.number, 3);
  header.font = { bold: true };
  header.alignment = { horizontal: 'center', vertical: 'middle' };
  header.eachCell((cell) => {
    cell.border = THIN_BORDER;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  });
  const corrections = new Set(detail.corrections);
  for (const section of detail.content.sections) {
    const sectionRow = sheet.addRow([section.title]);
    sheet.mergeCells(sectionRow.number, 1, sectionRow.number, 4);
    sectionRow.font = { bold: true };
    sectionRow.getCell(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    sectionRow.getCell(1).border = THIN_BORDER;
    for (const field of section.fields) {
      const prefilled = detail.prefilled?.[field.key];
      let note = '';
      if (prefilled) {
        note = corrections.has(field.key)
          ? `系统预填：${answerText(field, prefilled.value) || '—'}（学校已更正）；${prefilled.basis}`
          : `系统预填；${prefilled.basis}`;
      }
      const row = sheet.addRow([field.label, answerText(field, detail.answers[field.key]), '', note]);
      sheet.mergeCells(row.number, 2, row.number, 3);
      row.alignment = { wrapText: true, vertical: 'top' };
      row.eachCell({ includeEmpty: true }, (cell) => {
        cell.border = THIN_BORDER;
      });
    }
  }
  if (detail.content.footnote) merged(detail.content.footnote, false, 32);
  const signed = (name: string | null, at: string | null) =>
    name ? `${name}（${formatDate(at ? new Date(at) : null, timeZone)}）` : '　　　　　　';
  merged(
    detail.content.cosign
      ? `${detail.content.principalLabel}：${signed(detail.signedByName, detail.signedAt)}　　　　${detail.content.cosignerLabel}：${signed(detail.cosignedByName, detail.cosignedAt)}`
      : `${detail.content.principalLabel}：${signed(detail.signedByName, detail.signedAt)}`,
    true,
  );
  merged(`导出时间：${formatDateTime(now, timeZone)}`);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function sendSubmissionWorkbook(reply: FastifyReply, buffer: Buffer, detail: SubmissionDetail): FastifyReply {
  return sendXlsx(reply, buffer, `${detail.content.title}-${detail.schoolName}.xlsx`);
}

/**
 * The summary in the official layout (Attachment 2): merged title, unit and period, the seed's header, one row per
 * school grouped by district with a subtotal row each, city and overall totals, the sign-off line. A district with
 * no handed-in forms gives the empty layout with a note.
 */
export async function streamSummary(
  reply: FastifyReply,
  summary: FormSummary,
  options: { periodLabel: string; timeZone: string; now: Date; filename: string },
): Promise<void> {
  const widths = summary.columns.map((column) => (column.number ? 11 : column.label.length > 6 ? 28 : 14));
  const { workbook, sheet } = await openPrintableSheet(reply, {
    filename: options.filename,
    sheetName: '汇总表',
    widths,
    title: summary.title,
    subtitle: `汇总单位：${summary.orgName}　　统计期间：${options.periodLabel}　　应报 ${summary.overall.schools} 校，已报 ${summary.overall.submitted} 校　　导出时间：${formatDateTime(options.now, options.timeZone)}`,
  });
  writeHeaderRow(
    sheet,
    summary.columns.map((column) => column.label),
  );
  // Label cells of subtotal rows span the text columns before the first number column.
  const firstNumber = summary.columns.findIndex((column) => column.number);
  const labelSpan = Math.max(1, firstNumber === -1 ? summary.columns.length : Math.min(firstNumber, 3));
  const totalsRow = (label: string, totals: (number | null)[]) => {
    const values: (string | number | null)[] = totals.map((total) => total);
    values[0] = label;
    for (let index = 1; index < labelSpan; index++) values[index] = null;
    const row = sheet.addRow(values);
    if (labelSpan > 1) sheet.mergeCells(row.number, 1, row.number, labelSpan);
    row.font = { bold: true };
    row.eachCell({ includeEmpty: true }, (cell) => {
      cell.border = THIN_BORDER;
    });
    row.commit();
  };
  for (const county of summary.counties) {
    for (const row of county.rows) writeBorderedRow(sheet, row);
    if (county.rows.length === 0) {
      writeBorderedRow(sheet, [county.orgName, ...summary.columns.slice(1).map(() => null)]);
    }
    totalsRow(`小计（${county.orgName}，应报 ${county.schools} 校，已报 ${county.submitted} 校）`, county.totals);
  }
  if (summary.cities.length > 1 || (summary.cities.length === 1 && summary.counties.length > 1)) {
    for (const city of summary.cities) totalsRow(`合计（${city.orgName}）`, city.totals);
  }
  totalsRow('总计', summary.overall.totals);
  if (summary.overall.submitted === 0) {
    writeLine(sheet, [`说明：${summary.orgName}暂无已提交的报表（应报 ${summary.overall.schools} 校），本表为空表。`]);
  }
  writeLine(sheet, []);
  writeLine(sheet, ['填报单位（盖章）：', '', '负责人：', '', '填报人：', '', '联系电话：'], true);
  await workbook.commit();
}
