import { DownloadOutlined, RollbackOutlined } from '@ant-design/icons';
import type { HazardCounts, HazardStats, OrgLevel } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, DatePicker, Row, Skeleton, Space, Statistic, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, download, type Query } from '../../api/client';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { Page } from '../../app/Page';
import { useSession } from '../../app/session';
import { useHazardEvents } from './useHazardEvents';
import './hazards.css';

const HazardCharts = lazy(() => import('./HazardCharts').then((module) => ({ default: module.HazardCharts })));

const CHILD_LEVEL: Record<OrgLevel, OrgLevel> = {
  province: 'city',
  city: 'county',
  county: 'school',
  school: 'department',
  department: 'department',
};

type ChildRow = HazardStats['byChild'][number];

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const days = (value: number | null) => (value === null ? '—' : value.toFixed(1));

/** 隐患统计: counts for any org in scope, by child unit, category and grade; drill down by clicking a child. */
export function HazardStatsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [org, setOrg] = useState<PickedOrg | null>(null);
  const [trail, setTrail] = useState<PickedOrg[]>([]);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [exporting, setExporting] = useState(false);
  const query: Query = {
    orgId: org?.id,
    from: range?.[0]?.format('YYYY-MM-DD'),
    to: range?.[1]?.format('YYYY-MM-DD'),
  };
  const stats = useQuery({
    queryKey: ['hazards', 'stats', query],
    queryFn: () => api.get<HazardStats>('/hazards/stats', query, { quiet: true }),
    placeholderData: (previous) => previous,
  });
  useHazardEvents(() => void stats.refetch());
  const data = stats.data;

  const drill = (child: ChildRow) => {
    if (!data) return;
    setTrail((current) => [...current, { id: data.org.id, name: data.org.name, level: data.org.level as OrgLevel }]);
    setOrg({ id: child.orgId, name: child.orgName, level: CHILD_LEVEL[data.org.level as OrgLevel] });
  };
  const up = () => {
    const previous = trail.at(-1);
    setTrail((current) => current.slice(0, -1));
    setOrg(previous ?? null);
  };

  const kpis: { key: keyof HazardCounts; value: string | number; color?: string }[] = data
    ? [
        { key: 'found', value: data.totals.found },
        { key: 'rectified', value: data.totals.rectified, color: '#389e0d' },
        { key: 'unrectified', value: data.totals.unrectified, color: '#d46b08' },
        { key: 'overdue', value: data.totals.overdue, color: '#cf1322' },
        { key: 'rectificationRate', value: percent(data.totals.rectificationRate) },
        { key: 'averageDaysToClose', value: days(data.totals.averageDaysToClose) },
      ]
    : [];

  return (
    <Page title={t('menu.hazardStats')}>
      {/* Filters in a wrapping row of their own, so a phone-width window does not scroll sideways. */}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <OrgPicker
            key="org"
            value={org}
            onChange={(picked) => {
              setTrail([]);
              setOrg(picked);
            }}
            placeholder={t('hazards.orgHint')}
            style={{ width: 240, maxWidth: '100%' }}
          />
          <DatePicker.RangePicker
            key="range"
            value={range}
            onChange={(value) => setRange(value as [Dayjs | null, Dayjs | null] | null)}
            allowEmpty={[true, true]}
            data-testid="stats-range"
          />
          {can('hazard.export') && (
            <Button
              key="export"
              icon={<DownloadOutlined />}
              loading={exporting}
              data-testid="stats-export"
              onClick={async () => {
                setExporting(true);
                try {
                  await download('/hazards/stats/export.xlsx', query, t('hazards.stats.exportFile'));
                } finally {
                  setExporting(false);
                }
              }}
            >
              {t('import.export')}
            </Button>
          )}
        </Space>
      </Card>
      {stats.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('common.loadFailed')}
          description={stats.error.message}
          action={
            <Button size="small" onClick={() => stats.refetch()}>
              {t('common.retry')}
            </Button>
          }
        />
      )}
      {!data && stats.isLoading && (
        <Card>
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      )}
      {data && (
        <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="hazard-stats">
          <Space wrap>
            {trail.length > 0 && (
              <Button size="small" icon={<RollbackOutlined />} onClick={up}>
                {t('hazards.stats.up', { name: trail.at(-1)?.name })}
              </Button>
            )}
            <Typography.Text strong data-testid="stats-org">
              {data.org.name}
            </Typography.Text>
            <Typography.Text type="secondary">
              {data.from || data.to ? `${data.from ?? '…'} ~ ${data.to ?? '…'}` : t('hazards.stats.allTime')}
            </Typography.Text>
          </Space>
          <Row gutter={[16, 16]} className="sc-hazard-kpi">
            {kpis.map((kpi) => (
              <Col key={kpi.key} xs={12} sm={8} xl={4}>
                <Card size="small" data-testid={`kpi-${kpi.key}`}>
                  <Statistic
                    title={t(`hazards.stats.${kpi.key}`)}
                    value={kpi.value}
                    valueStyle={kpi.color ? { color: kpi.color } : undefined}
                  />
                </Card>
              </Col>
            ))}
          </Row>
          <Suspense
            fallback={
              <Card>
                <Skeleton active />
              </Card>
            }
          >
            <HazardCharts
              stats={data}
              onDrill={(orgId) => {
                const child = data.byChild.find((row) => row.orgId === orgId);
                if (child) drill(child);
              }}
            />
          </Suspense>
          <Card
            title={t('hazards.stats.table', { level: t(`hazards.stats.childLevels.${data.org.level}`) })}
            size="small"
          >
            <Table<ChildRow>
              size="small"
              rowKey="orgId"
              dataSource={data.byChild}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              scroll={{ x: 900 }}
              onRow={(row) => ({ onClick: () => drill(row), className: 'sc-hazard-clickable-row' })}
              data-testid="stats-table"
              summary={() =>
                data.byChild.length > 1 ? (
                  <Table.Summary.Row>
                    <Table.Summary.Cell index={0}>
                      <Typography.Text strong>{t('hazards.stats.total')}</Typography.Text>
                    </Table.Summary.Cell>
                    {(['found', 'rectified', 'unrectified', 'overdue'] as const).map((name, index) => (
                      <Table.Summary.Cell key={name} index={index + 1} align="right">
                        <Typography.Text strong>{data.totals[name]}</Typography.Text>
                      </Table.Summary.Cell>
                    ))}
                    <Table.Summary.Cell index={5} align="right">
                      {percent(data.totals.rectificationRate)}
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={6} align="right">
                      {days(data.totals.averageDaysToClose)}
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={7} align="right">
                      {data.totals.major}
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={8} align="right">
                      {data.totals.supervised}
                    </Table.Summary.Cell>
                  </Table.Summary.Row>
                ) : null
              }
              columns={[
                {
                  title: t(`hazards.stats.childLevels.${data.org.level}`),
                  dataIndex: 'orgName',
                  fixed: 'left',
                  width: 200,
                  render: (name: string) => <Typography.Link>{name}</Typography.Link>,
                },
                ...(['found', 'rectified', 'unrectified', 'overdue'] as const).map((name) => ({
                  title: t(`hazards.stats.${name}`),
                  dataIndex: name,
                  align: 'right' as const,
                  sorter: (a: ChildRow, b: ChildRow) => a[name] - b[name],
                })),
                {
                  title: t('hazards.stats.rectificationRate'),
                  dataIndex: 'rectificationRate',
                  align: 'right' as const,
                  render: percent,
                  sorter: (a: ChildRow, b: ChildRow) => (a.rectificationRate ?? -1) - (b.rectificationRate ?? -1),
                },
                {
                  title: t('hazards.stats.averageDaysToClose'),
                  dataIndex: 'averageDaysToClose',
                  align: 'right' as const,
                  render: days,
                },
                { title: t('hazards.stats.major'), dataIndex: 'major', align: 'right' as const },
                { title: t('hazards.stats.supervised'), dataIndex: 'supervised', align: 'right' as const },
                {
                  title: t('common.actions'),
                  key: 'ledger',
                  width: 90,
                  render: (_value: unknown, row: ChildRow) => (
                    <Link
                      to={`/hazards?${new URLSearchParams({
                        orgId: String(row.orgId),
                        orgName: row.orgName,
                        orgLevel: CHILD_LEVEL[data.org.level as OrgLevel],
                      })}`}
                      onClick={(event) => event.stopPropagation()}
                    >
                      {t('hazards.dashboard.ledger')}
                    </Link>
                  ),
                },
              ]}
            />
          </Card>
        </Space>
      )}
    </Page>
  );
}
