import { CheckCircleFilled, CloseCircleFilled, DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { type ProColumns, ProTable } from '@ant-design/pro-components';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Grid, Space, Spin, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, download, type Query } from '../../api/client';
import type { AuditEntry, AuditVerification } from '../../api/types';
import { cursorRequest } from '../../app/cursorTable';
import { Page } from '../../app/Page';

function toAuditQuery(filters: Record<string, unknown>): Query {
  const range = filters.at as [string, string] | undefined;
  return {
    action: (filters.action as string | undefined) || undefined,
    actorId: (filters.actorId as number | undefined) ?? undefined,
    keyword: (filters.keyword as string | undefined) || undefined,
    from: range?.[0] ? dayjs(range[0]).toISOString() : undefined,
    to: range?.[1] ? dayjs(range[1]).toISOString() : undefined,
  };
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  // Filter by a whole category (the server matches by prefix) or by one known action; both lists are the labels'
  // (a server test checks every action the server writes has a label and a category).
  const labels = i18n.getResourceBundle(i18n.language, 'translation') as {
    auditActions?: Record<string, string>;
    auditCategories?: Record<string, string>;
  };
  const knownActions = Object.keys(labels.auditActions ?? {});
  const categories = Object.keys(labels.auditCategories ?? {});
  const actionEnum = Object.fromEntries([
    ...categories.map((category) => [`${category}.`, { text: t(`auditCategories.${category}`) }]),
    ...knownActions.map((action) => [action, { text: `${t(`auditActions.${action}`)}（${action}）` }]),
  ]);
  const filters = useRef<Query>({});
  const [exporting, setExporting] = useState(false);
  const request = useMemo(() => cursorRequest<AuditEntry>('/audit', toAuditQuery), []);

  const narrow = !Grid.useBreakpoint().md;

  const at = (row: AuditEntry) => dayjs(row.at).format('YYYY-MM-DD HH:mm:ss');
  const action = (row: AuditEntry) => (
    <Space direction="vertical" size={0}>
      <span>{t(`auditActions.${row.action}`, { defaultValue: row.action })}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {row.action}
      </Typography.Text>
    </Space>
  );
  const target = (row: AuditEntry) =>
    row.targetType
      ? `${t(`targetTypes.${row.targetType}`, { defaultValue: row.targetType })} #${row.targetId ?? ''}`
      : '—';
  const outcome = (row: AuditEntry) =>
    row.outcome === 'success' ? (
      <Tag color="green">{t('audit.success')}</Tag>
    ) : (
      <Tag color="red">{t('audit.failure')}</Tag>
    );

  const columns: ProColumns<AuditEntry>[] = [
    {
      title: t('audit.at'),
      dataIndex: 'at',
      valueType: 'dateTimeRange',
      order: 8,
      width: 170,
      render: (_dom, row) => at(row),
    },
    {
      title: t('audit.actor'),
      dataIndex: 'actorName',
      search: false,
      width: 130,
      render: (_dom, row) => row.actorName ?? '—',
    },
    { title: t('audit.actorId'), dataIndex: 'actorId', valueType: 'digit', hideInTable: true },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      width: 200,
      valueType: 'select',
      valueEnum: actionEnum,
      order: 9,
      fieldProps: { showSearch: true },
      render: (_dom, row) => action(row),
    },
    {
      title: t('audit.target'),
      dataIndex: 'targetType',
      search: false,
      width: 160,
      ellipsis: true,
      render: (_dom, row) => target(row),
    },
    {
      title: t('audit.outcome'),
      dataIndex: 'outcome',
      search: false,
      width: 90,
      render: (_dom, row) => outcome(row),
    },
    { title: 'IP', dataIndex: 'ip', search: false, width: 130, render: (_dom, row) => row.ip ?? '—' },
    {
      title: t('common.keyword'),
      dataIndex: 'keyword',
      hideInTable: true,
      order: 10,
      fieldProps: { placeholder: t('audit.keywordHint') },
    },
    {
      title: t('audit.detail'),
      dataIndex: 'detail',
      search: false,
      ellipsis: true,
      render: (_dom, row) => (row.detail == null ? '—' : <code className="sc-json">{JSON.stringify(row.detail)}</code>),
    },
  ];
  // A phone shows one column: the action and its outcome, the time and actor, then the target and IP, stacked so
  // nothing scrolls sideways (the detail opens below the row). The other columns stay, hidden, for the search form.
  const compact: ProColumns<AuditEntry>[] = [
    {
      title: t('audit.list'),
      key: 'entry',
      search: false,
      render: (_dom, row) => (
        <Space direction="vertical" size={4} style={{ width: '100%' }} data-testid="audit-card">
          <Space size={8} align="start" style={{ width: '100%', justifyContent: 'space-between' }}>
            {action(row)}
            {outcome(row)}
          </Space>
          <Typography.Text style={{ fontSize: 12 }}>
            {at(row)} · {row.actorName ?? '—'}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('audit.target')}：{target(row)} · IP：{row.ip ?? '—'}
          </Typography.Text>
        </Space>
      ),
    },
    ...columns.map((column) => ({ ...column, hideInTable: true })),
  ];

  return (
    <Page title={t('menu.audit')}>
      <ChainStatus />
      <ProTable<AuditEntry>
        rowKey="id"
        columns={narrow ? compact : columns}
        request={async (params) => {
          const { current: _current, pageSize: _pageSize, ...rest } = params;
          filters.current = toAuditQuery(rest);
          return request(params);
        }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        search={{ labelWidth: 'auto' }}
        columnsState={{ persistenceKey: 'sc.audit.columns', persistenceType: 'localStorage' }}
        scroll={narrow ? undefined : { x: 1100 }}
        showHeader={!narrow}
        options={narrow ? { reload: true, density: false, setting: false } : undefined}
        headerTitle={t('audit.list')}
        expandable={{
          expandedRowRender: (row) => <pre className="sc-json-block">{JSON.stringify(row.detail, null, 2)}</pre>,
          rowExpandable: (row) => row.detail != null,
        }}
        toolBarRender={() => [
          <Button
            key="export"
            icon={<DownloadOutlined />}
            loading={exporting}
            onClick={async () => {
              setExporting(true);
              try {
                await download('/audit/export.xlsx', filters.current, t('audit.exportFile'));
              } finally {
                setExporting(false);
              }
            }}
          >
            {t('import.export')}
          </Button>,
        ]}
        data-testid="audit-table"
      />
    </Page>
  );
}

