import type { FormTask } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Empty, Grid, Segmented, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { LoadError } from '../inspections/shared';
import { DaysLeft, Deadline, period, SubmissionStateTag } from './shared';
import './forms.css';

type Filter = 'open' | 'all';

/** 报表任务: the forms the caller's school has to fill (deadline, late in red), and those it handed in. */
export function TasksPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { can } = useSession();
  const navigate = useNavigate();
  const school = ownSchoolId(user);
  const [filter, setFilter] = useState<Filter>('all');
  const tasks = useQuery({
    queryKey: ['forms', 'tasks', filter],
    enabled: school !== null,
    queryFn: () =>
      api.get<{ items: FormTask[] }>('/forms/tasks', { open: filter === 'open' || undefined }, { quiet: true }),
    placeholderData: (previous) => previous,
  });
  const rows = tasks.data?.items ?? [];
  const narrow = !Grid.useBreakpoint().md;

  const title = (row: FormTask) => (
    <Space direction="vertical" size={0}>
      <Link to={`/forms/submissions/${row.submissionId}`} data-testid="task-link">
        {row.title}
      </Link>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {row.issuerOrgName}
      </Typography.Text>
    </Space>
  );
  const deadline = (row: FormTask) => (
    <Space direction="vertical" size={0}>
      <Deadline deadline={row.deadline} overdue={row.overdue} late={row.late} />
      {(row.status === 'draft' || row.status === 'returned') && !row.overdue && <DaysLeft deadline={row.deadline} />}
    </Space>
  );
  const columns: ColumnsType<FormTask> = [
    {
      title: t('forms.collection.title'),
      dataIndex: 'title',
      fixed: 'left',
      width: 260,
      render: (_value: string, row) => title(row),
    },
    {
      title: t('forms.collection.period'),
      key: 'period',
      width: 200,
      render: (_value, row) => period(row.periodFrom, row.periodTo),
    },
    {
      title: t('forms.collection.deadline'),
      dataIndex: 'deadline',
      width: 230,
      render: (_value: string, row) => deadline(row),
    },
    {
      title: t('forms.submission.status'),
      dataIndex: 'status',
      width: 100,
      render: (value: FormTask['status']) => <SubmissionStateTag state={value} />,
    },
    {
      title: t('forms.submission.reviewComment'),
      dataIndex: 'reviewComment',
      width: 240,
      ellipsis: true,
      render: (value: string | null, row) =>
        value ? (
          <Typography.Text type={row.status === 'returned' ? 'danger' : undefined}>{value}</Typography.Text>
        ) : (
          '—'
        ),
    },
  ];
  // A phone shows one column: the title, the state and the deadline stacked, nothing to scroll sideways.
  const compact: ColumnsType<FormTask> = [
    {
      title: t('forms.menu.tasks'),
      key: 'task',
      render: (_value, row) => (
        <Space direction="vertical" size={4}>
          {title(row)}
          <Space size={8} wrap>
            <SubmissionStateTag state={row.status} />
            {deadline(row)}
          </Space>
          {row.reviewComment && (
            <Typography.Text type={row.status === 'returned' ? 'danger' : 'secondary'}>
              {row.reviewComment}
            </Typography.Text>
          )}
        </Space>
      ),
    },
  ];

  if (school === null) {
    return (
      <Page title={t('forms.menu.tasks')}>
        <Card>
          <Empty description={t('forms.tasks.notSchool')}>
            {can('report.issue') && <Link to="/forms/collections">{t('forms.menu.collections')}</Link>}
          </Empty>
        </Card>
      </Page>
    );
  }

  return (
    <Page title={t('forms.menu.tasks')}>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Segmented<Filter>
            value={filter}
            onChange={setFilter}
            options={[
              { value: 'all', label: t('forms.tasks.all') },
              { value: 'open', label: t('forms.tasks.open') },
            ]}
            data-testid="task-filter"
          />
          {!can('report.fill') && can('report.cosign') && (
            <Typography.Text type="secondary">{t('forms.tasks.cosignHint')}</Typography.Text>
          )}
        </Space>
      </Card>
      {tasks.isError && <LoadError error={tasks.error} onRetry={() => tasks.refetch()} />}
      {rows.some((row) => row.status === 'returned') && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('forms.tasks.returnedHint')} />
      )}
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<FormTask>
          rowKey="submissionId"
          loading={tasks.isLoading}
          dataSource={rows}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={narrow ? undefined : { x: 900 }}
          data-testid="form-tasks"
          locale={{ emptyText: <Empty description={t('forms.tasks.empty')} /> }}
          onRow={(row) => ({
            className: 'sc-form-clickable',
            onClick: (event) => {
              if ((event.target as HTMLElement).closest('a,button')) return;
              navigate(`/forms/submissions/${row.submissionId}`);
            },
          })}
          columns={narrow ? compact : columns}
        />
      </Card>
    </Page>
  );
}
