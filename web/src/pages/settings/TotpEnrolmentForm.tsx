import { Alert, Button, Form, Image, Input, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { LoginResponse, TotpEnrolment } from '../../api/types';

/** Binds an authenticator app: QR code and secret from the server, then one code to confirm. */
export function TotpEnrolmentForm({ onDone }: { onDone: (response: LoginResponse) => void }) {
  const { t } = useTranslation();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api
      .post<TotpEnrolment>('/auth/totp/enrolment', {}, { quiet: true })
      .then((value) => !cancelled && setEnrolment(value))
      .catch((cause) => !cancelled && setError(cause instanceof ApiError ? cause.message : String(cause)));
    return () => {
      cancelled = true;
    };
  }, []);

  const confirm = async ({ code }: { code: string }) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await api.post<LoginResponse>('/auth/totp/confirm', { code: code.trim() }, { quiet: true }));
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="totp-enrolment">
      <Typography.Paragraph type="secondary">{t('totp.enrolHint')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {!enrolment && !error && <Spin />}
      {enrolment && (
        <Space direction="vertical" align="center" style={{ width: '100%' }}>
          <Image src={enrolment.qrDataUrl} width={180} height={180} preview={false} alt={t('totp.qrAlt')} />
          <Typography.Text type="secondary">{t('totp.secret')}</Typography.Text>
          <Typography.Text code copyable data-testid="totp-secret">
            {enrolment.secret}
          </Typography.Text>
        </Space>
      )}
      <Form layout="vertical" onFinish={confirm} requiredMark={false} style={{ marginTop: 16 }}>
        <Form.Item
          name="code"
          label={t('totp.code')}
          rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('totp.codeInvalid') }]}
        >
          <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" placeholder="000000" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} disabled={!enrolment} block>
          {t('totp.confirm')}
        </Button>
      </Form>
    </div>
  );
}