function ChainStatus() {
  const { t } = useTranslation();
  const verify = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => api.get<AuditVerification>('/audit/verify'),
  });
  const data = verify.data;
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="chain-status"
      data-ok={data ? String(data.ok) : undefined}
      title={t('audit.chain')}
      extra={
        <Button size="small" icon={<ReloadOutlined />} onClick={() => verify.refetch()} loading={verify.isFetching}>
          {t('audit.verifyAgain')}
        </Button>
      }
    >
      {verify.isLoading && <Spin />}
      {verify.isError && <Alert type="warning" showIcon message={t('common.loadFailed')} />}
      {data?.ok && (
        <Space>
          <CheckCircleFilled style={{ color: '#52c41a', fontSize: 20 }} />
          <Typography.Text strong style={{ color: '#389e0d' }}>
            {t('audit.chainOk')}
          </Typography.Text>
          <Typography.Text type="secondary">{t('audit.checked', { count: data.checked })}</Typography.Text>
        </Space>
      )}
      {data && !data.ok && (
        <Space direction="vertical">
          <Space>
            <CloseCircleFilled style={{ color: '#ff4d4f', fontSize: 20 }} />
            <Typography.Text strong type="danger">
              {t('audit.chainBroken')}
            </Typography.Text>
          </Space>
          {data.brokenAt && (
            <Typography.Text type="secondary">
              {t('audit.brokenAt', {
                id: data.brokenAt.id,
                at: dayjs(data.brokenAt.at).format('YYYY-MM-DD HH:mm:ss'),
                reason: data.brokenAt.reason,
              })}
            </Typography.Text>
          )}
        </Space>
      )}
    </Card>
  );
}
