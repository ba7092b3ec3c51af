import { CheckOutlined, DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import {
  type ActionType,
  ModalForm,
  type ProColumns,
  ProFormDateTimePicker,
  ProFormDigit,
  ProFormSelect,
  ProFormSwitch,
  ProFormText,
  ProFormTextArea,
  ProTable,
} from '@ant-design/pro-components';
import {
  URGENT_CATEGORIES,
  URGENT_SEVERITIES,
  type UrgentReportDetail,
  type UrgentReportSummary,
} from '@safe-campus/domain';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { download, type Query } from '../../api/client';
import { uuid } from '../../api/uuid';
import { cursorRequest } from '../../app/cursorTable';
import { Page } from '../../app/Page';
import { useRealtimeEvents } from '../../app/realtime';
import { useUser } from '../../app/session';
import { dateTime, noticesApi, SEVERITY_COLORS } from './noticesApi';
import './notices.css';

const EVENTS = [
  'urgent_report.raised',
  'urgent_report.escalated',
  'urgent_report.acknowledged',
  'urgent_report.followup',
];

function toQuery(filters: Record<string, unknown>): Query {
  const range = filters.occurredAt as [string, string] | undefined;
  return {
    severity: (filters.severity as string) || undefined,
    state: (filters.state as string) || undefined,
    category: (filters.category as string) || undefined,
    from: range?.[0] ? dayjs(range[0]).startOf('day').toISOString() : undefined,
    to: range?.[1] ? dayjs(range[1]).endOf('day').toISOString() : undefined,
  };
}

/** 信息报送: a school reports an event upward; bureaus list their subtree's reports and acknowledge them. */
export function UrgentReportsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const opened = Number(useParams().id);
  const action = useRef<ActionType>(null);
  const filters = useRef<Query>({});
  const canReport = user.permissions.includes('report.fill') && user.activeOrg.level === 'school';
  const request = useMemo(
    () =>
      cursorRequest<UrgentReportSummary>('/urgent-reports', (values) => {
        filters.current = toQuery(values);
        return filters.current;
      }),
    [],
  );
  const queryClient = useQueryClient();
  useRealtimeEvents(
    EVENTS,
    () => {
      action.current?.reload();
      void queryClient.invalidateQueries({ queryKey: ['urgent'] });
    },
    () => action.current?.reload(),
  );
  const open = (id: number | null) => navigate(id ? `/notices/urgent/${id}` : '/notices/urgent');
  const severityEnum = Object.fromEntries(URGENT_SEVERITIES.map((s) => [s, { text: t(`notices.severity.${s}`) }]));
  const columns: ProColumns<UrgentReportSummary>[] = [
    {
      title: t('notices.urgent.occurredAt'),
      dataIndex: 'occurredAt',
      valueType: 'dateRange',
      width: 150,
      render: (_d, row) => (
        <Typography.Link onClick={() => open(row.id)} data-testid="urgent-link">
          {dateTime(row.occurredAt)}
        </Typography.Link>
      ),
    },
    { title: t('notices.urgent.school'), dataIndex: 'orgName', search: false, width: 160, ellipsis: true },
    {
      title: t('notices.urgent.severity'),
      dataIndex: 'severity',
      valueType: 'select',
      valueEnum: severityEnum,
      width: 100,
      render: (_d, row) => <Tag color={SEVERITY_COLORS[row.severity]}>{t(`notices.severity.${row.severity}`)}</Tag>,
    },
    {
      title: t('notices.urgent.category'),
      dataIndex: 'category',
      valueType: 'select',
      width: 120,
      valueEnum: Object.fromEntries(URGENT_CATEGORIES.map((c) => [c, { text: t(`notices.category.${c}`) }])),
    },
    { title: t('notices.urgent.place'), dataIndex: 'place', search: false, ellipsis: true },
    {
      title: t('notices.urgent.casualties'),
      key: 'casualties',
      search: false,
      width: 120,
      render: (_d, row) => `${row.deaths} / ${row.injuries} / ${row.missing}`,
    },
    {
      title: t('notices.urgent.state'),
      dataIndex: 'state',
      valueType: 'select',
      width: 190,
      valueEnum: {
        pending: { text: t('notices.urgent.states.pending') },
        acknowledged: { text: t('notices.urgent.states.acknowledged') },
      },
      render: (_d, row) => <UrgentState report={row} />,
    },
  ];
  return (
    <Page
      title={t('notices.menu.urgent')}
      extra={[
        <Button
          key="export"
          icon={<DownloadOutlined />}
          onClick={() => void download('/urgent-reports/export.xlsx', filters.current, '突发事件信息报送台账.xlsx')}
        >
          {t('notices.urgent.export')}
        </Button>,
        ...(canReport
          ? [
              <ReportButton
                key="report"
                onDone={(id) => {
                  action.current?.reload();
                  open(id);
                }}
              />,
            ]
          : []),
      ]}
    >
      <ProTable<UrgentReportSummary>
        rowKey="id"
        actionRef={action}
        columns={columns}
        request={request}
        search={{ labelWidth: 'auto' }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        options={{ density: false }}
        scroll={{ x: 1000 }}
      />
      <UrgentDrawer
        id={Number.isSafeInteger(opened) && opened > 0 ? opened : null}
        onClose={() => open(null)}
        onChanged={() => action.current?.reload()}
      />
    </Page>
  );
}

function UrgentState({ report }: { report: UrgentReportSummary }) {
  const { t } = useTranslation();
  if (report.state === 'acknowledged')
    return (
      <Space direction="vertical" size={0}>
        <Tag color="success">{t('notices.urgent.states.acknowledged')}</Tag>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {report.acknowledgedOrgName} {dateTime(report.acknowledgedAt)}
        </Typography.Text>
      </Space>
    );
  return (
    <Space direction="vertical" size={0}>
      <Space size={4}>
        <Tag color={report.overdue ? 'red' : 'processing'}>
          {report.overdue ? t('notices.urgent.overdue') : t('notices.urgent.states.pending')}
        </Tag>
        {report.escalationLevel > 0 && (
          <Tag color="volcano">{t('notices.urgent.escalated', { org: report.handlingOrgName })}</Tag>
        )}
      </Space>
      {report.acknowledgeBy && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('notices.urgent.ackBy', { time: dateTime(report.acknowledgeBy) })}
        </Typography.Text>
      )}
    </Space>
  );
}

