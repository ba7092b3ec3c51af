import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import type { InspectionCalendar, TaskSummary } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Drawer, Empty, List, Row, Skeleton, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { Page as ApiPage } from '../../api/types';
import { Page } from '../../app/Page';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { RecordDrawer } from './RecordDrawer';
import { CountsLine, clock, KindTag, LoadError, percent, TaskStateTag } from './shared';
import { useInspectionEvents } from './useInspectionEvents';
import './inspections.css';

type Day = InspectionCalendar['days'][number];

/** The colour of a day: all done green, something missed red, still to do blue, nothing planned grey. */
function dayTone(day: Day, today: string): 'done' | 'missed' | 'pending' | 'partial' | 'none' {
  const total = day.done + day.missed + day.pending;
  if (total === 0) return 'none';
  if (day.missed > 0) return day.done > 0 ? 'partial' : 'missed';
  if (day.pending > 0) return day.day < today ? 'missed' : 'pending';
  return 'done';
}

/** 检查日历: a month grid of a school's (or a bureau's) tasks coloured by completion; a day opens its tasks. */
export function CalendarPage() {
  const { t } = useTranslation();
  const user = useUser();
  const own = ownSchoolId(user);
  const [params] = useSearchParams();
  const [picked, setPicked] = useState<number | null>(() => {
    const value = Number(params.get('schoolId'));
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  });
  const schoolId = own ?? picked;
  const [month, setMonth] = useState<Dayjs>(() => dayjs().startOf('month'));
  const [openDay, setOpenDay] = useState<string | null>(null);
  const [recordId, setRecordId] = useState<number | null>(null);
  const from = month.startOf('month').format('YYYY-MM-DD');
  const to = month.endOf('month').format('YYYY-MM-DD');
  const today = dayjs().format('YYYY-MM-DD');
  const calendar = useQuery({
    queryKey: ['inspections', 'calendar', schoolId, from, to],
    queryFn: () =>
      api.get<InspectionCalendar>('/inspections/calendar', { orgId: schoolId ?? undefined, from, to }, { quiet: true }),
    placeholderData: (previous) => previous,
  });
  useInspectionEvents();
  const data = calendar.data;
  const byDay = new Map((data?.days ?? []).map((day) => [day.day, day]));
  const school = data?.org.level === 'school' || data?.org.level === 'department';
  const totals = (data?.days ?? []).reduce(
    (sum, day) => ({ done: sum.done + day.done, missed: sum.missed + day.missed, pending: sum.pending + day.pending }),
    { done: 0, missed: 0, pending: 0 },
  );

  // Monday-first grid covering the whole month; the days of the neighbouring months fill the first and last weeks.
  const first = month.startOf('month');
  const gridStart = first.subtract((first.day() + 6) % 7, 'day');
  const weeks = Math.ceil((((first.day() + 6) % 7) + month.daysInMonth()) / 7);
  const cells = Array.from({ length: weeks * 7 }, (_, index) => {
    const date = gridStart.add(index, 'day');
    return { day: date.format('YYYY-MM-DD'), inMonth: date.month() === month.month() };
  });

  const selected = openDay ? byDay.get(openDay) : undefined;

  return (
    <Page title={t('inspections.menu.calendar')}>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          {own === null && <SchoolPicker value={picked} onChange={setPicked} />}
          <Space.Compact>
            <Button
              icon={<LeftOutlined />}
              onClick={() => setMonth(month.subtract(1, 'month'))}
              aria-label={t('inspections.calendar.previous')}
            />
            <Button onClick={() => setMonth(dayjs().startOf('month'))}>{t('inspections.calendar.thisMonth')}</Button>
            <Button
              icon={<RightOutlined />}
              onClick={() => setMonth(month.add(1, 'month'))}
              aria-label={t('inspections.calendar.next')}
            />
          </Space.Compact>
          <Typography.Text strong data-testid="calendar-month">
            {month.format(t('inspections.calendar.monthFormat'))}
          </Typography.Text>
          {data && <Typography.Text type="secondary">{data.org.name}</Typography.Text>}
        </Space>
      </Card>
      {calendar.isError && <LoadError error={calendar.error} onRetry={() => calendar.refetch()} />}
      {!data && calendar.isLoading ? (
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      ) : (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Card size="small">
            <div className="sc-insp-legend">
              {(['done', 'partial', 'missed', 'pending', 'none'] as const).map((tone) => (
                <span key={tone}>
                  <i className={`sc-insp-swatch tone-${tone}`} />
                  {t(`inspections.calendar.tones.${tone}`)}
                </span>
              ))}
              <Typography.Text type="secondary">
                {t('inspections.counts', {
                  ...totals,
                  rate: percent(totals.done + totals.missed === 0 ? null : totals.done / (totals.done + totals.missed)),
                })}
              </Typography.Text>
            </div>
            <div className="sc-insp-calendar" data-testid="calendar">
              {[1, 2, 3, 4, 5, 6, 7].map((weekday) => (
                <div key={`head-${weekday}`} className="sc-insp-calendar-head">
                  {t(`inspections.weekdaysShort.${weekday}`)}
                </div>
              ))}
              {cells.map(({ day: cell, inMonth }) => {
                if (!inMonth) return <div key={cell} className="sc-insp-calendar-cell blank" />;
                const day = byDay.get(cell);
                const tone = day ? dayTone(day, today) : 'none';
                const total = day ? day.done + day.missed + day.pending : 0;
                return (
                  <button
                    type="button"
                    key={cell}
                    className={`sc-insp-calendar-cell tone-${tone}${cell === today ? ' today' : ''}`}
                    onClick={() => setOpenDay(cell)}
                    data-testid="calendar-day"
                    data-day={cell}
                    data-tone={tone}
                  >
                    <span className="sc-insp-calendar-date">{Number(cell.slice(8))}</span>
                    {total > 0 && (
                      <span className="sc-insp-calendar-counts">
                        <span className="done">{day?.done}</span>/<span>{total}</span>
                        {day && day.missed > 0 && (
                          <span className="missed">{t('inspections.calendar.missedShort', { count: day.missed })}</span>
                        )}
                      </span>
                    )}
                  </button>
                );
              })}
            </div>
          </Card>
          {data && !school && data.units.length > 0 && (
            <Card size="small" title={t('inspections.calendar.units')}>
              <Table
                size="small"
                rowKey="orgId"
                dataSource={data.units}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                scroll={{ x: 520 }}
                // A county's units are schools: a click opens that school's calendar with its tasks.
                onRow={(row) =>
                  data.org.level === 'county'
                    ? { className: 'sc-insp-clickable', onClick: () => setPicked(row.orgId) }
                    : {}
                }
                columns={[
                  { title: t('inspections.stats.unit'), dataIndex: 'orgName' },
                  { title: t('inspections.taskStates.done'), dataIndex: 'done', align: 'right' },
                  { title: t('inspections.taskStates.missed'), dataIndex: 'missed', align: 'right' },
                  { title: t('inspections.taskStates.pending'), dataIndex: 'pending', align: 'right' },
                  {
                    title: t('inspections.stats.completionRate'),
                    dataIndex: 'completionRate',
                    align: 'right',
                    render: percent,
                  },
                ]}
              />
            </Card>
          )}
        </Space>
      )}
      <Drawer
        open={openDay !== null}
        onClose={() => setOpenDay(null)}
        title={openDay ? dayjs(openDay).format(t('inspections.calendar.dayFormat')) : ''}
        width={Math.min(520, typeof window === 'undefined' ? 520 : window.innerWidth)}
        data-testid="calendar-day-drawer"
      >
        {openDay && selected && <CountsLine counts={selected} />}
        {openDay && (
          <DayTasks
            day={openDay}
            schoolId={schoolId}
            fromCalendar={selected?.tasks ?? null}
            school={school}
            onOpenRecord={setRecordId}
          />
        )}
      </Drawer>
      <RecordDrawer recordId={recordId} onClose={() => setRecordId(null)} />
    </Page>
  );
}

