import { DownloadOutlined, RollbackOutlined } from '@ant-design/icons';
import type { InspectionStats, PatrolCoverage } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, DatePicker, Row, Skeleton, Space, Statistic, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, download, type Query } from '../../api/client';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { Page } from '../../app/Page';
import { KindTag, LoadError, percent } from './shared';
import { useInspectionEvents } from './useInspectionEvents';
import './inspections.css';

const charts = () => import('./InspectionCharts');
const CompletionBars = lazy(() => charts().then((module) => ({ default: module.CompletionBars })));
const KindBars = lazy(() => charts().then((module) => ({ default: module.KindBars })));
const CoverageHeatmap = lazy(() => charts().then((module) => ({ default: module.CoverageHeatmap })));

const CHILD_LEVEL: Record<string, PickedOrg['level']> = {
  province: 'city',
  city: 'county',
  county: 'school',
  school: 'department',
  department: 'department',
};

const chartFallback = <Skeleton active />;

/**
 * 检查统计: completion per child unit and per plan, records by template kind (本年度季度消防排查次数 …), missed
 * counts, and the 24-hour patrol coverage heatmap for one day; Excel export.
 */
export function StatsPage() {
  const { t } = useTranslation();
  const [org, setOrg] = useState<PickedOrg | null>(null);
  const [trail, setTrail] = useState<PickedOrg[]>([]);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [day, setDay] = useState<Dayjs>(() => dayjs());
  const [exporting, setExporting] = useState(false);
  const query: Query = {
    orgId: org?.id,
    from: range?.[0]?.format('YYYY-MM-DD'),
    to: range?.[1]?.format('YYYY-MM-DD'),
  };
  const stats = useQuery({
    queryKey: ['inspections', 'stats', query],
    queryFn: () => api.get<InspectionStats>('/inspections/stats', query, { quiet: true }),
    placeholderData: (previous) => previous,
  });
  const coverageQuery = { orgId: org?.id, day: day.format('YYYY-MM-DD'), limit: 100 };
  const coverage = useQuery({
    queryKey: ['inspections', 'coverage', coverageQuery],
    queryFn: () => api.get<PatrolCoverage>('/inspections/patrol-coverage', coverageQuery, { quiet: true }),
    placeholderData: (previous) => previous,
  });
  useInspectionEvents();
  const data = stats.data;
  const childLevel = data ? CHILD_LEVEL[data.org.level] : undefined;
  const drillable = data && data.org.level !== 'school' && data.org.level !== 'department';

  const drill = (index: number) => {
    const child = data?.byUnit[index];
    if (!data || !child || !drillable || !childLevel) return;
    setTrail((current) => [
      ...current,
      { id: data.org.id, name: data.org.name, level: data.org.level as PickedOrg['level'] },
    ]);
    setOrg({ id: child.orgId, name: child.orgName, level: childLevel });
  };
  const up = () => {
    const previous = trail.at(-1);
    setTrail((current) => current.slice(0, -1));
    setOrg(previous ?? null);
  };
  const quarterly = data?.recordsByKind.find((row) => row.kind === 'fire_quarterly');

  return (
    <Page title={t('inspections.menu.stats')}>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <OrgPicker
            value={org}
            onChange={(picked) => {
              setTrail([]);
              setOrg(picked);
            }}
            placeholder={t('inspections.record.orgHint')}
            style={{ width: 240, maxWidth: '100%' }}
          />
          <DatePicker.RangePicker
            value={range}
            onChange={(value) => setRange(value as [Dayjs | null, Dayjs | null] | null)}
            allowEmpty={[true, true]}
            placeholder={[t('inspections.stats.fromYearStart'), t('inspections.stats.toToday')]}
          />
          <Button
            icon={<DownloadOutlined />}
            loading={exporting}
            data-testid="stats-export"
            onClick={async () => {
              setExporting(true);
              try {
                await download('/inspections/stats/export.xlsx', query, t('inspections.stats.exportFile'));
              } finally {
                setExporting(false);
              }
            }}
          >
            {t('import.export')}
          </Button>
        </Space>
      </Card>
      {stats.isError && <LoadError error={stats.error} onRetry={() => stats.refetch()} />}
      {!data && stats.isLoading && (
        <Card>
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      )}
      {data && (
        <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="inspection-stats">
          <Space wrap>
            {trail.length > 0 && (
              <Button size="small" icon={<RollbackOutlined />} onClick={up}>
                {t('inspections.stats.up', { name: trail.at(-1)?.name })}
              </Button>
            )}
            <Typography.Text strong data-testid="stats-org">
              {data.org.name}
            </Typography.Text>
            <Typography.Text type="secondary">{`${data.from} ~ ${data.to}`}</Typography.Text>
          </Space>
          <Row gutter={[16, 16]} className="sc-insp-kpi">
            {[
              { key: 'completionRate', value: percent(data.totals.completionRate) },
              { key: 'done', value: data.totals.done, color: '#389e0d' },
              { key: 'missed', value: data.totals.missed, color: '#cf1322' },
              { key: 'records', value: data.records },
              { key: 'failedItems', value: data.failedItems, color: '#d46b08' },
              { key: 'hazardsCreated', value: data.hazardsCreated },
            ].map((kpi) => (
              <Col key={kpi.key} xs={12} sm={8} xl={4}>
                <Card size="small" data-testid={`kpi-${kpi.key}`}>
                  <Statistic
                    title={t(`inspections.stats.${kpi.key}`)}
                    value={kpi.value}
                    valueStyle={kpi.color ? { color: kpi.color } : undefined}
                  />
                </Card>
              </Col>
            ))}
          </Row>
          <Row gutter={[16, 16]}>
            {/* A school's own numbers are the KPIs above; units are compared from a bureau. */}
            {drillable && (
              <Col xs={24} lg={14}>
                <Card
                  size="small"
                  title={t('inspections.stats.byUnit', { level: t(`inspections.stats.childLevels.${data.org.level}`) })}
                >
                  <Suspense fallback={chartFallback}>
                    <CompletionBars
                      rows={data.byUnit.map((row) => ({ ...row, name: row.orgName }))}
                      onClick={drillable ? drill : undefined}
                    />
                  </Suspense>
                </Card>
              </Col>
            )}
            <Col xs={24} lg={drillable ? 10 : 24}>
              <Card
                size="small"
                title={t('inspections.stats.byKind')}
                extra={
                  quarterly ? (
                    <Typography.Text type="secondary" data-testid="quarterly-count">
                      {t('inspections.stats.quarterlyCount', { count: quarterly.records })}
                    </Typography.Text>
                  ) : null
                }
              >
                <Suspense fallback={chartFallback}>
                  <KindBars stats={data} />
                </Suspense>
              </Card>
            </Col>
          </Row>
          {drillable && (
            <Card
              size="small"
              title={t('inspections.stats.unitTable', { level: t(`inspections.stats.childLevels.${data.org.level}`) })}
            >
              <Table
                size="small"
                rowKey="orgId"
                dataSource={data.byUnit}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                scroll={{ x: 560 }}
                data-testid="stats-units"
                onRow={(_row, index) => ({
                  onClick: () => index !== undefined && drill(index),
                  className: drillable ? 'sc-insp-clickable' : undefined,
                })}
                columns={[
                  {
                    title: t(`inspections.stats.childLevels.${data.org.level}`),
                    dataIndex: 'orgName',
                    fixed: 'left',
                    width: 200,
                    render: (name: string) => (drillable ? <Typography.Link>{name}</Typography.Link> : name),
                  },
                  {
                    title: t('inspections.stats.completionRate'),
                    dataIndex: 'completionRate',
                    align: 'right',
                    render: percent,
                    sorter: (a, b) => (a.completionRate ?? -1) - (b.completionRate ?? -1),
                  },
                  {
                    title: t('inspections.taskStates.done'),
                    dataIndex: 'done',
                    align: 'right',
                    sorter: (a, b) => a.done - b.done,
                  },
                  {
                    title: t('inspections.taskStates.missed'),
                    dataIndex: 'missed',
                    align: 'right',
                    sorter: (a, b) => a.missed - b.missed,
                    render: (value: number) =>
                      value > 0 ? <Typography.Text type="danger">{value}</Typography.Text> : value,
                  },
                  { title: t('inspections.taskStates.pending'), dataIndex: 'pending', align: 'right' },
                ]}
              />
            </Card>
          )}
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('inspections.stats.byPlan')}>
                <Suspense fallback={chartFallback}>
                  <CompletionBars
                    rows={data.byPlan
                      .slice(0, 15)
                      .map((row) => ({ ...row, name: row.planName, detail: row.schoolName }))}
                  />
                </Suspense>
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('inspections.stats.planTable')}>
                <Table
                  size="small"
                  rowKey="planId"
                  dataSource={data.byPlan}
                  pagination={{ pageSize: 8, hideOnSinglePage: true }}
                  scroll={{ x: 520 }}
                  columns={[
                    {
                      title: t('inspections.plan.name'),
                      dataIndex: 'planName',
                      render: (name: string, row) => (
                        <Space direction="vertical" size={0}>
                          <span>{name}</span>
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {row.schoolName}
                          </Typography.Text>
                        </Space>
                      ),
                    },
                    {
                      title: t('inspections.stats.completionRate'),
                      dataIndex: 'completionRate',
                      align: 'right',
                      render: percent,
                    },
                    {
                      title: t('inspections.taskStates.missed'),
                      dataIndex: 'missed',
                      align: 'right',
                      render: (value: number) =>
                        value > 0 ? <Typography.Text type="danger">{value}</Typography.Text> : value,
                    },
                  ]}
                />
              </Card>
            </Col>
          </Row>
          <Card size="small" title={t('inspections.stats.kindTable')}>
            <Table
              size="small"
              rowKey="kind"
              dataSource={data.recordsByKind}
              pagination={false}
              scroll={{ x: 420 }}
              data-testid="stats-kinds"
              columns={[
                { title: t('inspections.template.kind'), dataIndex: 'kind', render: (kind) => <KindTag kind={kind} /> },
                { title: t('inspections.stats.records'), dataIndex: 'records', align: 'right' },
                { title: t('inspections.stats.spotChecks'), dataIndex: 'spotChecks', align: 'right' },
              ]}
            />
          </Card>
        </Space>
      )}
      <Card
        size="small"
        style={{ marginTop: 16 }}
        title={t('inspections.stats.coverage')}
        extra={
          <DatePicker
            value={day}
            allowClear={false}
            onChange={(value) => value && setDay(value)}
            disabledDate={(value) => value.isAfter(dayjs(), 'day')}
            size="small"
          />
        }
      >
        {coverage.isError ? (
          <LoadError error={coverage.error} onRetry={() => coverage.refetch()} />
        ) : !coverage.data ? (
          <Skeleton active />
        ) : (
          <Suspense fallback={chartFallback}>
            <div className="sc-insp-heatmap-legend">
              <span>
                <i className="sc-insp-swatch tone-done" />
                {t('inspections.stats.covered')}
              </span>
              <span>
                <i className="sc-insp-swatch tone-uncovered" />
                {t('inspections.stats.uncovered')}
              </span>
              {coverage.data.nextCursor && (
                <Typography.Text type="secondary">
                  {t('inspections.stats.coverageFirst', { count: coverage.data.items.length })}
                </Typography.Text>
              )}
            </div>
            <CoverageHeatmap coverage={coverage.data} />
          </Suspense>
        )}
      </Card>
    </Page>
  );
}
