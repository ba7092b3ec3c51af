import { DownloadOutlined } from '@ant-design/icons';
import { type FormAnswers, type SubmissionDetail, validateAnswers } from '@safe-campus/domain';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Input,
  Modal,
  Skeleton,
  Space,
  Timeline,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, api, download, request } from '../../api/client';
import { Page } from '../../app/Page';
import { LoadError } from '../inspections/shared';
import { FormRenderer } from './FormRenderer';
import { type FieldError, type PrefilledFields, problemsByField } from './model';
import { DaysLeft, Deadline, dateTime, period, SubmissionStateTag } from './shared';
import './forms.css';

/** The server's field problems of a 400 form_invalid (`errors: [{ path, code, message }]`). */
function serverProblems(error: unknown): FieldError[] {
  if (!(error instanceof ApiError) || error.code !== 'form_invalid') return [];
  return error.errors.map((problem) => ({
    field: problem.path ?? '',
    code: 'rule',
    message: problem.message,
  }));
}

/** Reads a submission; a filler's first visit to an editable form opens it (the server prefills from live data). */
async function loadSubmission(id: string): Promise<SubmissionDetail> {
  const detail = await api.get<SubmissionDetail>(`/forms/submissions/${id}`, undefined, { quiet: true });
  if (detail.can.edit && detail.prefilledAt === null) {
    return api.post<SubmissionDetail>(`/forms/submissions/${id}/open`, {}, { quiet: true });
  }
  return detail;
}

function History({ detail }: { detail: SubmissionDetail }) {
  const { t } = useTranslation();
  if (detail.history.length === 0)
    return <Typography.Text type="secondary">{t('forms.submission.noHistory')}</Typography.Text>;
  return (
    <Timeline
      data-testid="submission-history"
      items={detail.history.map((event) => ({
        color: event.toState === 'returned' ? 'red' : event.toState === 'accepted' ? 'green' : 'blue',
        children: (
          <Space direction="vertical" size={0}>
            <span>
              {t(`forms.actions.${event.action}`, { defaultValue: event.action })}
              {event.toState ? ` → ${t(`forms.states.${event.toState}`, { defaultValue: event.toState })}` : ''}
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {dateTime(event.at)} · {event.actorName ?? t('forms.system')}
            </Typography.Text>
            {event.note && <Typography.Text>{event.note}</Typography.Text>}
          </Space>
        ),
      }))}
    />
  );
}

/** A comment box for returning a form (required) or accepting it (optional). */
function ReviewModal({
  mode,
  onClose,
  onDone,
  pending,
}: {
  mode: 'accept' | 'return' | null;
  onClose: () => void;
  onDone: (comment: string) => void;
  pending: boolean;
}) {
  const { t } = useTranslation();
  const [comment, setComment] = useState('');
  useEffect(() => {
    if (mode) setComment('');
  }, [mode]);
  return (
    <Modal
      open={mode !== null}
      title={mode === 'return' ? t('forms.review.returnTitle') : t('forms.review.acceptTitle')}
      okText={mode === 'return' ? t('forms.review.return') : t('forms.review.accept')}
      okButtonProps={{
        danger: mode === 'return',
        disabled: mode === 'return' && comment.trim() === '',
        loading: pending,
      }}
      onOk={() => onDone(comment.trim())}
      onCancel={onClose}
      destroyOnHidden
    >
      <Input.TextArea
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        autoSize={{ minRows: 3, maxRows: 8 }}
        maxLength={2000}
        placeholder={mode === 'return' ? t('forms.review.returnPlaceholder') : t('forms.review.acceptPlaceholder')}
        data-testid="review-comment"
      />
    </Modal>
  );
}

/**
 * One school's form: the school fills it in (prefilled fields marked), saves a draft and submits; the principal signs
 * (校长签字) and, where the form needs it, the police liaison co-signs (所长); the bureau accepts or returns it with a
 * comment. A returned form shows the comment and keeps its history.
 */
