import { BellOutlined, DownloadOutlined, RollbackOutlined } from '@ant-design/icons';
import { type ActionType, type ProColumns, ProTable } from '@ant-design/pro-components';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Progress,
  Result,
  Space,
  Spin,
  Statistic,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, download, type Query } from '../../api/client';
import { uuid } from '../../api/uuid';
import { cursorRequest } from '../../app/cursorTable';
import { Page } from '../../app/Page';
import { FileLinks, FileUpload } from './FileUpload';
import { dateTime, type NoticeDetail, type NoticeReceipt, noticesApi, RECEIPT_COLORS } from './noticesApi';
import './notices.css';

/** One notice: its text and files; for recipients their unit's receipt and reply; for the publisher the receipts. */
export function NoticeDetailPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ['notice', id],
    queryFn: async () => {
      const notice = await noticesApi.detail(id);
      // Opening it may have recorded the unit's receipt: the badge changes.
      void queryClient.invalidateQueries({ queryKey: ['notices', 'unread'] });
      return notice;
    },
    enabled: Number.isSafeInteger(id) && id > 0,
    retry: false,
  });
  if (detail.isLoading) return <Spin style={{ display: 'block', margin: 80 }} />;
  if (detail.isError || !detail.data) {
    return (
      <Page title={t('notices.menu.detail')}>
        <Result status="404" title={detail.error instanceof ApiError ? detail.error.message : t('common.loadFailed')} />
      </Page>
    );
  }
  const notice = detail.data;
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['notice', id] });
  return (
    <Page
      title={notice.title}
      extra={notice.canManage ? [<ManageButtons key="manage" notice={notice} onChanged={refresh} />] : []}
    >
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        {notice.state === 'withdrawn' && (
          <Alert
            type="warning"
            showIcon
            data-testid="notice-withdrawn"
            message={t('notices.withdrawnAt', { time: dateTime(notice.withdrawnAt) })}
            description={t('notices.withdrawReasonLabel', { reason: notice.withdrawReason ?? '' })}
          />
        )}
        <Card>
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('notices.publisher')}>{notice.orgName}</Descriptions.Item>
            <Descriptions.Item label={t('notices.publishedAt')}>{dateTime(notice.publishedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('notices.publishedBy')}>{notice.publishedByName}</Descriptions.Item>
            {notice.receiptRequired && (
              <Descriptions.Item label={t('notices.replyDeadline')}>
                <Tag color="orange">{t('notices.receiptRequired')}</Tag>
                {notice.replyDeadline ? dateTime(notice.replyDeadline) : t('notices.noDeadline')}
              </Descriptions.Item>
            )}
          </Descriptions>
          {notice.body !== null && (
            <div className="notice-body" data-testid="notice-body-text">
              {notice.body}
            </div>
          )}
          <FileLinks files={notice.files} />
        </Card>
        {notice.myReceipt && <MyReceipt notice={notice} onChanged={refresh} />}
        {notice.canManage || notice.myReceipt === null ? <Receipts notice={notice} /> : null}
      </Space>
    </Page>
  );
}

