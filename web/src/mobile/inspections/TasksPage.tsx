import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatTime, SubPage } from '../hazards/parts';
import { clock, fetchMyTasks, type MyTask, type TaskLook, taskLook, today } from './api';
import { dayKey, dayStore, draftStore, pruneDays, recordStore, type SavedDay } from './idb';
import { outboxChanged, sendRecords, sentTasks, useOnline, useRecordOutbox } from './outbox';
import { useInspector } from './session';

/** 今日任务: downloaded when online and kept on the phone, so the list works offline all day. */
export function TasksPage() {
  const { t } = useTranslation();
  const inspector = useInspector();
  const online = useOnline();
  const day = today();
  const [saved, setSaved] = useState<SavedDay | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [drafts, setDrafts] = useState<Set<number>>(new Set());
  const { records } = useRecordOutbox(inspector.id);

  const download = useCallback(async () => {
    setLoading(true);
    try {
      const data = await fetchMyTasks(day);
      const next: SavedDay = {
        key: dayKey(inspector.id, day),
        userId: inspector.id,
        day,
        savedAt: new Date().toISOString(),
        data,
      };
      await dayStore.put(next);
      void pruneDays();
      sentTasks.clear();
      setSaved(next);
      setLoadError(null);
    } catch (error) {
      setLoadError(error instanceof Error ? error.message : String(error));
    } finally {
      setLoading(false);
    }
  }, [day, inspector.id]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const local = (await dayStore.get(dayKey(inspector.id, day)).catch(() => undefined)) ?? null;
      const keys = await draftStore.keys().catch(() => [] as string[]);
      if (cancelled) return;
      setSaved((current) => current ?? local);
      setDrafts(
        new Set(keys.filter((key) => key.startsWith(`${inspector.id}:`)).map((key) => Number(key.split(':')[1]))),
      );
    })();
    return () => {
      cancelled = true;
    };
  }, [inspector.id, day]);

  useEffect(() => {
    if (online) void download();
  }, [online, download]);

  const local = new Map<number, 'queued' | 'failed' | 'sent'>();
  for (const taskId of sentTasks) local.set(taskId, 'sent');
  for (const record of records) local.set(record.taskId, record.status === 'failed' ? 'failed' : 'queued');
  const tasks = saved?.data.tasks ?? [];
  const pending = records.filter((record) => record.status === 'pending');
  const failed = records.filter((record) => record.status === 'failed');

  return (
    <SubPage title={t('mobileInspections.title')}>
      {!online && (
        <div className="mi-offline" role="status" data-testid="offline-banner">
          {t('mobileInspections.offlineBanner')}
        </div>
      )}
      <div className="mi-meta">
        <span data-testid="tasks-saved">
          {saved
            ? t('mobileInspections.savedAt', { time: formatTime(saved.savedAt) })
            : saved === null && !loading
              ? t('mobileInspections.notSaved')
              : t('common.loading')}
        </span>
        <button
          type="button"
          className="mh-link"
          disabled={!online || loading}
          onClick={() => void download()}
          data-testid="tasks-refresh"
        >
          {loading ? t('common.loading') : t('mobileInspections.refresh')}
        </button>
      </div>
      {loadError && online && (
        <div className="mh-note">{t('mobileInspections.loadFailed', { message: loadError })}</div>
      )}

      {records.length > 0 && (
        <section className="mh-outbox mi-outbox" data-testid="record-outbox">
          <div className="mh-outbox-head">
            <span>
              {pending.length > 0 && t('mobileInspections.pendingCount', { count: pending.length })}
              {pending.length > 0 && failed.length > 0 && ' · '}
              {failed.length > 0 && (
                <span className="mi-bad">{t('mobileInspections.failedRecords', { count: failed.length })}</span>
              )}
            </span>
            {pending.length > 0 && online && (
              <button type="button" className="mh-link" onClick={() => void sendRecords(inspector.id)}>
                {t('mobileInspections.sendNow')}
              </button>
            )}
          </div>
          <ul className="m-list">
            {records.map((record) => (
              <li
                key={record.clientId}
                className={record.status === 'failed' ? 'mh-card mh-card-failed' : 'mh-card mh-card-pending'}
                data-testid="record-item"
                data-status={record.status}
              >
                <span className="mh-card-head">
                  <span className="mh-card-title">{record.title}</span>
                  <span className={`mh-state mh-state-${record.status}`}>
                    {t(`mobileInspections.recordStatus.${record.status}`)}
                  </span>
                </span>
                <span className="mh-card-meta">
                  {record.subtitle && `${record.subtitle} · `}
                  {t('mobileInspections.completedAt', { time: formatTime(record.completedAt) })}
                  {record.failedItems > 0 && ` · ${t('mobileInspections.failedCount', { count: record.failedItems })}`}
                </span>
                {record.status === 'failed' && record.error && (
                  <span className="mh-card-error" data-testid="record-error">
                    {record.error}
                  </span>
                )}
                {record.status === 'failed' && (
                  <span className="mh-card-actions">
                    <button
                      type="button"
                      className="mh-link"
                      onClick={async () => {
                        await recordStore.put({ ...record, status: 'pending', error: null });
                        outboxChanged();
                        void sendRecords(inspector.id);
                      }}
                    >
                      {t('mobileInspections.retry')}
                    </button>
                    <button
                      type="button"
                      className="mh-link mh-link-danger"
                      onClick={async () => {
                        if (!window.confirm(t('mobileInspections.discardConfirm'))) return;
                        await recordStore.remove(record.clientId);
                        outboxChanged();
                      }}
                    >
                      {t('mobileInspections.discard')}
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {saved && tasks.length === 0 && <div className="m-empty">{t('mobileInspections.noTasks')}</div>}
      <ul className="m-list" data-testid="task-list">
        {tasks.map((task) => (
          <TaskCard key={task.id} task={task} look={taskLook(task, local.get(task.id))} started={drafts.has(task.id)} />
        ))}
      </ul>
    </SubPage>
  );
}

function TaskCard({ task, look, started }: { task: MyTask; look: TaskLook; started: boolean }) {
  const { t } = useTranslation();
  const closed = look === 'done' || look === 'queued';
  const body = (
    <>
      <span className="mh-card-head">
        <span className="mh-card-title">{task.template.name}</span>
        <span className={`mi-look mi-look-${look}`}>{t(`mobileInspections.look.${look}`)}</span>
      </span>
      <span className="mh-card-meta">
        {task.checkpoints
          ? `${task.routeName ?? ''} · ${t('mobileInspections.pointCount', { count: task.checkpoints.length })}`
          : (task.placeName ?? task.schoolName)}
      </span>
      <span className="mi-window">
        {t('mobileInspections.window', { start: clock(task.windowStart), end: clock(task.windowEnd) })}
        {started && !closed && <strong className="mi-started"> · {t('mobileInspections.started')}</strong>}
      </span>
    </>
  );
  return (
    <li>
      {closed ? (
        <div className={`mh-card mi-task mi-task-${look}`} data-testid="task-card" data-look={look}>
          {body}
        </div>
      ) : (
        <Link
          to={`/m/inspections/tasks/${task.id}`}
          className={`mh-card mi-task mi-task-${look}`}
          data-testid="task-card"
          data-look={look}
        >
          {body}
          <span className="mi-task-go">
            {started ? t('mobileInspections.continue') : t('mobileInspections.start')} ›
          </span>
        </Link>
      )}
    </li>
  );
}
