import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Empty,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { Page } from '../../app/Page';
import { useUser } from '../../app/session';
import { DAY, dutyApi, NEXT_HOLIDAY } from './dutyApi';
import { useDutyEvents } from './useDutyEvents';
import './duty.css';

const PAGE_SIZE = 100;

function Retry({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert
      type="error"
      showIcon
      message={(error as Error).message}
      action={<Button onClick={onRetry}>{t('common.retry')}</Button>}
      style={{ marginBottom: 12 }}
    />
  );
}

function NowTab() {
  const { t } = useTranslation();
  const [nobody, setNobody] = useState(false);
  const queryClient = useQueryClient();
  const query = useInfiniteQuery({
    queryKey: ['duty', 'now', nobody],
    queryFn: ({ pageParam }) => dutyApi.now({ nobody: nobody || undefined, cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  useDutyEvents(() => queryClient.invalidateQueries({ queryKey: ['duty', 'now'] }));
  const first = query.data?.pages[0];
  const rows = query.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      {first && (
        <div className="duty-totals" data-testid="duty-now-totals">
          <Card size="small">
            <Statistic title={t('duty.nowUnits')} value={first.totals.units} />
          </Card>
          <Card size="small">
            <Statistic title={t('duty.nowOnDuty')} value={first.totals.onDuty} valueStyle={{ color: '#389e0d' }} />
          </Card>
          <Card size="small">
            <Statistic title={t('duty.nowNobody')} value={first.totals.nobody} valueStyle={{ color: '#cf1322' }} />
          </Card>
        </div>
      )}
      <div className="duty-toolbar">
        <Space wrap>
          <Checkbox checked={nobody} onChange={(event) => setNobody(event.target.checked)} data-testid="duty-nobody">
            {t('duty.onlyNobody')}
          </Checkbox>
          {first && (
            <Typography.Text type="secondary">
              {t('duty.nowAt', { at: dayjs(first.at).format('YYYY-MM-DD HH:mm:ss') })}
            </Typography.Text>
          )}
        </Space>
        <Button icon={<ReloadOutlined />} onClick={() => query.refetch()}>
          {t('duty.refresh')}
        </Button>
      </div>
      {query.isError && <Retry error={query.error} onRetry={() => query.refetch()} />}
      <Table
        rowKey="orgId"
        size="middle"
        loading={query.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 760 }}
        data-testid="duty-now-table"
        className="duty-now-table"
        locale={{ emptyText: <Empty description={nobody ? t('duty.everyoneCovered') : t('common.noData')} /> }}
        rowClassName={(row) => (row.nobody ? 'duty-row-nobody' : '')}
        columns={[
          {
            title: t('duty.fields.unit'),
            dataIndex: 'orgName',
            width: 220,
            render: (name: string, row) => (
              <Space direction="vertical" size={0}>
                <span>{name}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`levels.${row.level}`)}
                  {row.parentName ? ` · ${row.parentName}` : ''}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('duty.roles.leader'),
            width: 140,
            render: (_v, row) =>
              row.leaderNames.length > 0 ? (
                row.leaderNames.map((name) => (
                  <Tag color="gold" key={name}>
                    {name}
                  </Tag>
                ))
              ) : row.nobody ? null : (
                <Typography.Text type="warning">{t('duty.noLeader')}</Typography.Text>
              ),
          },
          {
            title: t('duty.people'),
            render: (_v, row) =>
              row.nobody ? (
                <Tag color="red" data-testid="duty-nobody-tag">
                  {t('duty.nobodyNow')}
                </Tag>
              ) : (
                row.people
                  .filter((p) => p.role !== 'leader')
                  .map((p) => p.name)
                  .join('、')
              ),
          },
          { title: t('duty.fields.phone'), dataIndex: 'phone', width: 140, render: (v: string | null) => v ?? '—' },
        ]}
      />
      {query.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>
            {t('duty.loadMore', { shown: rows.length, total: first?.totals.units ?? 0 })}
          </Button>
        </div>
      )}
    </>
  );
}

