import {
  CalendarOutlined,
  DownloadOutlined,
  LeftOutlined,
  PlusOutlined,
  ReloadOutlined,
  RightOutlined,
  TableOutlined,
} from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Calendar,
  Card,
  Empty,
  List,
  Segmented,
  Space,
  Spin,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { DAY, type DutyShift, type DutySwap, dutyApi, fmtDay, span, weekStart } from './dutyApi';
import { GenerateModal } from './GenerateModal';
import { ShiftDrawer } from './ShiftDrawer';
import { useDutyEvents } from './useDutyEvents';
import './duty.css';

type View = 'week' | 'month';

function ShiftCard({ shift, onOpen, me }: { shift: DutyShift; onOpen: () => void; me: number }) {
  const { t } = useTranslation();
  const leaders = shift.people.filter((p) => p.role === 'leader');
  const others = shift.people.filter((p) => p.role !== 'leader');
  const mine = shift.people.some((p) => p.userId === me);
  return (
    <button
      type="button"
      className={`duty-card${shift.kind === 'holiday' ? ' duty-card-holiday' : ''}${mine ? ' duty-card-mine' : ''}`}
      onClick={onOpen}
      data-testid="duty-shift"
    >
      <div className="duty-card-time">
        {span(shift, t('duty.nextDay'))}
        {shift.kind === 'holiday' && <Tag color="volcano">{shift.holidayName}</Tag>}
      </div>
      <div className={leaders.length > 0 ? 'duty-card-leader' : 'duty-card-noleader'} data-testid="duty-leader">
        {leaders.length > 0 ? `${t('duty.leaderShort')}：${leaders.map((p) => p.name).join('、')}` : t('duty.noLeader')}
      </div>
      <div className="duty-card-people">{others.map((p) => p.name).join('、')}</div>
      {shift.phone && <div className="duty-card-phone">☎ {shift.phone}</div>}
    </button>
  );
}

