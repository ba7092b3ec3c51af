import { CopyOutlined, SaveOutlined, SendOutlined } from '@ant-design/icons';
import {
  checkTemplate,
  type FormAnswers,
  type FormContent,
  type FormTemplateDetail,
  formContent,
  validateAnswers,
} from '@safe-campus/domain';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Input, List, Skeleton, Space, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiError, api, request } from '../../api/client';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { LoadError } from '../inspections/shared';
import { FormBuilder } from './FormBuilder';
import { FormRenderer } from './FormRenderer';
import { IssueModal } from './IssueModal';
import { problemsByField } from './model';
import { dateTime } from './shared';
import { TemplateSourceTag, useCopyFormTemplate } from './TemplatesPage';
import './forms.css';

const BLANK: FormContent = {
  title: '',
  sections: [{ title: '基本情况', fields: [{ key: 'f1', label: '', type: 'yesno', required: true }] }],
  rules: [],
  cosign: false,
  principalLabel: '校长',
  cosignerLabel: '所长',
};

/** What keeps a content from saving: the schema's messages and the builder checks, each with its place. */
function contentProblems(content: FormContent): string[] {
  const parsed = formContent.safeParse(content);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => {
      const where = issue.path
        .map((part) => (typeof part === 'number' ? `[${part + 1}]` : `.${String(part)}`))
        .join('')
        .replace(/^\./, '');
      return `${where}：${issue.message}`;
    });
  }
  return checkTemplate(parsed.data).map((problem) => problem.message);
}

/** Tries the form as a school would see it: answers stay local, validation runs as on submission. */
function Preview({ content }: { content: FormContent }) {
  const { t } = useTranslation();
  const [answers, setAnswers] = useState<FormAnswers>({});
  const [tried, setTried] = useState(false);
  const errors = useMemo(() => validateAnswers(content, answers, { complete: tried }), [content, answers, tried]);
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('forms.template.previewHint')}</Typography.Text>
      <div className="sc-form-paper-title">{content.title}</div>
      <FormRenderer content={content} answers={answers} onChange={setAnswers} problems={problemsByField(errors)} />
      <div className="sc-form-signoff">
        <span>{content.principalLabel}：＿＿＿＿</span>
        {content.cosign && <span>{content.cosignerLabel}：＿＿＿＿</span>}
      </div>
      <Space>
        <Button onClick={() => setTried(true)} data-testid="preview-check">
          {t('forms.template.tryValidate')}
        </Button>
        {tried && errors.length === 0 && (
          <Typography.Text type="success">{t('forms.template.validOk')}</Typography.Text>
        )}
        <Button
          type="link"
          onClick={() => {
            setAnswers({});
            setTried(false);
          }}
        >
          {t('forms.template.clear')}
        </Button>
      </Space>
    </Space>
  );
}

