import type { AlarmKind, AlarmState } from '@safe-campus/domain';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export const ALARM_STATE_COLORS: Record<AlarmState, string> = {
  new: 'red',
  acknowledged: 'orange',
  dispatched: 'blue',
  on_scene: 'purple',
  resolved: 'green',
};

export const ALARM_KIND_HEX: Record<AlarmKind, string> = {
  fire: '#ff4d4f',
  one_key: '#ff7a45',
  duress: '#f759ab',
  help_request: '#ffa940',
  intrusion: '#ffc53d',
  tamper: '#9254de',
  other: '#69b1ff',
};

export function AlarmStateTag({ state }: { state: AlarmState }) {
  const { t } = useTranslation();
  return (
    <Tag color={ALARM_STATE_COLORS[state]} data-testid="alarm-state">
      {t(`alarms.states.${state}`)}
    </Tag>
  );
}

export function AlarmKindTag({ kind }: { kind: AlarmKind }) {
  const { t } = useTranslation();
  return (
    <Tag color={ALARM_KIND_HEX[kind]} style={{ color: '#1f1f1f' }}>
      {t(`alarms.kinds.${kind}`)}
    </Tag>
  );
}
