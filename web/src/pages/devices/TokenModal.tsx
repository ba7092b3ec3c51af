import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { connectionLines, type DeviceWithToken } from './deviceApi';

const { Paragraph, Text } = Typography;

/**
 * The secret token of a new or re-keyed device, shown this once (the server keeps only its hash): code and
 * token with copy buttons, the MQTT topics and ready command lines from docs/devices.md.
 */
export function TokenModal({ result, onClose }: { result: DeviceWithToken; onClose: () => void }) {
  const { t } = useTranslation();
  const { device, token } = result;
  const lines = token ? connectionLines(device.schoolCode, device.code, token) : null;
  return (
    <Modal
      open
      title={t('devices.token.title', { name: device.name })}
      onCancel={onClose}
      maskClosable={false}
      width={720}
      footer={
        <Button type="primary" onClick={onClose} data-testid="token-done">
          {t('devices.token.done')}
        </Button>
      }
    >
      <div data-testid="token-modal">
        {token && <Alert type="warning" showIcon message={t('devices.token.once')} style={{ marginBottom: 16 }} />}
        <Descriptions
          column={1}
          size="small"
          bordered
          // On a phone the long topics need the full width under their labels.
          layout={window.innerWidth < 576 ? 'vertical' : 'horizontal'}
          styles={{ label: { width: 120 } }}
        >
          <Descriptions.Item label={t('devices.code')}>
            <Text copyable code data-testid="token-code">
              {device.code}
            </Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('devices.schoolCode')}>
            <Text copyable code>
              {device.schoolCode}
            </Text>
          </Descriptions.Item>
          {token ? (
            <Descriptions.Item label={t('devices.token.token')}>
              <Text copyable code data-testid="token-value" style={{ wordBreak: 'break-all' }}>
                {token}
              </Text>
            </Descriptions.Item>
          ) : (
            <Descriptions.Item label={t('devices.token.token')}>{t('devices.token.passive')}</Descriptions.Item>
          )}
          {lines && (
            <>
              <Descriptions.Item label={t('devices.token.alarmTopic')}>
                <Text copyable code>
                  {lines.alarmTopic}
                </Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('devices.token.statusTopic')}>
                <Text copyable code>
                  {lines.statusTopic}
                </Text>
              </Descriptions.Item>
            </>
          )}
        </Descriptions>
        {lines && (
          <>
            <Paragraph strong style={{ marginTop: 16, marginBottom: 4 }}>
              {t('devices.token.mqttTry')}
            </Paragraph>
            <Paragraph copyable={{ text: lines.mosquitto }} className="devices-command">
              <pre>{lines.mosquitto}</pre>
            </Paragraph>
            <Paragraph strong style={{ marginBottom: 4 }}>
              {t('devices.token.httpTry')}
            </Paragraph>
            <Paragraph copyable={{ text: lines.curl }} className="devices-command">
              <pre>{lines.curl}</pre>
            </Paragraph>
            <Paragraph type="secondary">{t('devices.token.docs')}</Paragraph>
          </>
        )}
      </div>
    </Modal>
  );
}
