import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
  DUTY_ROLES_FOR_PLANS,
  FREQUENCIES,
  type Frequency,
  type PatrolRouteSummary,
  type PlanDetail,
  type PlanSchedule,
  type TemplateSummary,
} from '@safe-campus/domain';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Drawer,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  TimePicker,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { SchedulePreview } from './SchedulePreview';
import { placeLabel, useSchoolPlaces, useSchoolUsers } from './shared';

type Target = 'places' | 'route' | 'school';
type Assign = 'people' | 'duty';

interface Values {
  name: string;
  templateId: number;
  target: Target;
  placeIds?: number[];
  routeId?: number | null;
  assign: Assign;
  assigneeIds?: number[];
  dutyRole?: (typeof DUTY_ROLES_FOR_PLANS)[number] | null;
  frequency: Frequency;
  windows: { start: Dayjs | null; end: Dayjs | null }[];
  weekdays?: number[];
  dayOfMonth?: number | null;
  startsOn: Dayjs | null;
  endsOn?: Dayjs | null;
  active: boolean;
}

/** Frequencies whose plan lasts a period: the end day is asked for (required for a holiday period). */
const NEEDS_END: Frequency[] = ['holiday'];

/** The schedule the form describes, or null while it is incomplete. */
export function scheduleOf(values: Partial<Values>): PlanSchedule | null {
  if (!values.frequency || !values.startsOn) return null;
  const windows = (values.windows ?? []).filter((window) => window?.start && window?.end);
  if (windows.length === 0) return null;
  const schedule: PlanSchedule = {
    frequency: values.frequency,
    windows: (values.frequency === 'times_per_day' ? windows : windows.slice(0, 1)).map((window) => ({
      start: (window.start as Dayjs).format('HH:mm'),
      end: (window.end as Dayjs).format('HH:mm'),
    })),
    startsOn: values.startsOn.format('YYYY-MM-DD'),
    endsOn: values.frequency === 'once' ? null : values.endsOn ? values.endsOn.format('YYYY-MM-DD') : null,
  };
  if (values.frequency === 'weekly') {
    if (!values.weekdays?.length) return null;
    schedule.weekdays = [...values.weekdays].sort();
  }
  if (values.frequency === 'monthly' || values.frequency === 'quarterly') {
    if (!values.dayOfMonth) return null;
    schedule.dayOfMonth = values.dayOfMonth;
  }
  if (schedule.endsOn && schedule.endsOn < schedule.startsOn) return null;
  return schedule;
}

const at = (text: string) => dayjs(text, 'HH:mm');

function initialValues(plan: PlanDetail | null): Partial<Values> {
  if (!plan) {
    return {
      target: 'places',
      assign: 'people',
      frequency: 'daily',
      windows: [{ start: at('08:00'), end: at('17:00') }],
      startsOn: dayjs(),
      active: true,
    };
  }
  return {
    name: plan.name,
    templateId: plan.templateId,
    target: plan.routeId ? 'route' : plan.places.length > 0 ? 'places' : 'school',
    placeIds: plan.places.map((place) => place.id),
    routeId: plan.routeId,
    assign: plan.dutyRole ? 'duty' : 'people',
    assigneeIds: plan.assignees.map((person) => person.id),
    dutyRole: plan.dutyRole,
    frequency: plan.schedule.frequency,
    windows: plan.schedule.windows.map((window) => ({ start: at(window.start), end: at(window.end) })),
    weekdays: plan.schedule.weekdays,
    dayOfMonth: plan.schedule.dayOfMonth ?? null,
    startsOn: dayjs(plan.schedule.startsOn),
    endsOn: plan.schedule.endsOn ? dayjs(plan.schedule.endsOn) : null,
    active: plan.active,
  };
}

