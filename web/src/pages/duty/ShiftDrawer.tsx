import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  DatePicker,
  Descriptions,
  Divider,
  Drawer,
  Form,
  Input,
  Popconfirm,
  Radio,
  Select,
  Space,
  Tag,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useUser } from '../../app/session';
import { type DutyShift, dutyApi, span } from './dutyApi';

interface ShiftForm {
  range: [Dayjs, Dayjs];
  kind: 'regular' | 'holiday';
  holidayName?: string;
  phone?: string;
  note?: string;
  leaders?: number[];
  officers?: number[];
  guards?: number[];
}

/** Creates, edits or shows one shift; the person on it asks for a swap or writes the handover here. */
export function ShiftDrawer({
  orgId,
  shift,
  draftDay,
  canManage,
  nextShift,
  open,
  onClose,
  onChanged,
}: {
  orgId: number;
  shift: DutyShift | null;
  draftDay: Dayjs | null;
  canManage: boolean;
  /** The shift that follows (for the handover recipient). */
  nextShift: DutyShift | null;
  open: boolean;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const user = useUser();
  const [form] = Form.useForm<ShiftForm>();
  const [swapForm] = Form.useForm<{ toUserId: number; reason?: string }>();
  const [handoverForm] = Form.useForm<{ summary: string; openIssues?: string; handedTo?: number }>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const people = useQuery({
    queryKey: ['duty', 'people', orgId],
    queryFn: () => dutyApi.people(orgId),
    enabled: open,
  });
  const now = Date.now();
  const ended = shift ? new Date(shift.endsAt).getTime() <= now : false;
  const started = shift ? new Date(shift.startsAt).getTime() <= now : false;
  const editable = canManage && !ended;
  const mine = shift?.people.some((p) => p.userId === user.id) ?? false;
  const handoverOpen =
    shift !== null &&
    mine &&
    !shift.handedOver &&
    now >= new Date(shift.endsAt).getTime() - 3600_000 &&
    now <= new Date(shift.endsAt).getTime() + 24 * 3600_000;

  useEffect(() => {
    if (!open) return;
    setError(null);
    swapForm.resetFields();
    handoverForm.resetFields();
    if (shift) {
      const of = (role: string) => shift.people.filter((p) => p.role === role).map((p) => p.userId);
      form.setFieldsValue({
        range: [dayjs(shift.startsAt), dayjs(shift.endsAt)],
        kind: shift.kind,
        holidayName: shift.holidayName ?? undefined,
        phone: shift.phone ?? undefined,
        note: shift.note ?? undefined,
        leaders: of('leader'),
        officers: of('officer'),
        guards: of('guard'),
      });
    } else {
      const day = (draftDay ?? dayjs()).startOf('day');
      form.resetFields();
      form.setFieldsValue({ range: [day.hour(8), day.hour(20)], kind: 'regular' });
    }
  }, [open, shift, draftDay, form, swapForm, handoverForm]);

  const options = (people.data?.items ?? []).map((p) => ({
    value: p.userId,
    label: `${p.name}（${p.roles.map((role) => t(`roles.${role}`)).join('、')}）`,
  }));

  async function save() {
    const values = await form.validateFields();
    const list = [
      ...(values.leaders ?? []).map((userId) => ({ userId, role: 'leader' })),
      ...(values.officers ?? []).map((userId) => ({ userId, role: 'officer' })),
      ...(values.guards ?? []).map((userId) => ({ userId, role: 'guard' })),
    ];
    const body: Record<string, unknown> = {
      startsAt: values.range[0].toISOString(),
      endsAt: values.range[1].toISOString(),
      kind: values.kind,
      holidayName: values.kind === 'holiday' ? values.holidayName || null : null,
      phone: values.phone || null,
      note: values.note || null,
      people: list,
    };
    if (shift && started) delete body.startsAt;
    setSaving(true);
    setError(null);
    try {
      if (shift) await dutyApi.update(shift.id, body);
      else await dutyApi.create({ ...body, orgId });
      message.success(t('common.saved'));
      onChanged();
      onClose();
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
    } finally {
      setSaving(false);
    }
  }

  async function run(action: () => Promise<unknown>, done: string) {
    setError(null);
    try {
      await action();
      message.success(done);
      onChanged();
      onClose();
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
    }
  }

  const title = shift
    ? `${dayjs(shift.startsAt).format('YYYY-MM-DD')} ${span(shift, t('duty.nextDay'))}`
    : t('duty.newShift');

  return (
    <Drawer
      title={title}
      open={open}
      onClose={onClose}
      // On a phone the drawer takes the whole width.
      width="min(520px, 100vw)"
      destroyOnHidden
      extra={
        editable && (
          <Space>
            {shift && !started && (
              <Popconfirm
                title={t('duty.deleteConfirm')}
                onConfirm={() => run(() => dutyApi.remove(shift.id), t('common.deleted'))}
              >
                <Button danger>{t('common.delete')}</Button>
              </Popconfirm>
            )}
            <Button type="primary" loading={saving} onClick={save} data-testid="duty-save">
              {t('duty.save')}
            </Button>
          </Space>
        )
      }
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="duty-error" />}
      {editable ? (
        <Form form={form} layout="vertical" requiredMark>
          <Form.Item name="range" label={t('duty.fields.time')} rules={[{ required: true }]}>
            <DatePicker.RangePicker
              showTime={{ format: 'HH:mm', minuteStep: 15 }}
              format="YYYY-MM-DD HH:mm"
              style={{ width: '100%' }}
              disabled={[started, false]}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('duty.fields.kind')}>
            <Radio.Group
              options={[
                { value: 'regular', label: t('duty.kinds.regular') },
                { value: 'holiday', label: t('duty.kinds.holiday') },
              ]}
            />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a, b) => a.kind !== b.kind}>
            {({ getFieldValue }) =>
              getFieldValue('kind') === 'holiday' && (
                <Form.Item
                  name="holidayName"
                  label={t('duty.fields.holidayName')}
                  rules={[{ required: true }]}
                  extra={t('duty.holidayLeaderHint')}
                >
                  <Input maxLength={50} placeholder="元旦" />
                </Form.Item>
              )
            }
          </Form.Item>
          <Form.Item
            name="leaders"
            label={t('duty.roles.leader')}
            dependencies={['kind']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_rule, value?: number[]) =>
                  getFieldValue('kind') === 'holiday' && !value?.length
                    ? Promise.reject(new Error(t('duty.leaderRequired')))
                    : Promise.resolve(),
              }),
            ]}
          >
            <Select
              mode="multiple"
              options={options}
              loading={people.isLoading}
              optionFilterProp="label"
              data-testid="duty-leaders"
            />
          </Form.Item>
          <Form.Item name="officers" label={t('duty.roles.officer')}>
            <Select mode="multiple" options={options} optionFilterProp="label" data-testid="duty-officers" />
          </Form.Item>
          <Form.Item name="guards" label={t('duty.roles.guard')}>
            <Select mode="multiple" options={options} optionFilterProp="label" />
          </Form.Item>
          <Form.Item name="phone" label={t('duty.fields.phone')}>
            <Input maxLength={20} placeholder="025-12345678" />
          </Form.Item>
          <Form.Item name="note" label={t('duty.fields.note')}>
            <Input.TextArea maxLength={500} rows={2} />
          </Form.Item>
        </Form>
      ) : (
        shift && (
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('duty.fields.unit')}>{shift.orgName}</Descriptions.Item>
            <Descriptions.Item label={t('duty.fields.kind')}>
              {shift.kind === 'holiday' ? <Tag color="volcano">{shift.holidayName}</Tag> : t('duty.kinds.regular')}
            </Descriptions.Item>
            {(['leader', 'officer', 'guard'] as const).map((role) => (
              <Descriptions.Item key={role} label={t(`duty.roles.${role}`)}>
                {shift.people
                  .filter((p) => p.role === role)
                  .map((p) => p.name)
                  .join('、') || '—'}
              </Descriptions.Item>
            ))}
            <Descriptions.Item label={t('duty.fields.phone')}>{shift.phone ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('duty.fields.note')}>{shift.note ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('duty.handover')}>
              {shift.handedOver ? t('duty.handedOver') : t('duty.notHandedOver')}
            </Descriptions.Item>
          </Descriptions>
        )
      )}

      {shift && mine && !started && (
        <>
          <Divider>{t('duty.swapTitle')}</Divider>
          <Form
            form={swapForm}
            layout="vertical"
            onFinish={(values) =>
              run(() => dutyApi.requestSwap({ shiftId: shift.id, ...values }), t('duty.swapRequested'))
            }
          >
            <Form.Item name="toUserId" label={t('duty.swapTo')} rules={[{ required: true }]}>
              <Select
                options={options.filter((o) => !shift.people.some((p) => p.userId === o.value))}
                showSearch
                optionFilterProp="label"
              />
            </Form.Item>
            <Form.Item name="reason" label={t('duty.swapReason')}>
              <Input.TextArea maxLength={500} rows={2} />
            </Form.Item>
            <Button htmlType="submit">{t('duty.swapSubmit')}</Button>
          </Form>
        </>
      )}

      {handoverOpen && shift && (
        <>
          <Divider>{t('duty.handoverTitle')}</Divider>
          <Form
            form={handoverForm}
            layout="vertical"
            onFinish={(values) => run(() => dutyApi.handover(shift.id, values), t('duty.handoverDone'))}
          >
            <Form.Item name="summary" label={t('duty.handoverSummary')} rules={[{ required: true, whitespace: true }]}>
              <Input.TextArea maxLength={5000} rows={4} placeholder={t('duty.handoverSummaryHint')} />
            </Form.Item>
            <Form.Item name="openIssues" label={t('duty.handoverIssues')}>
              <Input.TextArea maxLength={5000} rows={2} />
            </Form.Item>
            <Form.Item name="handedTo" label={t('duty.handedTo')} extra={t('duty.handedToHint')}>
              <Select
                allowClear
                options={(nextShift?.people ?? []).map((p) => ({ value: p.userId, label: p.name }))}
                notFoundContent={t('duty.noNextShift')}
              />
            </Form.Item>
            <Alert type="info" showIcon message={t('duty.handoverFrozen')} style={{ marginBottom: 12 }} />
            <Button type="primary" htmlType="submit" data-testid="duty-handover-submit">
              {t('duty.handoverSubmit')}
            </Button>
          </Form>
        </>
      )}
    </Drawer>
  );
}
