import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { type ActionType, type ProColumns, ProTable } from '@ant-design/pro-components';
import {
  HAZARD_CATEGORIES,
  HAZARD_GRADES,
  HAZARD_STATES,
  type HazardSummary,
  ORG_LEVELS,
  type OrgLevel,
  RISK_LEVELS,
} from '@safe-campus/domain';
import { Alert, App, Button, Empty, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, download, type Query } from '../../api/client';
import { cursorRequest } from '../../app/cursorTable';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { HazardReportForm } from './HazardReportForm';
import { GradeTag, OverdueTag, RiskTag, StateTag, SupervisedTag } from './hazardTags';
import { toLedgerQuery } from './ledgerQuery';
import { useHazardEvents } from './useHazardEvents';
import './hazards.css';

/** 隐患台账: every hazard of the caller's subtree, filtered, with Excel export and 上报隐患. */
export function HazardsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const user = useUser();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const action = useRef<ActionType>(null);
  const filters = useRef<Query>({});
  const [reporting, setReporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const request = useMemo(() => cursorRequest<HazardSummary>('/hazards', toLedgerQuery), []);
  const bureau = ownSchoolId(user) === null;
  // Links from the dashboard and elsewhere open the ledger pre-filtered (`/hazards?overdue=true`).
  const [searchParams] = useSearchParams();
  const [initialFilters] = useState<Record<string, unknown>>(() => {
    const values: Record<string, unknown> = Object.fromEntries(
      ['keyword', 'state', 'grade', 'category', 'riskLevel', 'overdue', 'supervised'].flatMap((name) => {
        const value = searchParams.get(name);
        return value ? [[name, value]] : [];
      }),
    );
    // From the statistics page: one child unit's ledger (`orgId`, with its name and level for the picker).
    const orgId = Number(searchParams.get('orgId'));
    const orgName = searchParams.get('orgName');
    const orgLevel = searchParams.get('orgLevel');
    if (bureau && orgId > 0 && orgName && ORG_LEVELS.includes(orgLevel as OrgLevel)) {
      values.org = { id: orgId, name: orgName, level: orgLevel as OrgLevel } satisfies PickedOrg;
    }
    return values;
  });

  // Coalesce bursts of events into one reload.
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useHazardEvents(() => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => action.current?.reload(), 300);
  });

  const enumOf = (values: readonly string[], prefix: string) =>
    Object.fromEntries(values.map((value) => [value, { text: t(`${prefix}.${value}`) }]));
  const yesNo = { true: { text: t('common.yes') }, false: { text: t('common.no') } };
  const dateTime = (value: string | null) => (value ? dayjs(value).format('YYYY-MM-DD HH:mm') : '—');

  const columns: ProColumns<HazardSummary>[] = [
    {
      title: t('common.keyword'),
      dataIndex: 'keyword',
      hideInTable: true,
      order: 20,
      fieldProps: { placeholder: t('hazards.keywordHint') },
    },
    {
      title: t('hazards.org'),
      dataIndex: 'org',
      hideInTable: true,
      hideInSearch: !bureau,
      order: 19,
      renderFormItem: () => <OrgPicker placeholder={t('hazards.orgHint')} />,
    },
    {
      title: t('hazards.code'),
      dataIndex: 'code',
      search: false,
      width: 140,
      fixed: 'left',
      render: (_dom, row) => (
        <Link to={`/hazards/${row.id}`} data-testid="hazard-link">
          {row.code}
        </Link>
      ),
    },
    {
      title: t('hazards.title'),
      dataIndex: 'title',
      search: false,
      ellipsis: true,
      width: 220,
      render: (_dom, row) => (
        <Space size={4}>
          <Link to={`/hazards/${row.id}`}>{row.title}</Link>
          <SupervisedTag supervised={row.supervised} />
        </Space>
      ),
    },
    {
      title: t('hazards.state'),
      dataIndex: 'state',
      valueType: 'select',
      valueEnum: enumOf(HAZARD_STATES, 'hazards.states'),
      width: 100,
      order: 18,
      render: (_dom, row) => <StateTag state={row.state} />,
    },
    {
      title: t('hazards.category'),
      dataIndex: 'category',
      valueType: 'select',
      valueEnum: enumOf(HAZARD_CATEGORIES, 'hazards.categories'),
      width: 100,
      order: 17,
    },
    {
      title: t('hazards.grade'),
      dataIndex: 'grade',
      valueType: 'select',
      valueEnum: enumOf(HAZARD_GRADES, 'hazards.grades'),
      width: 90,
      order: 16,
      render: (_dom, row) => (row.grade ? <GradeTag grade={row.grade} /> : '—'),
    },
    {
      title: t('hazards.riskLevel'),
      dataIndex: 'riskLevel',
      valueType: 'select',
      valueEnum: enumOf(RISK_LEVELS, 'hazards.riskLevels'),
      width: 100,
      order: 15,
      render: (_dom, row) => (row.riskLevel ? <RiskTag level={row.riskLevel} /> : '—'),
    },
    {
      title: t('hazards.school'),
      dataIndex: 'schoolName',
      search: false,
      width: 180,
      ellipsis: true,
      render: (_dom, row) => (row.departmentName ? `${row.schoolName} / ${row.departmentName}` : row.schoolName),
    },
    {
      title: t('hazards.place'),
      dataIndex: 'placeName',
      search: false,
      width: 140,
      ellipsis: true,
      render: (_dom, row) => row.placeName ?? '—',
    },
    {
      title: t('hazards.responsible'),
      dataIndex: 'responsibleUserName',
      search: false,
      width: 150,
      ellipsis: true,
      render: (_dom, row) =>
        row.responsibleUserName ? (
          <Space direction="vertical" size={0}>
            <span>{row.responsibleUserName}</span>
            {row.responsibleUnit && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {row.responsibleUnit}
              </Typography.Text>
            )}
          </Space>
        ) : (
          '—'
        ),
    },
    {
      title: t('hazards.deadline'),
      dataIndex: 'deadline',
      search: false,
      width: 150,
      render: (_dom, row) => (
        <Space direction="vertical" size={0}>
          <span>{dateTime(row.deadline)}</span>
          <OverdueTag overdue={row.overdue} />
        </Space>
      ),
    },
    {
      title: t('hazards.overdueFilter'),
      dataIndex: 'overdue',
      valueType: 'select',
      valueEnum: yesNo,
      hideInTable: true,
      order: 14,
    },
    {
      title: t('hazards.supervisedFilter'),
      dataIndex: 'supervised',
      valueType: 'select',
      valueEnum: yesNo,
      hideInTable: true,
      order: 13,
    },
    {
      title: t('hazards.reportedAt'),
      dataIndex: 'reportedAt',
      valueType: 'dateRange',
      width: 150,
      order: 12,
      render: (_dom, row) => dateTime(row.reportedAt),
    },
    {
      title: t('hazards.reportedBy'),
      dataIndex: 'reportedByName',
      search: false,
      width: 140,
      ellipsis: true,
      render: (_dom, row) => row.reportedByName ?? t(`hazards.sources.${row.source}`),
    },
    {
      title: t('hazards.closedAt'),
      dataIndex: 'closedAt',
      search: false,
      width: 150,
      render: (_dom, row) => dateTime(row.closedAt),
    },
  ];

  return (
    <Page title={t('menu.hazards')}>
      {failure && (
        <Alert
          type="error"
          showIcon
          message={t('common.loadFailed')}
          description={failure}
          style={{ marginBottom: 16 }}
          action={
            <Button size="small" onClick={() => action.current?.reload()}>
              {t('common.retry')}
            </Button>
          }
        />
      )}
      <ProTable<HazardSummary>
        rowKey="id"
        actionRef={action}
        columns={columns}
        request={async (params) => {
          const { current: _current, pageSize: _pageSize, ...rest } = params;
          filters.current = toLedgerQuery(rest);
          try {
            const result = await request(params);
            setFailure(null);
            return result;
          } catch (cause) {
            setFailure(cause instanceof ApiError ? cause.message : String(cause));
            return { data: [], success: false, total: 0 };
          }
        }}
        onRow={(row) => ({
          className: 'sc-hazard-clickable-row',
          onClick: (event) => {
            // Links and buttons inside the row keep their own behaviour.
            if ((event.target as HTMLElement).closest('a,button')) return;
            navigate(`/hazards/${row.id}`);
          },
        })}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        search={{ labelWidth: 'auto', defaultCollapsed: Object.keys(initialFilters).length === 0 }}
        form={{ initialValues: initialFilters }}
        options={{ density: true, setting: true, reload: true }}
        columnsState={{
          persistenceKey: 'sc.hazards.columns',
          persistenceType: 'localStorage',
          // Less used columns start hidden; the column settings bring them back.
          defaultValue: { reportedByName: { show: false }, closedAt: { show: false } },
        }}
        scroll={{ x: 1400 }}
        headerTitle={t('hazards.ledger')}
        locale={{ emptyText: <Empty description={t('hazards.empty')} /> }}
        toolBarRender={() => [
          can('hazard.export') && (
            <Button
              key="export"
              icon={<DownloadOutlined />}
              loading={exporting}
              data-testid="hazards-export"
              onClick={async () => {
                setExporting(true);
                try {
                  await download('/hazards/export.xlsx', filters.current, t('hazards.exportFile'));
                } finally {
                  setExporting(false);
                }
              }}
            >
              {t('import.export')}
            </Button>
          ),
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
        data-testid="hazards-table"
      />
      <HazardReportForm
        open={reporting}
        onOpenChange={setReporting}
        onCreated={(hazard) => {
          message.success(t('hazards.reported', { code: hazard.code }));
          action.current?.reload();
        }}
      />
    </Page>
  );
}
