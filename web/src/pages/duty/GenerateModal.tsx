import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tag,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { DAY, dutyApi, type GenerateShiftsResult, NEXT_HOLIDAY, span } from './dutyApi';

const PATTERNS: Record<string, { start: string; end: string }[]> = {
  dayNight: [
    { start: '08:00', end: '20:00' },
    { start: '20:00', end: '08:00' },
  ],
  fullDay: [{ start: '08:00', end: '08:00' }],
  threeShifts: [
    { start: '08:00', end: '16:00' },
    { start: '16:00', end: '00:00' },
    { start: '00:00', end: '08:00' },
  ],
};

interface GenerateForm {
  range: [Dayjs, Dayjs];
  holidayName: string;
  pattern: keyof typeof PATTERNS;
  leaders: number[];
  people: number[];
  peoplePerShift: number;
  phone?: string;
}

/**
 * 假期值班表 generator: a period, a daily pattern and a rota; 预览 shows every shift before anything is
 * written, 确认生成 writes the whole table or nothing.
 */
export function GenerateModal({
  orgId,
  open,
  onClose,
  onDone,
}: {
  orgId: number;
  open: boolean;
  onClose: () => void;
  onDone: (from: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<GenerateForm>();
  const [preview, setPreview] = useState<GenerateShiftsResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const people = useQuery({ queryKey: ['duty', 'people', orgId], queryFn: () => dutyApi.people(orgId), enabled: open });
  const options = (people.data?.items ?? []).map((p) => ({
    value: p.userId,
    label: `${p.name}（${p.roles.map((role) => t(`roles.${role}`)).join('、')}）`,
  }));

  useEffect(() => {
    if (!open) return;
    setPreview(null);
    setError(null);
    form.setFieldsValue({
      range: [dayjs(NEXT_HOLIDAY.from), dayjs(NEXT_HOLIDAY.to)],
      holidayName: NEXT_HOLIDAY.name,
      pattern: 'dayNight',
      peoplePerShift: 1,
    });
  }, [open, form]);

  async function submit(dryRun: boolean) {
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const result = await dutyApi.generate({
        orgId,
        from: values.range[0].format(DAY),
        to: values.range[1].format(DAY),
        pattern: PATTERNS[values.pattern],
        leaders: values.leaders,
        people: values.people,
        peoplePerShift: values.peoplePerShift,
        holidayName: values.holidayName,
        phone: values.phone || null,
        kind: 'holiday',
        dryRun,
      });
      if (dryRun) setPreview(result);
      else {
        message.success(t('duty.generated', { count: result.created }));
        onDone(values.range[0].format(DAY));
        onClose();
      }
    } catch (cause) {
      setPreview(null);
      setError(cause instanceof ApiError ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('duty.generateTitle')}
      open={open}
      onCancel={onClose}
      width={760}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={onClose}>{t('common.close')}</Button>
          <Button onClick={() => submit(true)} loading={busy} data-testid="duty-preview">
            {t('duty.preview')}
          </Button>
          <Button
            type="primary"
            disabled={!preview}
            loading={busy}
            onClick={() => submit(false)}
            data-testid="duty-generate-confirm"
          >
            {t('duty.generateConfirm', { count: preview?.shifts.length ?? 0 })}
          </Button>
        </Space>
      }
    >
      <Alert type="info" showIcon message={t('duty.generateHint')} style={{ marginBottom: 16 }} />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="duty-error" />}
      <Form form={form} layout="vertical" onValuesChange={() => setPreview(null)}>
        <Space wrap align="start" size={16}>
          <Form.Item name="range" label={t('duty.fields.period')} rules={[{ required: true }]}>
            <DatePicker.RangePicker />
          </Form.Item>
          <Form.Item name="holidayName" label={t('duty.fields.holidayName')} rules={[{ required: true }]}>
            <Input maxLength={50} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="phone" label={t('duty.fields.phone')}>
            <Input maxLength={20} style={{ width: 160 }} placeholder="025-12345678" />
          </Form.Item>
        </Space>
        <Form.Item name="pattern" label={t('duty.fields.pattern')}>
          <Radio.Group
            options={Object.keys(PATTERNS).map((key) => ({ value: key, label: t(`duty.patterns.${key}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="leaders"
          label={t('duty.rotaLeaders')}
          extra={t('duty.rotaLeadersHint')}
          rules={[{ required: true, message: t('duty.leaderRequired') }]}
        >
          <Select
            mode="multiple"
            options={options}
            optionFilterProp="label"
            loading={people.isLoading}
            data-testid="duty-gen-leaders"
          />
        </Form.Item>
        <Space wrap align="start" size={16} style={{ width: '100%' }}>
          <Form.Item
            name="people"
            label={t('duty.rotaPeople')}
            extra={t('duty.rotaPeopleHint')}
            rules={[{ required: true }]}
            style={{ minWidth: 360 }}
          >
            <Select mode="multiple" options={options} optionFilterProp="label" data-testid="duty-gen-people" />
          </Form.Item>
          <Form.Item name="peoplePerShift" label={t('duty.peoplePerShift')}>
            <InputNumber min={1} max={10} />
          </Form.Item>
        </Space>
      </Form>
      {preview && (
        <Table
          size="small"
          rowKey="startsAt"
          data-testid="duty-preview-table"
          pagination={{ pageSize: 8, hideOnSinglePage: true }}
          dataSource={preview.shifts}
          columns={[
            {
              title: t('duty.fields.date'),
              render: (_v, row) => dayjs(row.startsAt).format('MM-DD ddd'),
              width: 110,
            },
            { title: t('duty.fields.time'), render: (_v, row) => span(row, t('duty.nextDay')), width: 140 },
            {
              title: t('duty.roles.leader'),
              render: (_v, row) =>
                row.people
                  .filter((p) => p.role === 'leader')
                  .map((p) => (
                    <Tag color="gold" key={p.userId}>
                      {p.name}
                    </Tag>
                  )),
            },
            {
              title: t('duty.people'),
              render: (_v, row) =>
                row.people
                  .filter((p) => p.role !== 'leader')
                  .map((p) => p.name)
                  .join('、'),
            },
          ]}
        />
      )}
    </Modal>
  );
}
