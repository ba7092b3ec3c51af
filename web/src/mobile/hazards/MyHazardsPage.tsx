import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useUser } from '../../app/session';
import { myHazards } from './api';
import type { QueuedReport } from './offlineQueue';
import { outboxChanged, outboxStore, sendOutbox, useOutbox } from './outbox';
import { formatTime, HazardCard, SubPage } from './parts';

type Tab = 'tasks' | 'reported';

/** 我的任务 (open hazards I must rectify) and 我上报的 (my reports, the unsent ones first). */
export function MyHazardsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const canRectify = user.permissions.includes('hazard.rectify');
  const tab: Tab = params.get('tab') === 'reported' || !canRectify ? 'reported' : 'tasks';
  const tasks = useQuery({
    queryKey: ['mobile-hazards', 'responsible'],
    queryFn: () => myHazards('responsible', true),
    enabled: tab === 'tasks',
  });
  const reported = useQuery({
    queryKey: ['mobile-hazards', 'reported'],
    queryFn: () => myHazards('reported'),
    enabled: tab === 'reported',
  });
  const { reports: outbox } = useOutbox(user.id);
  // A report leaving the outbox has reached the server (or was discarded): show the list as it is now.
  const queued = useRef(outbox.length);
  const refetchReported = reported.refetch;
  useEffect(() => {
    if (outbox.length < queued.current && tab === 'reported') void refetchReported();
    queued.current = outbox.length;
  }, [outbox.length, tab, refetchReported]);
  const current = tab === 'tasks' ? tasks : reported;
  const toFix = tasks.data?.items.filter((hazard) => hazard.state === 'rectifying').length ?? 0;
  const items = current.data?.items ?? [];
  return (
    <SubPage title={t(tab === 'tasks' ? 'mobileHazards.tasks' : 'mobileHazards.reported')}>
      {canRectify && (
        <div className="mh-tabs" role="tablist">
          {(['tasks', 'reported'] as const).map((key) => (
            <button
              key={key}
              type="button"
              role="tab"
              aria-selected={tab === key}
              className={tab === key ? 'mh-tab mh-tab-on' : 'mh-tab'}
              onClick={() => setParams({ tab: key }, { replace: true })}
            >
              {t(`mobileHazards.${key}`)}
              {key === 'tasks' && toFix > 0 && <span className="mh-count">{toFix}</span>}
            </button>
          ))}
        </div>
      )}
      {tab === 'reported' && outbox.length > 0 && <Outbox reports={outbox} userId={user.id} />}
      {current.isLoading && <div className="m-empty">{t('common.loading')}</div>}
      {current.isError && (
        <div className="m-empty">
          {t('common.loadFailed')}{' '}
          <button type="button" className="mh-link" onClick={() => void current.refetch()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {current.isSuccess && items.length === 0 && (tab === 'tasks' || outbox.length === 0) && (
        <div className="m-empty">{t(tab === 'tasks' ? 'mobileHazards.emptyTasks' : 'mobileHazards.emptyReported')}</div>
      )}
      {items.length > 0 && (
        <ul className="m-list" data-testid={tab === 'tasks' ? 'task-list' : 'reported-list'}>
          {items.map((hazard) => (
            <HazardCard key={hazard.id} hazard={hazard} />
          ))}
        </ul>
      )}
    </SubPage>
  );
}

/** Reports still on the phone: waiting for the network, or refused by the server with its reason. */
function Outbox({ reports, userId }: { reports: QueuedReport[]; userId: number }) {
  const { t } = useTranslation();
  const pending = reports.filter((report) => report.status === 'pending').length;
  return (
    <section className="mh-outbox" data-testid="outbox">
      <div className="mh-outbox-head">
        <span>
          {pending > 0
            ? t('mobileHazards.pendingCount', { count: pending })
            : t('mobileHazards.failedHome', { count: reports.length })}
        </span>
        {pending > 0 && (
          <button type="button" className="mh-link" onClick={() => void sendOutbox(userId)}>
            {t('mobileHazards.sendNow')}
          </button>
        )}
      </div>
      <ul className="m-list">
        {reports.map((report) => (
          <li
            key={report.id}
            className={report.status === 'failed' ? 'mh-card mh-card-failed' : 'mh-card mh-card-pending'}
            data-testid="outbox-item"
            data-status={report.status}
          >
            <span className="mh-card-head">
              <span className="mh-card-title">{report.draft.title}</span>
              <span className={report.status === 'failed' ? 'mh-state mh-state-failed' : 'mh-state mh-state-pending'}>
                {t(report.status === 'failed' ? 'mobileHazards.failed' : 'mobileHazards.pending')}
              </span>
            </span>
            <span className="mh-card-meta">
              {t(`mobileHazards.categories.${report.draft.category}`)}
              {report.draft.placeName && ` · ${report.draft.placeName}`}
              {report.photos.length > 0 && ` · ${t('mobileHazards.photoCount', { count: report.photos.length })}`}
            </span>
            <span className="mh-card-meta">{t('mobileHazards.madeAt', { time: formatTime(report.createdAt) })}</span>
            {report.status === 'failed' && report.error && <span className="mh-card-error">{report.error}</span>}
            {report.status === 'failed' && (
              <span className="mh-card-actions">
                <Link className="mh-link" to={`/m/hazards/new?from=${report.id}`}>
                  {t('mobileHazards.edit')}
                </Link>
                <button
                  type="button"
                  className="mh-link mh-link-danger"
                  onClick={async () => {
                    if (!window.confirm(t('mobileHazards.discardConfirm'))) return;
                    await outboxStore.remove(report.id);
                    outboxChanged();
                  }}
                >
                  {t('mobileHazards.discard')}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
