import {
  ProForm,
  ProFormCheckbox,
  ProFormDateTimePicker,
  ProFormDependency,
  ProFormSelect,
  ProFormSwitch,
  ProFormText,
  ProFormTextArea,
} from '@ant-design/pro-components';
import { noticeTargetLevels, SCHOOL_TYPES } from '@safe-campus/domain';
import { App, Card, Form } from 'antd';
import type { Dayjs } from 'dayjs';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { uuid } from '../../api/uuid';
import { Page } from '../../app/Page';
import { useUser } from '../../app/session';
import { FileUpload } from './FileUpload';
import { noticesApi } from './noticesApi';

interface Values {
  title: string;
  body: string;
  levels?: string[];
  schoolTypes?: string[];
  receiptRequired?: boolean;
  replyDeadline?: Dayjs | string;
  fileIds?: string[];
}

/** 发布通知: a bureau to the units below it, a school to its departments. */
export function PublishPage() {
  const { t } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const key = useRef(uuid());
  const levels = noticeTargetLevels(user.activeOrg.level);
  const bureau = levels.includes('school');
  return (
    <Page title={t('notices.menu.publish')}>
      <Card>
        <ProForm<Values>
          layout="vertical"
          style={{ maxWidth: 860 }}
          initialValues={{ levels, receiptRequired: false }}
          submitter={{ searchConfig: { submitText: t('notices.publishSubmit') }, resetButtonProps: false }}
          onFinish={async (values) => {
            try {
              const deadline = values.replyDeadline;
              const notice = await noticesApi.publish(
                {
                  title: values.title,
                  body: values.body,
                  fileIds: values.fileIds ?? [],
                  receiptRequired: values.receiptRequired ?? false,
                  replyDeadline:
                    values.receiptRequired && deadline
                      ? (typeof deadline === 'string' ? new Date(deadline) : deadline.toDate()).toISOString()
                      : null,
                  target: { levels: values.levels ?? [], schoolTypes: values.schoolTypes ?? [] },
                },
                key.current,
              );
              message.success(t('notices.publishedTo', { count: notice.recipientCount }));
              navigate(`/notices/${notice.id}`);
              return true;
            } catch (cause) {
              if (!(cause instanceof ApiError)) throw cause;
              key.current = uuid();
              return false;
            }
          }}
        >
          <ProFormText
            name="title"
            label={t('notices.title')}
            rules={[{ required: true, max: 200 }]}
            fieldProps={{ 'data-testid': 'notice-title' } as object}
            placeholder={t('notices.titleHint')}
          />
          <ProFormTextArea
            name="body"
            label={t('notices.body')}
            rules={[{ required: true, whitespace: true, max: 20000 }]}
            fieldProps={{ rows: 10, showCount: true, maxLength: 20000, 'data-testid': 'notice-body' } as object}
            placeholder={t('notices.bodyHint')}
          />
          <ProFormCheckbox.Group
            name="levels"
            label={t('notices.recipients')}
            rules={[{ required: true, type: 'array', min: 1 }]}
            options={levels.map((level) => ({ value: level, label: t(`levels.${level}`) }))}
            extra={t(bureau ? 'notices.recipientsHintBureau' : 'notices.recipientsHintSchool')}
          />
          {bureau && (
            <ProFormSelect
              name="schoolTypes"
              label={t('notices.schoolTypes')}
              mode="multiple"
              allowClear
              placeholder={t('notices.schoolTypesHint')}
              options={SCHOOL_TYPES.map((type) => ({ value: type, label: t(`schoolTypes.${type}`) }))}
            />
          )}
          <Form.Item name="fileIds" label={t('notices.attachments')} extra={t('notices.attachmentsHint')}>
            <FileUpload />
          </Form.Item>
          <ProFormSwitch
            name="receiptRequired"
            label={t('notices.receiptRequired')}
            extra={t('notices.receiptRequiredHint')}
            fieldProps={{ 'data-testid': 'notice-receipt-required' } as object}
          />
          <ProFormDependency name={['receiptRequired']}>
            {({ receiptRequired }) =>
              receiptRequired ? (
                <ProFormDateTimePicker
                  name="replyDeadline"
                  label={t('notices.replyDeadline')}
                  fieldProps={{ format: 'YYYY-MM-DD HH:mm', showTime: { format: 'HH:mm' } }}
                />
              ) : null
            }
          </ProFormDependency>
        </ProForm>
      </Card>
    </Page>
  );
}
