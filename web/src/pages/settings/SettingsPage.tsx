import { Alert, App, Button, Card, Col, Form, Input, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { LoginResponse } from '../../api/types';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { ChangePasswordForm } from './ChangePasswordForm';
import { TotpEnrolmentForm } from './TotpEnrolmentForm';

export function SettingsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { accept } = useSession();
  const { message } = App.useApp();
  const [enrolling, setEnrolling] = useState(false);

  const done = (response: LoginResponse, text: string) => {
    accept(response);
    message.success(text);
  };

  return (
    <Page title={t('menu.settings')}>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('settings.password')}>
            <ChangePasswordForm
              username={user.username}
              onDone={(response) => done(response, t('settings.passwordChanged'))}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card
            title={t('settings.totp')}
            extra={
              user.totpEnabled ? <Tag color="green">{t('common.enabled')}</Tag> : <Tag>{t('common.notEnabled')}</Tag>
            }
          >
            <Typography.Paragraph type="secondary">{t('settings.totpHint')}</Typography.Paragraph>
            {user.totpEnabled ? (
              <DisableTotp onDone={(response) => done(response, t('settings.totpDisabled'))} />
            ) : enrolling ? (
              <TotpEnrolmentForm
                onDone={(response) => {
                  setEnrolling(false);
                  done(response, t('settings.totpEnabled'));
                }}
              />
            ) : (
              <Button type="primary" onClick={() => setEnrolling(true)}>
                {t('settings.enrolTotp')}
              </Button>
            )}
          </Card>
        </Col>
      </Row>
    </Page>
  );
}

function DisableTotp({ onDone }: { onDone: (response: LoginResponse) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Form
      layout="vertical"
      requiredMark={false}
      onFinish={async ({ code }: { code: string }) => {
        setBusy(true);
        setError(null);
        try {
          onDone(await api.post<LoginResponse>('/auth/totp/disable', { code: code.trim() }, { quiet: true }));
        } catch (cause) {
          setError(cause instanceof ApiError ? cause.message : String(cause));
        } finally {
          setBusy(false);
        }
      }}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Form.Item
        name="code"
        label={t('totp.code')}
        extra={t('settings.disableHint')}
        rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('totp.codeInvalid') }]}
      >
        <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" placeholder="000000" />
      </Form.Item>
      <Space>
        <Button danger htmlType="submit" loading={busy}>
          {t('settings.disableTotp')}
        </Button>
      </Space>
    </Form>
  );
}
