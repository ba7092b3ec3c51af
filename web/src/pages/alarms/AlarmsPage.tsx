import { PlusOutlined } from '@ant-design/icons';
import {
  type ActionType,
  ModalForm,
  type ProColumns,
  ProFormSelect,
  ProFormText,
  ProFormTextArea,
  ProTable,
} from '@ant-design/pro-components';
import { ALARM_KINDS, ALARM_SOURCES, ALARM_STATES, type AlarmSummary } from '@safe-campus/domain';
import { Alert, App, Button, Empty, Tag } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type Query } from '../../api/client';
import { cursorRequest } from '../../app/cursorTable';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { AlarmDetailDrawer } from './AlarmDetailDrawer';
import { alarmApi, clock, secondsSince } from './alarmApi';
import { AlarmKindTag, AlarmStateTag } from './alarmTags';
import { useAlarmStream } from './useAlarmStream';

function toQuery(filters: Record<string, unknown>): Query {
  const range = filters.raisedAt as [unknown, unknown] | undefined;
  const org = filters.org as PickedOrg | null | undefined;
  const text = (key: string) => (filters[key] as string | undefined) || undefined;
  return {
    orgId: org?.id,
    state: text('state'),
    kind: text('kind'),
    source: text('source'),
    escalated: text('escalated'),
    falseAlarm: text('falseAlarm'),
    from: range?.[0] ? dayjs(range[0] as string).format('YYYY-MM-DD') : undefined,
    to: range?.[1] ? dayjs(range[1] as string).format('YYYY-MM-DD') : undefined,
  };
}

