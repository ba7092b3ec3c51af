import { isOnlineKind } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Result, Skeleton, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import { Page } from '../../app/Page';
import type { Device } from './deviceApi';
import { DeviceStatusBadge, LastSeen } from './deviceTags';
import { useDeviceEvents } from './useDeviceEvents';
import './devices.css';

const time = (value: string | null) => (value ? dayjs(value).format('YYYY-MM-DD HH:mm') : '—');

/** One device (the link of the 重点设备离线 notification); the token is never shown here, only its last characters. */
export function DeviceDetailPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const device = useQuery({
    queryKey: ['devices', 'one', id],
    enabled: Number.isInteger(id) && id > 0,
    queryFn: () => api.get<Device>(`/devices/${id}`, undefined, { quiet: true }),
    retry: false,
  });
  useDeviceEvents((event) => {
    if (!event || event.deviceId === id) void device.refetch();
  });
  const data = device.data;
  return (
    <Page
      title={data?.name ?? t('devices.detail')}
      extra={[
        <Link key="back" to="/devices">
          {t('devices.backToList')}
        </Link>,
      ]}
    >
      {device.isError ? (
        <Result
          status={device.error instanceof ApiError && device.error.status === 404 ? '404' : 'warning'}
          title={device.error instanceof ApiError ? device.error.message : t('common.loadFailed')}
          extra={<Button onClick={() => void device.refetch()}>{t('common.retry')}</Button>}
        />
      ) : !data ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : (
        <Card>
          <Descriptions column={{ xs: 1, md: 2 }} bordered size="small">
            <Descriptions.Item label={t('devices.code')}>
              <Typography.Text copyable>{data.code}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('devices.kind')}>{t(`devices.kinds.${data.kind}`)}</Descriptions.Item>
            <Descriptions.Item label={t('devices.school')}>
              {data.schoolName}（{data.schoolCode}）
            </Descriptions.Item>
            <Descriptions.Item label={t('devices.place')}>{data.placeName ?? t('devices.unplaced')}</Descriptions.Item>
            <Descriptions.Item label={t('devices.statusLabel')}>
              <DeviceStatusBadge device={data} />
            </Descriptions.Item>
            <Descriptions.Item label={t('devices.lastSeenAt')}>
              {isOnlineKind(data.kind) ? <LastSeen at={data.lastSeenAt} /> : '—'}
            </Descriptions.Item>
            {data.kind === 'camera' && (
              <Descriptions.Item label={t('devices.retentionDays')}>
                <Typography.Text type={(data.retentionDays ?? 0) < 30 ? 'danger' : undefined}>
                  {data.retentionDays ?? '—'}
                </Typography.Text>
              </Descriptions.Item>
            )}
            {data.zone && (
              <Descriptions.Item label={t('devices.zone')}>{t(`devices.zones.${data.zone}`)}</Descriptions.Item>
            )}
            {(data.kind === 'bollard' || data.kind === 'vehicle_barrier') && (
              <Descriptions.Item label={t('devices.lastInspectedOn')}>{data.lastInspectedOn ?? '—'}</Descriptions.Item>
            )}
            <Descriptions.Item label={t('devices.token.token')}>
              {data.hasToken ? t('devices.tokenHint', { hint: data.tokenHint ?? '' }) : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('devices.vendor')}>{data.vendor ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('devices.model')}>{data.model ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('devices.installedOn')}>{data.installedOn ?? '—'}</Descriptions.Item>
            {data.faultDetail && (
              <Descriptions.Item label={t('devices.faultDetail')}>{data.faultDetail}</Descriptions.Item>
            )}
            <Descriptions.Item label={t('common.updatedAt')}>{time(data.updatedAt)}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
    </Page>
  );
}
