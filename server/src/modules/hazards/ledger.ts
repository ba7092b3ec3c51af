import type { HazardCategory, HazardGrade, HazardState, HazardStats, RiskLevel } from '@safe-campus/domain';
import type { FastifyReply } from 'fastify';
import {
  HAZARD_CATEGORY_LABELS,
  HAZARD_GRADE_LABELS,
  HAZARD_STATE_LABELS,
  RISK_LEVEL_LABELS,
  YES_NO,
} from '../../i18n/labels.js';
import { formatDate, formatDateTime } from '../../platform/dates.js';
import { openPrintableSheet, writeBorderedRow, writeHeaderRow, writeLine } from '../../platform/excel-print.js';
import { presentHazardSummary } from './presenter.js';
import type { HazardFilter, HazardListRow, HazardQueries } from './queries.js';

/** A ledger beyond this many rows is cut, and says so in its last line: narrow the filter instead. */
export const LEDGER_MAX_ROWS = 200_000;
const PAGE = 2000;

const COLUMNS: { header: string; width: number }[] = [
  { header: '序号', width: 6 },
  { header: '隐患编号', width: 15 },
  { header: '学校', width: 20 },
  { header: '部门', width: 12 },
  { header: '场所', width: 14 },
  { header: '隐患名称', width: 26 },
  { header: '类别', width: 9 },
  { header: '等级', width: 7 },
  { header: '风险等级', width: 10 },
  { header: '发现时间', width: 16 },
  { header: '上报人', width: 9 },
  { header: '状态', width: 12 },
  { header: '责任单位', width: 14 },
  { header: '责任人', width: 9 },
  { header: '整改措施', width: 26 },
  { header: '整改资金（元）', width: 11 },
  { header: '整改时限', width: 11 },
  { header: '临时防范措施（预案）', width: 24 },
  { header: '是否超期', width: 8 },
  { header: '挂牌督办', width: 12 },
  { header: '验收销号时间', width: 16 },
];

export interface LedgerOptions {
  title: string;
  orgName: string;
  periodLabel: string;
  timeZone: string;
  now: Date;
}

/**
 * Streams the printable ledger (隐患排查整改台账): title, unit and period, one row per hazard with the
 * five fixes and status, and a totals line. Rows are read and written a page at a time, so memory stays
 * flat however many rows there are.
 */
