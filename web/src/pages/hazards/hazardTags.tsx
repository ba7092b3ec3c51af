import type { HazardGrade, HazardState, HazardSummary, RiskLevel } from '@safe-campus/domain';
import { Space, Tag } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

/** Tag colours: state by progress, grade and risk level by the red/orange/yellow/blue convention. */
export const STATE_COLORS: Record<HazardState, string> = {
  reported: 'blue',
  confirmed: 'cyan',
  rectifying: 'orange',
  rectified: 'purple',
  closed: 'green',
  rejected: 'default',
};

export const GRADE_COLORS: Record<HazardGrade, string> = { general: 'blue', larger: 'orange', major: 'red' };

export const RISK_COLORS: Record<RiskLevel, string> = { red: 'red', orange: 'orange', yellow: 'gold', blue: 'blue' };

/** Chart colours matching the tags. */
export const RISK_HEX: Record<RiskLevel, string> = {
  red: '#f5222d',
  orange: '#fa8c16',
  yellow: '#fadb14',
  blue: '#1677ff',
};

export function StateTag({ state }: { state: HazardState }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="hazard-state">
      {t(`hazards.states.${state}`)}
    </Tag>
  );
}

export function GradeTag({ grade }: { grade: HazardGrade | null }) {
  const { t } = useTranslation();
  return grade ? <Tag color={GRADE_COLORS[grade]}>{t(`hazards.grades.${grade}`)}</Tag> : null;
}

export function RiskTag({ level }: { level: RiskLevel | null }) {
  const { t } = useTranslation();
  return level ? <Tag color={RISK_COLORS[level]}>{t(`hazards.riskLevels.${level}`)}</Tag> : null;
}

export function OverdueTag({ overdue }: { overdue: boolean }) {
  const { t } = useTranslation();
  return overdue ? (
    <Tag color="error" data-testid="overdue-tag">
      {t('hazards.overdue')}
    </Tag>
  ) : null;
}

export function SupervisedTag({ supervised }: { supervised: boolean }) {
  const { t } = useTranslation();
  return supervised ? <Tag color="magenta">{t('hazards.supervised')}</Tag> : null;
}

/** Every tag of a hazard in one row. */
export function HazardTags({ hazard }: { hazard: HazardSummary }) {
  return (
    <Space size={[0, 4]} wrap>
      <StateTag state={hazard.state} />
      <GradeTag grade={hazard.grade} />
      <RiskTag level={hazard.riskLevel} />
      <OverdueTag overdue={hazard.overdue} />
      <SupervisedTag supervised={hazard.supervised} />
    </Space>
  );
}

/** Days left until a deadline (or days past it) while the hazard is open. */
export function DaysLeft({ deadline, open }: { deadline: string; open: boolean }) {
  const { t } = useTranslation();
  if (!open) return null;
  const days = Math.ceil(dayjs(deadline).diff(dayjs(), 'hour') / 24);
  return days < 0 ? (
    <Tag color="error">{t('hazards.daysOver', { count: -days })}</Tag>
  ) : (
    <Tag color={days <= 3 ? 'warning' : 'default'}>{t('hazards.daysLeft', { count: days })}</Tag>
  );
}