function CoverageTab() {
  const { t } = useTranslation();
  const user = useUser();
  const { message } = App.useApp();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs(NEXT_HOLIDAY.from), dayjs(NEXT_HOLIDAY.to)]);
  const [gaps, setGaps] = useState(false);
  const from = range[0].format(DAY);
  const to = range[1].format(DAY);
  const query = useInfiniteQuery({
    queryKey: ['duty', 'coverage', from, to, gaps],
    queryFn: ({ pageParam }) =>
      dutyApi.coverage({ from, to, gaps: gaps || undefined, cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const first = query.data?.pages[0];
  const rows = query.data?.pages.flatMap((page) => page.items) ?? [];
  const days = (list: string[]) => (list.length === 0 ? '—' : list.map((day) => dayjs(day).format('MM-DD')).join('、'));
  return (
    <>
      <Alert type="info" showIcon message={t('duty.coverageHint')} style={{ marginBottom: 12 }} />
      <div className="duty-toolbar">
        <Space wrap>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(value) => value?.[0] && value[1] && setRange([value[0], value[1]])}
            data-testid="duty-coverage-range"
          />
          <Checkbox checked={gaps} onChange={(event) => setGaps(event.target.checked)}>
            {t('duty.onlyGaps')}
          </Checkbox>
        </Space>
        <Button
          icon={<DownloadOutlined />}
          onClick={() =>
            dutyApi.exportCoverage(user.activeOrg.id, from, to, gaps, user.activeOrg.name).catch((cause: Error) => {
              message.error(cause.message);
            })
          }
        >
          {t('duty.export')}
        </Button>
      </div>
      {first && (
        <div className="duty-totals" data-testid="duty-coverage-totals">
          <Card size="small">
            <Statistic title={t('duty.coverageSchools')} value={first.totals.schools} />
          </Card>
          <Card size="small">
            <Statistic
              title={t('duty.coverageWith')}
              value={first.totals.withTable}
              valueStyle={{ color: '#389e0d' }}
            />
          </Card>
          <Card size="small">
            <Statistic
              title={t('duty.coverageWithout')}
              value={first.totals.withoutTable}
              valueStyle={{ color: '#cf1322' }}
            />
          </Card>
          <Card size="small">
            <Statistic
              title={t('duty.coverageNoLeader')}
              value={first.totals.withoutLeader}
              valueStyle={{ color: '#d46b08' }}
            />
          </Card>
        </div>
      )}
      {query.isError && <Retry error={query.error} onRetry={() => query.refetch()} />}
      <Table
        rowKey="orgId"
        size="middle"
        loading={query.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 760 }}
        locale={{ emptyText: <Empty description={t('common.noData')} /> }}
        columns={[
          {
            title: t('duty.fields.school'),
            dataIndex: 'orgName',
            width: 220,
            render: (name: string, row) => (
              <Space direction="vertical" size={0}>
                <span>{name}</span>
                {row.parentName && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {row.parentName}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          {
            title: t('duty.hasTable'),
            width: 110,
            render: (_v, row) =>
              row.hasTable ? <Tag color="success">{t('common.yes')}</Tag> : <Tag color="error">{t('common.no')}</Tag>,
          },
          {
            title: t('duty.led'),
            width: 110,
            render: (_v, row) =>
              row.led ? <Tag color="success">{t('common.yes')}</Tag> : <Tag color="warning">{t('common.no')}</Tag>,
          },
          { title: t('duty.uncoveredDays'), render: (_v, row) => days(row.uncovered) },
          { title: t('duty.leaderlessDays'), render: (_v, row) => days(row.withoutLeader) },
        ]}
      />
      {query.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>
            {t('duty.loadMore', { shown: rows.length, total: first?.totals.schools ?? 0 })}
          </Button>
        </div>
      )}
    </>
  );
}

/** 当前在岗 and 假期值班情况 for a bureau's subtree (a school sees itself). */
export function DutyNowPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'now';
  return (
    <Page title={t('duty.nowTitle')}>
      <Card>
        <Tabs
          activeKey={tab}
          destroyOnHidden
          onChange={(key) => setParams({ tab: key }, { replace: true })}
          items={[
            { key: 'now', label: t('duty.tabs.now'), children: <NowTab /> },
            { key: 'coverage', label: t('duty.tabs.coverage'), children: <CoverageTab /> },
          ]}
        />
      </Card>
    </Page>
  );
}
