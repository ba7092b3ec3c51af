import { LockOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useSearchParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import type { LoginResponse, SessionUser } from '../../api/types';
import { AntdProvider } from '../../app/AntdProvider';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { Splash } from '../../app/Splash';
import { useSession } from '../../app/session';
import { ChangePasswordForm } from '../settings/ChangePasswordForm';
import { TotpEnrolmentForm } from '../settings/TotpEnrolmentForm';
import './login.css';

export function LoginRoute() {
  return (
    <AntdProvider>
      <LoginPage />
    </AntdProvider>
  );
}

/** Only same-site paths: `?next=https://evil` must not redirect away. */
function safeNext(value: string | null): string {
  return value?.startsWith('/') && !value.startsWith('//') && !value.startsWith('/login') ? value : '/';
}

function LoginPage() {
  const { t } = useTranslation();
  const { user, accept, logout, endedBecause } = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));

  if (user === undefined) return <Splash />;
  if (user && user.pending === 'none') return <Navigate to={next} replace />;

  return (
    <div className="sc-login">
      <div className="sc-login-language">
        <LanguageSwitch />
      </div>
      <div className="sc-login-brand">
        <SafetyCertificateOutlined className="sc-login-logo" />
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('app.name')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('app.slogan')}</Typography.Text>
      </div>
      <Card className="sc-login-card" title={stepTitle(t, user)}>
        {!user && endedBecause && (
          <Alert
            type="warning"
            showIcon
            message={endedBecause}
            style={{ marginBottom: 16 }}
            data-testid="session-ended"
          />
        )}
        {!user && <PasswordStep onDone={accept} />}
        {user?.pending === 'password_change' && (
          <>
            <Alert type="info" showIcon message={t('login.mustChangePassword')} style={{ marginBottom: 16 }} />
            <ChangePasswordForm username={user.username} onDone={accept} />
          </>
        )}
        {user?.pending === 'totp' && <TotpStep onDone={accept} />}
        {user?.pending === 'totp_enrolment' && (
          <>
            <Alert type="info" showIcon message={t('login.mustEnrolTotp')} style={{ marginBottom: 16 }} />
            <TotpEnrolmentForm onDone={accept} />
          </>
        )}
        {user && (
          <Button type="link" block onClick={() => void logout()} style={{ marginTop: 8 }}>
            {t('login.useAnotherAccount')}
          </Button>
        )}
      </Card>
      <Typography.Text type="secondary" className="sc-login-footer">
        {t('login.footer')}
      </Typography.Text>
    </div>
  );
}

function stepTitle(t: (key: string) => string, user: SessionUser | null): string {
  switch (user?.pending) {
    case 'password_change':
      return t('login.changePasswordTitle');
    case 'totp':
      return t('login.totpTitle');
    case 'totp_enrolment':
      return t('login.totpEnrolTitle');
    default:
      return t('login.title');
  }
}

function PasswordStep({ onDone }: { onDone: (response: LoginResponse) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await api.post<LoginResponse>('/auth/login', values, { quiet: true }));
    } catch (cause) {
      if (cause instanceof ApiError && cause.code === 'account_locked') {
        const until = typeof cause.body.lockedUntil === 'string' ? Date.parse(cause.body.lockedUntil) : Number.NaN;
        const minutes = Number.isNaN(until) ? null : Math.max(1, Math.ceil((until - Date.now()) / 60_000));
        setError(cause.message || t('login.locked', { minutes }));
      } else {
        setError(cause instanceof ApiError ? cause.message : String(cause));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form layout="vertical" size="large" onFinish={submit} requiredMark={false} data-testid="login-form">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
      <Form.Item name="username" rules={[{ required: true, message: t('login.usernameRequired') }]}>
        <Input prefix={<UserOutlined />} placeholder={t('login.username')} autoComplete="username" id="username" />
      </Form.Item>
      <Form.Item name="password" rules={[{ required: true, message: t('login.passwordRequired') }]}>
        <Input.Password
          prefix={<LockOutlined />}
          placeholder={t('login.password')}
          autoComplete="current-password"
          id="password"
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
        {t('login.submit')}
      </Button>
    </Form>
  );
}

function TotpStep({ onDone }: { onDone: (response: LoginResponse) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async ({ code }: { code: string }) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await api.post<LoginResponse>('/auth/totp/verify', { code: code.trim() }, { quiet: true }));
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form layout="vertical" size="large" onFinish={submit} requiredMark={false} data-testid="totp-form">
      <Typography.Paragraph type="secondary">{t('totp.verifyHint')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Form.Item name="code" rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('totp.codeInvalid') }]}>
        <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" placeholder="000000" autoFocus />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        {t('totp.verify')}
      </Button>
    </Form>
  );
}
