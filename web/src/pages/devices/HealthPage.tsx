import { HEALTH_RATE_TARGET } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Empty, Result, Row, Skeleton, Space, Statistic, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { LinkButton } from '../../app/LinkButton';
import { Page } from '../../app/Page';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { type Device, type DeviceHealth, type HealthFigures, percent } from './deviceApi';
import { DeviceStatusBadge, LastSeen } from './deviceTags';
import { useDeviceEvents } from './useDeviceEvents';
import './devices.css';

type SchoolRow = DeviceHealth['schools'][number];
type Rejection = DeviceHealth['rejections'][number];

/** A rate, red below the rubric target (95 %). */
function Rate({ value, target }: { value: number | null; target: number }) {
  return <span className={value !== null && value < target ? 'devices-rate-bad' : undefined}>{percent(value)}</span>;
}

/** 设备健康: bureaus see one row per school; a school sees its faulty/offline devices and rejected messages. */
export function HealthPage() {
  const { t } = useTranslation();
  const user = useUser();
  const ownSchool = ownSchoolId(user);
  const [pickedSchool, setPickedSchool] = useState<number | null>(null);
  const orgId = ownSchool ?? pickedSchool ?? user.activeOrg.id;
  const bureauView = ownSchool === null && pickedSchool === null;

  const health = useQuery({
    queryKey: ['devices', 'health', orgId],
    queryFn: () => api.get<DeviceHealth>('/devices/health', { orgId }),
    // Events carry offline/online changes; faults and first heartbeats are picked up by this slow poll.
    refetchInterval: 60_000,
  });
  // Live: a device going offline or coming back refreshes the figures without a reload.
  useDeviceEvents(() => void health.refetch());

  const data = health.data;
  const target = data?.target ?? HEALTH_RATE_TARGET;

  const figures = (totals: HealthFigures) => (
    <Row gutter={[16, 16]} className="devices-figures">
      <Col xs={12} md={6} lg={3}>
        <Statistic title={t('devices.health.devices')} value={totals.devices} />
      </Col>
      <Col xs={12} md={6} lg={3}>
        <Statistic title={t('devices.status.online')} value={totals.online} valueStyle={{ color: '#389e0d' }} />
      </Col>
      <Col xs={12} md={6} lg={3}>
        <Statistic
          title={t('devices.status.offline')}
          value={totals.offline}
          valueStyle={totals.offline ? { color: '#d48806' } : undefined}
        />
      </Col>
      <Col xs={12} md={6} lg={3}>
        <Statistic
          title={t('devices.status.fault')}
          value={totals.fault}
          valueStyle={totals.fault ? { color: '#cf1322' } : undefined}
        />
      </Col>
      <Col xs={12} md={6} lg={3}>
        <Statistic
          title={t('devices.health.onlineRate')}
          value={percent(totals.onlineRate)}
          valueStyle={totals.onlineRate !== null && totals.onlineRate < target ? { color: '#cf1322' } : undefined}
        />
      </Col>
      <Col xs={12} md={6} lg={3}>
        <Statistic
          title={t('devices.health.intactRate')}
          value={percent(totals.intactRate)}
          valueStyle={totals.intactRate !== null && totals.intactRate < target ? { color: '#cf1322' } : undefined}
        />
      </Col>
      <Col xs={12} md={6} lg={3}>
        <Statistic
          title={t('devices.health.retention')}
          value={`${totals.camerasRetentionOk}/${totals.cameras}`}
          valueStyle={totals.camerasRetentionOk < totals.cameras ? { color: '#cf1322' } : undefined}
        />
      </Col>
      <Col xs={12} md={6} lg={3}>
        <Statistic title={t('devices.status.unknown')} value={totals.unknown} />
      </Col>
    </Row>
  );

  return (
    <Page
      title={t('devices.menu.health')}
      extra={
        ownSchool === null ? [<SchoolPicker key="school" value={pickedSchool} onChange={setPickedSchool} />] : undefined
      }
    >
      {health.isError ? (
        <Result
          status="warning"
          title={t('common.loadFailed')}
          extra={<Button onClick={() => void health.refetch()}>{t('common.retry')}</Button>}
        />
      ) : !data ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Card size="small" title={data.orgName}>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
              {t('devices.health.rubric', {
                target: Math.round(target * 100),
                limit:
                  data.offlineAfterSeconds < 120
                    ? t('devices.health.seconds', { count: data.offlineAfterSeconds })
                    : t('devices.health.minutes', { count: Math.round(data.offlineAfterSeconds / 60) }),
              })}
            </Typography.Paragraph>
            {figures(data.totals)}
          </Card>
          {bureauView && (
            <Card size="small" title={t('devices.health.bySchool')}>
              <Table<SchoolRow>
                size="small"
                rowKey="schoolId"
                dataSource={data.schools}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                scroll={{ x: 900 }}
                locale={{ emptyText: <Empty description={t('devices.health.noSchools')} /> }}
                onRow={(row) => ({ 'data-school': row.schoolCode }) as React.HTMLAttributes<HTMLElement>}
                columns={[
                  {
                    title: t('devices.school'),
                    dataIndex: 'schoolName',
                    fixed: 'left',
                    width: 200,
                    render: (_value, row) => (
                      <LinkButton onClick={() => setPickedSchool(row.schoolId)}>{row.schoolName}</LinkButton>
                    ),
                  },
                  { title: t('devices.health.devices'), dataIndex: 'devices', width: 80, align: 'right' },
                  {
                    title: t('devices.health.onlineRate'),
                    dataIndex: 'onlineRate',
                    width: 100,
                    align: 'right',
                    sorter: (a, b) => (a.onlineRate ?? 2) - (b.onlineRate ?? 2),
                    render: (value: number | null) => <Rate value={value} target={target} />,
                  },
                  {
                    title: t('devices.health.intactRate'),
                    dataIndex: 'intactRate',
                    width: 100,
                    align: 'right',
                    sorter: (a, b) => (a.intactRate ?? 2) - (b.intactRate ?? 2),
                    render: (value: number | null) => <Rate value={value} target={target} />,
                  },
                  {
                    title: t('devices.health.retention'),
                    key: 'retention',
                    width: 130,
                    align: 'right',
                    render: (_value, row) => (
                      <span className={row.camerasRetentionOk < row.cameras ? 'devices-rate-bad' : undefined}>
                        {row.camerasRetentionOk}/{row.cameras}
                      </span>
                    ),
                  },
                  { title: t('devices.status.online'), dataIndex: 'online', width: 70, align: 'right' },
                  { title: t('devices.status.offline'), dataIndex: 'offline', width: 70, align: 'right' },
                  { title: t('devices.status.fault'), dataIndex: 'fault', width: 70, align: 'right' },
                  { title: t('devices.status.unknown'), dataIndex: 'unknown', width: 80, align: 'right' },
                  { title: t('devices.status.passive'), dataIndex: 'passive', width: 90, align: 'right' },
                ]}
              />
            </Card>
          )}
          <Card size="small" title={t('devices.health.problems', { count: data.problems.length })}>
            <Table<Device>
              size="small"
              rowKey="id"
              dataSource={data.problems}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              scroll={{ x: 800 }}
              onRow={(row) => ({ 'data-device': row.code }) as React.HTMLAttributes<HTMLElement>}
              locale={{ emptyText: <Empty description={t('devices.health.noProblems')} /> }}
              columns={[
                {
                  title: t('devices.name'),
                  dataIndex: 'name',
                  render: (_value, row) => <Link to={`/devices/${row.id}`}>{row.name}</Link>,
                },
                { title: t('devices.code'), dataIndex: 'code', width: 130 },
                {
                  title: t('devices.kind'),
                  dataIndex: 'kind',
                  width: 130,
                  render: (value: string) => t(`devices.kinds.${value}`),
                },
                ...(bureauView ? [{ title: t('devices.school'), dataIndex: 'schoolName', ellipsis: true }] : []),
                {
                  title: t('devices.place'),
                  dataIndex: 'placeName',
                  render: (value: string | null, row) =>
                    value ? (
                      <Space size={4}>
                        {value}
                        {row.placeKey && <Tag color="red">{t('devices.keyPlace')}</Tag>}
                      </Space>
                    ) : (
                      '—'
                    ),
                },
                {
                  title: t('devices.statusLabel'),
                  dataIndex: 'status',
                  width: 100,
                  render: (_value, row) => <DeviceStatusBadge device={row} />,
                },
                {
                  title: t('devices.lastSeenAt'),
                  dataIndex: 'lastSeenAt',
                  width: 120,
                  render: (value: string | null) => <LastSeen at={value} />,
                },
              ]}
            />
          </Card>
          <Card size="small" title={t('devices.health.rejections')}>
            <Table<Rejection>
              size="small"
              rowKey={(row) => `${row.reason}-${row.schoolCode}-${row.deviceCode}`}
              dataSource={data.rejections}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              scroll={{ x: 600 }}
              locale={{ emptyText: <Empty description={t('devices.health.noRejections')} /> }}
              columns={[
                {
                  title: t('devices.health.reason'),
                  dataIndex: 'reason',
                  render: (value: string) => t(`devices.rejections.${value}`, { defaultValue: value }),
                },
                { title: t('devices.schoolCode'), dataIndex: 'schoolCode' },
                { title: t('devices.code'), dataIndex: 'deviceCode' },
                { title: t('devices.health.count'), dataIndex: 'count', align: 'right', width: 90 },
                {
                  title: t('devices.health.lastAt'),
                  dataIndex: 'lastAt',
                  width: 150,
                  render: (value: string) => dayjs(value).format('YYYY-MM-DD HH:mm'),
                },
              ]}
            />
          </Card>
        </Space>
      )}
    </Page>
  );
}