interface ReportValues {
  category: string;
  severity: string;
  occurredAt: Dayjs | string;
  place: string;
  description: string;
  measures?: string;
  deaths?: number;
  injuries?: number;
  missing?: number;
  phoned?: boolean;
}

function ReportButton({ onDone }: { onDone: (id: number) => void }) {
  const { t } = useTranslation();
  const user = useUser();
  const { message } = App.useApp();
  const key = useRef(uuid());
  return (
    <ModalForm<ReportValues>
      title={t('notices.urgent.new')}
      width={720}
      trigger={
        <Button type="primary" danger icon={<PlusOutlined />} data-testid="urgent-new">
          {t('notices.urgent.new')}
        </Button>
      }
      modalProps={{ destroyOnClose: true }}
      initialValues={{
        severity: 'ordinary',
        category: 'safety_accident',
        deaths: 0,
        injuries: 0,
        missing: 0,
        occurredAt: dayjs(),
      }}
      onFinish={async (values) => {
        try {
          const at = typeof values.occurredAt === 'string' ? new Date(values.occurredAt) : values.occurredAt.toDate();
          const report = await noticesApi.report(
            {
              orgId: user.activeOrg.id,
              category: values.category,
              severity: values.severity,
              occurredAt: at.toISOString(),
              place: values.place,
              description: values.description,
              measures: values.measures ?? '',
              deaths: values.deaths ?? 0,
              injuries: values.injuries ?? 0,
              missing: values.missing ?? 0,
              phoned: values.phoned ?? false,
            },
            key.current,
          );
          key.current = uuid();
          message.success(t('notices.urgent.reported'));
          onDone(report.id);
          return true;
        } catch {
          key.current = uuid();
          return false;
        }
      }}
    >
      <Typography.Paragraph type="secondary">{t('notices.urgent.formHint')}</Typography.Paragraph>
      <Space size={16} wrap>
        <ProFormSelect
          name="severity"
          label={t('notices.urgent.severity')}
          width="sm"
          rules={[{ required: true }]}
          options={URGENT_SEVERITIES.map((s) => ({ value: s, label: t(`notices.severity.${s}`) }))}
        />
        <ProFormSelect
          name="category"
          label={t('notices.urgent.category')}
          width="sm"
          rules={[{ required: true }]}
          options={URGENT_CATEGORIES.map((c) => ({ value: c, label: t(`notices.category.${c}`) }))}
        />
        <ProFormDateTimePicker
          name="occurredAt"
          label={t('notices.urgent.occurredAt')}
          rules={[{ required: true }]}
          fieldProps={{ format: 'YYYY-MM-DD HH:mm', showTime: { format: 'HH:mm' } }}
        />
      </Space>
      <ProFormText
        name="place"
        label={t('notices.urgent.place')}
        rules={[{ required: true, max: 200 }]}
        fieldProps={{ 'data-testid': 'urgent-place' } as object}
      />
      <ProFormTextArea
        name="description"
        label={t('notices.urgent.description')}
        rules={[{ required: true, whitespace: true, max: 5000 }]}
        fieldProps={{ rows: 4, 'data-testid': 'urgent-description' } as object}
        placeholder={t('notices.urgent.descriptionHint')}
      />
      <ProFormTextArea
        name="measures"
        label={t('notices.urgent.measures')}
        fieldProps={{ rows: 3 }}
        rules={[{ max: 5000 }]}
      />
      <Space size={16} wrap>
        <ProFormDigit
          name="deaths"
          label={t('notices.urgent.deaths')}
          min={0}
          max={100000}
          fieldProps={{ precision: 0 }}
          width="xs"
        />
        <ProFormDigit
          name="injuries"
          label={t('notices.urgent.injuries')}
          min={0}
          max={100000}
          fieldProps={{ precision: 0 }}
          width="xs"
        />
        <ProFormDigit
          name="missing"
          label={t('notices.urgent.missing')}
          min={0}
          max={100000}
          fieldProps={{ precision: 0 }}
          width="xs"
        />
        <ProFormSwitch name="phoned" label={t('notices.urgent.phoned')} />
      </Space>
      <Typography.Text type="secondary">{t('notices.urgent.noNames')}</Typography.Text>
    </ModalForm>
  );
}

