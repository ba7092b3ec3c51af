import { CopyOutlined, PlusOutlined } from '@ant-design/icons';
import { TEMPLATE_KINDS, type TemplateKind, type TemplateSummary } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { Page } from '../../app/Page';
import { useSession } from '../../app/session';
import { KindTag, LoadError } from './shared';
import { useCopyTemplate, useTemplateOwner } from './useCopyTemplate';
import './inspections.css';

type Source = 'all' | 'builtin' | 'ours' | 'published';

/** Where a template comes from, as the list and the detail page show it. */
export function SourceTag({ template, ownerId }: { template: TemplateSummary; ownerId: number }) {
  const { t } = useTranslation();
  if (template.builtin) return <Tag color="default">{t('inspections.template.sources.builtin')}</Tag>;
  if (template.ownerOrgId === ownerId || template.editable) {
    return (
      <Space size={4}>
        <Tag color="green">{t('inspections.template.sources.ours')}</Tag>
        {template.published && <Tag color="blue">{t('inspections.template.publishedTag')}</Tag>}
      </Space>
    );
  }
  return (
    <Tag color="blue">
      {template.published
        ? t('inspections.template.sources.publishedBy', { org: template.ownerOrgName ?? '' })
        : (template.ownerOrgName ?? '—')}
    </Tag>
  );
}

function sourceOf(template: TemplateSummary, ownerId: number): Exclude<Source, 'all'> {
  if (template.builtin) return 'builtin';
  if (template.ownerOrgId === ownerId || template.editable) return 'ours';
  return 'published';
}

/** 检查表模板: the templates a unit may use (built-in, its own, published by a bureau above), copy and create. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const ownerId = useTemplateOwner();
  const [kind, setKind] = useState<TemplateKind | undefined>();
  const [source, setSource] = useState<Source>('all');
  const [archived, setArchived] = useState(false);
  const copy = useCopyTemplate();
  const list = useQuery({
    queryKey: ['inspections', 'templates', { kind, archived }],
    queryFn: () =>
      api.get<{ items: TemplateSummary[] }>(
        '/inspections/templates',
        { kind, archived: archived || undefined },
        { quiet: true },
      ),
    placeholderData: (previous) => previous,
  });
  const manage = can('inspection.manage');
  const rows = (list.data?.items ?? []).filter((row) => source === 'all' || sourceOf(row, ownerId) === source);

  return (
    <Page
      title={t('inspections.menu.templates')}
      extra={
        manage
          ? [
              <Button
                key="new"
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => navigate('/inspections/templates/new')}
                data-testid="template-new"
              >
                {t('inspections.template.new')}
              </Button>,
            ]
          : undefined
      }
    >
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Segmented<Source>
            value={source}
            onChange={setSource}
            options={(['all', 'builtin', 'ours', 'published'] as const).map((value) => ({
              value,
              label: t(`inspections.template.filters.${value}`),
            }))}
            data-testid="template-source"
          />
          <Select<TemplateKind>
            allowClear
            value={kind}
            onChange={setKind}
            placeholder={t('inspections.template.kind')}
            style={{ width: 180 }}
            options={TEMPLATE_KINDS.map((value) => ({ value, label: t(`inspections.kinds.${value}`) }))}
          />
          {manage && (
            <Segmented<'active' | 'archived'>
              value={archived ? 'archived' : 'active'}
              onChange={(value) => setArchived(value === 'archived')}
              options={[
                { value: 'active', label: t('inspections.template.inUse') },
                { value: 'archived', label: t('inspections.template.withArchived') },
              ]}
            />
          )}
        </Space>
      </Card>
      {list.isError && <LoadError error={list.error} onRetry={() => list.refetch()} />}
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<TemplateSummary>
          rowKey="id"
          size="middle"
          loading={list.isLoading || list.isFetching}
          dataSource={rows}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
          data-testid="templates-table"
          locale={{
            emptyText: <Empty description={list.isError ? t('common.loadFailed') : t('inspections.template.empty')} />,
          }}
          onRow={(row) => ({
            className: 'sc-insp-clickable',
            onClick: (event) => {
              if ((event.target as HTMLElement).closest('a,button')) return;
              navigate(`/inspections/templates/${row.id}`);
            },
          })}
          columns={[
            {
              title: t('inspections.template.name'),
              dataIndex: 'name',
              fixed: 'left',
              width: 240,
              render: (_value, row) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/inspections/templates/${row.id}`} data-testid="template-link">
                    {row.name}
                  </Link>
                  {row.archived && (
                    <Typography.Text type="secondary">{t('inspections.template.archived')}</Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              title: t('inspections.template.kind'),
              dataIndex: 'kind',
              width: 150,
              render: (value: TemplateKind) => <KindTag kind={value} />,
            },
            {
              title: t('inspections.template.source'),
              key: 'source',
              width: 200,
              render: (_value, row) => <SourceTag template={row} ownerId={ownerId} />,
            },
            {
              title: t('inspections.template.version'),
              dataIndex: 'currentVersion',
              width: 80,
              align: 'right',
              render: (value: number) => `v${value}`,
            },
            {
              title: t('inspections.template.items'),
              dataIndex: 'itemCount',
              width: 80,
              align: 'right',
            },
            {
              title: t('common.updatedAt'),
              dataIndex: 'updatedAt',
              width: 150,
              render: (value: string) => dayjs(value).format('YYYY-MM-DD HH:mm'),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 140,
              render: (_value, row) =>
                manage && !row.editable ? (
                  <Button
                    size="small"
                    icon={<CopyOutlined />}
                    loading={copy.isPending && copy.variables === row.id}
                    onClick={() => copy.mutate(row.id)}
                    data-testid="template-copy"
                  >
                    {t('inspections.template.copy')}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
    </Page>
  );
}
