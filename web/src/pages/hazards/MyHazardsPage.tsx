import { PlusOutlined } from '@ant-design/icons';
import { type ActionType, type ProColumns, ProTable } from '@ant-design/pro-components';
import type { HazardSummary } from '@safe-campus/domain';
import { App, Button, Empty, Space, Tabs } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { cursorRequest } from '../../app/cursorTable';
import { Page } from '../../app/Page';
import { useSession } from '../../app/session';
import { HazardReportForm } from './HazardReportForm';
import { GradeTag, OverdueTag, StateTag } from './hazardTags';
import { useHazardEvents } from './useHazardEvents';
import './hazards.css';

type Role = 'responsible' | 'reported';

/** 我的隐患: the caller's rectification tasks and own reports (for people who cannot read the whole ledger). */
export function MyHazardsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [role, setRole] = useState<Role>(can('hazard.rectify') ? 'responsible' : 'reported');
  const [openOnly, setOpenOnly] = useState(true);
  const [reporting, setReporting] = useState(false);
  const action = useRef<ActionType>(null);
  const request = useMemo(
    () => cursorRequest<HazardSummary>('/hazards/mine', () => ({ role, open: openOnly ? 'true' : undefined })),
    [role, openOnly],
  );
  useHazardEvents(() => action.current?.reload());

  const columns: ProColumns<HazardSummary>[] = [
    {
      title: t('hazards.code'),
      dataIndex: 'code',
      width: 140,
      render: (_dom, row) => <Link to={`/hazards/${row.id}`}>{row.code}</Link>,
    },
    { title: t('hazards.title'), dataIndex: 'title', ellipsis: true },
    {
      title: t('hazards.state'),
      dataIndex: 'state',
      width: 150,
      render: (_dom, row) => (
        <Space size={0} wrap>
          <StateTag state={row.state} />
          <GradeTag grade={row.grade} />
        </Space>
      ),
    },
    {
      title: t('hazards.place'),
      dataIndex: 'placeName',
      width: 140,
      ellipsis: true,
      render: (_dom, row) => row.placeName ?? '—',
    },
    {
      title: t('hazards.deadline'),
      dataIndex: 'deadline',
      width: 170,
      render: (_dom, row) => (
        <Space size={4}>
          {row.deadline ? dayjs(row.deadline).format('YYYY-MM-DD HH:mm') : '—'}
          <OverdueTag overdue={row.overdue} />
        </Space>
      ),
    },
    {
      title: t('hazards.reportedAt'),
      dataIndex: 'reportedAt',
      width: 150,
      render: (_dom, row) => dayjs(row.reportedAt).format('YYYY-MM-DD HH:mm'),
    },
  ];

  return (
    <Page title={t('menu.myHazards')}>
      <ProTable<HazardSummary>
        key={`${role}-${openOnly}`}
        rowKey="id"
        actionRef={action}
        columns={columns}
        search={false}
        request={request}
        pagination={{ defaultPageSize: 20 }}
        options={{ reload: true, density: false, setting: false }}
        scroll={{ x: 800 }}
        locale={{ emptyText: <Empty description={t('hazards.emptyMine')} /> }}
        onRow={(row) => ({
          className: 'sc-hazard-clickable-row',
          onClick: (event) => {
            if ((event.target as HTMLElement).closest('a,button')) return;
            navigate(`/hazards/${row.id}`);
          },
        })}
        headerTitle={
          <Tabs
            activeKey={role}
            onChange={(key) => setRole(key as Role)}
            items={[
              { key: 'responsible', label: t('hazards.myTasks') },
              { key: 'reported', label: t('hazards.myReports') },
            ]}
            style={{ marginBottom: -16 }}
          />
        }
        toolBarRender={() => [
          <Button
            key="open"
            type={openOnly ? 'primary' : 'default'}
            ghost={openOnly}
            onClick={() => setOpenOnly(!openOnly)}
          >
            {t('hazards.openOnly')}
          </Button>,
          can('hazard.report') && (
            <Button
              key="report"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setReporting(true)}
              data-testid="hazard-report"
            >
              {t('hazards.report')}
            </Button>
          ),
        ]}
        data-testid="my-hazards-table"
      />
      <HazardReportForm
        open={reporting}
        onOpenChange={setReporting}
        onCreated={(hazard) => {
          message.success(t('hazards.reported', { code: hazard.code }));
          setRole('reported');
          action.current?.reload();
        }}
      />
    </Page>
  );
}