/** 值班表: a week grid or a month calendar of the unit's shifts, swaps and handovers. */
export function DutyPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'roster';
  const ownUnit: PickedOrg = { id: user.activeOrg.id, name: user.activeOrg.name, level: user.activeOrg.level };
  const [unit, setUnit] = useState<PickedOrg>(ownUnit);
  const [view, setView] = useState<View>('week');
  const [anchor, setAnchor] = useState<Dayjs>(() => {
    const from = params.get('from');
    return from ? dayjs(from) : dayjs();
  });
  const [drawer, setDrawer] = useState<{ shift: DutyShift | null; day: Dayjs | null } | null>(null);
  const [generating, setGenerating] = useState(false);
  const isBureau = ['province', 'city', 'county'].includes(user.activeOrg.level);
  const canManage = can('duty.manage') && unit.id === user.activeOrg.id;

  const [from, to] = useMemo(() => {
    if (view === 'week') {
      const start = weekStart(anchor);
      return [start, start.add(6, 'day')];
    }
    const start = anchor.startOf('month');
    return [weekStart(start), weekStart(start.endOf('month')).add(6, 'day')];
  }, [anchor, view]);

  const shifts = useQuery({
    queryKey: ['duty', 'shifts', unit.id, fmtDay(from), fmtDay(to)],
    queryFn: () => dutyApi.shifts(unit.id, fmtDay(from), fmtDay(to)),
  });
  const swaps = useQuery({
    queryKey: ['duty', 'swaps', unit.id],
    queryFn: () => dutyApi.swaps(unit.id),
    enabled: tab === 'swaps',
  });
  const handovers = useQuery({
    queryKey: ['duty', 'handovers', unit.id],
    queryFn: () => dutyApi.handovers(unit.id),
    enabled: tab === 'handovers',
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['duty'] });
  useDutyEvents(refresh);

  const byDay = useMemo(() => {
    const map = new Map<string, DutyShift[]>();
    for (const shift of shifts.data?.items ?? []) {
      const day = dayjs(shift.startsAt).format(DAY);
      map.set(day, [...(map.get(day) ?? []), shift]);
    }
    return map;
  }, [shifts.data]);

  const nextOf = (shift: DutyShift | null) =>
    shift
      ? ((shifts.data?.items ?? []).find(
          (other) =>
            other.id !== shift.id &&
            new Date(other.startsAt).getTime() <= new Date(shift.endsAt).getTime() + 3600_000 &&
            new Date(other.endsAt).getTime() > new Date(shift.endsAt).getTime(),
        ) ?? null)
      : null;

  const move = (step: number) => setAnchor(anchor.add(step, view === 'week' ? 'week' : 'month'));
  const periodLabel =
    view === 'week' ? `${from.format('YYYY-MM-DD')} ～ ${to.format('MM-DD')}` : anchor.format(t('duty.monthFormat'));

  async function decide(swap: DutySwap, decision: 'approve' | 'reject' | 'cancel') {
    try {
      await dutyApi.decideSwap(swap.id, decision);
      message.success(t(`duty.swapDone.${decision}`));
      refresh();
    } catch (cause) {
      message.error(cause instanceof ApiError ? cause.message : String(cause));
    }
  }

  const week = Array.from({ length: 7 }, (_, index) => from.add(index, 'day'));
  const roster = (
    <>
      <div className="duty-toolbar">
        <Space wrap>
          <Button icon={<LeftOutlined />} onClick={() => move(-1)} aria-label={t('duty.previous')} />
          <Button onClick={() => setAnchor(dayjs())}>{t('duty.today')}</Button>
          <Button icon={<RightOutlined />} onClick={() => move(1)} aria-label={t('duty.next')} />
          <Typography.Text strong data-testid="duty-period">
            {periodLabel}
          </Typography.Text>
        </Space>
        <Space wrap>
          <Segmented<View>
            value={view}
            onChange={setView}
            options={[
              { value: 'week', label: t('duty.week'), icon: <TableOutlined /> },
              { value: 'month', label: t('duty.month'), icon: <CalendarOutlined /> },
            ]}
          />
          <Button icon={<ReloadOutlined />} onClick={refresh} aria-label={t('duty.refresh')} />
        </Space>
      </div>
      {shifts.isError && (
        <Alert
          type="error"
          showIcon
          message={(shifts.error as Error).message}
          action={<Button onClick={() => shifts.refetch()}>{t('common.retry')}</Button>}
          style={{ marginBottom: 12 }}
        />
      )}
      <Spin spinning={shifts.isLoading}>
        {view === 'week' ? (
          <div className="duty-week" data-testid="duty-week">
            {week.map((day) => {
              const list = byDay.get(fmtDay(day)) ?? [];
              const today = day.isSame(dayjs(), 'day');
              return (
                <div key={fmtDay(day)} className={`duty-day${today ? ' duty-day-today' : ''}`}>
                  <div className="duty-day-head">
                    <span>{day.format('ddd')}</span>
                    <span className="duty-day-date">{day.format('MM-DD')}</span>
                    {canManage && (
                      <Button
                        type="text"
                        size="small"
                        icon={<PlusOutlined />}
                        aria-label={t('duty.newShift')}
                        onClick={() => setDrawer({ shift: null, day })}
                      />
                    )}
                  </div>
                  {list.length === 0 ? (
                    <div className="duty-day-empty">{t('duty.noShift')}</div>
                  ) : (
                    list.map((shift) => (
                      <ShiftCard
                        key={shift.id}
                        shift={shift}
                        me={user.id}
                        onOpen={() => setDrawer({ shift, day: null })}
                      />
                    ))
                  )}
                </div>
              );
            })}
          </div>
        ) : (
          <Calendar
            value={anchor}
            onPanelChange={(value) => setAnchor(value)}
            onSelect={(value, info) => {
              if (info.source === 'date') setAnchor(value);
            }}
            headerRender={() => null}
            cellRender={(value, info) => {
              if (info.type !== 'date') return info.originNode;
              const list = byDay.get(fmtDay(value)) ?? [];
              return (
                <div className="duty-month-cell">
                  {list.map((shift) => {
                    const leader = shift.people.find((p) => p.role === 'leader');
                    return (
                      <button
                        type="button"
                        key={shift.id}
                        className={`duty-month-item${shift.kind === 'holiday' ? ' duty-card-holiday' : ''}`}
                        onClick={(event) => {
                          event.stopPropagation();
                          setDrawer({ shift, day: null });
                        }}
                      >
                        {dayjs(shift.startsAt).format('HH:mm')}{' '}
                        {leader ? (
                          <span className="duty-card-leader">{leader.name}</span>
                        ) : (
                          <span className="duty-card-noleader">{t('duty.noLeader')}</span>
                        )}
                      </button>
                    );
                  })}
                </div>
              );
            }}
          />
        )}
      </Spin>
      {!shifts.isLoading && !shifts.isError && (shifts.data?.items.length ?? 0) === 0 && (
        <Empty description={canManage ? t('duty.emptyManage') : t('duty.empty')} style={{ marginTop: 16 }} />
      )}
    </>
  );

  const swapTable = (
    <Table<DutySwap>
      rowKey="id"
      loading={swaps.isLoading}
      dataSource={swaps.data?.items ?? []}
      scroll={{ x: 900 }}
      locale={{ emptyText: <Empty description={t('duty.noSwaps')} /> }}
      columns={[
        {
          title: t('duty.fields.time'),
          render: (_v, row) =>
            `${dayjs(row.shiftStartsAt).format('MM-DD')} ${span({ startsAt: row.shiftStartsAt, endsAt: row.shiftEndsAt }, t('duty.nextDay'))}`,
          width: 170,
        },
        { title: t('duty.swapFrom'), dataIndex: 'fromUserName', width: 110 },
        { title: t('duty.swapTo'), dataIndex: 'toUserName', width: 110 },
        { title: t('duty.swapReason'), dataIndex: 'reason', ellipsis: true },
        {
          title: t('duty.swapState'),
          dataIndex: 'state',
          width: 100,
          render: (state: string) => (
            <Tag color={{ pending: 'processing', approved: 'success', rejected: 'error', cancelled: 'default' }[state]}>
              {t(`duty.swapStates.${state}`)}
            </Tag>
          ),
        },
        {
          title: t('common.actions'),
          width: 170,
          render: (_v, row) =>
            row.state === 'pending' && (
              <Space>
                {canManage && (
                  <>
                    <Button size="small" type="primary" onClick={() => decide(row, 'approve')}>
                      {t('duty.approve')}
                    </Button>
                    <Button size="small" danger onClick={() => decide(row, 'reject')}>
                      {t('duty.reject')}
                    </Button>
                  </>
                )}
                {row.fromUserId === user.id && (
                  <Button size="small" onClick={() => decide(row, 'cancel')}>
                    {t('duty.cancelSwap')}
                  </Button>
                )}
              </Space>
            ),
        },
      ]}
    />
  );

  const handoverList = (
    <List
      loading={handovers.isLoading}
      dataSource={handovers.data?.items ?? []}
      locale={{ emptyText: <Empty description={t('duty.noHandovers')} /> }}
      renderItem={(item) => (
        <List.Item key={item.id}>
          <List.Item.Meta
            title={
              <Space wrap>
                <span>
                  {dayjs(item.shiftStartsAt).format('MM-DD')}{' '}
                  {span({ startsAt: item.shiftStartsAt, endsAt: item.shiftEndsAt }, t('duty.nextDay'))}
                </span>
                {isBureau && <Tag>{item.orgName}</Tag>}
                <Typography.Text type="secondary">
                  {t('duty.handoverBy', {
                    name: item.writtenByName,
                    at: dayjs(item.writtenAt).format('MM-DD HH:mm'),
                  })}
                  {item.handedToName ? ` → ${item.handedToName}` : ''}
                </Typography.Text>
              </Space>
            }
            description={
              <>
                <div className="duty-pre">{item.summary}</div>
                {item.openIssues && (
                  <div className="duty-pre">
                    <Tag color="orange">{t('duty.handoverIssues')}</Tag>
                    {item.openIssues}
                  </div>
                )}
              </>
            }
          />
        </List.Item>
      )}
    />
  );

  return (
    <Page
      title={t('duty.title')}
      extra={[
        isBureau && (
          <OrgPicker
            key="org"
            value={unit}
            onChange={(org) => setUnit(org ?? ownUnit)}
            style={{ width: 240 }}
            placeholder={t('duty.pickUnit')}
          />
        ),
        <Button
          key="export"
          icon={<DownloadOutlined />}
          onClick={() =>
            dutyApi.exportRoster(unit.id, fmtDay(from), fmtDay(to), unit.name).catch((cause: Error) => {
              message.error(cause.message);
            })
          }
        >
          {t('duty.export')}
        </Button>,
        canManage && (
          <Button key="generate" onClick={() => setGenerating(true)} data-testid="duty-generate">
            {t('duty.generate')}
          </Button>
        ),
        canManage && (
          <Button
            key="new"
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDrawer({ shift: null, day: dayjs() })}
            data-testid="duty-new"
          >
            {t('duty.newShift')}
          </Button>
        ),
      ].filter(Boolean)}
    >
      {unit.level === 'department' && <Alert type="info" showIcon message={t('duty.departmentHint')} />}
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => {
            const next = new URLSearchParams(params);
            next.set('tab', key);
            setParams(next, { replace: true });
          }}
          items={[
            { key: 'roster', label: t('duty.tabs.roster'), children: roster },
            { key: 'swaps', label: t('duty.tabs.swaps'), children: swapTable },
            { key: 'handovers', label: t('duty.tabs.handovers'), children: handoverList },
          ]}
        />
      </Card>
      <ShiftDrawer
        orgId={unit.id}
        open={drawer !== null}
        shift={drawer?.shift ?? null}
        draftDay={drawer?.day ?? null}
        canManage={canManage}
        nextShift={nextOf(drawer?.shift ?? null)}
        onClose={() => setDrawer(null)}
        onChanged={refresh}
      />
      <GenerateModal
        orgId={unit.id}
        open={generating}
        onClose={() => setGenerating(false)}
        onDone={(day) => {
          setAnchor(dayjs(day));
          refresh();
        }}
      />
    </Page>
  );
}
