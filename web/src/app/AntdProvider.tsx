import { App as AntdApp, ConfigProvider } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { type ReactNode, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { onApiError } from '../api/client';

/** antd locale and theme, plus the one place API errors become toasts. */
export function AntdProvider({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const chinese = i18n.language !== 'en';
  dayjs.locale(chinese ? 'zh-cn' : 'en');
  return (
    <ConfigProvider locale={chinese ? zhCN : enUS} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 6 } }}>
      <AntdApp>
        <ApiErrorToasts />
        {children}
      </AntdApp>
    </ConfigProvider>
  );
}

function ApiErrorToasts() {
  const { message } = AntdApp.useApp();
  useEffect(() => onApiError((error) => void message.error(error.message)), [message]);
  return null;
}
