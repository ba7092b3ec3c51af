import {
  ArrowLeftOutlined,
  CopyOutlined,
  EditOutlined,
  InboxOutlined,
  NotificationOutlined,
  SaveOutlined,
} from '@ant-design/icons';
import {
  type ChecklistContent,
  TEMPLATE_KINDS,
  type TemplateDetail,
  type TemplateKind,
  type TemplateVersionDetail,
} from '@safe-campus/domain';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Popconfirm,
  Result,
  Row,
  Select,
  Skeleton,
  Space,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiError, api, request } from '../../api/client';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { ChecklistEditor, checklistProblems, cleanChecklist } from './ChecklistEditor';
import { ChecklistView } from './ChecklistView';
import { dateTime, KindTag } from './shared';
import { SourceTag } from './TemplatesPage';
import { useCopyTemplate, useTemplateOwner } from './useCopyTemplate';
import './inspections.css';

const BLANK: ChecklistContent = [
  { title: '', items: [{ key: 'item-1', text: '', type: 'pass_fail', required: true }] },
];

/** The save button's errors: the first problem of the draft, or the server's message. */
function DraftProblems({ content, problem }: { content: ChecklistContent; problem: string | null }) {
  const { t } = useTranslation();
  const problems = checklistProblems(content);
  if (problem) return <Alert type="error" showIcon message={problem} />;
  if (problems.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      message={problems
        .slice(0, 3)
        .map((item) => (item.where ? `${item.where}：${t(item.key)}` : t(item.key)))
        .join('；')}
    />
  );
}

/** 新建检查表: name, kind and the first version's sections. */
function NewTemplate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const orgId = useTemplateOwner();
  const [form] = Form.useForm<{ name: string; kind: TemplateKind; description?: string }>();
  const [content, setContent] = useState<ChecklistContent>(BLANK);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async () => {
      const values = await form.validateFields();
      return api.post<TemplateDetail>(
        '/inspections/templates',
        {
          orgId,
          name: values.name.trim(),
          kind: values.kind,
          description: values.description?.trim() || undefined,
          content: cleanChecklist(content),
        },
        { quiet: true },
      );
    },
    onSuccess: (created) => {
      message.success(t('inspections.template.created', { name: created.name }));
      void queryClient.invalidateQueries({ queryKey: ['inspections', 'templates'] });
      navigate(`/inspections/templates/${created.id}`, { replace: true });
    },
    onError: (error) => setProblem(error instanceof ApiError ? error.message : null),
  });
  return (
    <Page
      title={t('inspections.template.new')}
      extra={[
        <Button key="back" icon={<ArrowLeftOutlined />} onClick={() => navigate('/inspections/templates')}>
          {t('inspections.backToList')}
        </Button>,
      ]}
    >
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card size="small">
          <Form form={form} layout="vertical" initialValues={{ kind: 'custom' }}>
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item
                  name="name"
                  label={t('inspections.template.name')}
                  rules={[{ required: true, whitespace: true, max: 100 }]}
                >
                  <Input data-testid="template-name" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="kind" label={t('inspections.template.kind')} rules={[{ required: true }]}>
                  <Select
                    options={TEMPLATE_KINDS.map((value) => ({ value, label: t(`inspections.kinds.${value}`) }))}
                  />
                </Form.Item>
              </Col>
              <Col span={24}>
                <Form.Item name="description" label={t('inspections.template.description')} style={{ marginBottom: 0 }}>
                  <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={1000} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
        </Card>
        <ChecklistEditor value={content} onChange={setContent} />
        <DraftProblems content={content} problem={problem} />
        <Space>
          <Button
            type="primary"
            icon={<SaveOutlined />}
            disabled={checklistProblems(content).length > 0}
            loading={create.isPending}
            onClick={() => {
              setProblem(null);
              create.mutate();
            }}
            data-testid="template-save"
          >
            {t('inspections.template.create')}
          </Button>
          <Button onClick={() => navigate('/inspections/templates')}>{t('inspections.cancel')}</Button>
        </Space>
      </Space>
    </Page>
  );
}