/** 警情记录: every alarm of the caller's scope, filtered, with the detail drawer and 接警登记. */
export function AlarmsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const user = useUser();
  const { message } = App.useApp();
  const action = useRef<ActionType>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const request = useMemo(() => cursorRequest<AlarmSummary>('/alarms', toQuery), []);
  const schoolId = ownSchoolId(user);

  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reload = () => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => action.current?.reload(), 300);
  };
  useAlarmStream(reload, reload);

  const enumOf = (values: readonly string[], prefix: string) =>
    Object.fromEntries(values.map((value) => [value, { text: t(`${prefix}.${value}`) }]));
  const yesNo = { true: { text: t('common.yes') }, false: { text: t('common.no') } };
  const time = (value: string | null) => (value ? dayjs(value).format('MM-DD HH:mm:ss') : '—');

  const columns: ProColumns<AlarmSummary>[] = [
    {
      title: t('alarms.fields.school'),
      dataIndex: 'org',
      hideInTable: true,
      hideInSearch: schoolId !== null,
      renderFormItem: () => <OrgPicker placeholder={t('alarms.orgHint')} />,
    },
    {
      title: t('alarms.fields.code'),
      dataIndex: 'code',
      search: false,
      width: 170,
      render: (_dom, row) => (
        <Button
          type="link"
          size="small"
          data-testid="alarm-link"
          onClick={() => setOpenId(row.id)}
          style={{ padding: 0 }}
        >
          {row.code}
        </Button>
      ),
    },
    {
      title: t('alarms.fields.kind'),
      dataIndex: 'kind',
      valueType: 'select',
      valueEnum: enumOf(ALARM_KINDS, 'alarms.kinds'),
      width: 110,
      render: (_dom, row) => <AlarmKindTag kind={row.kind} />,
    },
    { title: t('alarms.fields.title'), dataIndex: 'title', search: false, ellipsis: true, width: 220 },
    {
      title: t('alarms.fields.state'),
      dataIndex: 'state',
      valueType: 'select',
      valueEnum: enumOf(ALARM_STATES, 'alarms.states'),
      width: 100,
      render: (_dom, row) => (
        <>
          <AlarmStateTag state={row.state} />
          {row.escalatedAt && <Tag color="red">{t('alarms.escalated')}</Tag>}
        </>
      ),
    },
    {
      title: t('alarms.fields.source'),
      dataIndex: 'source',
      valueType: 'select',
      valueEnum: enumOf(ALARM_SOURCES, 'alarms.sources'),
      width: 100,
      render: (_dom, row) => t(`alarms.sources.${row.source}`),
    },
    { title: t('alarms.fields.school'), dataIndex: 'schoolName', search: false, width: 160, ellipsis: true },
    {
      title: t('alarms.fields.location'),
      dataIndex: 'placeName',
      search: false,
      width: 160,
      ellipsis: true,
      render: (_dom, row) => row.placeName ?? row.locationText ?? row.deviceName ?? '—',
    },
    {
      title: t('alarms.fields.raisedAt'),
      dataIndex: 'raisedAt',
      valueType: 'dateRange',
      width: 130,
      render: (_dom, row) => time(row.raisedAt),
    },
    {
      title: t('alarms.sla.acknowledge'),
      dataIndex: 'acknowledgedAt',
      search: false,
      width: 100,
      render: (_dom, row) => {
        const answered = row.acknowledgedAt ?? row.dispatchedAt ?? row.resolvedAt;
        return answered ? clock(secondsSince(row.raisedAt, new Date(answered).getTime())) : '—';
      },
    },
    { title: t('alarms.fields.assignee'), dataIndex: 'dispatchedToName', search: false, width: 110, ellipsis: true },
    { title: t('alarms.escalated'), dataIndex: 'escalated', valueType: 'select', valueEnum: yesNo, hideInTable: true },
    {
      title: t('alarms.fields.falseAlarm'),
      dataIndex: 'falseAlarm',
      valueType: 'select',
      valueEnum: yesNo,
      width: 80,
      render: (_dom, row) => (row.falseAlarm === null ? '—' : row.falseAlarm ? t('common.yes') : t('common.no')),
    },
  ];

  return (
    <Page title={t('alarms.historyTitle')}>
      {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} />}
      <ProTable<AlarmSummary>
        rowKey="id"
        actionRef={action}
        columns={columns}
        request={async (params) => {
          try {
            const result = await request(params);
            setFailure(null);
            return result;
          } catch (cause) {
            setFailure(cause instanceof ApiError ? cause.message : String(cause));
            return { data: [], success: false, total: 0 };
          }
        }}
        onRow={(row) => ({ onClick: () => setOpenId(row.id), style: { cursor: 'pointer' } })}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        search={{ labelWidth: 'auto', defaultCollapsed: true }}
        scroll={{ x: 1300 }}
        headerTitle={t('alarms.historyTitle')}
        locale={{ emptyText: <Empty description={t('alarms.empty')} /> }}
        toolBarRender={() => [
          can('alarm.handle') && schoolId !== null && (
            <ModalForm
              key="manual"
              title={t('alarms.manualTitle')}
              trigger={
                <Button type="primary" icon={<PlusOutlined />} data-testid="alarm-manual">
                  {t('alarms.manual')}
                </Button>
              }
              modalProps={{ destroyOnHidden: true }}
              onFinish={async (values: Record<string, unknown>) => {
                try {
                  const created = await alarmApi.create({ ...values, orgId: schoolId });
                  message.success(t('alarms.created', { code: created.code }));
                  action.current?.reload();
                  return true;
                } catch {
                  return false;
                }
              }}
            >
              <ProFormSelect
                name="kind"
                label={t('alarms.fields.kind')}
                rules={[{ required: true }]}
                options={ALARM_KINDS.filter((kind) => kind !== 'help_request').map((kind) => ({
                  value: kind,
                  label: t(`alarms.kinds.${kind}`),
                }))}
              />
              <ProFormText
                name="title"
                label={t('alarms.fields.title')}
                rules={[{ required: true, whitespace: true, max: 100 }]}
                placeholder={t('alarms.manualTitleHint')}
              />
              <ProFormText name="locationText" label={t('alarms.fields.location')} fieldProps={{ maxLength: 200 }} />
              <ProFormTextArea
                name="description"
                label={t('alarms.fields.description')}
                fieldProps={{ maxLength: 2000 }}
              />
            </ModalForm>
          ),
        ]}
      />
      <AlarmDetailDrawer id={openId} onClose={() => setOpenId(null)} />
    </Page>
  );
}
