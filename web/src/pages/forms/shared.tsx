import type { SubmissionState } from '@safe-campus/domain';
import { Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

export const dateTime = (value: string | null | undefined) => (value ? dayjs(value).format('YYYY-MM-DD HH:mm') : '—');
export const period = (from: string, to: string) => `${from} ~ ${to}`;

const STATE_COLORS: Record<SubmissionState, string> = {
  draft: 'default',
  returned: 'error',
  submitted: 'processing',
  signed: 'cyan',
  cosigned: 'geekblue',
  accepted: 'success',
};

export function SubmissionStateTag({ state }: { state: SubmissionState }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLORS[state]} data-testid="submission-state">
      {t(`forms.states.${state}`)}
    </Tag>
  );
}

/** The deadline, red when it passed with the form not handed in, or with 「逾期提交」 when it was handed in late. */
export function Deadline({ deadline, overdue, late }: { deadline: string; overdue?: boolean; late?: boolean }) {
  const { t } = useTranslation();
  return (
    <span className={overdue || late ? 'sc-form-late' : undefined} data-testid="deadline">
      {dateTime(deadline)}
      {overdue && (
        <Tag color="error" bordered={false} style={{ marginLeft: 6 }}>
          {t('forms.overdue')}
        </Tag>
      )}
      {late && (
        <Tag color="warning" bordered={false} style={{ marginLeft: 6 }}>
          {t('forms.late')}
        </Tag>
      )}
    </span>
  );
}

/** Days left before a deadline, as 「还剩 3 天」 / 「今天截止」 / 「已逾期 2 天」. */
export function DaysLeft({ deadline }: { deadline: string }) {
  const { t } = useTranslation();
  const days = dayjs(deadline).startOf('day').diff(dayjs().startOf('day'), 'day');
  if (days > 0) return <Typography.Text type="secondary">{t('forms.daysLeft', { count: days })}</Typography.Text>;
  if (days === 0 && dayjs(deadline).isAfter(dayjs()))
    return <Typography.Text type="warning">{t('forms.dueToday')}</Typography.Text>;
  return <Typography.Text type="danger">{t('forms.daysOver', { count: Math.max(1, -days) })}</Typography.Text>;
}