/** 检查表详情: a template's sections and items, its versions, and (own templates) edit, publish, archive. */
export function TemplateDetailPage() {
  const { id } = useParams();
  if (id === 'new') return <NewTemplate />;
  return <ExistingTemplate templateId={Number(id)} />;
}

function ExistingTemplate({ templateId }: { templateId: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const user = useUser();
  const ownerId = useTemplateOwner();
  const copy = useCopyTemplate();
  const [version, setVersion] = useState<number | null>(null);
  const [draft, setDraft] = useState<ChecklistContent | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const key = ['inspections', 'templates', 'detail', templateId];
  const valid = Number.isSafeInteger(templateId) && templateId > 0;
  const detail = useQuery({
    queryKey: key,
    enabled: valid,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    queryFn: () => api.get<TemplateDetail>(`/inspections/templates/${templateId}`, undefined, { quiet: true }),
  });
  const template = detail.data;
  const oldVersion = useQuery({
    queryKey: ['inspections', 'templates', 'version', templateId, version],
    enabled: valid && version !== null && template !== undefined && version !== template.currentVersion,
    queryFn: () =>
      api.get<TemplateVersionDetail>(`/inspections/templates/${templateId}/versions/${version}`, undefined, {
        quiet: true,
      }),
  });

  const refresh = (next: TemplateDetail) => {
    queryClient.setQueryData(key, next);
    void queryClient.invalidateQueries({ queryKey: ['inspections', 'templates'], exact: false });
  };
  const save = useMutation({
    mutationFn: (content: ChecklistContent) =>
      request<TemplateDetail>(`/inspections/templates/${templateId}/content`, {
        method: 'PUT',
        body: { content: cleanChecklist(content) },
        quiet: true,
      }),
    onSuccess: (next) => {
      message.success(t('inspections.template.savedVersion', { version: next.currentVersion }));
      setDraft(null);
      setVersion(null);
      refresh(next);
    },
    onError: (error) => setProblem(error instanceof ApiError ? error.message : String(error)),
  });
  const patch = useMutation({
    mutationFn: (body: { published?: boolean; archived?: boolean; name?: string }) =>
      api.patch<TemplateDetail>(`/inspections/templates/${templateId}`, body),
    onSuccess: (next, body) => {
      if (body.published !== undefined) {
        message.success(t(body.published ? 'inspections.template.publishedOk' : 'inspections.template.unpublishedOk'));
      } else message.success(t('common.saved'));
      refresh(next);
    },
  });

  const back = (
    <Button key="back" icon={<ArrowLeftOutlined />} onClick={() => navigate('/inspections/templates')}>
      {t('inspections.backToList')}
    </Button>
  );

  if (!valid || detail.isError) {
    const error = detail.error;
    const missing = !valid || (error instanceof ApiError && (error.status === 404 || error.status === 403));
    return (
      <Page title={t('inspections.menu.templateDetail')} extra={[back]}>
        <Result
          status={missing ? '404' : 'error'}
          title={missing ? t('inspections.template.notFound') : t('common.loadFailed')}
          subTitle={missing ? undefined : error?.message}
          extra={missing ? undefined : <Button onClick={() => detail.refetch()}>{t('common.retry')}</Button>}
        />
      </Page>
    );
  }
  if (!template) {
    return (
      <Page title={t('inspections.menu.templateDetail')} extra={[back]}>
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      </Page>
    );
  }

  const manage = can('inspection.manage');
  // Only a bureau publishes (to the schools below it); a school's templates stay its own.
  const bureau = ownSchoolId(user) === null;
  const shownVersion = version ?? template.currentVersion;
  const content = shownVersion === template.currentVersion ? template.content : (oldVersion.data?.content ?? null);

  const actions = [back];
  if (draft === null && manage && !template.editable) {
    actions.push(
      <Button
        key="copy"
        type="primary"
        icon={<CopyOutlined />}
        loading={copy.isPending}
        onClick={() => copy.mutate(template.id)}
        data-testid="template-copy"
      >
        {t('inspections.template.copy')}
      </Button>,
    );
  }
  if (draft === null && template.editable) {
    if (bureau) {
      actions.push(
        <Popconfirm
          key="publish"
          title={t(
            template.published ? 'inspections.template.unpublishConfirm' : 'inspections.template.publishConfirm',
          )}
          onConfirm={() => patch.mutate({ published: !template.published })}
        >
          <Button icon={<NotificationOutlined />} loading={patch.isPending} data-testid="template-publish">
            {t(template.published ? 'inspections.template.unpublish' : 'inspections.template.publish')}
          </Button>
        </Popconfirm>,
      );
    }
    actions.push(
      <Popconfirm
        key="archive"
        title={t(template.archived ? 'inspections.template.restoreConfirm' : 'inspections.template.archiveConfirm')}
        onConfirm={() => patch.mutate({ archived: !template.archived })}
      >
        <Button icon={<InboxOutlined />} loading={patch.isPending}>
          {t(template.archived ? 'inspections.template.restore' : 'inspections.template.archive')}
        </Button>
      </Popconfirm>,
      <Button
        key="edit"
        type="primary"
        icon={<EditOutlined />}
        onClick={() => {
          setProblem(null);
          setVersion(null);
          setDraft(structuredClone(template.content));
        }}
        data-testid="template-edit"
      >
        {t('inspections.template.edit')}
      </Button>,
    );
  }

  return (
    <Page title={template.name} extra={actions}>
      <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="template-detail">
        <Card size="small">
          <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
            <Descriptions.Item label={t('inspections.template.kind')}>
              <KindTag kind={template.kind} />
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.template.source')}>
              <SourceTag template={template} ownerId={ownerId} />
            </Descriptions.Item>
            <Descriptions.Item label={t('inspections.template.items')}>{template.itemCount}</Descriptions.Item>
            <Descriptions.Item label={t('inspections.template.version')}>
              <Select<number>
                size="small"
                value={shownVersion}
                onChange={(value) => setVersion(value === template.currentVersion ? null : value)}
                disabled={draft !== null}
                style={{ minWidth: 200 }}
                data-testid="template-version"
                options={template.versions.map((item) => ({
                  value: item.version,
                  label: `v${item.version}${item.version === template.currentVersion ? ` · ${t('inspections.template.current')}` : ''} · ${dateTime(item.createdAt)}`,
                }))}
              />
            </Descriptions.Item>
            <Descriptions.Item label={t('common.updatedAt')}>{dateTime(template.updatedAt)}</Descriptions.Item>
            {template.archived && (
              <Descriptions.Item label={t('inspections.template.state')}>
                {t('inspections.template.archived')}
              </Descriptions.Item>
            )}
            {template.description && (
              <Descriptions.Item label={t('inspections.template.description')} span={3}>
                <Typography.Paragraph style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>
                  {template.description}
                </Typography.Paragraph>
              </Descriptions.Item>
            )}
          </Descriptions>
        </Card>
        {template.builtin && manage && <Alert type="info" showIcon message={t('inspections.template.builtinHint')} />}
        {draft !== null ? (
          <>
            <Alert
              type="info"
              showIcon
              message={t('inspections.template.newVersionHint', { version: template.currentVersion + 1 })}
              data-testid="version-hint"
            />
            <ChecklistEditor value={draft} onChange={setDraft} />
            <DraftProblems content={draft} problem={problem} />
            <Space className="sc-insp-sticky-actions">
              <Button
                type="primary"
                icon={<SaveOutlined />}
                disabled={checklistProblems(draft).length > 0}
                loading={save.isPending}
                onClick={() => {
                  setProblem(null);
                  save.mutate(draft);
                }}
                data-testid="template-save"
              >
                {t('inspections.template.saveVersion', { version: template.currentVersion + 1 })}
              </Button>
              <Button onClick={() => setDraft(null)}>{t('inspections.cancel')}</Button>
            </Space>
          </>
        ) : content ? (
          <>
            {shownVersion !== template.currentVersion && (
              <Alert
                type="warning"
                showIcon
                message={t('inspections.template.oldVersion', { version: shownVersion })}
              />
            )}
            <ChecklistView content={content} />
          </>
        ) : oldVersion.isError ? (
          <Alert type="error" showIcon message={oldVersion.error.message} />
        ) : (
          <Card>
            <Skeleton active />
          </Card>
        )}
      </Space>
    </Page>
  );
}
