/**
 * What the phone shell (MobileApp) needs from the inspection pages, kept light: the pages themselves (and the
 * checklist rules with zod) load lazily; the home card, the sender and the offline shell do not.
 */
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes } from 'react-router';
import { Splash } from '../../app/Splash';
import { startPwa } from '../pwa';
import { taskLook, today } from './api';
import { dayKey, dayStore } from './idb';
import { sentTasks, useRecordOutbox, useRecordSender } from './outbox';
import type { Inspector } from './session';

export { useOfflineStart } from './session';

const Pages = lazy(() => import('./routes'));

export function InspectionPages() {
  return (
    <Suspense fallback={<Splash />}>
      <Pages />
    </Suspense>
  );
}

/** Registers the service worker and sends queued records (call once in the phone shell). */
export function useInspectionBackground(userId: number, canExecute: boolean): void {
  useEffect(() => {
    // The pages chunk (with zod) is not prefetched: the home stays light, and opening 今日任务 online to
    // download the day's tasks loads it through the service worker, which keeps it for the day.
    startPwa();
  }, []);
  useRecordSender(userId, canExecute);
}

/** The home card 巡查扫码: today's tasks still to do (from the copy on the phone) and records waiting to be sent. */
export function PatrolCard({ userId }: { userId: number }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<number | null>(null);
  const { records } = useRecordOutbox(userId);
  useEffect(() => {
    let cancelled = false;
    void dayStore
      .get(dayKey(userId, today()))
      .then((saved) => {
        if (cancelled || !saved) return;
        const queued = new Set(records.map((record) => record.taskId));
        setOpen(
          saved.data.tasks.filter((task) => {
            const look = taskLook(task, sentTasks.has(task.id) ? 'sent' : queued.has(task.id) ? 'queued' : undefined);
            return look === 'open' || look === 'upcoming' || look === 'overdue';
          }).length,
        );
      })
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [userId, records]);
  const waiting = records.length;
  return (
    <Link to="/m/inspections" className="m-card m-card-live" data-testid="action-patrol">
      <span className="m-card-icon" style={{ background: '#1677ff' }} aria-hidden>
        ⌖{open ? <span className="m-dot m-dot-card">{open}</span> : null}
      </span>
      <span className="m-card-title">{t('mobile.actions.patrol')}</span>
      <span className={waiting > 0 ? 'm-card-note m-card-note-alert' : 'm-card-note m-card-note-live'}>
        {waiting > 0
          ? t('mobileInspections.homeWaiting', { count: waiting })
          : open
            ? t('mobileInspections.homeOpen', { count: open })
            : t('mobileInspections.homeNote')}
      </span>
    </Link>
  );
}

/** The phone shell when the server cannot be reached at start: the tasks on the phone and the outbox. */
export function OfflineShell({ inspector }: { inspector: Inspector }) {
  const { t } = useTranslation();
  useEffect(() => {
    startPwa();
  }, []);
  return (
    <div className="m-app" data-testid="offline-shell">
      <header className="m-header">
        <div className="m-title">{t('app.name')}</div>
        <div className="m-org">
          {inspector.displayName} · {inspector.orgName}
        </div>
      </header>
      <div className="mi-offline mi-offline-shell" role="status">
        {t('mobileInspections.offlineStart')}
      </div>
      <main className="m-main">
        <Routes>
          <Route path="inspections/*" element={<InspectionPages />} />
          <Route path="*" element={<InspectionPages />} />
        </Routes>
      </main>
    </div>
  );
}
