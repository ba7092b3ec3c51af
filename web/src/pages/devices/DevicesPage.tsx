import { PlusOutlined } from '@ant-design/icons';
import { type ActionType, type ProColumns, ProTable } from '@ant-design/pro-components';
import { DEVICE_KINDS, DEVICE_STATUSES, isOnlineKind, MIN_RETENTION_DAYS } from '@safe-campus/domain';
import { App, Button, Popconfirm, Space, Tag, Typography } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api } from '../../api/client';
import { cursorRequest } from '../../app/cursorTable';
import { LinkButton } from '../../app/LinkButton';
import { Page } from '../../app/Page';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useSession, useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { DeviceForm } from './DeviceForm';
import { DeviceImport } from './DeviceImport';
import type { Device, DeviceWithToken } from './deviceApi';
import { DeviceStatusBadge, LastSeen } from './deviceTags';
import { TokenModal } from './TokenModal';
import { useDeviceEvents } from './useDeviceEvents';
import { useSchoolPlaces } from './useSchoolPlaces';
import './devices.css';

/** 技防设备 registry: a school's devices (bureaus: their whole subtree, or one school picked). */
export function DevicesPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const ownSchool = ownSchoolId(user);
  // Bureaus start on their whole subtree and may narrow it to one school.
  const [pickedSchool, setPickedSchool] = useState<number | null>(null);
  const schoolId = ownSchool ?? pickedSchool;
  const orgId = schoolId ?? user.activeOrg.id;
  const canManage = can('device.manage') && schoolId !== null;
  const [editing, setEditing] = useState<{ device?: Device } | null>(null);
  const [shown, setShown] = useState<DeviceWithToken | null>(null);
  const action = useRef<ActionType>(null);
  const places = useSchoolPlaces(schoolId);

  useDeviceEvents(() => action.current?.reload());

  const request = useMemo(
    () =>
      cursorRequest<Device>('/devices', (filters) => ({
        orgId,
        kind: filters.kind as string | undefined,
        status: filters.status as string | undefined,
        placeId: filters.placeName as string | undefined,
        keyword: filters.keyword as string | undefined,
      })),
    [orgId],
  );

  const remove = async (device: Device) => {
    try {
      await api.delete(`/devices/${device.id}`, { quiet: true });
      message.success(t('common.deleted'));
      action.current?.reload();
    } catch (cause) {
      if (cause instanceof ApiError && cause.code === 'device_in_use') {
        // Alarms refer to the device: the record stays, the device is switched off instead (停用).
        modal.confirm({
          title: t('devices.inUseTitle'),
          content: cause.message,
          okText: t('devices.disableInstead'),
          onOk: async () => {
            await api.patch(`/devices/${device.id}`, { disabled: true });
            message.success(t('devices.disabledDone'));
            action.current?.reload();
          },
        });
      } else {
        message.error(cause instanceof ApiError ? cause.message : String(cause));
      }
    }
  };

  const rotate = async (device: Device) => {
    const result = await api.post<DeviceWithToken>(`/devices/${device.id}/rotate-token`);
    setShown(result);
    action.current?.reload();
  };

  const kindEnum = Object.fromEntries(DEVICE_KINDS.map((kind) => [kind, { text: t(`devices.kinds.${kind}`) }]));
  const statusEnum = Object.fromEntries(
    DEVICE_STATUSES.map((status) => [status, { text: t(`devices.status.${status}`) }]),
  );
  const placeEnum = Object.fromEntries((places.data ?? []).map((place) => [place.id, { text: place.name }]));

  const columns: ProColumns<Device>[] = [
    {
      title: t('common.keyword'),
      dataIndex: 'keyword',
      hideInTable: true,
      fieldProps: { placeholder: t('devices.keywordHint') },
    },
    {
      title: t('devices.name'),
      dataIndex: 'name',
      search: false,
      ellipsis: true,
      width: 180,
      render: (_dom, row) => (
        <Space size={4}>
          <Link to={`/devices/${row.id}`}>{row.name}</Link>
          {row.disabled && <Tag>{t('devices.disabledTag')}</Tag>}
        </Space>
      ),
    },
    { title: t('devices.code'), dataIndex: 'code', search: false, width: 135, copyable: true },
    { title: t('devices.kind'), dataIndex: 'kind', valueType: 'select', valueEnum: kindEnum, width: 115 },
    {
      title: t('devices.school'),
      dataIndex: 'schoolName',
      search: false,
      ellipsis: true,
      hideInTable: schoolId !== null,
    },
    {
      title: t('devices.place'),
      dataIndex: 'placeName',
      valueType: 'select',
      valueEnum: placeEnum,
      // The place filter needs one school's places.
      search: schoolId === null ? false : undefined,
      fieldProps: { showSearch: true },
      width: 180,
      ellipsis: true,
      render: (_dom, row) =>
        row.placeName ? (
          <Space size={4}>
            {row.placeName}
            {row.placeKey && <Tag color="red">{t('devices.keyPlace')}</Tag>}
          </Space>
        ) : (
          <span className="devices-muted">{t('devices.unplaced')}</span>
        ),
    },
    {
      title: t('devices.detailColumn'),
      dataIndex: 'zone',
      search: false,
      width: 125,
      render: (_dom, row) => {
        if (row.kind === 'camera' && row.retentionDays !== null) {
          const short = row.retentionDays < MIN_RETENTION_DAYS;
          return (
            <Typography.Text type={short ? 'danger' : undefined}>
              {t('devices.retentionShortLabel', { days: row.retentionDays })}
            </Typography.Text>
          );
        }
        if (row.zone) return t(`devices.zones.${row.zone}`);
        if (row.lastInspectedOn) return t('devices.inspectedLabel', { date: row.lastInspectedOn });
        return '—';
      },
    },
    {
      title: t('devices.statusLabel'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: statusEnum,
      width: 95,
      render: (_dom, row) => <DeviceStatusBadge device={row} />,
    },
    {
      title: t('devices.lastSeenAt'),
      dataIndex: 'lastSeenAt',
      search: false,
      width: 110,
      render: (_dom, row) => (isOnlineKind(row.kind) ? <LastSeen at={row.lastSeenAt} /> : '—'),
    },
    {
      title: t('common.actions'),
      valueType: 'option',
      width: 180,
      fixed: 'right',
      hideInTable: !canManage,
      render: (_dom, row) => [
        <LinkButton key="edit" onClick={() => setEditing({ device: row })}>
          {t('common.edit')}
        </LinkButton>,
        row.hasToken && (
          <Popconfirm
            key="rotate"
            title={t('devices.rotateConfirm')}
            description={t('devices.rotateHint')}
            onConfirm={() => rotate(row)}
          >
            <LinkButton>{t('devices.rotate')}</LinkButton>
          </Popconfirm>
        ),
        <Popconfirm key="delete" title={t('devices.deleteConfirm', { name: row.name })} onConfirm={() => remove(row)}>
          <LinkButton danger>{t('common.delete')}</LinkButton>
        </Popconfirm>,
      ],
    },
  ];

  return (
    <Page
      title={t('devices.menu.registry')}
      extra={
        ownSchool === null ? [<SchoolPicker key="school" value={pickedSchool} onChange={setPickedSchool} />] : undefined
      }
    >
      <ProTable<Device>
        key={orgId}
        rowKey="id"
        actionRef={action}
        columns={columns}
        request={request}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        search={{ labelWidth: 'auto' }}
        options={{ density: true, setting: true, reload: true }}
        columnsState={{ persistenceKey: 'sc.devices.columns', persistenceType: 'localStorage' }}
        scroll={{ x: 1120 }}
        headerTitle={schoolId === null ? t('devices.subtreeTitle', { name: user.activeOrg.name }) : t('devices.list')}
        locale={{ emptyText: t('devices.empty') }}
        toolBarRender={() => [
          <DeviceImport
            key="import"
            query={{ orgId }}
            canImport={canManage}
            onImported={() => action.current?.reload()}
          />,
          canManage && (
            <Button
              key="create"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setEditing({})}
              data-testid="device-create"
            >
              {t('devices.create')}
            </Button>
          ),
        ]}
      />
      {editing && schoolId !== null && (
        <DeviceForm
          schoolId={schoolId}
          device={editing.device}
          places={places.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            message.success(t('common.saved'));
            if ('token' in saved) setShown(saved);
            action.current?.reload();
          }}
        />
      )}
      {shown && <TokenModal result={shown} onClose={() => setShown(null)} />}
    </Page>
  );
}
