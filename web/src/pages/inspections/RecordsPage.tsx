import { DownloadOutlined } from '@ant-design/icons';
import { type ActionType, type ProColumns, ProTable } from '@ant-design/pro-components';
import { type RecordSummary, TEMPLATE_KINDS } from '@safe-campus/domain';
import { Alert, Button, Empty, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError, download, type Query } from '../../api/client';
import { cursorRequest } from '../../app/cursorTable';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { Page } from '../../app/Page';
import { useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { RecordDrawer } from './RecordDrawer';
import { dateTime, KindTag } from './shared';
import { useInspectionEvents } from './useInspectionEvents';
import './inspections.css';

/** ProTable's filter form → the API's query. */
export function toRecordsQuery(filters: Record<string, unknown>): Query {
  const range = filters.completedAt as [string, string] | undefined;
  const yesNo = (value: unknown) => (value === 'true' ? true : value === 'false' ? false : undefined);
  return {
    orgId: (filters.org as PickedOrg | null | undefined)?.id,
    kind: (filters.templateKind as string | undefined) || undefined,
    from: range?.[0] ? dayjs(range[0]).format('YYYY-MM-DD') : undefined,
    to: range?.[1] ? dayjs(range[1]).format('YYYY-MM-DD') : undefined,
    failed: yesNo(filters.failed),
    inWindow: yesNo(filters.inWindow),
    spotCheck: yesNo(filters.spotCheck),
  };
}

/** 检查记录: every signed record in scope, filtered, exported, opened in a drawer (with 更正). */
export function RecordsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const action = useRef<ActionType>(null);
  const filters = useRef<Query>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [params, setParams] = useSearchParams();
  const opened = Number(params.get('record'));
  const [recordId, setRecordId] = useState<number | null>(Number.isSafeInteger(opened) && opened > 0 ? opened : null);
  const request = useMemo(() => cursorRequest<RecordSummary>('/inspections/records', toRecordsQuery), []);
  const bureau = ownSchoolId(user) === null;
  useInspectionEvents(() => action.current?.reload());
  const yesNo = { true: { text: t('common.yes') }, false: { text: t('common.no') } };

  const columns: ProColumns<RecordSummary>[] = [
    {
      title: t('inspections.record.school'),
      dataIndex: 'org',
      hideInTable: true,
      hideInSearch: !bureau,
      order: 20,
      renderFormItem: () => <OrgPicker placeholder={t('inspections.record.orgHint')} />,
    },
    {
      title: t('inspections.record.completedAt'),
      dataIndex: 'completedAt',
      valueType: 'dateRange',
      width: 150,
      fixed: 'left',
      order: 19,
      render: (_dom, row) => (
        <Space direction="vertical" size={0}>
          <Typography.Link onClick={() => setRecordId(row.id)} data-testid="record-link">
            {dateTime(row.completedAt)}
          </Typography.Link>
          {row.inWindow === false && <Tag color="warning">{t('inspections.record.outOfWindow')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('inspections.record.template'),
      dataIndex: 'templateName',
      search: false,
      width: 220,
      ellipsis: true,
      render: (_dom, row) => (
        <Space direction="vertical" size={2}>
          <span>{`${row.templateName} v${row.templateVersion}`}</span>
          <Space size={4}>
            <KindTag kind={row.templateKind} />
            {row.correctsRecordId && <Tag color="gold">{t('inspections.record.correctionTag')}</Tag>}
            {row.spotCheckOrgName && <Tag color="blue">{t('inspections.record.spotCheckTag')}</Tag>}
          </Space>
        </Space>
      ),
    },
    {
      title: t('inspections.template.kind'),
      dataIndex: 'templateKind',
      valueType: 'select',
      hideInTable: true,
      order: 18,
      valueEnum: Object.fromEntries(TEMPLATE_KINDS.map((kind) => [kind, { text: t(`inspections.kinds.${kind}`) }])),
    },
    {
      title: t('inspections.record.school'),
      dataIndex: 'schoolName',
      search: false,
      width: 160,
      ellipsis: true,
      hideInTable: !bureau,
    },
    {
      title: t('inspections.record.where'),
      key: 'where',
      search: false,
      width: 160,
      ellipsis: true,
      render: (_dom, row) => row.routeName ?? row.placeName ?? t('inspections.plan.targets.school'),
    },
    {
      title: t('inspections.record.inspector'),
      dataIndex: 'inspectorName',
      search: false,
      width: 110,
      render: (_dom, row) =>
        row.spotCheckOrgName ? (
          <Space direction="vertical" size={0}>
            <span>{row.inspectorName}</span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {row.spotCheckOrgName}
            </Typography.Text>
          </Space>
        ) : (
          row.inspectorName
        ),
    },
    {
      title: t('inspections.record.result'),
      dataIndex: 'failedCount',
      search: false,
      width: 120,
      render: (_dom, row) =>
        row.failedCount > 0 ? (
          <Typography.Text type="danger">
            {t('inspections.record.failedOf', { failed: row.failedCount, total: row.itemCount })}
          </Typography.Text>
        ) : (
          <Typography.Text type="success">
            {t('inspections.record.allPassed', { total: row.itemCount })}
          </Typography.Text>
        ),
    },
    {
      title: t('inspections.record.plan'),
      dataIndex: 'planName',
      search: false,
      width: 160,
      ellipsis: true,
      render: (_dom, row) => row.planName ?? '—',
    },
    {
      title: t('inspections.record.failedOnly'),
      dataIndex: 'failed',
      valueType: 'select',
      valueEnum: yesNo,
      hideInTable: true,
      order: 17,
    },
    {
      title: t('inspections.record.inWindowFilter'),
      dataIndex: 'inWindow',
      valueType: 'select',
      valueEnum: yesNo,
      hideInTable: true,
      order: 16,
    },
    {
      title: t('inspections.record.spotCheckFilter'),
      dataIndex: 'spotCheck',
      valueType: 'select',
      valueEnum: yesNo,
      hideInTable: true,
      order: 15,
    },
  ];

  return (
    <Page title={t('inspections.menu.records')}>
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
      <ProTable<RecordSummary>
        rowKey="id"
        actionRef={action}
        columns={columns}
        request={async (tableParams) => {
          const { current: _current, pageSize: _pageSize, ...rest } = tableParams;
          filters.current = toRecordsQuery(rest);
          try {
            const result = await request(tableParams);
            setFailure(null);
            return result;
          } catch (cause) {
            setFailure(cause instanceof ApiError ? cause.message : String(cause));
            return { data: [], success: false, total: 0 };
          }
        }}
        onRow={(row) => ({
          className: 'sc-insp-clickable',
          onClick: (event) => {
            if ((event.target as HTMLElement).closest('a,button')) return;
            setRecordId(row.id);
          },
        })}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        options={{ density: true, setting: true, reload: true }}
        scroll={{ x: 1200 }}
        headerTitle={t('inspections.record.list')}
        locale={{ emptyText: <Empty description={t('inspections.record.empty')} /> }}
        toolBarRender={() => [
          <Button
            key="export"
            icon={<DownloadOutlined />}
            loading={exporting}
            data-testid="records-export"
            onClick={async () => {
              setExporting(true);
              try {
                await download('/inspections/records/export.xlsx', filters.current, t('inspections.record.exportFile'));
              } finally {
                setExporting(false);
              }
            }}
          >
            {t('import.export')}
          </Button>,
        ]}
        data-testid="records-table"
      />
      <RecordDrawer
        recordId={recordId}
        onClose={() => {
          setRecordId(null);
          if (params.has('record')) {
            params.delete('record');
            setParams(params, { replace: true });
          }
        }}
      />
    </Page>
  );
}
