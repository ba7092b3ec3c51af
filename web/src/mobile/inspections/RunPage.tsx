import type { ChecklistItem, RouteCheckpoint } from '@safe-campus/domain';
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { uuid } from '../../api/uuid';
import { SubPage } from '../hazards/parts';
import { clock, judgeScan, type MyTask } from './api';
import { type AnswerDraft, answerValue, blocks, EMPTY, ItemField, statusOf } from './ItemField';
import { type Draft, dayStore, draftKey, draftStore, recordStore } from './idb';
import { outboxChanged, sendRecords, useOnline } from './outbox';
import { prefetchScanner, Scanner } from './Scanner';
import { useInspector } from './session';
import type { QueuedRecord } from './syncQueue';

const answerKey = (checkpointId: number | null, itemKey: string) => `${checkpointId ?? 0}:${itemKey}`;

/** Finds the task in the saved days (today's first), so a task opens offline. */
async function findTask(userId: number, taskId: number): Promise<MyTask | null> {
  const keys = (await dayStore.keys())
    .filter((key) => key.startsWith(`${userId}:`))
    .sort()
    .reverse();
  for (const key of keys) {
    const saved = await dayStore.get(key);
    const task = saved?.data.tasks.find((item) => item.id === taskId);
    if (task) return task;
  }
  return null;
}

type Outcome = 'sent' | 'queued' | 'failed';

