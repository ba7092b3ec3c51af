import { DownloadOutlined, StopOutlined } from '@ant-design/icons';
import {
  type CollectionDetail,
  type FieldTotalsDto,
  type FormField,
  type FormSummary,
  fieldsOf,
  type LateSchool,
  SUBMISSION_STATES,
  type SubmissionRow,
  type SubmissionState,
  type SubmissionTable,
  type UnitTotals,
} from '@safe-campus/domain';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Input,
  Segmented,
  Select,
  Skeleton,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, download } from '../../api/client';
import { Page } from '../../app/Page';
import { LoadError } from '../inspections/shared';
import { ProgressCell } from './CollectionsPage';
import { dateTime, period, SubmissionStateTag } from './shared';
import './forms.css';

type Handed = 'all' | 'in' | 'notYet' | 'late';

/** Number fields shown as columns of the submissions table (the ones a bureau totals). */
function numberFields(content: CollectionDetail['content']): FormField[] {
  return fieldsOf(content).filter((field) => field.type === 'number');
}

function shortLabel(label: string): string {
  return label.length > 10 ? `${label.slice(0, 10)}…` : label;
}

/** Totals per district and per city: schools, handed in, and each number field summed. */
function TotalsTable({
  title,
  units,
  fields,
  overall,
  testId,
}: {
  title: string;
  units: UnitTotals[];
  fields: FormField[];
  overall?: FieldTotalsDto;
  testId: string;
}) {
  const { t } = useTranslation();
  if (units.length === 0) return null;
  const columns: ColumnsType<UnitTotals> = [
    { title, dataIndex: 'orgName', fixed: 'left', width: 140 },
    {
      title: t('forms.table.handedIn'),
      key: 'submitted',
      width: 100,
      align: 'right',
      render: (_value, row) => `${row.submitted} / ${row.schools}`,
    },
    ...fields.map((field) => ({
      title: <span title={field.label}>{shortLabel(field.label)}</span>,
      key: field.key,
      width: 110,
      align: 'right' as const,
      render: (_value: unknown, row: UnitTotals) => row.totals.sums[field.key] ?? 0,
    })),
  ];
  return (
    <Table<UnitTotals>
      rowKey="orgId"
      size="small"
      bordered
      pagination={false}
      dataSource={units}
      columns={columns}
      scroll={{ x: 240 + fields.length * 110 }}
      data-testid={testId}
      summary={
        overall && units.length > 1
          ? () => (
              <Table.Summary.Row className="sc-form-total-row">
                <Table.Summary.Cell index={0}>{t('forms.table.total')}</Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right">
                  {units.reduce((sum, unit) => sum + unit.submitted, 0)} /{' '}
                  {units.reduce((sum, unit) => sum + unit.schools, 0)}
                </Table.Summary.Cell>
                {fields.map((field, index) => (
                  <Table.Summary.Cell key={field.key} index={index + 2} align="right">
                    {overall.sums[field.key] ?? 0}
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            )
          : undefined
      }
    />
  );
}

function SubmissionsTab({ collection }: { collection: CollectionDetail }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [handed, setHanded] = useState<Handed>('all');
  const [status, setStatus] = useState<SubmissionState | undefined>();
  const [keyword, setKeyword] = useState('');
  const query = {
    status,
    q: keyword.trim() || undefined,
    handedIn: handed === 'in' ? true : handed === 'notYet' ? false : undefined,
    late: handed === 'late' ? true : undefined,
    limit: 200,
  };
  // Pages of 200 schools, the next one on request; the totals come with the first page and cover every match.
  const pages = useInfiniteQuery({
    queryKey: ['forms', 'collection', collection.id, 'submissions', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get<SubmissionTable>(
        `/forms/collections/${collection.id}/submissions`,
        { ...query, cursor: pageParam },
        { quiet: true },
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });
  const table = { ...pages, data: pages.data?.pages[0] };
  const fields = numberFields(collection.content);
  const rows = pages.data?.pages.flatMap((page) => page.items) ?? [];
  const columns: ColumnsType<SubmissionRow> = [
    {
      title: t('forms.table.school'),
      dataIndex: 'schoolName',
      fixed: 'left',
      width: 200,
      render: (value: string, row) => (
        <Link to={`/forms/submissions/${row.id}`} data-testid="submission-link">
          {value}
        </Link>
      ),
    },
    { title: t('forms.table.county'), dataIndex: 'countyName', width: 110, ellipsis: true },
    {
      title: t('forms.submission.status'),
      dataIndex: 'status',
      width: 100,
      render: (value: SubmissionState, row) => (
        <Space size={2} wrap>
          <SubmissionStateTag state={value} />
          {row.late && (
            <Tag color="warning" bordered={false}>
              {t('forms.late')}
            </Tag>
          )}
        </Space>
      ),
    },
    { title: t('forms.table.submittedAt'), dataIndex: 'submittedAt', width: 140, render: dateTime },
    {
      title: t('forms.table.corrections'),
      dataIndex: 'correctionCount',
      width: 90,
      align: 'right',
      render: (value: number) => (value > 0 ? <Tag color="orange">{value}</Tag> : 0),
    },
    ...fields.map((field) => ({
      title: <span title={field.label}>{shortLabel(field.label)}</span>,
      key: field.key,
      width: 110,
      align: 'right' as const,
      render: (_value: unknown, row: SubmissionRow) => {
        const value = row.values[field.key];
        return value === undefined || value === null ? '—' : String(value);
      },
    })),
  ];
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space wrap>
        <Segmented<Handed>
          value={handed}
          onChange={setHanded}
          options={(['all', 'in', 'notYet', 'late'] as const).map((value) => ({
            value,
            label: t(`forms.table.filters.${value}`),
          }))}
          data-testid="submission-filter"
        />
        <Select<SubmissionState>
          allowClear
          value={status}
          onChange={setStatus}
          placeholder={t('forms.submission.status')}
          style={{ width: 140 }}
          options={SUBMISSION_STATES.map((value) => ({ value, label: t(`forms.states.${value}`) }))}
        />
        <Input.Search
          allowClear
          placeholder={t('forms.table.searchSchool')}
          onSearch={setKeyword}
          style={{ width: 220 }}
        />
      </Space>
      {table.isError && <LoadError error={table.error} onRetry={() => table.refetch()} />}
      <Table<SubmissionRow>
        rowKey="id"
        size="small"
        bordered
        loading={table.isLoading || table.isFetching}
        dataSource={rows}
        columns={columns}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 600 + fields.length * 110 }}
        data-testid="submissions-table"
        locale={{ emptyText: <Empty description={t('forms.table.empty')} /> }}
        onRow={(row) => ({
          className: 'sc-form-clickable',
          onClick: (event) => {
            if ((event.target as HTMLElement).closest('a,button')) return;
            navigate(`/forms/submissions/${row.id}`);
          },
        })}
        footer={
          pages.hasNextPage
            ? () => (
                <Space>
                  <Typography.Text type="secondary">{t('forms.table.more', { count: rows.length })}</Typography.Text>
                  <Button size="small" loading={pages.isFetchingNextPage} onClick={() => pages.fetchNextPage()}>
                    {t('forms.table.loadMore')}
                  </Button>
                </Space>
              )
            : undefined
        }
      />
      {table.data && (table.data.byCounty.length > 0 || table.data.byCity.length > 0) && (
        <>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('forms.table.totalsTitle')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('forms.table.totalsHint')}</Typography.Text>
          <TotalsTable
            title={t('forms.table.county')}
            units={table.data.byCounty}
            fields={fields}
            overall={table.data.overall}
            testId="county-totals"
          />
          {table.data.byCounty.length > 1 && table.data.byCity.length > 0 && (
            <TotalsTable
              title={t('forms.table.city')}
              units={table.data.byCity}
              fields={fields}
              overall={table.data.overall}
              testId="city-totals"
            />
          )}
        </>
      )}
    </Space>
  );
}

function LateTab({ collection }: { collection: CollectionDetail }) {
  const { t } = useTranslation();
  const late = useQuery({
    queryKey: ['forms', 'collection', collection.id, 'late'],
    queryFn: () =>
      api.get<{ deadlinePassed: boolean; items: LateSchool[] }>(`/forms/collections/${collection.id}/late`, undefined, {
        quiet: true,
      }),
  });
  if (late.isError) return <LoadError error={late.error} onRetry={() => late.refetch()} />;
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      {late.data && !late.data.deadlinePassed && (
        <Alert
          type="info"
          showIcon
          message={t('forms.lateList.beforeDeadline', { at: dateTime(collection.deadline) })}
        />
      )}
      <Table<LateSchool>
        rowKey="submissionId"
        size="small"
        loading={late.isLoading}
        dataSource={late.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 640 }}
        data-testid="late-schools"
        locale={{ emptyText: <Empty description={t('forms.lateList.empty')} /> }}
        columns={[
          {
            title: t('forms.table.school'),
            dataIndex: 'schoolName',
            width: 220,
            render: (value: string, row) => <Link to={`/forms/submissions/${row.submissionId}`}>{value}</Link>,
          },
          { title: t('forms.table.county'), dataIndex: 'countyName', width: 120 },
          {
            title: t('forms.submission.status'),
            dataIndex: 'status',
            width: 100,
            render: (value: SubmissionState) => <SubmissionStateTag state={value} />,
          },
          {
            title: t('forms.lateList.what'),
            key: 'what',
            width: 200,
            render: (_value, row) =>
              row.submittedAt ? (
                <Typography.Text type="warning">
                  {t('forms.lateList.lateAt', { at: dateTime(row.submittedAt) })}
                </Typography.Text>
              ) : (
                <Typography.Text type="danger">{t('forms.lateList.missing')}</Typography.Text>
              ),
          },
        ]}
      />
    </Space>
  );
}

