import type { FastifyReply } from 'fastify';
import { formatDateTime } from '../../platform/dates.js';
import { openPrintableSheet, writeBorderedRow, writeHeaderRow, writeLine } from '../../platform/excel-print.js';
import type { CoverageRow, ShiftRow } from './queries.js';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
const ROLE_LABELS = { leader: '带班领导', officer: '值班人员', guard: '安保人员' } as const;

/** 值班表: title, unit, period; one row per shift with date, weekday, time, leader on duty, people, phone. */
export async function streamRoster(
  reply: FastifyReply,
  shifts: ShiftRow[],
  options: { unitName: string; from: string; to: string; zone: string; now: Date; title: string },
  filename: string,
) {
  const { workbook, sheet } = await openPrintableSheet(reply, {
    filename,
    sheetName: '值班表',
    widths: [6, 12, 6, 14, 16, 30, 16, 16],
    title: options.title,
    subtitle: `单位：${options.unitName}　　值班期间：${options.from} 至 ${options.to}　　制表时间：${formatDateTime(options.now, options.zone)}`,
    orientation: 'portrait',
  });
  writeHeaderRow(sheet, ['序号', '日期', '星期', '时间', '带班领导', '值班人员', '值班电话', '备注']);
  shifts.forEach((shift, index) => {
    const start = formatDateTime(shift.starts_at, options.zone);
    const end = formatDateTime(shift.ends_at, options.zone);
    const weekday = new Date(`${start.slice(0, 10)}T12:00:00Z`).getUTCDay();
    const nextDay = end.slice(0, 10) !== start.slice(0, 10);
    const leaders = shift.people.filter((p) => p.role === 'leader').map((p) => p.name);
    const others = shift.people.filter((p) => p.role !== 'leader').map((p) => `${p.name}（${ROLE_LABELS[p.role]}）`);
    writeBorderedRow(sheet, [
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
  writeLine(sheet);
  writeLine(sheet, [`共 ${shifts.length} 个班次。`]);
  writeLine(sheet);
  writeLine(sheet, ['制表人：', '', '', '审核人：', '', '单位负责人（签字）：', '', '（盖章）']);
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
  const { workbook, sheet } = await openPrintableSheet(reply, {
    filename,
    sheetName: '假期值班情况',
    widths: [6, 16, 28, 12, 12, 30, 30],
    title: '学校假期值班（领导带班）情况汇总表',
    subtitle: `单位：${options.unitName}　　期间：${options.from} 至 ${options.to}　　导出时间：${formatDateTime(options.now, options.zone)}`,
    orientation: 'portrait',
  });
  writeHeaderRow(sheet, ['序号', '所属区县', '学校', '是否有值班表', '是否领导带班', '无值班日期', '无带班领导日期']);
  let n = 0;
  for await (const rows of pages) {
    for (const row of rows) {
      n += 1;
      const uncovered = row.uncovered ?? [];
      const withoutLeader = row.without_leader ?? [];
      writeBorderedRow(sheet, [
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
  writeLine(sheet);
  const t = options.totals;
  writeLine(
    sheet,
    [
      `合计：学校 ${t.schools} 所，有值班表 ${t.withTable} 所，无完整值班表 ${t.withoutTable} 所，存在无领导带班日期 ${t.withoutLeader} 所。`,
    ],
    true,
  );
  sheet.commit();
  await workbook.commit();
}
