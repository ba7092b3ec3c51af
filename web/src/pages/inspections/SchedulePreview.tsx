import { type PlanSchedule, runsOn, windowsOn } from '@safe-campus/domain';
import { Empty, List, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

export interface Occurrence {
  day: string;
  windows: { start: Date; end: Date; index: number }[];
}

/** The next days a schedule runs, from `from` on (at most `limit` days, looking a little over a year ahead). */
export function nextOccurrences(schedule: PlanSchedule, from: string, limit = 6, now = new Date()): Occurrence[] {
  const found: Occurrence[] = [];
  let day = dayjs(from > schedule.startsOn ? from : schedule.startsOn);
  for (let step = 0; step < 400 && found.length < limit; step++, day = day.add(1, 'day')) {
    const text = day.format('YYYY-MM-DD');
    if (schedule.endsOn && text > schedule.endsOn) break;
    if (!runsOn(schedule, text)) continue;
    // The browser shows business time: the desktop runs in the platform's zone (Asia/Shanghai). Windows that
    // already ended today get no task (the server creates only those still open).
    const windows = windowsOn(schedule, text, day.startOf('day').toDate()).filter((window) => window.end > now);
    if (windows.length > 0) found.push({ day: text, windows });
  }
  return found;
}

/** 执行预览: when the plan's next tasks fall, computed with the same rules the server's sweeper uses. */
export function SchedulePreview({ schedule }: { schedule: PlanSchedule | null }) {
  const { t } = useTranslation();
  if (!schedule) {
    return <Typography.Text type="secondary">{t('inspections.plan.previewIncomplete')}</Typography.Text>;
  }
  const today = dayjs().format('YYYY-MM-DD');
  const occurrences = nextOccurrences(schedule, today);
  if (occurrences.length === 0) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inspections.plan.previewNone')} />;
  }
  return (
    <List
      size="small"
      dataSource={occurrences}
      data-testid="plan-preview"
      renderItem={(occurrence) => (
        <List.Item key={occurrence.day}>
          <Typography.Text strong style={{ minWidth: 120 }}>
            {dayjs(occurrence.day).format('M月D日 ddd')}
          </Typography.Text>
          <Typography.Text>
            {occurrence.windows
              .map((window) => {
                const nextDay = dayjs(window.end).format('YYYY-MM-DD') !== occurrence.day;
                return `${dayjs(window.start).format('HH:mm')}–${nextDay ? t('inspections.plan.nextDay') : ''}${dayjs(window.end).format('HH:mm')}`;
              })
              .join('，')}
          </Typography.Text>
        </List.Item>
      )}
    />
  );
}
