import {
  type CollectionDetail,
  type FormTemplateSummary,
  type IssueCollectionBody,
  SCHOOL_TYPES,
  type SchoolType,
} from '@safe-campus/domain';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, api } from '../../api/client';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { useUser } from '../../app/session';

interface IssueValues {
  org: PickedOrg | null;
  templateId: number;
  title?: string;
  period: [Dayjs, Dayjs];
  deadline: Dayjs;
  schoolTypes: SchoolType[];
  remindDaysBefore: number;
  note?: string;
}

/**
 * 下发报表: a bureau sends a form template to the schools of its subtree (all, or chosen types) for a reporting
 * period with a deadline; each school gets a task.
 */
export function IssueModal({ open, templateId, onClose }: { open: boolean; templateId?: number; onClose: () => void }) {
  const { t } = useTranslation();
  const user = useUser();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<IssueValues>();
  const templates = useQuery({
    queryKey: ['forms', 'templates', 'issue'],
    enabled: open,
    queryFn: () => api.get<{ items: FormTemplateSummary[] }>('/forms/templates', undefined, { quiet: true }),
  });
  const issue = useMutation({
    mutationFn: (body: IssueCollectionBody) => api.post<CollectionDetail>('/forms/collections', body, { quiet: true }),
    onSuccess: (collection) => {
      void queryClient.invalidateQueries({ queryKey: ['forms', 'collections'] });
      message.success(t('forms.issue.done', { count: collection.progress.total }));
      onClose();
      navigate(`/forms/collections/${collection.id}`);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.errors.length) {
        message.error(error.errors.map((problem) => problem.message).join('；'));
      } else message.error(error.message);
    },
  });

  const today = dayjs();
  return (
    <Modal
      open={open}
      title={t('forms.issue.title')}
      okText={t('forms.issue.ok')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={issue.isPending}
      width={640}
      destroyOnHidden
      okButtonProps={{ id: 'issue-ok' }}
    >
      <Form<IssueValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{
          org: { id: user.activeOrg.id, name: user.activeOrg.name, level: user.activeOrg.level },
          templateId,
          period: [today.startOf('month'), today],
          deadline: today.add(7, 'day').hour(17).minute(0).second(0),
          schoolTypes: [],
          remindDaysBefore: 2,
        }}
        onFinish={(values) => {
          if (!values.org) return;
          issue.mutate({
            orgId: values.org.id,
            templateId: values.templateId,
            title: values.title?.trim() || undefined,
            periodFrom: values.period[0].format('YYYY-MM-DD'),
            periodTo: values.period[1].format('YYYY-MM-DD'),
            deadline: values.deadline.toISOString(),
            schoolTypes: values.schoolTypes.length ? values.schoolTypes : undefined,
            remindDaysBefore: values.remindDaysBefore,
            note: values.note?.trim() || undefined,
          });
        }}
      >
        {templates.isError && <Alert type="error" showIcon message={templates.error.message} />}
        <Form.Item
          name="templateId"
          label={t('forms.issue.template')}
          rules={[{ required: true, message: t('forms.issue.pickTemplate') }]}
        >
          <Select
            loading={templates.isLoading}
            showSearch
            optionFilterProp="label"
            options={(templates.data?.items ?? [])
              .filter((template) => !template.archived)
              .map((template) => ({
                value: template.id,
                label: `${template.name}（v${template.currentVersion}）`,
              }))}
            data-testid="issue-template"
          />
        </Form.Item>
        <Form.Item name="title" label={t('forms.issue.titleLabel')} extra={t('forms.issue.titleHint')}>
          <Input maxLength={200} data-testid="issue-title" />
        </Form.Item>
        <Form.Item
          name="org"
          label={t('forms.issue.org')}
          extra={t('forms.issue.orgHint')}
          rules={[{ required: true, message: t('forms.issue.pickOrg') }]}
        >
          <OrgPicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="schoolTypes" label={t('forms.issue.schoolTypes')} extra={t('forms.issue.schoolTypesHint')}>
          <Checkbox.Group options={SCHOOL_TYPES.map((type) => ({ value: type, label: t(`schoolTypes.${type}`) }))} />
        </Form.Item>
        <Form.Item
          name="period"
          label={t('forms.issue.period')}
          rules={[{ required: true, message: t('forms.issue.pickPeriod') }]}
        >
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          name="deadline"
          label={t('forms.issue.deadline')}
          rules={[
            { required: true, message: t('forms.issue.pickDeadline') },
            {
              validator: (_rule, value: Dayjs | undefined) =>
                !value || value.isAfter(dayjs())
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('forms.issue.deadlinePast'))),
            },
          ]}
        >
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="remindDaysBefore" label={t('forms.issue.remind')} extra={t('forms.issue.remindHint')}>
          <InputNumber min={0} max={30} precision={0} addonAfter={t('forms.issue.days')} />
        </Form.Item>
        <Form.Item name="note" label={t('forms.issue.note')}>
          <Input.TextArea maxLength={2000} autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
        <Typography.Text type="secondary">{t('forms.issue.footer')}</Typography.Text>
      </Form>
    </Modal>
  );
}