/** A template: preview as the school sees it; the bureau's own templates open in the builder (each save is a version). */
export function TemplateDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const isNew = id === 'new';
  const navigate = useNavigate();
  const user = useUser();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const copy = useCopyFormTemplate();
  const [issuing, setIssuing] = useState(false);
  const detail = useQuery({
    queryKey: ['forms', 'template', id],
    enabled: !isNew && /^\d+$/.test(id),
    queryFn: () => api.get<FormTemplateDetail>(`/forms/templates/${id}`, undefined, { quiet: true }),
  });
  const [draft, setDraft] = useState<FormContent>(BLANK);
  const [name, setName] = useState('');
  const [tab, setTab] = useState<string>(isNew ? 'edit' : 'preview');
  const [serverProblems, setServerProblems] = useState<string[]>([]);
  useEffect(() => {
    if (detail.data) {
      setDraft(detail.data.content);
      setName(detail.data.name);
    }
  }, [detail.data]);

  const problems = useMemo(() => contentProblems(draft), [draft]);
  const save = useMutation({
    mutationFn: async () => {
      if (isNew) {
        return api.post<FormTemplateDetail>(
          '/forms/templates',
          { orgId: user.activeOrg.id, name: name.trim(), content: draft },
          { quiet: true },
        );
      }
      const saved = await request<FormTemplateDetail>(`/forms/templates/${id}/content`, {
        method: 'PUT',
        body: { content: draft },
        quiet: true,
      });
      if (name.trim() && name.trim() !== saved.name) {
        return api.patch<FormTemplateDetail>(`/forms/templates/${id}`, { name: name.trim() }, { quiet: true });
      }
      return saved;
    },
    onSuccess: (saved) => {
      setServerProblems([]);
      message.success(t('forms.template.savedVersion', { version: saved.currentVersion }));
      void queryClient.invalidateQueries({ queryKey: ['forms', 'templates'] });
      queryClient.setQueryData(['forms', 'template', String(saved.id)], saved);
      if (isNew) navigate(`/forms/templates/${saved.id}`, { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.errors.length) {
        setServerProblems(error.errors.map((problem) => `${problem.path ?? ''}：${problem.message}`));
      }
      message.error(error.message);
    },
  });
  const archive = useMutation({
    mutationFn: (archived: boolean) => api.patch<FormTemplateDetail>(`/forms/templates/${id}`, { archived }),
    onSuccess: (saved) => {
      queryClient.setQueryData(['forms', 'template', id], saved);
      void queryClient.invalidateQueries({ queryKey: ['forms', 'templates'] });
    },
  });

  if (!isNew && detail.isLoading) {
    return (
      <Page title={t('forms.template.detail')}>
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      </Page>
    );
  }
  if (!isNew && (detail.isError || !detail.data)) {
    return (
      <Page title={t('forms.template.detail')}>
        {detail.error && <LoadError error={detail.error} onRetry={() => detail.refetch()} />}
        <Card>
          <Empty description={t('forms.template.notFound')} />
        </Card>
      </Page>
    );
  }

  const template = detail.data;
  const editable = isNew ? can('report.issue') : Boolean(template?.editable);
  const canSave = editable && problems.length === 0 && (!isNew || name.trim().length > 0);
  const extra = [
    !isNew && template && can('report.issue') && !template.archived && (
      <Button
        key="issue"
        type="primary"
        icon={<SendOutlined />}
        onClick={() => setIssuing(true)}
        data-testid="template-issue"
      >
        {t('forms.issue.short')}
      </Button>
    ),
    !isNew && template && !template.editable && can('report.issue') && (
      <Button key="copy" icon={<CopyOutlined />} loading={copy.isPending} onClick={() => copy.mutate(template.id)}>
        {t('forms.template.copy')}
      </Button>
    ),
    !isNew && template?.editable && (
      <Button key="archive" loading={archive.isPending} onClick={() => archive.mutate(!template.archived)}>
        {template.archived ? t('forms.template.unarchive') : t('forms.template.archive')}
      </Button>
    ),
  ].filter(Boolean) as React.ReactNode[];

  const builder = (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Input
        value={name}
        onChange={(event) => setName(event.target.value)}
        maxLength={100}
        addonBefore={t('forms.template.name')}
        placeholder={t('forms.template.namePlaceholder')}
        data-testid="template-name"
      />
      <FormBuilder value={draft} onChange={setDraft} />
      {(problems.length > 0 || serverProblems.length > 0) && (
        <Alert
          type="warning"
          showIcon
          message={t('forms.template.problems')}
          description={
            <ul className="sc-form-problems">
              {[...problems, ...serverProblems].slice(0, 12).map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          }
        />
      )}
      <Space>
        <Button
          type="primary"
          icon={<SaveOutlined />}
          disabled={!canSave}
          loading={save.isPending}
          onClick={() => save.mutate()}
          data-testid="template-save"
        >
          {isNew ? t('forms.template.create') : t('forms.template.saveVersion')}
        </Button>
        {!isNew && <Typography.Text type="secondary">{t('forms.template.versionHint')}</Typography.Text>}
      </Space>
    </Space>
  );

  return (
    <Page
      title={
        isNew ? (
          t('forms.template.new')
        ) : (
          <Space wrap>
            <span>{template?.name}</span>
            {template && <TemplateSourceTag template={template} />}
            <Typography.Text type="secondary" style={{ fontSize: 14 }}>
              v{template?.currentVersion}
            </Typography.Text>
          </Space>
        )
      }
      extra={extra}
    >
      {!isNew && template && !template.editable && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('forms.template.readOnlyHint')} />
      )}
      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            { key: 'preview', label: t('forms.template.preview'), children: <Preview content={draft} /> },
            ...(editable ? [{ key: 'edit', label: t('forms.template.edit'), children: builder }] : []),
            ...(template
              ? [
                  {
                    key: 'versions',
                    label: t('forms.template.versions'),
                    children: (
                      <List
                        size="small"
                        dataSource={template.versions}
                        renderItem={(version) => (
                          <List.Item>
                            <Space wrap>
                              <strong>v{version.version}</strong>
                              <span>{t('forms.template.fieldCount', { count: version.fieldCount })}</span>
                              <Typography.Text type="secondary">
                                {dateTime(version.createdAt)} {version.createdByName ?? ''}
                              </Typography.Text>
                            </Space>
                          </List.Item>
                        )}
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {template && <IssueModal open={issuing} templateId={template.id} onClose={() => setIssuing(false)} />}
    </Page>
  );
}
