import { NotificationOutlined, PlusOutlined } from '@ant-design/icons';
import { type ProColumns, ProTable } from '@ant-design/pro-components';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Progress, Space, Tabs, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import type { Query } from '../../api/client';
import { cursorRequest } from '../../app/cursorTable';
import { Page } from '../../app/Page';
import { useUser } from '../../app/session';
import { dateTime, type NoticeInboxItem, type NoticeSummary, noticesApi } from './noticesApi';
import './notices.css';

/** 通知公告: notices received by the caller's unit (inbox) and those published by it and the units below. */
export function NoticesPage() {
  const { t } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const canPublish = user.permissions.includes('notice.publish');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'published' && canPublish ? 'published' : 'inbox';
  const unread = useQuery({
    queryKey: ['notices', 'unread'],
    queryFn: noticesApi.unreadCount,
    refetchInterval: 60_000,
  });
  const inboxRequest = useMemo(
    () =>
      cursorRequest<NoticeInboxItem>(
        '/notices/inbox',
        (filters): Query => ({
          q: (filters.title as string) || undefined,
          unread: filters.unread === 'true' || undefined,
        }),
      ),
    [],
  );
  const publishedRequest = useMemo(
    () =>
      cursorRequest<NoticeSummary>(
        '/notices',
        (filters): Query => ({
          q: (filters.title as string) || undefined,
          state: (filters.state as string) || undefined,
        }),
      ),
    [],
  );
  const [, force] = useState(0);

  const inboxColumns: ProColumns<NoticeInboxItem>[] = [
    {
      title: t('notices.title'),
      dataIndex: 'title',
      ellipsis: true,
      render: (_dom, row) => (
        <Space>
          {row.readAt === null && row.state === 'published' && <Badge status="error" />}
          <Typography.Link
            strong={row.readAt === null}
            onClick={() => navigate(`/notices/${row.id}`)}
            data-testid="inbox-notice"
          >
            {row.title}
          </Typography.Link>
          {row.state === 'withdrawn' && <Tag>{t('notices.states.withdrawn')}</Tag>}
          {row.receiptRequired && <Tag color="orange">{t('notices.receiptRequired')}</Tag>}
        </Space>
      ),
    },
    { title: t('notices.publisher'), dataIndex: 'orgName', search: false, width: 160, ellipsis: true },
    {
      title: t('notices.publishedAt'),
      dataIndex: 'publishedAt',
      search: false,
      width: 150,
      render: (_d, row) => dateTime(row.publishedAt),
    },
    {
      title: t('notices.receipt'),
      key: 'receipt',
      search: false,
      width: 120,
      render: (_d, row) =>
        row.repliedAt ? (
          <Tag color="success">{t('notices.status.replied')}</Tag>
        ) : row.readAt ? (
          <Tag color="processing">{t('notices.status.read')}</Tag>
        ) : (
          <Tag>{t('notices.status.unread')}</Tag>
        ),
    },
    {
      title: t('notices.replyDeadline'),
      dataIndex: 'replyDeadline',
      search: false,
      width: 150,
      render: (_d, row) => (row.receiptRequired ? dateTime(row.replyDeadline) : '—'),
    },
    {
      title: t('notices.onlyUnread'),
      dataIndex: 'unread',
      hideInTable: true,
      valueType: 'select',
      valueEnum: { true: { text: t('common.yes') } },
    },
  ];

  const publishedColumns: ProColumns<NoticeSummary>[] = [
    {
      title: t('notices.title'),
      dataIndex: 'title',
      ellipsis: true,
      render: (_dom, row) => (
        <Space>
          <Typography.Link onClick={() => navigate(`/notices/${row.id}`)} data-testid="published-notice">
            {row.title}
          </Typography.Link>
          {row.receiptRequired && <Tag color="orange">{t('notices.receiptRequired')}</Tag>}
        </Space>
      ),
    },
    { title: t('notices.publisher'), dataIndex: 'orgName', search: false, width: 140, ellipsis: true },
    {
      title: t('notices.publishedAt'),
      dataIndex: 'publishedAt',
      search: false,
      width: 150,
      render: (_d, row) => dateTime(row.publishedAt),
    },
    {
      title: t('notices.readProgress'),
      key: 'progress',
      search: false,
      width: 200,
      render: (_d, row) => (
        <Space direction="vertical" size={0} style={{ width: '100%' }}>
          <Progress
            size="small"
            percent={row.recipientCount ? Math.round((row.readCount * 100) / row.recipientCount) : 0}
            format={() => `${row.readCount}/${row.recipientCount}`}
          />
          {row.receiptRequired && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('notices.repliedCount', { count: row.repliedCount })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('notices.state'),
      dataIndex: 'state',
      width: 100,
      valueType: 'select',
      valueEnum: {
        published: { text: t('notices.states.published'), status: 'Success' },
        withdrawn: { text: t('notices.states.withdrawn'), status: 'Default' },
      },
    },
  ];

  return (
    <Page
      title={t('notices.menu.notices')}
      extra={
        canPublish
          ? [
              <Button
                key="new"
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => navigate('/notices/new')}
                data-testid="notice-new"
              >
                {t('notices.publish')}
              </Button>,
            ]
          : []
      }
    >
      <Tabs
        activeKey={tab}
        onChange={(key) => {
          setParams(key === 'inbox' ? {} : { tab: key });
          force((n) => n + 1);
        }}
        items={[
          {
            key: 'inbox',
            label: (
              <Space size={6}>
                <NotificationOutlined />
                {t('notices.inbox')}
                <Badge count={unread.data?.count ?? 0} size="small" data-testid="notice-unread-badge" />
              </Space>
            ),
            children: (
              <ProTable<NoticeInboxItem>
                rowKey="id"
                columns={inboxColumns}
                request={async (p) => {
                  const result = await inboxRequest(p);
                  void unread.refetch();
                  return result;
                }}
                pagination={{ pageSize: 20, showSizeChanger: false }}
                search={{ labelWidth: 'auto' }}
                options={{ density: false }}
                scroll={{ x: 860 }}
              />
            ),
          },
          ...(canPublish
            ? [
                {
                  key: 'published',
                  label: t('notices.published'),
                  children: (
                    <ProTable<NoticeSummary>
                      rowKey="id"
                      columns={publishedColumns}
                      request={publishedRequest}
                      pagination={{ pageSize: 20, showSizeChanger: false }}
                      search={{ labelWidth: 'auto' }}
                      options={{ density: false }}
                      scroll={{ x: 860 }}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
    </Page>
  );
}
