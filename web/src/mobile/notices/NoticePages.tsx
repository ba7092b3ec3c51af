import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import type { Page } from '../../api/types';
import { uuid } from '../../api/uuid';
import type { NoticeDetail, NoticeInboxItem } from '../../pages/notices/noticesApi';
import { SubPage } from '../hazards/parts';
import './notices.css';

const time = (value: string | null) =>
  value ? new Date(value).toLocaleString('zh-CN', { hour12: false }).replace(/:\d\d$/, '') : '';

export function useNoticeUnread(enabled: boolean) {
  return useQuery({
    queryKey: ['notices', 'unread'],
    queryFn: () => api.get<{ count: number }>('/notices/inbox/unread-count', undefined, { quiet: true }),
    enabled,
    refetchInterval: 60_000,
  });
}

/** 通知公告 on the phone: the unit's received notices, unread first marked. */
export function MobileNoticesPage() {
  const { t } = useTranslation();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useQuery({
    queryKey: ['mobile-notices', unreadOnly],
    queryFn: () =>
      api.get<Page<NoticeInboxItem>>('/notices/inbox', { limit: 50, unread: unreadOnly || undefined }, { quiet: true }),
  });
  const items = list.data?.items ?? [];
  return (
    <SubPage title={t('notices.menu.notices')}>
      <div className="mh-tabs" role="tablist">
        <button
          type="button"
          className={unreadOnly ? 'mh-tab' : 'mh-tab mh-tab-on'}
          onClick={() => setUnreadOnly(false)}
        >
          {t('notices.mobile.all')}
        </button>
        <button
          type="button"
          className={unreadOnly ? 'mh-tab mh-tab-on' : 'mh-tab'}
          onClick={() => setUnreadOnly(true)}
        >
          {t('notices.mobile.unread')}
        </button>
      </div>
      {list.isLoading && <div className="m-empty">{t('common.loading')}</div>}
      {list.isError && <div className="m-empty">{t('common.loadFailed')}</div>}
      {list.data && items.length === 0 && (
        <div className="m-empty">{unreadOnly ? t('notices.mobile.noneUnread') : t('notices.mobile.none')}</div>
      )}
      <ul className="m-list" data-testid="mobile-notices">
        {items.map((notice) => {
          const unread = notice.readAt === null && notice.state === 'published';
          return (
            <li key={notice.id}>
              <Link to={`/m/notices/${notice.id}`} className={unread ? 'mn-item mn-item-unread' : 'mn-item'}>
                <span className="mn-item-title">
                  {unread && <span className="mn-dot" title={t('notices.status.unread')} />}
                  {notice.title}
                </span>
                <span className="mn-item-meta">
                  {notice.orgName} · {time(notice.publishedAt)}
                </span>
                <span className="mn-tags">
                  {notice.state === 'withdrawn' && <span className="mn-tag">{t('notices.states.withdrawn')}</span>}
                  {notice.receiptRequired && (
                    <span className={notice.repliedAt ? 'mn-tag mn-tag-ok' : 'mn-tag mn-tag-warn'}>
                      {notice.repliedAt ? t('notices.status.replied') : t('notices.receiptRequired')}
                    </span>
                  )}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </SubPage>
  );
}

/** One notice, readable at 390 px; opening it records the unit's receipt; a short text reply when asked. */
export function MobileNoticePage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ['mobile-notice', id],
    queryFn: async () => {
      const notice = await api.get<NoticeDetail>(`/notices/${id}`, undefined, { quiet: true });
      void queryClient.invalidateQueries({ queryKey: ['notices', 'unread'] });
      void queryClient.invalidateQueries({ queryKey: ['mobile-notices'] });
      return notice;
    },
    enabled: Number.isSafeInteger(id) && id > 0,
    retry: false,
  });
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef(uuid());
  const title = t('notices.menu.detail');
  if (detail.isLoading)
    return (
      <SubPage title={title} back="/m/notices">
        <div className="m-empty">{t('common.loading')}</div>
      </SubPage>
    );
  if (!detail.data)
    return (
      <SubPage title={title} back="/m/notices">
        <div className="m-empty">
          {detail.error instanceof ApiError ? detail.error.message : t('common.loadFailed')}
        </div>
      </SubPage>
    );
  const notice = detail.data;
  const receipt = notice.myReceipt;
  const canReply =
    notice.receiptRequired && receipt !== null && receipt.repliedAt === null && notice.state === 'published';
  return (
    <SubPage title={title} back="/m/notices">
      <article className="mn-article" data-testid="mobile-notice">
        <h2 className="mn-title">{notice.title}</h2>
        <div className="mn-item-meta">
          {notice.orgName} · {time(notice.publishedAt)}
        </div>
        {notice.state === 'withdrawn' ? (
          <div className="mn-withdrawn">
            {t('notices.withdrawnAt', { time: time(notice.withdrawnAt) })}
            <br />
            {t('notices.withdrawReasonLabel', { reason: notice.withdrawReason ?? '' })}
          </div>
        ) : (
          <div className="mn-body">{notice.body}</div>
        )}
        {notice.files.length > 0 && (
          <ul className="mn-files">
            {notice.files.map((file) => (
              <li key={file.id}>
                <a href={`/api/v1/files/${file.id}?download=true`} target="_blank" rel="noopener noreferrer">
                  📎 {file.filename}
                </a>
              </li>
            ))}
          </ul>
        )}
        {notice.receiptRequired && notice.replyDeadline && (
          <div className="mn-item-meta">
            {t('notices.replyDeadline')}：{time(notice.replyDeadline)}
          </div>
        )}
        {receipt && (
          <div className="mn-receipt" data-testid="mobile-receipt">
            {t(`notices.status.${receipt.status}`)} ·{' '}
            {receipt.repliedAt
              ? t('notices.repliedBy', { name: receipt.repliedByName ?? '', time: time(receipt.repliedAt) })
              : t('notices.readBy', { name: receipt.readByName ?? '', time: time(receipt.readAt) })}
            {receipt.replyText && <div className="mn-body">{receipt.replyText}</div>}
          </div>
        )}
        {canReply && (
          <form
            className="mn-reply"
            onSubmit={async (event) => {
              event.preventDefault();
              setBusy(true);
              setError(null);
              try {
                await api.post(
                  `/notices/${id}/reply`,
                  { text, fileIds: [] },
                  { quiet: true, idempotencyKey: key.current },
                );
                await detail.refetch();
              } catch (cause) {
                key.current = uuid();
                setError(cause instanceof ApiError ? cause.message : String(cause));
              } finally {
                setBusy(false);
              }
            }}
          >
            <textarea
              rows={4}
              maxLength={2000}
              value={text}
              onChange={(event) => setText(event.target.value)}
              placeholder={t('notices.replyHint')}
              aria-label={t('notices.replyText')}
            />
            {error && <div className="m-error">{error}</div>}
            <button type="submit" className="m-primary" disabled={busy || text.trim() === ''}>
              {t('notices.submitReply')}
            </button>
          </form>
        )}
      </article>
    </SubPage>
  );
}
