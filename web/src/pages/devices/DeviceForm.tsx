import {
  DrawerForm,
  ProFormDatePicker,
  ProFormDependency,
  ProFormDigit,
  ProFormSelect,
  ProFormSwitch,
  ProFormText,
} from '@ant-design/pro-components';
import { DETECTOR_ZONES, DEVICE_KINDS, MIN_RETENTION_DAYS } from '@safe-campus/domain';
import { Alert, Col, Form } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Place } from '../../api/types';
import type { DetectorZone, Device, DeviceKind, DeviceWithToken } from './deviceApi';

interface Values {
  kind: DeviceKind;
  name: string;
  placeId?: number | null;
  zone?: DetectorZone | null;
  retentionDays?: number | null;
  lastInspectedOn?: string | null;
  installedOn?: string | null;
  vendor?: string | null;
  model?: string | null;
  disabled?: boolean;
}

interface DeviceFormProps {
  schoolId: number;
  device?: Device;
  places: Place[];
  onClose: () => void;
  /** Create answers with the token (shown once); edit with the device alone. */
  onSaved: (result: DeviceWithToken | Device) => void;
}

/** Anti-ram bollards and vehicle barriers are inspected on a schedule (硬质防冲撞设施). */
const INSPECTED_KINDS: DeviceKind[] = ['bollard', 'vehicle_barrier'];

const day = (value: unknown) => (value ? dayjs(value as string).format('YYYY-MM-DD') : null);
const text = (value: string | null | undefined) => (value?.trim() ? value.trim() : null);

export function DeviceForm({ schoolId, device, places, onClose, onSaved }: DeviceFormProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const placeOptions = places.map((place) => ({
    value: place.id,
    label: `${place.name}${place.keyPart || place.kind === 'gate' || place.kind === 'key_part' ? `（${t('devices.keyPlace')}）` : ''}`,
  }));
  return (
    <DrawerForm<Values>
      form={form}
      open
      title={device ? t('devices.edit') : t('devices.create')}
      width={Math.min(560, window.innerWidth)}
      drawerProps={{ destroyOnHidden: true, onClose }}
      onOpenChange={(open) => !open && onClose()}
      grid
      initialValues={
        device
          ? {
              kind: device.kind,
              name: device.name,
              placeId: device.placeId,
              zone: device.zone,
              retentionDays: device.retentionDays,
              lastInspectedOn: device.lastInspectedOn,
              installedOn: device.installedOn,
              vendor: device.vendor,
              model: device.model,
              disabled: device.disabled,
            }
          : { kind: 'camera', retentionDays: MIN_RETENTION_DAYS, disabled: false }
      }
      onFinish={async (values) => {
        const kind = device?.kind ?? values.kind;
        const body = {
          name: values.name.trim(),
          placeId: values.placeId ?? null,
          // Only the fields of the chosen kind: the server refuses the others (device_field_invalid).
          zone: kind === 'intrusion_detector' ? (values.zone ?? null) : null,
          retentionDays: kind === 'camera' ? (values.retentionDays ?? null) : null,
          lastInspectedOn: INSPECTED_KINDS.includes(kind) ? day(values.lastInspectedOn) : null,
          installedOn: day(values.installedOn),
          vendor: text(values.vendor),
          model: text(values.model),
          disabled: Boolean(values.disabled),
        };
        const saved = device
          ? await api.patch<Device>(`/devices/${device.id}`, body)
          : await api.post<DeviceWithToken>('/devices', { ...body, orgId: schoolId, kind });
        onSaved(saved);
        return true;
      }}
    >
      <ProFormSelect
        name="kind"
        label={t('devices.kind')}
        colProps={{ xs: 24, sm: 12 }}
        disabled={Boolean(device)}
        tooltip={device ? t('devices.kindFixed') : undefined}
        options={DEVICE_KINDS.map((value) => ({ value, label: t(`devices.kinds.${value}`) }))}
        rules={[{ required: true }]}
      />
      <ProFormText
        name="name"
        label={t('devices.name')}
        colProps={{ xs: 24, sm: 12 }}
        placeholder={t('devices.namePlaceholder')}
        rules={[{ required: true, whitespace: true, max: 100 }]}
      />
      <ProFormSelect
        name="placeId"
        label={t('devices.place')}
        colProps={{ span: 24 }}
        showSearch
        allowClear
        placeholder={t('devices.placePlaceholder')}
        tooltip={t('devices.placeHint')}
        options={placeOptions}
      />
      <ProFormDependency name={['kind']}>
        {({ kind }) => {
          const current = (device?.kind ?? kind) as DeviceKind;
          if (current === 'camera')
            return (
              <>
                <ProFormDigit
                  name="retentionDays"
                  label={t('devices.retentionDays')}
                  tooltip={t('devices.retentionSeed')}
                  colProps={{ span: 24 }}
                  min={0}
                  max={3650}
                  fieldProps={{ precision: 0, addonAfter: t('devices.daysUnit') }}
                  rules={[{ required: true }]}
                />
                <ProFormDependency name={['retentionDays']}>
                  {({ retentionDays }) =>
                    typeof retentionDays === 'number' && retentionDays < MIN_RETENTION_DAYS ? (
                      <Col span={24}>
                        <Alert
                          type="warning"
                          showIcon
                          style={{ marginBottom: 16 }}
                          message={t('devices.retentionShort', { days: retentionDays })}
                          data-testid="retention-warning"
                        />
                      </Col>
                    ) : null
                  }
                </ProFormDependency>
              </>
            );
          if (current === 'intrusion_detector')
            return (
              <ProFormSelect
                name="zone"
                label={t('devices.zone')}
                colProps={{ span: 24 }}
                tooltip={t('devices.zoneSeed')}
                options={DETECTOR_ZONES.map((value) => ({ value, label: t(`devices.zones.${value}`) }))}
                rules={[{ required: true }]}
              />
            );
          if (INSPECTED_KINDS.includes(current))
            return (
              <ProFormDatePicker
                name="lastInspectedOn"
                label={t('devices.lastInspectedOn')}
                tooltip={t('devices.antiRamSeed')}
                colProps={{ span: 24 }}
                fieldProps={{ style: { width: '100%' } }}
              />
            );
          return null;
        }}
      </ProFormDependency>
      <ProFormText name="vendor" label={t('devices.vendor')} colProps={{ xs: 24, sm: 12 }} rules={[{ max: 100 }]} />
      <ProFormText name="model" label={t('devices.model')} colProps={{ xs: 24, sm: 12 }} rules={[{ max: 100 }]} />
      <ProFormDatePicker
        name="installedOn"
        label={t('devices.installedOn')}
        colProps={{ xs: 24, sm: 12 }}
        fieldProps={{ style: { width: '100%' } }}
      />
      <ProFormSwitch
        name="disabled"
        label={t('devices.disabled')}
        tooltip={t('devices.disabledHint')}
        colProps={{ xs: 24, sm: 12 }}
      />
    </DrawerForm>
  );
}