/** The Attachment 2 summary: one table per district (one row per handed-in school, totals), then city totals. */
function SummaryTab({ collection }: { collection: CollectionDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const summary = useQuery({
    queryKey: ['forms', 'collection', collection.id, 'summary'],
    queryFn: () => api.get<FormSummary>(`/forms/collections/${collection.id}/summary`, undefined, { quiet: true }),
  });
  if (summary.isLoading) return <Skeleton active />;
  if (summary.isError) return <LoadError error={summary.error} onRetry={() => summary.refetch()} />;
  const data = summary.data;
  if (!data) return null;
  const cellColumns = data.columns.map((column, index) => ({
    title: column.label,
    key: String(index),
    width: column.number ? 100 : 130,
    align: column.number ? ('right' as const) : undefined,
    render: (_value: unknown, row: (string | number | null)[]) => row[index] ?? '',
  }));
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="summary">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Text type="secondary">
          {t('forms.summary.overall', { submitted: data.overall.submitted, schools: data.overall.schools })}
        </Typography.Text>
        <Button
          icon={<DownloadOutlined />}
          onClick={() =>
            download(`/forms/collections/${collection.id}/summary.xlsx`, undefined, `${data.title}.xlsx`).catch(
              (error: Error) => message.error(error.message),
            )
          }
          data-testid="export-summary"
        >
          {t('forms.summary.export')}
        </Button>
      </Space>
      <div className="sc-form-paper-title">{data.title}</div>
      {data.counties.length === 0 && <Empty description={t('forms.summary.empty')} />}
      {data.counties.map((county) => (
        <Card
          key={county.orgId}
          size="small"
          title={county.orgName}
          extra={
            <Typography.Text type="secondary">
              {t('forms.summary.handedIn', { submitted: county.submitted, schools: county.schools })}
            </Typography.Text>
          }
        >
          <Table<(string | number | null)[]>
            rowKey={(_row, index) => String(index)}
            size="small"
            bordered
            pagination={false}
            dataSource={county.rows}
            columns={cellColumns}
            scroll={{ x: cellColumns.reduce((sum, column) => sum + column.width, 0) }}
            locale={{ emptyText: t('forms.summary.noForms') }}
            summary={() => (
              <Table.Summary.Row className="sc-form-total-row">
                {county.totals.map((total, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells follow the summary's fixed columns.
                  <Table.Summary.Cell key={index} index={index} align={total === null ? undefined : 'right'}>
                    {index === 0 ? t('forms.table.subtotal') : (total ?? '')}
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            )}
          />
        </Card>
      ))}
      {data.counties.length > 1 && data.cities.length > 0 && (
        <Card size="small" title={t('forms.summary.cities')}>
          <Table
            rowKey="orgId"
            size="small"
            bordered
            pagination={false}
            dataSource={data.cities}
            scroll={{ x: 600 }}
            columns={[
              { title: t('forms.table.city'), dataIndex: 'orgName', width: 140 },
              {
                title: t('forms.table.handedIn'),
                key: 'handed',
                width: 100,
                align: 'right',
                render: (_value, row) => `${row.submitted} / ${row.schools}`,
              },
              ...data.columns
                .map((column, index) => ({ column, index }))
                .filter(({ column }) => column.number)
                .map(({ column, index }) => ({
                  title: column.label,
                  key: String(index),
                  width: 100,
                  align: 'right' as const,
                  render: (_value: unknown, row: { totals: (number | null)[] }) => row.totals[index] ?? '',
                })),
            ]}
          />
        </Card>
      )}
      <div className="sc-form-signoff">
        <span>{t('forms.summary.signoff')}</span>
      </div>
    </Space>
  );
}

/** One collection: progress, the submissions table with district and city totals, late schools, the summary. */
export function CollectionPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const { modal, message } = App.useApp();
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ['forms', 'collection', id],
    enabled: /^\d+$/.test(id),
    queryFn: () => api.get<CollectionDetail>(`/forms/collections/${id}`, undefined, { quiet: true }),
    // No realtime event for submissions yet: a minute-old progress is fine for a collection that runs for days.
    refetchInterval: 60_000,
  });
  const close = useMutation({
    mutationFn: () => api.post<CollectionDetail>(`/forms/collections/${id}/close`, {}),
    onSuccess: (next) => {
      queryClient.setQueryData(['forms', 'collection', id], next);
      void queryClient.invalidateQueries({ queryKey: ['forms', 'collections'] });
      message.success(t('forms.collection.closed'));
    },
  });
  const tab = params.get('tab') ?? 'submissions';

  if (detail.isLoading) {
    return (
      <Page title={t('forms.collection.detail')}>
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      </Page>
    );
  }
  const collection = detail.data;
  if (detail.isError || !collection) {
    return (
      <Page title={t('forms.collection.detail')}>
        {detail.error && <LoadError error={detail.error} onRetry={() => detail.refetch()} />}
        <Card>
          <Empty description={t('forms.collection.notFound')}>
            <Link to="/forms/collections">{t('forms.menu.collections')}</Link>
          </Empty>
        </Card>
      </Page>
    );
  }

  return (
    <Page
      title={collection.title}
      extra={
        collection.reviewable && collection.status === 'open'
          ? [
              <Button
                key="close"
                icon={<StopOutlined />}
                loading={close.isPending}
                onClick={() =>
                  modal.confirm({
                    title: t('forms.collection.closeConfirm'),
                    content: t('forms.collection.closeHint'),
                    onOk: () => close.mutateAsync(),
                  })
                }
              >
                {t('forms.collection.close')}
              </Button>,
            ]
          : undefined
      }
    >
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 3 }}
          items={[
            { key: 'issuer', label: t('forms.collection.issuer'), children: collection.issuerOrgName },
            {
              key: 'template',
              label: t('forms.collection.template'),
              children: `${collection.templateName} v${collection.templateVersion}`,
            },
            {
              key: 'period',
              label: t('forms.collection.period'),
              children: period(collection.periodFrom, collection.periodTo),
            },
            {
              key: 'deadline',
              label: t('forms.collection.deadline'),
              children: (
                <span className={collection.progress.overdue > 0 ? 'sc-form-late' : undefined}>
                  {dateTime(collection.deadline)}
                </span>
              ),
            },
            {
              key: 'types',
              label: t('forms.collection.schoolTypes'),
              children: collection.schoolTypes
                ? collection.schoolTypes.map((type) => t(`schoolTypes.${type}`)).join('、')
                : t('forms.collection.allSchools'),
            },
            {
              key: 'status',
              label: t('forms.collection.status'),
              children: (
                <Tag color={collection.status === 'open' ? 'processing' : 'default'}>
                  {t(`forms.collection.statuses.${collection.status}`)}
                </Tag>
              ),
            },
            {
              key: 'progress',
              label: t('forms.collection.progress'),
              span: { xs: 1, sm: 2, lg: 3 },
              children: (
                <div style={{ width: '100%', maxWidth: 480 }}>
                  <ProgressCell progress={collection.progress} />
                </div>
              ),
            },
            ...(collection.note
              ? [
                  {
                    key: 'note',
                    label: t('forms.issue.note'),
                    span: { xs: 1, sm: 2, lg: 3 },
                    children: collection.note,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={(key) => setParams({ tab: key }, { replace: true })}
          items={[
            {
              key: 'submissions',
              label: t('forms.collection.tabs.submissions'),
              children: <SubmissionsTab collection={collection} />,
            },
            {
              key: 'late',
              label: t('forms.collection.tabs.late', {
                count: collection.progress.late + collection.progress.overdue,
              }),
              children: <LateTab collection={collection} />,
            },
            {
              key: 'summary',
              label: t('forms.collection.tabs.summary'),
              children: <SummaryTab collection={collection} />,
            },
          ]}
        />
      </Card>
    </Page>
  );
}
