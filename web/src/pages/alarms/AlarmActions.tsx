import {
  type AlarmCommand,
  type AlarmState,
  alarmActionsFrom,
  HAZARD_CATEGORIES,
  INCIDENT_KINDS,
} from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Checkbox, Form, Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { type AlarmDetail, type AlarmSummary, alarmApi } from './alarmApi';

type Dialog = 'dispatch' | 'resolve' | 'hazard' | 'incident' | null;

/** The queue's buttons follow the state machine; the detail passes the server's own list. */
export function commandsOf(alarm: Pick<AlarmSummary, 'state'>, canHandle: boolean): AlarmCommand[] {
  return canHandle ? alarmActionsFrom(alarm.state as AlarmState) : [];
}

/** Acknowledge / dispatch / arrive / resolve in place, and turning a resolved alarm into a hazard or an incident. */
export function AlarmActions({
  alarm,
  commands,
  size = 'middle',
  onDone,
}: {
  alarm: Pick<AlarmSummary, 'id' | 'state' | 'schoolId' | 'title'>;
  commands?: AlarmCommand[];
  size?: 'small' | 'middle' | 'large';
  onDone?: (detail: AlarmDetail) => void;
}) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [form] = Form.useForm();
  const available = commands ?? commandsOf(alarm, can('alarm.handle'));
  const responders = useQuery({
    queryKey: ['alarm-responders', alarm.schoolId],
    queryFn: () => alarmApi.responders(alarm.schoolId),
    enabled: dialog === 'dispatch',
  });

  const run = async (action: string, body: Record<string, unknown>) => {
    setBusy(action);
    try {
      const detail = await alarmApi.act(alarm.id, action, body);
      setDialog(null);
      form.resetFields();
      onDone?.(detail);
    } catch {
      // The shell shows the server's message.
    } finally {
      setBusy(null);
    }
  };

  const open = (next: Dialog) => {
    form.resetFields();
    setDialog(next);
  };

  if (available.length === 0) return null;
  return (
    <>
      <Space size={6} wrap onClick={(event) => event.stopPropagation()}>
        {available.includes('acknowledge') && (
          <Button
            size={size}
            type="primary"
            loading={busy === 'acknowledge'}
            data-testid="alarm-acknowledge"
            onClick={() => void run('acknowledge', {})}
          >
            {t('alarms.actions.acknowledge')}
          </Button>
        )}
        {available.includes('dispatch') && (
          <Button size={size} data-testid="alarm-dispatch" onClick={() => open('dispatch')}>
            {alarm.state === 'dispatched' ? t('alarms.actions.redispatch') : t('alarms.actions.dispatch')}
          </Button>
        )}
        {available.includes('arrive') && (
          <Button
            size={size}
            loading={busy === 'arrive'}
            data-testid="alarm-arrive"
            onClick={() => void run('arrive', {})}
          >
            {t('alarms.actions.arrive')}
          </Button>
        )}
        {available.includes('resolve') && (
          <Button size={size} data-testid="alarm-resolve" onClick={() => open('resolve')}>
            {t('alarms.actions.resolve')}
          </Button>
        )}
        {available.includes('hazard') && (
          <Button size={size} data-testid="alarm-to-hazard" onClick={() => open('hazard')}>
            {t('alarms.actions.hazard')}
          </Button>
        )}
        {available.includes('incident') && (
          <Button size={size} data-testid="alarm-to-incident" onClick={() => open('incident')}>
            {t('alarms.actions.incident')}
          </Button>
        )}
      </Space>
      <Modal
        open={dialog !== null}
        title={dialog ? `${t(`alarms.actions.${dialog}`)} · ${alarm.title}` : ''}
        okText={t('alarms.submit')}
        confirmLoading={busy !== null}
        onCancel={() => setDialog(null)}
        onOk={() => form.submit()}
        destroyOnHidden
        okButtonProps={{ 'data-testid': 'alarm-dialog-ok' } as never}
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          onFinish={(values: Record<string, unknown>) => void run(dialog!, values)}
          initialValues={dialog === 'resolve' ? { falseAlarm: false } : undefined}
        >
          {dialog === 'dispatch' && (
            <>
              <Form.Item name="assigneeId" label={t('alarms.fields.assignee')} rules={[{ required: true }]}>
                <Select
                  showSearch
                  optionFilterProp="label"
                  loading={responders.isLoading}
                  data-testid="alarm-assignee"
                  options={(responders.data?.items ?? []).map((person) => ({
                    value: person.id,
                    label: `${person.name}（${t(`roles.${person.role}`)}${person.onDuty ? ` · ${t('alarms.onDutyNow')}` : ''}）`,
                  }))}
                />
              </Form.Item>
              <Form.Item name="team" label={t('alarms.fields.team')}>
                <Input maxLength={100} placeholder={t('alarms.teamHint')} />
              </Form.Item>
              <Form.Item name="note" label={t('alarms.fields.note')}>
                <Input.TextArea maxLength={2000} rows={2} />
              </Form.Item>
            </>
          )}
          {dialog === 'resolve' && (
            <>
              <Form.Item
                name="outcome"
                label={t('alarms.fields.outcome')}
                rules={[{ required: true, whitespace: true, max: 200 }]}
              >
                <Input maxLength={200} placeholder={t('alarms.outcomeHint')} data-testid="alarm-outcome" />
              </Form.Item>
              <Form.Item name="falseAlarm" valuePropName="checked">
                <Checkbox data-testid="alarm-false">{t('alarms.fields.falseAlarm')}</Checkbox>
              </Form.Item>
              <Form.Item name="notes" label={t('alarms.fields.notes')}>
                <Input.TextArea maxLength={2000} rows={3} />
              </Form.Item>
            </>
          )}
          {dialog === 'hazard' && (
            <>
              <Form.Item name="category" label={t('alarms.fields.hazardCategory')} rules={[{ required: true }]}>
                <Select
                  options={HAZARD_CATEGORIES.map((category) => ({
                    value: category,
                    label: t(`hazards.categories.${category}`),
                  }))}
                />
              </Form.Item>
              <Form.Item name="description" label={t('alarms.fields.description')}>
                <Input.TextArea maxLength={2000} rows={3} />
              </Form.Item>
            </>
          )}
          {dialog === 'incident' && (
            <>
              <Form.Item name="kind" label={t('alarms.fields.incidentKind')} rules={[{ required: true }]}>
                <Select
                  options={INCIDENT_KINDS.map((kind) => ({ value: kind, label: t(`alarms.incidentKinds.${kind}`) }))}
                />
              </Form.Item>
              <Form.Item
                name="description"
                label={t('alarms.fields.incidentDescription')}
                rules={[{ required: true, whitespace: true }]}
              >
                <Input.TextArea maxLength={5000} rows={4} />
              </Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </>
  );
}
