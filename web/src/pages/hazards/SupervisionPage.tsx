import type { HazardSummary } from '@safe-campus/domain';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Space, Table, Tabs, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import type { Page as ApiPage } from '../../api/types';
import { Page } from '../../app/Page';
import { DaysLeft, GradeTag, OverdueTag, StateTag } from './hazardTags';
import { useHazardEvents } from './useHazardEvents';
import './hazards.css';

/** Overdue first, then the nearest deadline. */
function byUrgency(a: HazardSummary, b: HazardSummary): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const left = a.deadline ? dayjs(a.deadline).valueOf() : Number.POSITIVE_INFINITY;
  const right = b.deadline ? dayjs(b.deadline).valueOf() : Number.POSITIVE_INFINITY;
  return left - right;
}

/** 挂牌督办: the supervised hazards of the bureau's subtree, open ones first. */
export function SupervisionPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'open' | 'closed'>('open');
  return (
    <Page title={t('menu.hazardSupervision')}>
      <Card>
        <Typography.Paragraph type="secondary">{t('hazards.supervisionIntro')}</Typography.Paragraph>
        <Tabs
          activeKey={tab}
          onChange={(key) => setTab(key as 'open' | 'closed')}
          items={[
            { key: 'open', label: t('hazards.supervisionOpen'), children: <SupervisedList open /> },
            { key: 'closed', label: t('hazards.supervisionClosed'), children: <SupervisedList open={false} /> },
          ]}
        />
      </Card>
    </Page>
  );
}

function SupervisedList({ open }: { open: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const list = useInfiniteQuery({
    queryKey: ['hazards', 'supervised', open],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get<ApiPage<HazardSummary>>(
        '/hazards',
        { supervised: 'true', open: String(open), limit: 100, cursor: pageParam },
        { quiet: true },
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  useHazardEvents(() => void list.refetch());
  const rows = (list.data?.pages ?? []).flatMap((page) => page.items);
  if (open) rows.sort(byUrgency);

  if (list.isError) {
    return (
      <Alert
        type="error"
        showIcon
        message={t('common.loadFailed')}
        description={list.error.message}
        action={
          <Button size="small" onClick={() => list.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table<HazardSummary>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 1000 }}
        locale={{
          emptyText: <Empty description={open ? t('hazards.noSupervisedOpen') : t('hazards.noSupervisedClosed')} />,
        }}
        onRow={(row) => ({
          className: 'sc-hazard-clickable-row',
          onClick: (event) => {
            if ((event.target as HTMLElement).closest('a,button')) return;
            navigate(`/hazards/${row.id}`);
          },
        })}
        data-testid={open ? 'supervision-open' : 'supervision-closed'}
        columns={[
          {
            title: t('hazards.code'),
            dataIndex: 'code',
            width: 140,
            fixed: 'left',
            render: (_value, row) => <Link to={`/hazards/${row.id}`}>{row.code}</Link>,
          },
          { title: t('hazards.title'), dataIndex: 'title', ellipsis: true },
          { title: t('hazards.school'), dataIndex: 'schoolName', width: 180, ellipsis: true },
          {
            title: t('hazards.state'),
            dataIndex: 'state',
            width: 150,
            render: (_value, row) => (
              <Space size={0} wrap>
                <StateTag state={row.state} />
                <GradeTag grade={row.grade} />
              </Space>
            ),
          },
          {
            title: t('hazards.supervisingOrg'),
            dataIndex: 'supervisingOrgName',
            width: 160,
            ellipsis: true,
            render: (_value, row) => row.supervisingOrgName ?? '—',
          },
          {
            title: t('hazards.deadline'),
            dataIndex: 'deadline',
            width: 160,
            render: (_value, row) => (row.deadline ? dayjs(row.deadline).format('YYYY-MM-DD HH:mm') : '—'),
          },
          {
            title: open ? t('hazards.daysLeftTitle') : t('hazards.closedAt'),
            key: 'left',
            width: 120,
            render: (_value, row) =>
              open ? (
                row.overdue ? (
                  <OverdueTag overdue />
                ) : row.deadline ? (
                  <DaysLeft deadline={row.deadline} open />
                ) : (
                  '—'
                )
              ) : row.closedAt ? (
                dayjs(row.closedAt).format('YYYY-MM-DD')
              ) : (
                '—'
              ),
          },
        ]}
      />
      {list.hasNextPage && (
        <Button onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t('common.more')}
        </Button>
      )}
    </Space>
  );
}
