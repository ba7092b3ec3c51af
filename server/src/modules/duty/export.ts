import type ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { formatDateTime } from '../../platform/dates.js';
import { contentDisposition, loadExcel, XLSX_MIME } from '../../platform/excel.js';
import type { CoverageRow, ShiftRow } from './queries.js';

const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
const ROLE_LABELS = { leader: '带班领导', officer: '值班人员', guard: '安保人员' } as const;

function startDownload(reply: FastifyReply, filename: string): void {
  reply.raw.writeHead(200, {
    'content-type': XLSX_MIME,
    'content-disposition': contentDisposition('attachment', filename),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  reply.hijack();
}

async function sheetFor(reply: FastifyReply, name: string, widths: number[], title: string, subtitle: string) {
  const Excel = await loadExcel();
  const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream: reply.raw, useStyles: true });
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 3 }] });
  widths.forEach((width, index) => {
    sheet.getColumn(index + 1).width = width;
  });
  sheet.pageSetup = {
    paperSize: 9,
    orientation: 'portrait',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: '3:3',
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
  };
  sheet.headerFooter = { oddFooter: '第 &P 页，共 &N 页' };
  const titleRow = sheet.addRow([title]);
  sheet.mergeCells(1, 1, 1, widths.length);
  titleRow.font = { bold: true, size: 16 };
  titleRow.alignment = { horizontal: 'center', vertical: 'middle' };
  titleRow.height = 28;
  titleRow.commit();
  const subtitleRow = sheet.addRow([subtitle]);
  sheet.mergeCells(2, 1, 2, widths.length);
  subtitleRow.commit();
  return { workbook, sheet };
}

function header(sheet: ExcelJS.Worksheet, headers: string[]) {
  const row = sheet.addRow(headers);
  row.font = { bold: true };
  row.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  row.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
    cell.border = thin;
  });
  row.commit();
}

function bordered(sheet: ExcelJS.Worksheet, values: (string | number)[]) {
  const row = sheet.addRow(values);
  row.alignment = { vertical: 'middle', wrapText: true };
  row.eachCell({ includeEmpty: true }, (cell) => {
    cell.border = thin;
  });
  row.commit();
}

/** 值班表: title, unit, period; one row per shift with date, weekday, time, leader on duty, people, phone. */
export async function streamRoster(
  reply: FastifyReply,
  shifts: ShiftRow[],
  options: { unitName: string; from: string; to: string; zone: string; now: Date; title: string },
  filename: string,
) {
  startDownload(reply, filename);
  const { workbook, sheet } = await sheetFor(
    reply,
    '值班表',
    [6, 12, 6, 14, 16, 30, 16, 16],
    options.title,
    `单位：${options.unitName}　　值班期间：${options.from} 至 ${options.to}　　制表时间：${formatDateTime(options.now, options.zone)}`,
  );
  header(sheet, ['序号', '日期', '星期', '时间', '带班领导', '值班人员', '值班电话', '备注']);
  shifts.forEach((shift, index) => {
    const start = formatDateTime(shift.starts_at, options.zone);
    const end = formatDateTime(shift.ends_at, options.zone);
    const weekday = new Date(`${start.slice(0, 10)}T12:00:00Z`).getUTCDay();
    const nextDay = end.slice(0, 10) !== start.slice(0, 10);
    const leaders = shift.people.filter((p) => p.role === 'leader').map((p) => p.name);
    const others = shift.people.filter((p) => p.role !== 'leader').map((p) => `${p.name}（${ROLE_LABELS[p.role]}）`);
    bordered(sheet, [
      index + 1,
      start.slice(0, 10),
      WEEKDAYS[weekday]!,
      `${start.slice(11)}–${nextDay ? '次日' : ''}${end.slice(11)}`,
      leaders.join('、'),
      others.join('、'),
      shift.phone ?? '',
      [shift.holiday_name, shift.note].filter(Boolean).join('；'),
    ]);
  });
  sheet.addRow([]).commit();
  sheet.addRow([`共 ${shifts.length} 个班次。`]).commit();
  sheet.addRow([]).commit();
  sheet.addRow(['制表人：', '', '', '审核人：', '', '单位负责人（签字）：', '', '（盖章）']).commit();
  sheet.commit();
  await workbook.commit();
}

/** 假期值班情况汇总: per school, whether it has a holiday table and a leader on every day. */
export async function streamCoverage(
  reply: FastifyReply,
  pages: AsyncIterable<CoverageRow[]>,
  options: {
    unitName: string;
    from: string;
    to: string;
    zone: string;
    now: Date;
    totals: { schools: number; withTable: number; withoutTable: number; withoutLeader: number };
  },
  filename: string,
) {
  startDownload(reply, filename);
  const { workbook, sheet } = await sheetFor(
    reply,
    '假期值班情况',
    [6, 16, 28, 12, 12, 30, 30],
    '学校假期值班（领导带班）情况汇总表',
    `单位：${options.unitName}　　期间：${options.from} 至 ${options.to}　　导出时间：${formatDateTime(options.now, options.zone)}`,
  );
  header(sheet, ['序号', '所属区县', '学校', '是否有值班表', '是否领导带班', '无值班日期', '无带班领导日期']);
  let n = 0;
  for await (const rows of pages) {
    for (const row of rows) {
      n += 1;
      const uncovered = row.uncovered ?? [];
      const withoutLeader = row.without_leader ?? [];
      bordered(sheet, [
        n,
        row.parent_name ?? '',
        row.name,
        uncovered.length === 0 ? '是' : '否',
        withoutLeader.length === 0 ? '是' : '否',
        uncovered.join('、'),
        withoutLeader.join('、'),
      ]);
    }
  }
  sheet.addRow([]).commit();
  const t = options.totals;
  const summary = sheet.addRow([
    `合计：学校 ${t.schools} 所，有值班表 ${t.withTable} 所，无完整值班表 ${t.withoutTable} 所，存在无领导带班日期 ${t.withoutLeader} 所。`,
  ]);
  summary.font = { bold: true };
  summary.commit();
  sheet.commit();
  await workbook.commit();
}
