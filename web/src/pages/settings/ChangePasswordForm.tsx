import { passwordProblems } from '@safe-campus/domain';
import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { LoginResponse } from '../../api/types';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/** Change password with the platform's complexity rule checked before the server sees it. */
export function ChangePasswordForm({
  username,
  onDone,
}: {
  username: string;
  onDone: (response: LoginResponse) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: Values) => {
    setBusy(true);
    setError(null);
    try {
      const response = await api.post<LoginResponse>(
        '/auth/password',
        { currentPassword: values.currentPassword, newPassword: values.newPassword },
        { quiet: true },
      );
      form.resetFields();
      onDone(response);
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} data-testid="change-password-form">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Form.Item
        name="currentPassword"
        label={t('password.current')}
        rules={[{ required: true, message: t('password.currentRequired') }]}
      >
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('password.new')}
        extra={t('password.rule')}
        rules={[
          { required: true, message: t('password.newRequired') },
          {
            validator: async (_rule, value: string | undefined) => {
              if (!value) return;
              const problems = passwordProblems(value, username);
              if (problems.length > 0)
                throw new Error(problems.map((problem) => t(`password.problem.${problem}`)).join('；'));
            },
          },
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('password.confirm')}
        dependencies={['newPassword']}
        rules={[
          { required: true, message: t('password.confirmRequired') },
          ({ getFieldValue }) => ({
            validator: async (_rule, value: string | undefined) => {
              if (value && value !== getFieldValue('newPassword')) throw new Error(t('password.mismatch'));
            },
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} block>
        {t('password.submit')}
      </Button>
    </Form>
  );
}