export async function streamHazardLedger(
  reply: FastifyReply,
  queries: HazardQueries,
  filter: HazardFilter,
  options: LedgerOptions,
  filename: string,
): Promise<number> {
  const { workbook, sheet } = await openPrintableSheet(reply, {
    filename,
    sheetName: '隐患台账',
    widths: COLUMNS.map((column) => column.width),
    title: options.title,
    subtitle: `填报单位：${options.orgName}　　统计期间：${options.periodLabel}　　导出时间：${formatDateTime(options.now, options.timeZone)}`,
  });
  writeHeaderRow(
    sheet,
    COLUMNS.map((column) => column.header),
  );
  const totals = { all: 0, closed: 0, open: 0, overdue: 0, rejected: 0 };
  let after: [string, number] | undefined;
  let truncated = false;
  const zone = options.timeZone;
  while (true) {
    const rows: HazardListRow[] = await queries.page(filter, after, PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (totals.all >= LEDGER_MAX_ROWS) {
        truncated = true;
        break;
      }
      const hazard = presentHazardSummary(row, options.now);
      totals.all += 1;
      if (hazard.state === 'closed') totals.closed += 1;
      else if (hazard.state === 'rejected') totals.rejected += 1;
      else totals.open += 1;
      if (hazard.overdue) totals.overdue += 1;
      writeBorderedRow(sheet, [
        totals.all,
        hazard.code,
        hazard.schoolName,
        hazard.departmentName ?? '',
        hazard.placeName ?? '',
        hazard.title,
        HAZARD_CATEGORY_LABELS[hazard.category as HazardCategory],
        hazard.grade ? HAZARD_GRADE_LABELS[hazard.grade as HazardGrade] : '',
        hazard.riskLevel ? RISK_LEVEL_LABELS[hazard.riskLevel as RiskLevel] : '',
        formatDateTime(row.reported_at, zone),
        hazard.reportedByName ?? '',
        HAZARD_STATE_LABELS[hazard.state as HazardState],
        hazard.responsibleUnit ?? '',
        hazard.responsibleUserName ?? '',
        row.measures ?? '',
        row.funds === null ? '' : Number(row.funds),
        formatDate(row.deadline, zone),
        row.interim_measures ?? '',
        hazard.overdue ? YES_NO.yes : YES_NO.no,
        hazard.supervised ? (hazard.supervisingOrgName ?? YES_NO.yes) : '',
        formatDateTime(row.closed_at, zone),
      ]);
    }
    if (truncated || rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = [last.reported_at.toISOString(), last.id];
  }
  writeLine(sheet);
  writeLine(
    sheet,
    [
      `合计：隐患 ${totals.all} 条，其中已验收销号 ${totals.closed} 条，未销号 ${totals.open} 条（超期 ${totals.overdue} 条），不属于隐患 ${totals.rejected} 条。`,
    ],
    true,
  );
  if (truncated) writeLine(sheet, [`仅导出前 ${LEDGER_MAX_ROWS} 条，请缩小筛选范围后分批导出。`]);
  writeLine(sheet);
  writeLine(sheet, [
    '填表人：',
    '',
    '',
    '',
    '审核人：',
    '',
    '',
    '',
    '',
    '单位负责人（签字）：',
    '',
    '',
    '',
    '',
    '（盖章）',
  ]);
  sheet.commit();
  await workbook.commit();
  return totals.all;
}

const STAT_COLUMNS = [
  '单位',
  '发现隐患',
  '已整改',
  '未整改',
  '超期未整改',
  '整改率',
  '平均整改天数',
  '重大隐患',
  '挂牌督办',
];

function statCells(row: HazardStats['totals']): (string | number)[] {
  return [
    row.found,
    row.rectified,
    row.unrectified,
    row.overdue,
    row.rectificationRate === null ? '—' : `${(row.rectificationRate * 100).toFixed(1)}%`,
    row.averageDaysToClose ?? '—',
    row.major,
    row.supervised,
  ];
}

/** The statistics as a printable sheet: per child unit, a totals row, then by category and by grade. */
export async function streamStatsWorkbook(
  reply: FastifyReply,
  stats: HazardStats,
  options: Omit<LedgerOptions, 'title'>,
  filename: string,
): Promise<void> {
  const { workbook, sheet } = await openPrintableSheet(reply, {
    filename,
    sheetName: '隐患统计',
    widths: STAT_COLUMNS.map((_, index) => (index === 0 ? 28 : 13)),
    title: `${stats.org.name}隐患排查整改情况统计表`,
    subtitle: `统计期间：${options.periodLabel}　　导出时间：${formatDateTime(options.now, options.timeZone)}`,
  });
  const section = (title: string) => writeLine(sheet, [title], true);
  const body = (label: string, counts: HazardStats['totals'], bold = false) =>
    writeBorderedRow(sheet, [label, ...statCells(counts)], { bold });
  writeHeaderRow(sheet, STAT_COLUMNS);
  for (const child of stats.byChild) body(child.orgName, child);
  body('合计', stats.totals, true);
  writeLine(sheet);
  section('按隐患类别');
  writeHeaderRow(sheet, ['类别', ...STAT_COLUMNS.slice(1)]);
  for (const row of stats.byCategory) body(HAZARD_CATEGORY_LABELS[row.category], row);
  writeLine(sheet);
  section('按隐患等级');
  writeHeaderRow(sheet, ['等级', ...STAT_COLUMNS.slice(1)]);
  for (const row of stats.byGrade) body(row.grade ? HAZARD_GRADE_LABELS[row.grade] : '未定级', row);
  writeLine(sheet);
  writeLine(sheet, ['说明：发现隐患不含经核实不属于隐患的上报；已整改指已验收销号；超期指未销号且已过整改时限。']);
  sheet.commit();
  await workbook.commit();
}