export function SubmissionPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ['forms', 'submission', id],
    queryFn: () => loadSubmission(id),
    enabled: /^\d+$/.test(id),
  });
  const detail = query.data;
  const [answers, setAnswers] = useState<FormAnswers>({});
  const [revision, setRevision] = useState<number | undefined>();
  const [dirty, setDirty] = useState(false);
  const [tried, setTried] = useState(false);
  const [fromServer, setFromServer] = useState<FieldError[]>([]);
  const [review, setReview] = useState<'accept' | 'return' | null>(null);

  // A fresh read (after a save, a sign, a return) replaces the local answers unless the school is mid-edit.
  useEffect(() => {
    if (!detail) return;
    setRevision(detail.revision);
    if (!dirty) setAnswers(detail.answers);
  }, [detail, dirty]);

  // Closing the tab with unsaved answers asks first (the browser's own prompt).
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const prefilled = useMemo<PrefilledFields>(() => {
    const map: PrefilledFields = {};
    for (const [key, entry] of Object.entries(detail?.prefilled ?? {})) {
      map[key] = { value: entry.value, basis: entry.basis };
    }
    return map;
  }, [detail?.prefilled]);

  const clientErrors = useMemo(
    () => (detail ? validateAnswers(detail.content, answers, { complete: tried }) : []),
    [detail, answers, tried],
  );
  const problems = problemsByField([...clientErrors, ...(tried ? fromServer : [])]);

  const accept = (next: SubmissionDetail, text: string) => {
    queryClient.setQueryData(['forms', 'submission', id], next);
    void queryClient.invalidateQueries({ queryKey: ['forms', 'tasks'] });
    void queryClient.invalidateQueries({ queryKey: ['forms', 'collection'] });
    setDirty(false);
    setAnswers(next.answers);
    setRevision(next.revision);
    setFromServer([]);
    message.success(text);
  };
  const failed = (error: unknown) => {
    const problems = serverProblems(error);
    if (problems.length) {
      setTried(true);
      setFromServer(problems);
      message.error(t('forms.submission.fixProblems'));
      return;
    }
    if (error instanceof ApiError && (error.code === 'form_revision' || error.code === 'form_state')) {
      modal.warning({
        title: t('forms.submission.changedTitle'),
        content: error.message,
        onOk: () => {
          setDirty(false);
          void query.refetch();
        },
      });
      return;
    }
    message.error(error instanceof Error ? error.message : String(error));
  };

  const save = useMutation({
    mutationFn: () =>
      request<SubmissionDetail>(`/forms/submissions/${id}/draft`, {
        method: 'PUT',
        body: { answers, revision },
        quiet: true,
      }),
    onSuccess: (next) => accept(next, t('forms.submission.saved')),
    onError: failed,
  });
  const submit = useMutation({
    mutationFn: () =>
      api.post<SubmissionDetail>(`/forms/submissions/${id}/submit`, { answers, revision }, { quiet: true }),
    onSuccess: (next) => {
      setTried(false);
      accept(next, t('forms.submission.submitted'));
    },
    onError: failed,
  });
  const act = useMutation({
    mutationFn: ({ action, body }: { action: 'sign' | 'cosign' | 'accept' | 'return'; body: object }) =>
      api.post<SubmissionDetail>(`/forms/submissions/${id}/${action}`, body, { quiet: true }),
    onSuccess: (next, { action }) => {
      setReview(null);
      accept(next, t(`forms.submission.done.${action}`));
    },
    onError: failed,
  });

  if (!/^\d+$/.test(id))
    return (
      <Page title={t('forms.submission.title')}>
        <Empty />
      </Page>
    );
  if (query.isLoading) {
    return (
      <Page title={t('forms.submission.title')}>
        <Card>
          <Skeleton active paragraph={{ rows: 10 }} />
        </Card>
      </Page>
    );
  }
  if (query.isError || !detail) {
    return (
      <Page title={t('forms.submission.title')}>
        {query.error && <LoadError error={query.error} onRetry={() => query.refetch()} />}
        <Card>
          <Empty description={t('forms.submission.notFound')}>
            <Link to="/forms/tasks">{t('forms.menu.tasks')}</Link>
          </Empty>
        </Card>
      </Page>
    );
  }

  const editable = detail.can.edit;
  const trySubmit = () => {
    setTried(true);
    const errors = validateAnswers(detail.content, answers, { complete: true });
    if (errors.length > 0) {
      message.error(t('forms.submission.fixProblems'));
      document.querySelector(`[data-field="${errors[0]?.field.split('[')[0]}"]`)?.scrollIntoView({ block: 'center' });
      return;
    }
    modal.confirm({
      title: t('forms.submission.confirmSubmit'),
      content: detail.late || Date.parse(detail.deadline) < Date.now() ? t('forms.submission.lateWarning') : undefined,
      okText: t('forms.submission.submit'),
      onOk: () => submit.mutateAsync().catch(() => {}),
    });
  };
  const busy = save.isPending || submit.isPending || act.isPending;
  const actions = [
    editable && (
      <Button
        key="save"
        onClick={() => save.mutate()}
        loading={save.isPending}
        disabled={busy}
        data-testid="save-draft"
      >
        {t('forms.submission.saveDraft')}
      </Button>
    ),
    detail.can.submit && (
      <Button
        key="submit"
        type="primary"
        onClick={trySubmit}
        loading={submit.isPending}
        disabled={busy}
        data-testid="submit"
      >
        {t('forms.submission.submit')}
      </Button>
    ),
    detail.can.sign && (
      <Button
        key="sign"
        type="primary"
        onClick={() => act.mutate({ action: 'sign', body: {} })}
        loading={act.isPending && act.variables?.action === 'sign'}
        disabled={busy}
        data-testid="sign"
      >
        {t('forms.submission.sign', { label: detail.content.principalLabel })}
      </Button>
    ),
    detail.can.cosign && (
      <Button
        key="cosign"
        type="primary"
        onClick={() => act.mutate({ action: 'cosign', body: {} })}
        loading={act.isPending && act.variables?.action === 'cosign'}
        disabled={busy}
        data-testid="cosign"
      >
        {t('forms.submission.cosign', { label: detail.content.cosignerLabel })}
      </Button>
    ),
    detail.can.review && (
      <Button key="accept" type="primary" onClick={() => setReview('accept')} disabled={busy} data-testid="accept">
        {t('forms.review.accept')}
      </Button>
    ),
    detail.can.review && (
      <Button key="return" danger onClick={() => setReview('return')} disabled={busy} data-testid="return">
        {t('forms.review.return')}
      </Button>
    ),
    <Button
      key="export"
      icon={<DownloadOutlined />}
      onClick={() =>
        download(
          `/forms/submissions/${id}/export.xlsx`,
          undefined,
          `${detail.schoolName}-${detail.collectionTitle}.xlsx`,
        ).catch((error: Error) => message.error(error.message))
      }
      data-testid="export-form"
    >
      {t('forms.exportForm')}
    </Button>,
  ].filter(Boolean);

  return (
    <Page title={detail.content.title || detail.collectionTitle} extra={actions as React.ReactNode[]}>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 3 }}
          items={[
            { key: 'school', label: t('forms.submission.school'), children: detail.schoolName },
            { key: 'collection', label: t('forms.collection.title'), children: detail.collectionTitle },
            { key: 'issuer', label: t('forms.collection.issuer'), children: detail.issuerOrgName },
            {
              key: 'period',
              label: t('forms.collection.period'),
              children: period(detail.periodFrom, detail.periodTo),
            },
            {
              key: 'deadline',
              label: t('forms.collection.deadline'),
              children: (
                <Space size={8} wrap>
                  <Deadline
                    deadline={detail.deadline}
                    late={detail.late}
                    overdue={editable && Date.parse(detail.deadline) < Date.now()}
                  />
                  {editable && Date.parse(detail.deadline) >= Date.now() && <DaysLeft deadline={detail.deadline} />}
                </Space>
              ),
            },
            {
              key: 'status',
              label: t('forms.submission.status'),
              children: (
                <Space size={4}>
                  <SubmissionStateTag state={detail.status} />
                  {dirty && <Typography.Text type="warning">{t('forms.submission.unsaved')}</Typography.Text>}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {detail.status === 'returned' && detail.reviewComment && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('forms.submission.returnedBy', { name: detail.reviewedByName ?? '' })}
          description={<span data-testid="return-comment">{detail.reviewComment}</span>}
        />
      )}
      {detail.status !== 'returned' && detail.reviewComment && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={detail.reviewComment} />
      )}
      {editable && Object.keys(prefilled).length > 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('forms.submission.prefillHint', {
            count: Object.values(prefilled).filter((entry) => entry && entry.value !== null).length,
            at: dateTime(detail.prefilledAt),
          })}
        />
      )}
      <Card
        size="small"
        style={{ marginBottom: 16 }}
        title={<span className="sc-form-paper-title">{detail.content.title}</span>}
      >
        <div className="sc-form-paper-head">
          <span>
            {t('forms.submission.unit')}：{detail.schoolName}
          </span>
          <span>
            {t('forms.submission.filledOn')}：{dateTime(detail.submittedAt).slice(0, 10)}
          </span>
        </div>
        <FormRenderer
          content={detail.content}
          answers={answers}
          prefilled={prefilled}
          problems={problems}
          readOnly={!editable}
          onChange={
            editable
              ? (next) => {
                  setAnswers(next);
                  setDirty(true);
                }
              : undefined
          }
        />
        <div className="sc-form-signoff" data-testid="signoff">
          <span>
            {detail.content.principalLabel}：
            {detail.signedByName ? `${detail.signedByName}（${dateTime(detail.signedAt)}）` : '＿＿＿＿'}
          </span>
          {detail.content.cosign && (
            <span>
              {detail.content.cosignerLabel}：
              {detail.cosignedByName ? `${detail.cosignedByName}（${dateTime(detail.cosignedAt)}）` : '＿＿＿＿'}
            </span>
          )}
        </div>
      </Card>
      <Card size="small" title={t('forms.submission.history')}>
        <History detail={detail} />
      </Card>
      <ReviewModal
        mode={review}
        pending={act.isPending}
        onClose={() => setReview(null)}
        onDone={(comment) => review && act.mutate({ action: review, body: comment ? { comment } : {} })}
      />
    </Page>
  );
}
