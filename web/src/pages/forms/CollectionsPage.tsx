import { SendOutlined } from '@ant-design/icons';
import type { CollectionProgress, CollectionSummary } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Grid, Progress, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import type { Page as ApiPage } from '../../api/types';
import { Page } from '../../app/Page';
import { useSession } from '../../app/session';
import { LoadError } from '../inspections/shared';
import { IssueModal } from './IssueModal';
import { dateTime, period } from './shared';
import './forms.css';

type StatusFilter = 'all' | 'open' | 'closed';

/** 已交 12 / 20 with a bar; late and overdue counts beside it. */
export function ProgressCell({ progress }: { progress: CollectionProgress }) {
  const { t } = useTranslation();
  const percent = progress.total ? Math.round((progress.submitted / progress.total) * 100) : 0;
  return (
    <Space direction="vertical" size={0} style={{ width: '100%' }} data-testid="collection-progress">
      <Progress percent={percent} size="small" status={progress.overdue > 0 ? 'exception' : undefined} />
      <Space size={4} wrap>
        <Typography.Text style={{ fontSize: 12 }}>
          {t('forms.progress.submitted', { submitted: progress.submitted, total: progress.total })}
        </Typography.Text>
        {progress.late > 0 && (
          <Tag color="warning" bordered={false}>
            {t('forms.progress.late', { count: progress.late })}
          </Tag>
        )}
        {progress.overdue > 0 && (
          <Tag color="error" bordered={false}>
            {t('forms.progress.overdue', { count: progress.overdue })}
          </Tag>
        )}
        {progress.notYet - progress.overdue > 0 && (
          <Tooltip title={t('forms.progress.notYetHint')}>
            <Tag bordered={false}>{t('forms.progress.notYet', { count: progress.notYet - progress.overdue })}</Tag>
          </Tooltip>
        )}
      </Space>
    </Space>
  );
}

/** 报表收集: the forms a bureau (or a bureau above it) issued to its schools, with progress; issue a new one. */
export function CollectionsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const [status, setStatus] = useState<StatusFilter>('all');
  const [issuing, setIssuing] = useState(false);
  const query = { status: status === 'all' ? undefined : status, limit: 100 };
  const list = useQuery({
    queryKey: ['forms', 'collections', query],
    queryFn: () => api.get<ApiPage<CollectionSummary>>('/forms/collections', query, { quiet: true }),
    placeholderData: (previous) => previous,
  });
  const rows = list.data?.items ?? [];
  const narrow = !Grid.useBreakpoint().md;

  const title = (row: CollectionSummary) => (
    <Space direction="vertical" size={0}>
      <Link to={`/forms/collections/${row.id}`} data-testid="collection-link">
        {row.title}
      </Link>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {row.templateName} v{row.templateVersion}
      </Typography.Text>
    </Space>
  );
  const deadline = (row: CollectionSummary) => (
    <span className={row.progress.overdue > 0 ? 'sc-form-late' : undefined}>{dateTime(row.deadline)}</span>
  );
  const statusTag = (value: CollectionSummary['status']) => (
    <Tag color={value === 'open' ? 'processing' : 'default'}>{t(`forms.collection.statuses.${value}`)}</Tag>
  );
  const columns: ColumnsType<CollectionSummary> = [
    {
      title: t('forms.collection.title'),
      dataIndex: 'title',
      fixed: 'left',
      width: 260,
      render: (_value: string, row) => title(row),
    },
    { title: t('forms.collection.issuer'), dataIndex: 'issuerOrgName', width: 150, ellipsis: true },
    {
      title: t('forms.collection.period'),
      key: 'period',
      width: 200,
      render: (_value, row) => period(row.periodFrom, row.periodTo),
    },
    {
      title: t('forms.collection.deadline'),
      dataIndex: 'deadline',
      width: 150,
      render: (_value: string, row) => deadline(row),
    },
    {
      title: t('forms.collection.progress'),
      key: 'progress',
      width: 260,
      render: (_value, row) => <ProgressCell progress={row.progress} />,
    },
    {
      title: t('forms.collection.status'),
      dataIndex: 'status',
      width: 90,
      render: (value: CollectionSummary['status']) => statusTag(value),
    },
  ];
  // A phone shows one column: the title, the state and deadline, the issuer and period, then the progress, stacked
  // so nothing scrolls sideways.
  const compact: ColumnsType<CollectionSummary> = [
    {
      title: t('forms.menu.collections'),
      key: 'collection',
      render: (_value, row) => (
        <Space direction="vertical" size={4} style={{ width: '100%' }} data-testid="collection-card">
          {title(row)}
          <Space size={8} wrap>
            {statusTag(row.status)}
            <Typography.Text style={{ fontSize: 12 }}>
              {t('forms.collection.deadline')}：{deadline(row)}
            </Typography.Text>
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {row.issuerOrgName} · {period(row.periodFrom, row.periodTo)}
          </Typography.Text>
          <ProgressCell progress={row.progress} />
        </Space>
      ),
    },
  ];

  return (
    <Page
      title={t('forms.menu.collections')}
      extra={
        can('report.issue')
          ? [
              <Button
                key="issue"
                type="primary"
                icon={<SendOutlined />}
                onClick={() => setIssuing(true)}
                data-testid="issue-open"
              >
                {t('forms.issue.title')}
              </Button>,
            ]
          : undefined
      }
    >
      <Card size="small" style={{ marginBottom: 16 }}>
        <Segmented<StatusFilter>
          value={status}
          onChange={setStatus}
          options={(['all', 'open', 'closed'] as const).map((value) => ({
            value,
            label: t(`forms.collection.statuses.${value}`),
          }))}
        />
      </Card>
      {list.isError && <LoadError error={list.error} onRetry={() => list.refetch()} />}
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<CollectionSummary>
          rowKey="id"
          loading={list.isLoading}
          dataSource={rows}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={narrow ? undefined : { x: 1100 }}
          data-testid="collections"
          locale={{
            emptyText: (
              <Empty description={t('forms.collection.empty')}>
                {can('report.issue') && (
                  <Button type="primary" onClick={() => setIssuing(true)}>
                    {t('forms.issue.title')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          footer={
            list.data?.nextCursor
              ? () => (
                  <Typography.Text type="secondary">
                    {t('forms.collection.more', { count: rows.length })}
                  </Typography.Text>
                )
              : undefined
          }
          onRow={(row) => ({
            className: 'sc-form-clickable',
            onClick: (event) => {
              if ((event.target as HTMLElement).closest('a,button')) return;
              navigate(`/forms/collections/${row.id}`);
            },
          })}
          columns={narrow ? compact : columns}
        />
      </Card>
      <IssueModal open={issuing} onClose={() => setIssuing(false)} />
    </Page>
  );
}