function UrgentDrawer({ id, onClose, onChanged }: { id: number | null; onClose: () => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const user = useUser();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ['urgent', id],
    queryFn: () => noticesApi.urgent(id!),
    enabled: id !== null,
    retry: false,
  });
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [followForm] = Form.useForm<{ text: string; injuries?: number; deaths?: number; missing?: number }>();
  const followKey = useRef(uuid());
  const report: UrgentReportDetail | undefined = detail.data;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['urgent', id] });
    onChanged();
  };
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={640}
      title={report ? `${report.code} · ${report.orgName}` : t('notices.urgent.detail')}
      destroyOnClose
    >
      {detail.isLoading && <Spin />}
      {detail.isError && <Typography.Text type="danger">{t('common.loadFailed')}</Typography.Text>}
      {report && (
        <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="urgent-detail">
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('notices.urgent.severity')}>
              <Tag color={SEVERITY_COLORS[report.severity]}>{t(`notices.severity.${report.severity}`)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('notices.urgent.category')}>
              {t(`notices.category.${report.category}`)}
            </Descriptions.Item>
            <Descriptions.Item label={t('notices.urgent.occurredAt')}>{dateTime(report.occurredAt)}</Descriptions.Item>
            <Descriptions.Item label={t('notices.urgent.place')}>{report.place}</Descriptions.Item>
            <Descriptions.Item label={t('notices.urgent.reportedAt')}>
              {dateTime(report.reportedAt)} {report.reportedByName}
              {report.late && (
                <Tag color="red" style={{ marginLeft: 6 }}>
                  {t('notices.urgent.late')}
                </Tag>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('notices.urgent.writtenBy')}>
              {report.phoneBy && <div>{t('notices.urgent.phoneBy', { time: dateTime(report.phoneBy) })}</div>}
              {dateTime(report.writtenBy)}
            </Descriptions.Item>
            <Descriptions.Item label={t('notices.urgent.casualties')} span={2}>
              {t('notices.urgent.casualtyCounts', {
                deaths: report.deaths,
                injuries: report.injuries,
                missing: report.missing,
              })}
            </Descriptions.Item>
            <Descriptions.Item label={t('notices.urgent.state')} span={2}>
              <UrgentState report={report} />
            </Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>{t('notices.urgent.description')}</Typography.Title>
            <div className="notice-body">{report.description}</div>
            {report.measures && (
              <>
                <Typography.Title level={5}>{t('notices.urgent.measures')}</Typography.Title>
                <div className="notice-body">{report.measures}</div>
              </>
            )}
          </div>
          {report.followups.length > 0 && (
            <div>
              <Typography.Title level={5}>{t('notices.urgent.followups')}</Typography.Title>
              <Timeline
                items={report.followups.map((f) => ({
                  children: (
                    <div>
                      <Typography.Text type="secondary">
                        {dateTime(f.createdAt)} {f.createdByName}
                      </Typography.Text>
                      <div className="urgent-followup">{f.text}</div>
                    </div>
                  ),
                }))}
              />
            </div>
          )}
          {report.acknowledgeNote && (
            <Typography.Paragraph>
              {t('notices.urgent.ackNote')}：{report.acknowledgeNote}
            </Typography.Paragraph>
          )}
          {report.canAcknowledge && (
            <Space.Compact style={{ width: '100%' }}>
              <Input
                placeholder={t('notices.urgent.ackNoteHint')}
                value={note}
                maxLength={1000}
                onChange={(e) => setNote(e.target.value)}
              />
              <Button
                type="primary"
                icon={<CheckOutlined />}
                loading={busy}
                data-testid="urgent-ack"
                onClick={async () => {
                  setBusy(true);
                  try {
                    await noticesApi.acknowledge(report.id, note.trim() || null);
                    message.success(t('notices.urgent.acknowledged'));
                    setNote('');
                    refresh();
                  } finally {
                    setBusy(false);
                  }
                }}
              >
                {t('notices.urgent.acknowledge')}
              </Button>
            </Space.Compact>
          )}
          {user.permissions.includes('report.fill') && (
            <Form
              form={followForm}
              layout="vertical"
              onFinish={async (values) => {
                setBusy(true);
                try {
                  await noticesApi.followup(report.id, values, followKey.current);
                  followKey.current = uuid();
                  followForm.resetFields();
                  refresh();
                } catch {
                  followKey.current = uuid();
                } finally {
                  setBusy(false);
                }
              }}
            >
              <Form.Item
                name="text"
                label={t('notices.urgent.followup')}
                rules={[{ required: true, whitespace: true, max: 5000 }]}
              >
                <Input.TextArea rows={3} placeholder={t('notices.urgent.followupHint')} />
              </Form.Item>
              <Space>
                <Form.Item name="deaths" label={t('notices.urgent.deaths')}>
                  <InputNumber min={0} max={100000} precision={0} />
                </Form.Item>
                <Form.Item name="injuries" label={t('notices.urgent.injuries')}>
                  <InputNumber min={0} max={100000} precision={0} />
                </Form.Item>
                <Form.Item name="missing" label={t('notices.urgent.missing')}>
                  <InputNumber min={0} max={100000} precision={0} />
                </Form.Item>
              </Space>
              <Button htmlType="submit" loading={busy}>
                {t('notices.urgent.submitFollowup')}
              </Button>
            </Form>
          )}
        </Space>
      )}
    </Drawer>
  );
}
