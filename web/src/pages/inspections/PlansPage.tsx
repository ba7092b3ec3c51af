import { CalendarOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import type { PlanDetail, PlanSchedule, PlanSummary } from '@safe-campus/domain';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Empty, Segmented, Space, Table, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import type { Page as ApiPage } from '../../api/types';
import { Page } from '../../app/Page';
import { useSession } from '../../app/session';
import { PlanForm } from './PlanForm';
import { KindTag, LoadError, useWorkingSchool } from './shared';
import './inspections.css';

/** 每天 08:00–17:00 · 每周一、三 … · 每季度首月 5 日 …, as the list shows a schedule. */
export function describeSchedule(schedule: PlanSchedule, t: TFunction): string {
  const windows = schedule.windows.map((window) => `${window.start}–${window.end}`).join('，');
  const weekdays = (schedule.weekdays ?? []).map((day) => t(`inspections.weekdaysShort.${day}`)).join('、');
  const when = t(`inspections.plan.describe.${schedule.frequency}`, {
    weekdays,
    day: schedule.dayOfMonth,
    count: schedule.windows.length,
    start: schedule.startsOn,
    end: schedule.endsOn ?? '',
  });
  return `${when} ${windows}`;
}

/** 检查计划: a school's plans (which template, where, who, when), create and edit them, pause and resume. */
export function PlansPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { schoolId, picker } = useWorkingSchool();
  const [active, setActive] = useState<'active' | 'all'>('active');
  const [editing, setEditing] = useState<{ plan: PlanDetail | null } | null>(null);
  const list = useQuery({
    queryKey: ['inspections', 'plans', schoolId, active],
    queryFn: () =>
      api.get<ApiPage<PlanSummary>>(
        '/inspections/plans',
        { orgId: schoolId ?? undefined, active: active === 'active' ? true : undefined, limit: 200 },
        { quiet: true },
      ),
  });
  const toggle = useMutation({
    mutationFn: (plan: PlanSummary) => api.patch<PlanDetail>(`/inspections/plans/${plan.id}`, { active: !plan.active }),
    onSuccess: (plan) => {
      message.success(t(plan.active ? 'inspections.plan.resumed' : 'inspections.plan.paused', { name: plan.name }));
      void queryClient.invalidateQueries({ queryKey: ['inspections', 'plans'] });
    },
  });
  const openEditor = async (plan: PlanSummary) => {
    const detail = await api.get<PlanDetail>(`/inspections/plans/${plan.id}`);
    setEditing({ plan: detail });
  };
  const manage = can('inspection.manage');

  return (
    <Page
      title={t('inspections.menu.plans')}
      extra={
        manage
          ? [
              <Button
                key="new"
                type="primary"
                icon={<PlusOutlined />}
                disabled={schoolId === null}
                title={schoolId === null ? t('inspections.pickSchoolFirst') : undefined}
                onClick={() => setEditing({ plan: null })}
                data-testid="plan-new"
              >
                {t('inspections.plan.new')}
              </Button>,
            ]
          : undefined
      }
    >
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          {picker}
          <Segmented<'active' | 'all'>
            value={active}
            onChange={setActive}
            options={[
              { value: 'active', label: t('inspections.plan.onlyActive') },
              { value: 'all', label: t('inspections.plan.all') },
            ]}
          />
        </Space>
      </Card>
      {list.isError && <LoadError error={list.error} onRetry={() => list.refetch()} />}
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<PlanSummary>
          rowKey="id"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1160 }}
          data-testid="plans-table"
          locale={{ emptyText: <Empty description={t('inspections.plan.empty')} /> }}
          columns={[
            {
              title: t('inspections.plan.name'),
              dataIndex: 'name',
              fixed: 'left',
              width: 180,
              render: (value: string, row) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{value}</Typography.Text>
                  {schoolId === null && <Typography.Text type="secondary">{row.schoolName}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: t('inspections.plan.template'),
              dataIndex: 'templateName',
              width: 200,
              render: (value: string, row) => (
                <Space direction="vertical" size={2}>
                  <span>{value}</span>
                  <KindTag kind={row.templateKind} />
                </Space>
              ),
            },
            {
              title: t('inspections.plan.target'),
              key: 'target',
              width: 160,
              ellipsis: true,
              render: (_value, row) =>
                row.routeName
                  ? `${t('inspections.plan.targets.route')}：${row.routeName}`
                  : row.places.length > 0
                    ? row.places.map((place) => place.name).join('、')
                    : t('inspections.plan.targets.school'),
            },
            {
              title: t('inspections.plan.assign'),
              key: 'assign',
              width: 140,
              ellipsis: true,
              render: (_value, row) =>
                row.dutyRole
                  ? t('inspections.plan.onDuty', { role: t(`duty.roles.${row.dutyRole}`) })
                  : row.assignees.map((person) => person.name).join('、'),
            },
            {
              title: t('inspections.plan.frequency'),
              key: 'schedule',
              width: 210,
              render: (_value, row) => describeSchedule(row.schedule, t),
            },
            {
              title: t('inspections.plan.state'),
              dataIndex: 'active',
              width: 80,
              render: (value: boolean) => (
                <Badge
                  status={value ? 'success' : 'default'}
                  text={value ? t('inspections.plan.running') : t('inspections.plan.stopped')}
                />
              ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              fixed: 'right',
              width: 190,
              render: (_value, row) => (
                <Space size={0} wrap>
                  <Button
                    size="small"
                    type="link"
                    icon={<CalendarOutlined />}
                    onClick={() => navigate(`/inspections/calendar?schoolId=${row.schoolId}`)}
                  >
                    {t('inspections.plan.calendar')}
                  </Button>
                  {manage && (
                    <Button
                      size="small"
                      type="link"
                      icon={<EditOutlined />}
                      onClick={() => void openEditor(row)}
                      data-testid="plan-edit"
                    >
                      {t('common.edit')}
                    </Button>
                  )}
                  {manage && (
                    <Button
                      size="small"
                      type="link"
                      loading={toggle.isPending && toggle.variables?.id === row.id}
                      onClick={() => toggle.mutate(row)}
                    >
                      {row.active ? t('inspections.plan.pause') : t('inspections.plan.resume')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {editing !== null && (editing.plan !== null || schoolId !== null) && (
        <PlanForm
          open
          schoolId={editing.plan?.schoolId ?? (schoolId as number)}
          plan={editing.plan}
          onClose={() => setEditing(null)}
          onSaved={(plan) => {
            message.success(t('inspections.plan.saved', { name: plan.name }));
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: ['inspections', 'plans'] });
            void queryClient.invalidateQueries({ queryKey: ['inspections', 'calendar'] });
          }}
        />
      )}
    </Page>
  );
}
