import type {
  NoticeDetail,
  NoticeInboxItem,
  NoticeReceipt,
  NoticeSummary,
  OrgLevel,
  UrgentReportDetail,
  UrgentReportSummary,
} from '@safe-campus/domain';
import dayjs from 'dayjs';
import { api } from '../../api/client';

export type { NoticeDetail, NoticeInboxItem, NoticeReceipt, NoticeSummary, UrgentReportDetail, UrgentReportSummary };

export const noticesApi = {
  detail: (id: number) => api.get<NoticeDetail>(`/notices/${id}`),
  unreadCount: () => api.get<{ count: number }>('/notices/inbox/unread-count', undefined, { quiet: true }),
  publish: (body: Record<string, unknown>, idempotencyKey: string) =>
    api.post<NoticeDetail>('/notices', body, { idempotencyKey }),
  reply: (id: number, body: { text: string; fileIds: string[] }, idempotencyKey: string) =>
    api.post<NoticeDetail>(`/notices/${id}/reply`, body, { idempotencyKey }),
  remind: (id: number) => api.post<{ units: number; users: number; nextReminderAt: string }>(`/notices/${id}/remind`),
  withdraw: (id: number, reason: string) => api.post<NoticeDetail>(`/notices/${id}/withdraw`, { reason }),
  urgent: (id: number) => api.get<UrgentReportDetail>(`/urgent-reports/${id}`),
  report: (body: Record<string, unknown>, idempotencyKey: string) =>
    api.post<UrgentReportDetail>('/urgent-reports', body, { idempotencyKey }),
  followup: (id: number, body: Record<string, unknown>, idempotencyKey: string) =>
    api.post<UrgentReportDetail>(`/urgent-reports/${id}/followups`, body, { idempotencyKey }),
  acknowledge: (id: number, note: string | null) =>
    api.post<UrgentReportDetail>(`/urgent-reports/${id}/acknowledge`, { note }),
};

export const dateTime = (value: string | null | undefined) => (value ? dayjs(value).format('YYYY-MM-DD HH:mm') : '—');

/** Levels a unit of `level` may address (mirrors domain noticeTargetLevels). */
export { noticeTargetLevels } from '@safe-campus/domain';
export type { OrgLevel };

export const SEVERITY_COLORS: Record<string, string> = {
  ordinary: 'blue',
  larger: 'gold',
  major: 'orange',
  extraordinary: 'red',
};
export const RECEIPT_COLORS: Record<string, string> = { unread: 'default', read: 'processing', replied: 'success' };