/** 检查计划表单: template, target (places / a route / the whole school), who, and when, with a preview. */
export function PlanForm({
  open,
  schoolId,
  plan,
  onClose,
  onSaved,
}: {
  open: boolean;
  schoolId: number;
  /** null: a new plan. */
  plan: PlanDetail | null;
  onClose: () => void;
  onSaved: (plan: PlanDetail) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<string | null>(null);
  const values = Form.useWatch([], form) as Partial<Values> | undefined;
  const frequency = Form.useWatch('frequency', form) as Frequency | undefined;
  const target = Form.useWatch('target', form) as Target | undefined;
  const assign = Form.useWatch('assign', form) as Assign | undefined;
  const places = useSchoolPlaces(open ? schoolId : null);
  const users = useSchoolUsers(open ? schoolId : null);
  const templates = useQuery({
    queryKey: ['inspections', 'templates', 'usable', schoolId],
    enabled: open,
    queryFn: () => api.get<{ items: TemplateSummary[] }>('/inspections/templates', { orgId: schoolId }),
  });
  const routes = useQuery({
    queryKey: ['inspections', 'routes', schoolId, false],
    enabled: open,
    queryFn: () => api.get<{ items: PatrolRouteSummary[] }>('/inspections/routes', { orgId: schoolId }),
  });
  const byId = useMemo(() => new Map((places.data ?? []).map((place) => [place.id, place])), [places.data]);

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue(initialValues(plan) as Values);
      setProblem(null);
    }
  }, [open, plan, form]);

  const schedule = values ? scheduleOf(values) : null;

  const save = useMutation({
    mutationFn: async () => {
      const fields = await form.validateFields();
      const built = scheduleOf(fields);
      if (!built) throw new ApiError(400, 'schedule', t('inspections.plan.scheduleIncomplete'));
      const body = {
        name: fields.name.trim(),
        templateId: fields.templateId,
        routeId: fields.target === 'route' ? (fields.routeId ?? null) : null,
        placeIds: fields.target === 'places' ? (fields.placeIds ?? []) : [],
        assigneeIds: fields.assign === 'people' ? (fields.assigneeIds ?? []) : [],
        dutyRole: fields.assign === 'duty' ? (fields.dutyRole ?? null) : null,
        schedule: built,
      };
      return plan
        ? api.patch<PlanDetail>(`/inspections/plans/${plan.id}`, { ...body, active: fields.active }, { quiet: true })
        : api.post<PlanDetail>('/inspections/plans', { orgId: schoolId, ...body }, { quiet: true });
    },
    onSuccess: onSaved,
    onError: (error) => {
      if (error instanceof ApiError) setProblem(error.message);
    },
  });

  const usable = (templates.data?.items ?? []).filter((template) => !template.archived);

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={plan ? t('inspections.plan.edit') : t('inspections.plan.new')}
      width={Math.min(720, typeof window === 'undefined' ? 720 : window.innerWidth)}
      destroyOnHidden
      footer={
        <Space style={{ float: 'right' }}>
          <Button onClick={onClose}>{t('inspections.cancel')}</Button>
          <Button
            type="primary"
            loading={save.isPending}
            onClick={() => {
              setProblem(null);
              save.mutate();
            }}
            data-testid="plan-save"
          >
            {t('inspections.save')}
          </Button>
        </Space>
      }
    >
      <Form<Values> form={form} layout="vertical" data-testid="plan-form">
        <Form.Item
          name="name"
          label={t('inspections.plan.name')}
          rules={[{ required: true, whitespace: true, max: 100 }]}
        >
          <Input placeholder={t('inspections.plan.namePlaceholder')} />
        </Form.Item>
        <Form.Item name="templateId" label={t('inspections.plan.template')} rules={[{ required: true }]}>
          <Select<number>
            showSearch
            optionFilterProp="label"
            loading={templates.isLoading}
            options={usable.map((template) => ({
              value: template.id,
              label: `${template.name}（${t(`inspections.kinds.${template.kind}`)} · v${template.currentVersion}）`,
            }))}
          />
        </Form.Item>
        <Form.Item name="target" label={t('inspections.plan.target')}>
          <Radio.Group
            optionType="button"
            options={(['places', 'route', 'school'] as const).map((value) => ({
              value,
              label: t(`inspections.plan.targets.${value}`),
            }))}
          />
        </Form.Item>
        {target === 'places' && (
          <Form.Item
            name="placeIds"
            label={t('inspections.plan.places')}
            extra={t('inspections.plan.placesHint')}
            rules={[{ required: true, type: 'array', min: 1, message: t('inspections.plan.placesRequired') }]}
          >
            <Select<number[]>
              mode="multiple"
              showSearch
              optionFilterProp="label"
              loading={places.isLoading}
              options={(places.data ?? [])
                .map((place) => ({ value: place.id, label: placeLabel(place, byId) }))
                .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'))}
            />
          </Form.Item>
        )}
        {target === 'route' && (
          <Form.Item name="routeId" label={t('inspections.plan.route')} rules={[{ required: true }]}>
            <Select<number>
              loading={routes.isLoading}
              options={(routes.data?.items ?? []).map((route) => ({
                value: route.id,
                label: `${route.name}（${t('inspections.route.checkpointCount', { count: route.checkpointCount })}）`,
              }))}
              notFoundContent={t('inspections.route.empty')}
            />
          </Form.Item>
        )}
        <Form.Item name="assign" label={t('inspections.plan.assign')}>
          <Radio.Group
            optionType="button"
            options={(['people', 'duty'] as const).map((value) => ({
              value,
              label: t(`inspections.plan.assigns.${value}`),
            }))}
          />
        </Form.Item>
        {assign === 'duty' ? (
          <Form.Item
            name="dutyRole"
            label={t('inspections.plan.dutyRole')}
            extra={t('inspections.plan.dutyHint')}
            rules={[{ required: true }]}
          >
            <Select options={DUTY_ROLES_FOR_PLANS.map((role) => ({ value: role, label: t(`duty.roles.${role}`) }))} />
          </Form.Item>
        ) : (
          <Form.Item
            name="assigneeIds"
            label={t('inspections.plan.assignees')}
            rules={[{ required: true, type: 'array', min: 1, message: t('inspections.plan.assigneesRequired') }]}
          >
            <Select<number[]>
              mode="multiple"
              showSearch
              optionFilterProp="label"
              loading={users.isLoading}
              options={(users.data?.items ?? [])
                .filter((user) => !user.disabled)
                .map((user) => ({ value: user.id, label: `${user.displayName}（${user.username}）` }))}
            />
          </Form.Item>
        )}
        <Card size="small" title={t('inspections.plan.when')} style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} sm={12}>
              <Form.Item name="frequency" label={t('inspections.plan.frequency')} rules={[{ required: true }]}>
                <Select
                  options={FREQUENCIES.map((value) => ({ value, label: t(`inspections.frequencies.${value}`) }))}
                  onChange={(next: Frequency) => {
                    // One window except several times a day: keep the first when switching back.
                    if (next !== 'times_per_day') {
                      const windows = form.getFieldValue('windows') as Values['windows'];
                      form.setFieldValue('windows', windows.slice(0, 1));
                    }
                  }}
                  data-testid="plan-frequency"
                />
              </Form.Item>
            </Col>
            {frequency === 'weekly' && (
              <Col span={24}>
                <Form.Item name="weekdays" label={t('inspections.plan.weekdays')} rules={[{ required: true }]}>
                  <Checkbox.Group
                    options={[1, 2, 3, 4, 5, 6, 7].map((value) => ({
                      value,
                      label: t(`inspections.weekdays.${value}`),
                    }))}
                  />
                </Form.Item>
              </Col>
            )}
            {(frequency === 'monthly' || frequency === 'quarterly') && (
              <Col xs={24} sm={12}>
                <Form.Item
                  name="dayOfMonth"
                  label={t('inspections.plan.dayOfMonth')}
                  extra={frequency === 'quarterly' ? t('inspections.plan.quarterHint') : undefined}
                  rules={[{ required: true }]}
                >
                  <InputNumber min={1} max={28} precision={0} addonAfter={t('inspections.plan.dayUnit')} />
                </Form.Item>
              </Col>
            )}
          </Row>
          <Form.List name="windows">
            {(fields, { add, remove }) => (
              <Form.Item label={t('inspections.plan.windows')} extra={t('inspections.plan.windowsHint')} required>
                <Space direction="vertical" style={{ width: '100%' }}>
                  {fields.map((field, index) => (
                    <Space key={field.key} wrap align="baseline">
                      <Form.Item name={[field.name, 'start']} noStyle rules={[{ required: true }]}>
                        <TimePicker format="HH:mm" minuteStep={5} placeholder={t('inspections.plan.windowStart')} />
                      </Form.Item>
                      <span>—</span>
                      <Form.Item name={[field.name, 'end']} noStyle rules={[{ required: true }]}>
                        <TimePicker format="HH:mm" minuteStep={5} placeholder={t('inspections.plan.windowEnd')} />
                      </Form.Item>
                      {fields.length > 1 && (
                        <Button
                          type="text"
                          icon={<MinusCircleOutlined />}
                          onClick={() => remove(index)}
                          aria-label={t('inspections.plan.removeWindow')}
                        />
                      )}
                    </Space>
                  ))}
                  {frequency === 'times_per_day' && fields.length < 24 && (
                    <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ start: null, end: null })}>
                      {t('inspections.plan.addWindow')}
                    </Button>
                  )}
                </Space>
              </Form.Item>
            )}
          </Form.List>
          <Row gutter={16}>
            <Col xs={24} sm={12}>
              <Form.Item
                name="startsOn"
                label={t(
                  frequency === 'once'
                    ? 'inspections.plan.onDay'
                    : frequency === 'holiday'
                      ? 'inspections.plan.holidayFrom'
                      : 'inspections.plan.startsOn',
                )}
                rules={[{ required: true }]}
              >
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            {frequency !== 'once' && (
              <Col xs={24} sm={12}>
                <Form.Item
                  name="endsOn"
                  label={t(frequency === 'holiday' ? 'inspections.plan.holidayTo' : 'inspections.plan.endsOn')}
                  rules={[
                    { required: frequency ? NEEDS_END.includes(frequency) : false },
                    {
                      validator: async (_rule, value: Dayjs | null) => {
                        const start = form.getFieldValue('startsOn') as Dayjs | null;
                        if (value && start && value.isBefore(start, 'day')) {
                          throw new Error(t('inspections.plan.endsBeforeStart'));
                        }
                      },
                    },
                  ]}
                >
                  <DatePicker style={{ width: '100%' }} placeholder={t('inspections.plan.noEnd')} />
                </Form.Item>
              </Col>
            )}
          </Row>
          {plan && (
            <Form.Item
              name="active"
              label={t('inspections.plan.active')}
              valuePropName="checked"
              style={{ marginBottom: 0 }}
            >
              <Switch />
            </Form.Item>
          )}
        </Card>
        <Card size="small" title={t('inspections.plan.preview')}>
          <SchedulePreview schedule={schedule} />
        </Card>
        {problem && <Alert type="error" showIcon message={problem} style={{ marginTop: 16 }} />}
      </Form>
    </Drawer>
  );
}
