import { Badge, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Device, DeviceStatus } from './deviceApi';

const STATUS_BADGE: Record<DeviceStatus, 'success' | 'default' | 'error' | 'warning' | 'processing'> = {
  online: 'success',
  offline: 'warning',
  fault: 'error',
  unknown: 'default',
  passive: 'processing',
};

/** 在线 / 离线 / 故障 / 未上线 / 无源设施, with since-when in the tooltip. */
export function DeviceStatusBadge({
  device,
}: {
  device: Pick<Device, 'status' | 'offlineSince' | 'faultSince' | 'faultDetail' | 'disabled'>;
}) {
  const { t } = useTranslation();
  if (device.disabled) return <Badge status="default" text={t('devices.disabledTag')} />;
  const since =
    device.status === 'fault' ? device.faultSince : device.status === 'offline' ? device.offlineSince : null;
  const tip = [since ? t('devices.since', { time: dayjs(since).format('MM-DD HH:mm') }) : null, device.faultDetail]
    .filter(Boolean)
    .join(' · ');
  const badge = (
    <Badge
      status={STATUS_BADGE[device.status]}
      text={t(`devices.status.${device.status}`)}
      data-status={device.status}
    />
  );
  return tip ? <Tooltip title={tip}>{badge}</Tooltip> : badge;
}

/** "3 分钟前" plus the exact time on hover; "从未" when never heard from. */
export function LastSeen({ at }: { at: string | null }) {
  const { t } = useTranslation();
  if (!at) return <span className="devices-muted">{t('devices.never')}</span>;
  return <Tooltip title={dayjs(at).format('YYYY-MM-DD HH:mm:ss')}>{dayjs(at).format('MM-DD HH:mm')}</Tooltip>;
}