type DayTask = Pick<
  TaskSummary,
  'id' | 'planName' | 'templateKind' | 'placeName' | 'routeName' | 'windowStart' | 'windowEnd' | 'state' | 'recordId'
> & { schoolName?: string };

/** The tasks of one day: from the calendar for a school; read from the task list for a bureau. */
function DayTasks({
  day,
  schoolId,
  fromCalendar,
  school,
  onOpenRecord,
}: {
  day: string;
  schoolId: number | null;
  fromCalendar: DayTask[] | null;
  school: boolean;
  onOpenRecord: (id: number) => void;
}) {
  const { t } = useTranslation();
  const tasks = useQuery({
    queryKey: ['inspections', 'tasks', schoolId, day],
    enabled: !school,
    queryFn: () =>
      api.get<ApiPage<TaskSummary>>('/inspections/tasks', { orgId: schoolId ?? undefined, day, limit: 200 }),
  });
  const items: DayTask[] = school ? (fromCalendar ?? []) : (tasks.data?.items ?? []);
  if (!school && tasks.isLoading) return <Skeleton active />;
  if (items.length === 0) return <Empty description={t('inspections.calendar.noTasks')} style={{ marginTop: 24 }} />;
  const sorted = [...items].sort((a, b) => a.windowStart.localeCompare(b.windowStart));
  return (
    <List
      dataSource={sorted}
      data-testid="day-tasks"
      renderItem={(task) => (
        <List.Item
          key={task.id}
          data-testid="day-task"
          actions={
            task.recordId
              ? [
                  <Button key="record" size="small" type="link" onClick={() => onOpenRecord(task.recordId as number)}>
                    {t('inspections.calendar.openRecord')}
                  </Button>,
                ]
              : undefined
          }
        >
          <List.Item.Meta
            title={
              <Space wrap size={4}>
                <TaskStateTag state={task.state} />
                <span>{task.planName}</span>
              </Space>
            }
            description={
              <Row gutter={8}>
                <Col>
                  {clock(task.windowStart)}–{clock(task.windowEnd)}
                </Col>
                <Col>
                  <KindTag kind={task.templateKind} />
                </Col>
                <Col>{task.routeName ?? task.placeName ?? task.schoolName ?? ''}</Col>
              </Row>
            }
          />
        </List.Item>
      )}
    />
  );
}
