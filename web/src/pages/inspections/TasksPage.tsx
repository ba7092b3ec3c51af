import { TASK_STATES, type TaskState, type TaskSummary } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Empty, Segmented, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { Page as ApiPage } from '../../api/types';
import { Page } from '../../app/Page';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { RecordDrawer } from './RecordDrawer';
import { clock, KindTag, LoadError, TaskStateTag } from './shared';
import { useInspectionEvents } from './useInspectionEvents';
import './inspections.css';

type StateFilter = TaskState | 'all';

/**
 * 检查任务: one day's tasks of a school (or of every school in a bureau's scope), by state; the missed-task
 * notice links here with `?state=missed`.
 */
export function TasksPage() {
  const { t } = useTranslation();
  const user = useUser();
  const own = ownSchoolId(user);
  const [params] = useSearchParams();
  const [picked, setPicked] = useState<number | null>(null);
  const [day, setDay] = useState<Dayjs>(() => {
    const value = params.get('day');
    return value && dayjs(value, 'YYYY-MM-DD', true).isValid() ? dayjs(value) : dayjs();
  });
  const [state, setState] = useState<StateFilter>(() => {
    const value = params.get('state');
    return (TASK_STATES as readonly string[]).includes(value ?? '') ? (value as TaskState) : 'all';
  });
  const [recordId, setRecordId] = useState<number | null>(null);
  const orgId = own !== null ? user.activeOrg.id : (picked ?? undefined);
  const query = { orgId, day: day.format('YYYY-MM-DD'), state: state === 'all' ? undefined : state, limit: 200 };
  const tasks = useQuery({
    queryKey: ['inspections', 'tasks', 'list', query],
    queryFn: () => api.get<ApiPage<TaskSummary>>('/inspections/tasks', query, { quiet: true }),
    placeholderData: (previous) => previous,
  });
  useInspectionEvents();
  const rows = [...(tasks.data?.items ?? [])].sort((a, b) => a.windowStart.localeCompare(b.windowStart));

  return (
    <Page title={t('inspections.menu.tasks')}>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          {own === null && <SchoolPicker value={picked} onChange={setPicked} />}
          <DatePicker value={day} allowClear={false} onChange={(value) => value && setDay(value)} />
          <Segmented<StateFilter>
            value={state}
            onChange={setState}
            options={[
              { value: 'all', label: t('inspections.tasks.all') },
              ...TASK_STATES.map((value) => ({ value, label: t(`inspections.taskStates.${value}`) })),
            ]}
            data-testid="task-state-filter"
          />
        </Space>
      </Card>
      {tasks.isError && <LoadError error={tasks.error} onRetry={() => tasks.refetch()} />}
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<TaskSummary>
          rowKey="id"
          loading={tasks.isLoading}
          dataSource={rows}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 980 }}
          data-testid="tasks-table"
          locale={{ emptyText: <Empty description={t('inspections.calendar.noTasks')} /> }}
          footer={
            tasks.data?.nextCursor
              ? () => (
                  <Typography.Text type="secondary">
                    {t('inspections.tasks.more', { count: rows.length })}
                  </Typography.Text>
                )
              : undefined
          }
          columns={[
            {
              title: t('inspections.tasks.window'),
              key: 'window',
              width: 120,
              fixed: 'left',
              render: (_value, row) => `${clock(row.windowStart)}–${clock(row.windowEnd)}`,
            },
            {
              title: t('inspections.plan.state'),
              dataIndex: 'state',
              width: 90,
              render: (value: TaskState) => <TaskStateTag state={value} />,
            },
            {
              title: t('inspections.plan.name'),
              dataIndex: 'planName',
              width: 200,
              render: (value: string, row) => (
                <Space direction="vertical" size={2}>
                  <span>{value}</span>
                  <KindTag kind={row.templateKind} />
                </Space>
              ),
            },
            {
              title: t('inspections.record.school'),
              dataIndex: 'schoolName',
              width: 180,
              ellipsis: true,
              hidden: own !== null,
            },
            {
              title: t('inspections.record.where'),
              key: 'where',
              width: 160,
              ellipsis: true,
              render: (_value, row) => row.routeName ?? row.placeName ?? t('inspections.plan.targets.school'),
            },
            {
              title: t('inspections.plan.assign'),
              key: 'assign',
              width: 160,
              ellipsis: true,
              render: (_value, row) =>
                row.dutyRole
                  ? t('inspections.plan.onDuty', { role: t(`duty.roles.${row.dutyRole}`) })
                  : row.assignees.map((person) => person.name).join('、'),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 100,
              render: (_value, row) =>
                row.recordId ? (
                  <Button size="small" type="link" onClick={() => setRecordId(row.recordId)}>
                    {t('inspections.calendar.openRecord')}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      <RecordDrawer recordId={recordId} onClose={() => setRecordId(null)} />
    </Page>
  );
}
