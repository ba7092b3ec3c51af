import {
  RECEIPT_STATUSES,
  type ReceiptStatus,
  receiptStatus,
  replyIsLate,
  URGENT_CATEGORY_LABELS,
  URGENT_SEVERITY_LABELS,
  type UrgentCategory,
  type UrgentSeverity,
} from '@safe-campus/domain';
import type { FastifyReply } from 'fastify';
import { formatDateTime } from '../../platform/dates.js';
import { openPrintableSheet, writeBorderedRow, writeHeaderRow, writeLine } from '../../platform/excel-print.js';
import type { NoticeRowWithNames } from './service.js';
import { type UrgentRow, urgentCode } from './urgent.js';

const STATUS_LABELS: Record<ReceiptStatus, string> = { unread: '未读', read: '已读', replied: '已回执' };
const LEVEL_LABELS: Record<string, string> = {
  province: '省级',
  city: '市级',
  county: '区县',
  school: '学校',
  department: '部门',
};

interface ReceiptExportRow {
  org_name: string;
  level: string;
  read_at: Date | null;
  read_by_name: string | null;
  replied_at: Date | null;
  replied_by_name: string | null;
  reply_text: string | null;
  reminded_count: number;
}

/** 通知回执情况表: one row per receiving unit, totals per status at the end. */
export async function streamReceipts(
  reply: FastifyReply,
  notice: NoticeRowWithNames,
  pages: AsyncIterable<ReceiptExportRow[]>,
  zone: string,
  filter: string,
): Promise<void> {
  const { workbook, sheet } = await openPrintableSheet(reply, {
    filename: `通知回执情况-${notice.id}.xlsx`,
    sheetName: '回执情况',
    widths: [6, 30, 8, 10, 18, 12, 18, 12, 40, 8],
    title: `《${notice.title}》回执情况表`,
    subtitle: `发布单位：${notice.org_name}　　发布时间：${formatDateTime(notice.published_at, zone)}　　${
      notice.reply_deadline ? `回执截止：${formatDateTime(notice.reply_deadline, zone)}　　` : ''
    }${filter ? `筛选：${filter}　　` : ''}导出时间：${formatDateTime(new Date(), zone)}`,
  });
  writeHeaderRow(sheet, [
    '序号',
    '接收单位',
    '层级',
    '状态',
    '阅读时间',
    '阅读人',
    '回执时间',
    '回执人',
    '回执内容',
    '催办次数',
  ]);
  const totals: Record<ReceiptStatus, number> = { unread: 0, read: 0, replied: 0 };
  let index = 0;
  for await (const rows of pages) {
    for (const row of rows) {
      const status = receiptStatus({ readAt: row.read_at, repliedAt: row.replied_at });
      totals[status]++;
      const late = row.replied_at !== null && replyIsLate(notice.reply_deadline, row.replied_at);
      writeBorderedRow(sheet, [
        ++index,
        row.org_name,
        LEVEL_LABELS[row.level] ?? row.level,
        `${STATUS_LABELS[status]}${late ? '（逾期）' : ''}`,
        formatDateTime(row.read_at, zone),
        row.read_by_name ?? '',
        formatDateTime(row.replied_at, zone),
        row.replied_by_name ?? '',
        row.reply_text ?? '',
        row.reminded_count,
      ]);
    }
  }
  writeLine(sheet);
  writeLine(
    sheet,
    [
      `合计 ${index} 个单位：${RECEIPT_STATUSES.map((status) => `${STATUS_LABELS[status]} ${totals[status]}`).join('，')}`,
    ],
    true,
  );
  sheet.commit();
  await workbook.commit();
}

/** 突发事件信息报送台账. */
export async function streamUrgentReports(
  reply: FastifyReply,
  rows: UrgentRow[],
  unitName: string,
  zone: string,
): Promise<void> {
  const capped = rows.slice(0, 20_000);
  const { workbook, sheet } = await openPrintableSheet(reply, {
    filename: `突发事件信息报送台账-${unitName}.xlsx`,
    sheetName: '信息报送',
    widths: [6, 18, 24, 12, 10, 18, 22, 40, 10, 18, 18, 14, 8],
    title: '突发事件信息报送台账',
    subtitle: `单位：${unitName}　　导出时间：${formatDateTime(new Date(), zone)}　　伤亡情况仅记人数`,
  });
  writeHeaderRow(sheet, [
    '序号',
    '编号',
    '报送学校',
    '类别',
    '等级',
    '事发时间',
    '地点',
    '事件经过',
    '死亡/受伤/失踪',
    '报送时间',
    '签收时间',
    '签收单位',
    '续报',
  ]);
  capped.forEach((row, index) => {
    writeBorderedRow(sheet, [
      index + 1,
      urgentCode(row.id, row.reported_at),
      row.org_name,
      URGENT_CATEGORY_LABELS[row.category as UrgentCategory] ?? row.category,
      URGENT_SEVERITY_LABELS[row.severity as UrgentSeverity] ?? row.severity,
      formatDateTime(row.occurred_at, zone),
      row.place,
      row.description,
      `${row.deaths}/${row.injuries}/${row.missing}`,
      `${formatDateTime(row.reported_at, zone)}${row.late ? '（迟报）' : ''}`,
      row.acknowledged_at ? formatDateTime(row.acknowledged_at, zone) : '未签收',
      row.acknowledged_org_name ?? row.handling_org_name,
      row.followup_count,
    ]);
  });
  writeLine(sheet);
  writeLine(
    sheet,
    [
      rows.length > 20_000
        ? '超过 20,000 条，仅导出最近的 20,000 条，请缩小筛选范围。'
        : `共 ${capped.length} 条；未签收 ${capped.filter((row) => row.state === 'pending').length} 条。`,
    ],
    true,
  );
  sheet.commit();
  await workbook.commit();
}
