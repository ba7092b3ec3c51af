import { CopyOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import type { FormTemplateDetail, FormTemplateSummary } from '@safe-campus/domain';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { LoadError } from '../inspections/shared';
import { IssueModal } from './IssueModal';
import { dateTime } from './shared';
import './forms.css';

/** Where a template comes from: 平台内置 / 本单位 / the bureau above that made it. */
export function TemplateSourceTag({ template }: { template: FormTemplateSummary }) {
  const { t } = useTranslation();
  if (template.builtin) return <Tag>{t('forms.template.builtin')}</Tag>;
  if (template.editable) return <Tag color="green">{t('forms.template.ours')}</Tag>;
  return <Tag color="blue">{template.ownerOrgName ?? '—'}</Tag>;
}

/** 复制到本单位: copies a template (its current version) to the active bureau and opens the copy. */
export function useCopyFormTemplate() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const user = useUser();
  return useMutation({
    mutationFn: (sourceId: number) =>
      api.post<FormTemplateDetail>('/forms/templates', { orgId: user.activeOrg.id, copyOf: sourceId }),
    onSuccess: (copy) => {
      message.success(t('forms.template.copied', { name: copy.name }));
      void queryClient.invalidateQueries({ queryKey: ['forms', 'templates'] });
      navigate(`/forms/templates/${copy.id}`);
    },
  });
}

/** 报表模板: built-in forms (seed 003 附件1) read-only, the bureau's own and those from bureaus above; copy, create, issue. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const [archived, setArchived] = useState(false);
  const [issuing, setIssuing] = useState<number | null>(null);
  const copy = useCopyFormTemplate();
  const list = useQuery({
    queryKey: ['forms', 'templates', { archived }],
    queryFn: () =>
      api.get<{ items: FormTemplateSummary[] }>(
        '/forms/templates',
        { archived: archived || undefined },
        { quiet: true },
      ),
    placeholderData: (previous) => previous,
  });
  const issue = can('report.issue');

  return (
    <Page
      title={t('forms.menu.templates')}
      extra={
        issue
          ? [
              <Button
                key="new"
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => navigate('/forms/templates/new')}
                data-testid="form-template-new"
              >
                {t('forms.template.new')}
              </Button>,
            ]
          : undefined
      }
    >
      <Card size="small" style={{ marginBottom: 16 }}>
        <Segmented<'active' | 'archived'>
          value={archived ? 'archived' : 'active'}
          onChange={(value) => setArchived(value === 'archived')}
          options={[
            { value: 'active', label: t('forms.template.inUse') },
            { value: 'archived', label: t('forms.template.withArchived') },
          ]}
        />
      </Card>
      {list.isError && <LoadError error={list.error} onRetry={() => list.refetch()} />}
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<FormTemplateSummary>
          rowKey="id"
          loading={list.isLoading || list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 960 }}
          data-testid="form-templates"
          locale={{
            emptyText: <Empty description={list.isError ? t('common.loadFailed') : t('forms.template.empty')} />,
          }}
          onRow={(row) => ({
            className: 'sc-form-clickable',
            onClick: (event) => {
              if ((event.target as HTMLElement).closest('a,button')) return;
              navigate(`/forms/templates/${row.id}`);
            },
          })}
          columns={[
            {
              title: t('forms.template.name'),
              dataIndex: 'name',
              fixed: 'left',
              width: 280,
              render: (value: string, row) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/forms/templates/${row.id}`} data-testid="form-template-link">
                    {value}
                  </Link>
                  {row.description && (
                    <Typography.Text type="secondary" ellipsis style={{ maxWidth: 260, fontSize: 12 }}>
                      {row.description}
                    </Typography.Text>
                  )}
                  {row.archived && <Typography.Text type="secondary">{t('forms.template.archived')}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: t('forms.template.source'),
              key: 'source',
              width: 160,
              render: (_value, row) => <TemplateSourceTag template={row} />,
            },
            {
              title: t('forms.template.version'),
              dataIndex: 'currentVersion',
              width: 70,
              align: 'right',
              render: (value: number) => `v${value}`,
            },
            { title: t('forms.template.fields'), dataIndex: 'fieldCount', width: 70, align: 'right' },
            {
              title: t('forms.template.signoff'),
              dataIndex: 'cosign',
              width: 120,
              render: (value: boolean) => (value ? t('forms.template.withCosign') : t('forms.template.principalOnly')),
            },
            { title: t('forms.template.collections'), dataIndex: 'collectionCount', width: 90, align: 'right' },
            { title: t('common.updatedAt'), dataIndex: 'updatedAt', width: 150, render: dateTime },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 190,
              render: (_value, row) =>
                issue ? (
                  <Space size={4}>
                    {!row.archived && (
                      <Button
                        size="small"
                        type="primary"
                        ghost
                        icon={<SendOutlined />}
                        onClick={() => setIssuing(row.id)}
                        data-testid="form-template-issue"
                      >
                        {t('forms.issue.short')}
                      </Button>
                    )}
                    {!row.editable && (
                      <Button
                        size="small"
                        icon={<CopyOutlined />}
                        loading={copy.isPending && copy.variables === row.id}
                        onClick={() => copy.mutate(row.id)}
                        data-testid="form-template-copy"
                      >
                        {t('forms.template.copy')}
                      </Button>
                    )}
                  </Space>
                ) : null,
            },
          ]}
        />
      </Card>
      <IssueModal open={issuing !== null} templateId={issuing ?? undefined} onClose={() => setIssuing(null)} />
    </Page>
  );
}