/** Doing one task: a checklist, or a patrol route (scan each checkpoint, then answer its items). */
export function RunPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const inspector = useInspector();
  const taskId = Number(id);
  const [task, setTask] = useState<MyTask | null | undefined>(undefined);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [scanning, setScanning] = useState(false);
  const [scanNote, setScanNote] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ kind: Outcome; message: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [showErrors, setShowErrors] = useState(false);
  const online = useOnline();
  const key = draftKey(inspector.id, taskId);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const found = await findTask(inspector.id, taskId);
      const saved = await draftStore.get(key);
      if (cancelled) return;
      setTask(found);
      setDraft(
        saved ?? { key, clientId: uuid(), startedAt: new Date().toISOString(), answers: {}, scans: [], note: '' },
      );
      if (found?.checkpoints) prefetchScanner();
    })();
    return () => {
      cancelled = true;
    };
  }, [inspector.id, taskId, key]);

  // Every change is kept at once: a reload, a closed tab or a flat battery loses nothing typed.
  const update = (change: (current: Draft) => Draft) => {
    setDraft((current) => {
      if (!current) return current;
      const next = change(current);
      void draftStore.put(next);
      return next;
    });
  };

  const items = useMemo(() => task?.template.content.flatMap((section) => section.items) ?? [], [task]);
  const slots = useMemo(() => {
    if (!task) return [] as { checkpointId: number | null; item: ChecklistItem }[];
    const points: (number | null)[] = task.checkpoints ? task.checkpoints.map((point) => point.id) : [null];
    return points.flatMap((checkpointId) => items.map((item) => ({ checkpointId, item })));
  }, [task, items]);

  const scrollTo = useRef<number | null>(null);
  useEffect(() => {
    if (scrollTo.current === null) return;
    document.getElementById(`mi-cp-${scrollTo.current}`)?.scrollIntoView({ block: 'start' });
    scrollTo.current = null;
  });

  if (task === undefined || !draft) return <div className="m-empty">{t('common.loading')}</div>;
  if (task === null) {
    return (
      <SubPage title={t('mobileInspections.title')} back="/m/inspections">
        <div className="m-empty">{t('mobileInspections.taskMissing')}</div>
      </SubPage>
    );
  }

  const answerOf = (checkpointId: number | null, itemKey: string): AnswerDraft =>
    draft.answers[answerKey(checkpointId, itemKey)] ?? EMPTY;
  const setAnswer = (checkpointId: number | null, itemKey: string, answer: AnswerDraft) =>
    update((current) => ({ ...current, answers: { ...current.answers, [answerKey(checkpointId, itemKey)]: answer } }));
  const scanned = new Map(draft.scans.map((scan) => [scan.checkpointId, scan]));
  const checkpoints = task.checkpoints;
  const nextPoint = checkpoints?.find((point) => !scanned.has(point.id)) ?? null;

  const done = slots.filter(({ checkpointId, item }) => {
    if (checkpointId !== null && !scanned.has(checkpointId)) return false;
    const status = statusOf(item, answerOf(checkpointId, item.key));
    return status === 'passed' || status === 'failed' || (status === 'empty' && item.required === false);
  }).length;
  const blocking = slots.filter(
    ({ checkpointId, item }) =>
      (checkpointId !== null && !scanned.has(checkpointId)) || blocks(item, answerOf(checkpointId, item.key)),
  );
  const failedCount = slots.filter(
    ({ checkpointId, item }) => statusOf(item, answerOf(checkpointId, item.key)) === 'failed',
  ).length;
  const missingScans = checkpoints ? checkpoints.length - scanned.size : 0;
  const progress = slots.length === 0 ? 1 : done / slots.length;

  const onCode = (code: string): string | null => {
    if (!checkpoints) return null;
    const verdict = judgeScan(code, checkpoints, new Set(scanned.keys()));
    if (!verdict.ok) return t(`mobileInspections.scanRefused.${verdict.reason}`);
    const point = checkpoints.find((item) => item.id === verdict.checkpointId)!;
    update((current) => ({
      ...current,
      scans: [...current.scans, { checkpointId: point.id, qr: code.trim(), scannedAt: new Date().toISOString() }],
    }));
    setScanning(false);
    setScanNote(t('mobileInspections.scanned', { place: point.placeName }));
    scrollTo.current = point.id;
    return null;
  };

  const submit = async () => {
    if (blocking.length > 0) {
      setShowErrors(true);
      return;
    }
    setBusy(true);
    try {
      const record: QueuedRecord = {
        clientId: draft.clientId,
        userId: inspector.id,
        taskId: task.id,
        templateVersionId: task.templateVersionId,
        placeId: task.placeId,
        startedAt: draft.startedAt,
        completedAt: new Date().toISOString(),
        note: draft.note,
        answers: slots
          .filter(({ checkpointId, item }) => {
            const answer = answerOf(checkpointId, item.key);
            return answerValue(item, answer.value) !== null || answer.photos.length > 0;
          })
          .map(({ checkpointId, item }) => {
            const answer = answerOf(checkpointId, item.key);
            return {
              itemKey: item.key,
              checkpointId,
              value: answerValue(item, answer.value),
              note: answer.note,
              photos: answer.photos.map((blob) => ({ blob, fileId: null })),
            };
          }),
        scans: draft.scans,
        title: task.template.name,
        subtitle: task.routeName ?? task.placeName,
        failedItems: failedCount,
        status: 'pending',
        attempts: 0,
        error: null,
        lastTriedAt: null,
      };
      // Stored first, sent second: losing the network at any moment loses nothing and sends nothing twice.
      await recordStore.put(record);
      await draftStore.remove(key);
      outboxChanged();
      if (navigator.onLine !== false) await sendRecords(inspector.id);
      const left = (await recordStore.list()).find((item) => item.clientId === record.clientId);
      setOutcome(
        !left
          ? { kind: 'sent', message: null }
          : left.status === 'failed'
            ? { kind: 'failed', message: left.error }
            : { kind: 'queued', message: null },
      );
    } finally {
      setBusy(false);
    }
  };

  if (outcome) {
    return (
      <SubPage title={task.template.name} back="/m/inspections">
        <div className="mh-done" data-testid="run-outcome" data-outcome={outcome.kind}>
          <div className={outcome.kind === 'sent' ? 'mh-done-icon' : 'mh-done-icon mh-done-queued'} aria-hidden>
            {outcome.kind === 'sent' ? '✓' : outcome.kind === 'queued' ? '⇡' : '!'}
          </div>
          <div className="mh-done-title">{t(`mobileInspections.outcome.${outcome.kind}`)}</div>
          <div className="m-muted">
            {outcome.message ?? t(`mobileInspections.outcomeNote.${outcome.kind}`, { count: failedCount })}
          </div>
          <Link className="m-primary mh-wide" to="/m/inspections">
            {t('mobileInspections.backToTasks')}
          </Link>
        </div>
      </SubPage>
    );
  }

  const renderItems = (checkpointId: number | null) =>
    task.template.content.map((section) => (
      <Fragment key={section.title}>
        <div className="mi-section">{section.title}</div>
        {section.items.map((item) => (
          <ItemField
            key={item.key}
            item={item}
            answer={answerOf(checkpointId, item.key)}
            onChange={(answer) => setAnswer(checkpointId, item.key, answer)}
            testId={`item-${checkpointId ?? 0}-${item.key}`}
          />
        ))}
      </Fragment>
    ));

  return (
    <SubPage title={task.template.name} back="/m/inspections">
      <div className="mi-run" data-testid="run-page">
        <div className="mi-run-head">
          <div className="mi-run-where">
            {task.routeName ?? task.placeName ?? task.schoolName}
            <span className="m-muted">
              {' '}
              · {clock(task.windowStart)}–{clock(task.windowEnd)}
            </span>
          </div>
          <div
            className="mi-progress"
            role="progressbar"
            aria-label={t('mobileInspections.progress')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(progress * 100)}
          >
            <div className="mi-progress-bar" style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
          <div className="mi-progress-text" data-testid="progress">
            {t('mobileInspections.progressText', { done, total: slots.length })}
            {checkpoints && ` · ${t('mobileInspections.scanCount', { done: scanned.size, total: checkpoints.length })}`}
            {failedCount > 0 && (
              <span className="mi-bad"> · {t('mobileInspections.failedCount', { count: failedCount })}</span>
            )}
          </div>
          {!online && <div className="mi-offline-note">{t('mobileInspections.offlineRun')}</div>}
        </div>

        {checkpoints ? (
          <>
            <ol className="mi-points">
              {checkpoints.map((point: RouteCheckpoint) => {
                const scan = scanned.get(point.id);
                return (
                  <li
                    key={point.id}
                    id={`mi-cp-${point.id}`}
                    className={
                      scan ? 'mi-point mi-point-done' : point === nextPoint ? 'mi-point mi-point-next' : 'mi-point'
                    }
                    data-testid="checkpoint"
                    data-scanned={scan ? 'yes' : 'no'}
                  >
                    <div className="mi-point-head">
                      <span className="mi-point-seq">{point.seq}</span>
                      <span className="mi-point-name">{point.placeName}</span>
                      <span className="mi-point-state">
                        {scan
                          ? t('mobileInspections.scannedAt', { time: clock(scan.scannedAt) })
                          : t('mobileInspections.notScanned')}
                      </span>
                    </div>
                    {scan && <div className="mi-point-body">{renderItems(point.id)}</div>}
                  </li>
                );
              })}
            </ol>
            {scanNote && (
              <div className="mh-note mh-note-ok" role="status">
                {scanNote}
              </div>
            )}
          </>
        ) : (
          <div className="mi-sheet">{renderItems(null)}</div>
        )}

        <label className="mh-block">
          <span className="mh-label">{t('mobileInspections.recordNote')}</span>
          <textarea
            className="mh-input mh-textarea"
            rows={2}
            maxLength={2000}
            value={draft.note}
            onChange={(event) => update((current) => ({ ...current, note: event.target.value }))}
          />
        </label>
        {showErrors && blocking.length > 0 && (
          <div className="m-error" role="alert" data-testid="run-blocking">
            {missingScans > 0
              ? t('mobileInspections.needScans', { count: missingScans })
              : t('mobileInspections.needAnswers', { count: blocking.length })}
          </div>
        )}
        {/* One sticky action: the next scan while checkpoints are left, then submitting. */}
        <div className="mh-submit">
          {checkpoints && nextPoint ? (
            <button
              type="button"
              className="mi-scan-btn"
              onClick={() => {
                setScanNote(null);
                setScanning(true);
              }}
              data-testid="scan-button"
            >
              ⌖ {t('mobileInspections.scanNext', { place: nextPoint.placeName })}
            </button>
          ) : (
            <button
              type="button"
              className="m-primary mh-wide"
              disabled={busy}
              onClick={() => void submit()}
              data-testid="run-submit"
            >
              {busy ? t('common.loading') : t('mobileInspections.submit')}
            </button>
          )}
        </div>
      </div>
      {scanning && checkpoints && (
        <Scanner
          title={
            nextPoint ? t('mobileInspections.scanNext', { place: nextPoint.placeName }) : t('mobileInspections.scan')
          }
          onCode={onCode}
          onClose={() => setScanning(false)}
        />
      )}
    </SubPage>
  );
}