function ManageButtons({ notice, onChanged }: { notice: NoticeDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState('');
  const published = notice.state === 'published';
  const unread = notice.recipientCount - notice.readCount;
  return (
    <Space>
      <Button
        icon={<BellOutlined />}
        disabled={!published || unread === 0 || notice.nextReminderAt !== null}
        title={notice.nextReminderAt ? t('notices.remindAfter', { time: dateTime(notice.nextReminderAt) }) : undefined}
        data-testid="notice-remind"
        onClick={() =>
          modal.confirm({
            title: t('notices.remindConfirm', { count: unread }),
            onOk: async () => {
              const result = await noticesApi.remind(notice.id);
              message.success(t('notices.reminded', { units: result.units, users: result.users }));
              onChanged();
            },
          })
        }
      >
        {t('notices.remind')}
      </Button>
      <Button danger icon={<RollbackOutlined />} disabled={!published} onClick={() => setWithdrawing(true)}>
        {t('notices.withdraw')}
      </Button>
      <Modal
        open={withdrawing}
        title={t('notices.withdrawTitle')}
        okButtonProps={{ danger: true, disabled: reason.trim() === '' }}
        onCancel={() => setWithdrawing(false)}
        onOk={async () => {
          await noticesApi.withdraw(notice.id, reason.trim());
          setWithdrawing(false);
          message.success(t('notices.withdrawn'));
          onChanged();
        }}
      >
        <Typography.Paragraph type="secondary">{t('notices.withdrawHint')}</Typography.Paragraph>
        <Input.TextArea
          rows={3}
          maxLength={500}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          placeholder={t('notices.withdrawReason')}
        />
      </Modal>
    </Space>
  );
}

function MyReceipt({ notice, onChanged }: { notice: NoticeDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const receipt = notice.myReceipt!;
  const [form] = Form.useForm<{ text: string; fileIds: string[] }>();
  const key = useRef(uuid());
  const [busy, setBusy] = useState(false);
  const canReply = notice.receiptRequired && receipt.repliedAt === null && notice.state === 'published';
  return (
    <Card title={t('notices.myReceipt', { unit: receipt.orgName })} size="small" data-testid="my-receipt">
      <Space direction="vertical" style={{ width: '100%' }}>
        <span>
          <Tag color={RECEIPT_COLORS[receipt.status]}>{t(`notices.status.${receipt.status}`)}</Tag>
          {receipt.readAt && t('notices.readBy', { name: receipt.readByName ?? '', time: dateTime(receipt.readAt) })}
        </span>
        {receipt.repliedAt && (
          <>
            <span>
              {t('notices.repliedBy', { name: receipt.repliedByName ?? '', time: dateTime(receipt.repliedAt) })}
              {receipt.late && (
                <Tag color="red" style={{ marginLeft: 8 }}>
                  {t('notices.late')}
                </Tag>
              )}
            </span>
            {receipt.replyText && <div className="notice-body">{receipt.replyText}</div>}
            <FileLinks files={receipt.replyFiles} />
          </>
        )}
        {canReply && (
          <Form
            form={form}
            layout="vertical"
            initialValues={{ text: '', fileIds: [] }}
            onFinish={async (values) => {
              setBusy(true);
              try {
                await noticesApi.reply(
                  notice.id,
                  { text: values.text ?? '', fileIds: values.fileIds ?? [] },
                  key.current,
                );
                message.success(t('notices.replied'));
                onChanged();
              } catch (cause) {
                if (cause instanceof ApiError) key.current = uuid();
              } finally {
                setBusy(false);
              }
            }}
          >
            <Form.Item name="text" label={t('notices.replyText')}>
              <Input.TextArea
                rows={4}
                maxLength={2000}
                showCount
                data-testid="reply-text"
                placeholder={t('notices.replyHint')}
              />
            </Form.Item>
            <Form.Item name="fileIds" label={t('notices.attachments')}>
              <FileUpload />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="reply-submit">
              {t('notices.submitReply')}
            </Button>
          </Form>
        )}
      </Space>
    </Card>
  );
}

function Receipts({ notice }: { notice: NoticeDetail }) {
  const { t } = useTranslation();
  const action = useRef<ActionType>(null);
  const filters = useRef<Query>({});
  const request = useMemo(
    () =>
      cursorRequest<NoticeReceipt>(`/notices/${notice.id}/receipts`, (values): Query => {
        filters.current = {
          status: (values.status as string) || undefined,
          level: (values.level as string) || undefined,
          q: (values.orgName as string) || undefined,
        };
        return filters.current;
      }),
    [notice.id],
  );
  const percent = (n: number) => (notice.recipientCount ? Math.round((n * 100) / notice.recipientCount) : 0);
  const columns: ProColumns<NoticeReceipt>[] = [
    { title: t('notices.recipientUnit'), dataIndex: 'orgName', ellipsis: true },
    {
      title: t('notices.level'),
      dataIndex: 'level',
      width: 90,
      valueType: 'select',
      valueEnum: Object.fromEntries(
        ['city', 'county', 'school', 'department'].map((l) => [l, { text: t(`levels.${l}`) }]),
      ),
    },
    {
      title: t('notices.receipt'),
      dataIndex: 'status',
      width: 110,
      valueType: 'select',
      valueEnum: {
        unread: { text: t('notices.status.unread') },
        read: { text: t('notices.status.read') },
        replied: { text: t('notices.status.replied') },
      },
      render: (_d, row) => (
        <Space size={4}>
          <Tag color={RECEIPT_COLORS[row.status]} data-testid="receipt-status">
            {t(`notices.status.${row.status}`)}
          </Tag>
          {row.late && <Tag color="red">{t('notices.late')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('notices.readAt'),
      key: 'read',
      search: false,
      width: 200,
      render: (_d, row) => (row.readAt ? `${dateTime(row.readAt)} ${row.readByName ?? ''}` : '—'),
    },
    ...(notice.receiptRequired
      ? [
          {
            title: t('notices.reply'),
            key: 'reply',
            search: false,
            width: 280,
            render: (_d: unknown, row: NoticeReceipt) =>
              row.repliedAt ? (
                <Space direction="vertical" size={0}>
                  <Typography.Text ellipsis={{ tooltip: row.replyText }} style={{ maxWidth: 260 }}>
                    {row.replyText ?? ''}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {dateTime(row.repliedAt)} {row.repliedByName}
                  </Typography.Text>
                  <FileLinks files={row.replyFiles} />
                </Space>
              ) : (
                '—'
              ),
          } as ProColumns<NoticeReceipt>,
        ]
      : []),
    { title: t('notices.remindedCount'), dataIndex: 'remindedCount', search: false, width: 90 },
  ];
  return (
    <Card title={t('notices.receipts')} size="small">
      <Space size={40} wrap style={{ marginBottom: 12 }}>
        <Statistic title={t('notices.recipientCount')} value={notice.recipientCount} />
        <div style={{ width: 220 }}>
          <Typography.Text type="secondary">{t('notices.readProgress')}</Typography.Text>
          <Progress
            percent={percent(notice.readCount)}
            format={() => `${notice.readCount}/${notice.recipientCount}`}
            data-testid="read-progress"
          />
        </div>
        {notice.receiptRequired && (
          <div style={{ width: 220 }}>
            <Typography.Text type="secondary">{t('notices.replyProgress')}</Typography.Text>
            <Progress
              percent={percent(notice.repliedCount)}
              format={() => `${notice.repliedCount}/${notice.recipientCount}`}
              status="normal"
            />
          </div>
        )}
      </Space>
      <ProTable<NoticeReceipt>
        rowKey="id"
        actionRef={action}
        columns={columns}
        request={request}
        search={{ labelWidth: 'auto' }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        options={{ density: false, reload: true }}
        scroll={{ x: 900 }}
        toolBarRender={() => [
          <Button
            key="export"
            icon={<DownloadOutlined />}
            onClick={() =>
              void download(
                `/notices/${notice.id}/receipts/export.xlsx`,
                filters.current,
                `通知回执情况-${notice.id}.xlsx`,
              )
            }
          >
            {t('notices.exportReceipts')}
          </Button>,
        ]}
      />
    </Card>
  );
}
