import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ConfigProvider, Empty, Progress, theme } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useUser } from '../../app/session';
import { AlarmActions } from '../alarms/AlarmActions';
import { AlarmDetailDrawer } from '../alarms/AlarmDetailDrawer';
import { type AlarmSummary, alarmApi, type CommandOverview, clock, slaLevel } from '../alarms/alarmApi';
import { ALARM_KIND_HEX } from '../alarms/alarmTags';
import { useAlarmStream } from '../alarms/useAlarmStream';
import { useBeep } from './useBeep';
import './command.css';

const STATUS_HEX: Record<string, string> = {
  online: '#52c41a',
  offline: '#8c8c8c',
  fault: '#ff4d4f',
  unknown: '#595959',
  passive: '#1677ff',
};

/** Ticks every second for the SLA timers (local clock only; no request). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * 校园110指挥中心大屏 (1920×1080, dark): the live queue with SLA timers and in-place buttons, today's counters,
 * the places with device pins coloured by state, who is on duty, device health and open major hazards.
 * Everything follows the realtime stream; after a reconnection the overview is read again.
 */
export function CommandPage() {
  return (
    <ConfigProvider theme={{ algorithm: theme.darkAlgorithm, token: { colorPrimary: '#1677ff' } }}>
      <CommandScreen />
    </ConfigProvider>
  );
}

function CommandScreen() {
  const { t } = useTranslation();
  const user = useUser();
  const [params] = useSearchParams();
  const orgId = Number(params.get('orgId')) || undefined;
  const queryClient = useQueryClient();
  const key = ['command-overview', orgId ?? user.activeOrg.id];
  const overview = useQuery({
    queryKey: key,
    queryFn: () => alarmApi.overview(orgId),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const now = useNow();
  const { unlocked, unlock, muted, setMuted, beep } = useBeep();
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [openId, setOpenId] = useState<number | null>(null);
  const [reconnects, setReconnects] = useState(0);

  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  const connected = useAlarmStream(
    (event) => {
      // Show a new alarm from the event itself at once; the refetch that follows fills in names.
      if (event.type === 'alarm.raised')
        queryClient.setQueryData<CommandOverview>(key, (old) => withRaised(old, event.payload));
      refresh();
      if (event.type === 'alarm.raised' && event.id !== null) {
        beep();
        const id = event.id;
        setFresh((current) => new Set(current).add(id));
        setTimeout(
          () =>
            setFresh((current) => {
              const next = new Set(current);
              next.delete(id);
              return next;
            }),
          15_000,
        );
      }
      if (event.type === 'alarm.escalated') beep();
      if (openId !== null && event.id === openId) void queryClient.invalidateQueries({ queryKey: ['alarm', openId] });
    },
    () => {
      setReconnects((count) => count + 1);
      refresh();
    },
  );

  const data = overview.data;
  return (
    <div className="cc-screen" data-testid="command-screen" data-connected={connected ? '1' : '0'}>
      <header className="cc-header">
        <div className="cc-title">
          <span className="cc-badge">110</span>
          {data?.org.name ?? user.activeOrg.name} · {t('alarms.command.title')}
        </div>
        <div className="cc-header-right">
          <span className={connected ? 'cc-conn cc-conn-up' : 'cc-conn cc-conn-down'} data-testid="command-connection">
            {connected ? t('alarms.command.live') : t('alarms.command.reconnecting')}
            {reconnects > 0 && connected ? ` · ${t('alarms.command.caughtUp')}` : ''}
          </span>
          {unlocked ? (
            <button
              type="button"
              className="cc-button"
              data-testid="command-mute"
              onClick={() => setMuted(!muted)}
              aria-pressed={muted}
            >
              {muted ? t('alarms.command.muted') : t('alarms.command.soundOn')}
            </button>
          ) : (
            <button type="button" className="cc-button cc-button-prompt" data-testid="command-sound" onClick={unlock}>
              {t('alarms.command.enableSound')}
            </button>
          )}
          <span className="cc-clock">{dayjs(now).format('YYYY-MM-DD HH:mm:ss')}</span>
          <Link to="/alarms" className="cc-link">
            {t('alarms.historyTitle')}
          </Link>
          <Link to="/" className="cc-link">
            {t('alarms.command.exit')}
          </Link>
        </div>
      </header>
      {overview.isError && !data && <div className="cc-error">{t('common.loadFailed')}</div>}
      {data && (
        <div className="cc-body">
          <Queue data={data} now={now} fresh={fresh} onOpen={setOpenId} onChanged={refresh} />
          <section className="cc-center">
            <Counters data={data} />
            {data.org.level === 'school' ? <PlaceBoard data={data} /> : <SchoolBoard data={data} />}
          </section>
          <aside className="cc-side">
            <Duty data={data} />
            <Health data={data} />
            <MajorHazards data={data} />
          </aside>
        </div>
      )}
      <AlarmDetailDrawer id={openId} onClose={() => setOpenId(null)} />
    </div>
  );
}

/** The overview with an `alarm.raised` event's alarm added to the queue and the counters (until the refetch lands). */
function withRaised(old: CommandOverview | undefined, payload: Record<string, unknown>): CommandOverview | undefined {
  if (!old || typeof payload.id !== 'number' || old.queue.some((alarm) => alarm.id === payload.id)) return old;
  const kind = payload.kind as AlarmSummary['kind'];
  const alarm: AlarmSummary = {
    id: payload.id,
    code: String(payload.code ?? ''),
    kind,
    description: null,
    source: payload.source as AlarmSummary['source'],
    priority: Number(payload.priority ?? 3),
    state: 'new',
    title: String(payload.title ?? ''),
    schoolId: Number(payload.schoolId ?? old.org.id),
    schoolName: old.org.level === 'school' ? old.org.name : '',
    placeId: typeof payload.placeId === 'number' ? payload.placeId : null,
    placeName: old.places.find((place) => place.id === payload.placeId)?.name ?? null,
    deviceId: typeof payload.deviceId === 'number' ? payload.deviceId : null,
    deviceName: old.devices.find((device) => device.id === payload.deviceId)?.name ?? null,
    locationText: null,
    latitude: null,
    longitude: null,
    reporterId: null,
    reporterName: null,
    raisedAt: String(payload.raisedAt ?? new Date().toISOString()),
    acknowledgedAt: null,
    dispatchedAt: null,
    dispatchedToId: null,
    dispatchedToName: null,
    dispatchTeam: null,
    onSceneAt: null,
    resolvedAt: null,
    escalatedAt: null,
    falseAlarm: null,
    outcome: null,
    hazardId: null,
    incidentId: null,
  };
  const queue = [...old.queue, alarm].sort(
    (a, b) => a.priority - b.priority || a.raisedAt.localeCompare(b.raisedAt) || a.id - b.id,
  );
  const byKind = old.counts.byKind.map((row) => (row.kind === kind ? { ...row, count: row.count + 1 } : row));
  return { ...old, queue, counts: { ...old.counts, total: old.counts.total + 1, open: old.counts.open + 1, byKind } };
}

function Panel({
  title,
  extra,
  children,
  className,
}: {
  title: string;
  extra?: React.ReactNode;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <section className={`cc-panel ${className ?? ''}`}>
      <div className="cc-panel-head">
        <span>{title}</span>
        {extra}
      </div>
      <div className="cc-panel-body">{children}</div>
    </section>
  );
}

function Queue({
  data,
  now,
  fresh,
  onOpen,
  onChanged,
}: {
  data: CommandOverview;
  now: number;
  fresh: Set<number>;
  onOpen: (id: number) => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const limits = { acknowledgeSeconds: data.acknowledgeSeconds, arriveSeconds: data.arriveSeconds };
  return (
    <Panel
      title={t('alarms.command.queue')}
      className="cc-queue"
      extra={
        <span className="cc-count" data-testid="command-queue-count">
          {data.queue.length}
        </span>
      }
    >
      {data.queue.length === 0 && <div className="cc-calm">{t('alarms.command.calm')}</div>}
      <ol className="cc-queue-list" data-testid="command-queue">
        {data.queue.map((alarm) => (
          <QueueItem
            key={alarm.id}
            alarm={alarm}
            sla={slaLevel(alarm, now, limits)}
            fresh={fresh.has(alarm.id)}
            bureau={data.org.level !== 'school'}
            onOpen={onOpen}
            onChanged={onChanged}
          />
        ))}
      </ol>
    </Panel>
  );
}

function QueueItem({
  alarm,
  sla,
  fresh,
  bureau,
  onOpen,
  onChanged,
}: {
  alarm: AlarmSummary;
  sla: { seconds: number; level: 'ok' | 'warn' | 'late' };
  fresh: boolean;
  bureau: boolean;
  onOpen: (id: number) => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const where = [bureau ? alarm.schoolName : null, alarm.placeName, alarm.locationText, alarm.deviceName]
    .filter(Boolean)
    .join(' · ');
  const timerLabel =
    alarm.state === 'new'
      ? t('alarms.command.waitingAck')
      : alarm.state === 'dispatched'
        ? t('alarms.command.waitingArrive')
        : t('alarms.command.elapsed');
  return (
    <li
      className={`cc-alarm cc-sla-${sla.level}${fresh ? ' cc-alarm-fresh' : ''}`}
      data-testid="command-alarm"
      data-code={alarm.code}
      data-state={alarm.state}
    >
      <button type="button" className="cc-alarm-main" onClick={() => onOpen(alarm.id)}>
        <span className="cc-kind" style={{ background: ALARM_KIND_HEX[alarm.kind] }}>
          {t(`alarms.kinds.${alarm.kind}`)}
        </span>
        <span className="cc-alarm-text">
          <span className="cc-alarm-title">{alarm.title}</span>
          <span className="cc-alarm-where">{where || '—'}</span>
          <span className="cc-alarm-meta">
            {alarm.code} · {dayjs(alarm.raisedAt).format('HH:mm:ss')} · {t(`alarms.states.${alarm.state}`)}
            {alarm.dispatchedToName && ` → ${alarm.dispatchedToName}`}
            {alarm.escalatedAt && <span className="cc-escalated"> {t('alarms.escalated')}</span>}
          </span>
        </span>
        <span className="cc-timer" data-testid="command-timer">
          <span className="cc-timer-label">{timerLabel}</span>
          {clock(sla.seconds)}
        </span>
      </button>
      <div className="cc-alarm-actions">
        <AlarmActions alarm={alarm} size="small" onDone={onChanged} />
      </div>
    </li>
  );
}

function Counters({ data }: { data: CommandOverview }) {
  const { t } = useTranslation();
  const { counts } = data;
  return (
    <div className="cc-counters" data-testid="command-counters">
      <div className="cc-counter cc-counter-total">
        <span className="cc-counter-value">{counts.total}</span>
        <span className="cc-counter-label">{t('alarms.command.today')}</span>
      </div>
      <div className="cc-counter">
        <span className="cc-counter-value" style={{ color: counts.open > 0 ? '#ff7875' : undefined }}>
          {counts.open}
        </span>
        <span className="cc-counter-label">{t('alarms.command.open')}</span>
      </div>
      <div className="cc-counter">
        <span className="cc-counter-value" style={{ color: counts.escalated > 0 ? '#ff4d4f' : undefined }}>
          {counts.escalated}
        </span>
        <span className="cc-counter-label">{t('alarms.escalated')}</span>
      </div>
      {counts.byKind.map((row) => (
        <div key={row.kind} className="cc-counter" data-kind={row.kind}>
          <span className="cc-counter-value" style={{ color: row.count > 0 ? ALARM_KIND_HEX[row.kind] : '#595959' }}>
            {row.count}
          </span>
          <span className="cc-counter-label">{t(`alarms.kinds.${row.kind}`)}</span>
        </div>
      ))}
    </div>
  );
}

/** The school's places as blocks with their devices as pins; a place with an open alarm glows. */
function PlaceBoard({ data }: { data: CommandOverview }) {
  const { t } = useTranslation();
  const [planOf, setPlanOf] = useState<number | null>(null);
  const byId = useMemo(() => new Map(data.places.map((place) => [place.id, place])), [data.places]);
  // Each place rolls up to its top-level ancestor (a building, the gate, the playground).
  const topOf = (id: number | null): number | null => {
    let current = id === null ? undefined : byId.get(id);
    let guard = 0;
    while (current?.parentId != null && byId.has(current.parentId) && guard++ < 20)
      current = byId.get(current.parentId);
    return current?.id ?? null;
  };
  const tops = data.places.filter((place) => place.parentId === null || !byId.has(place.parentId));
  const devicesAt = new Map<number | null, CommandOverview['devices']>();
  for (const device of data.devices) {
    const top = topOf(device.placeId);
    devicesAt.set(top, [...(devicesAt.get(top) ?? []), device]);
  }
  const alarmed = new Set(data.queue.map((alarm) => topOf(alarm.placeId)).filter((id) => id !== null));
  const plan = planOf === null ? null : byId.get(planOf);
  const unplaced = devicesAt.get(null) ?? [];
  return (
    <Panel
      title={t('alarms.command.map')}
      className="cc-map"
      extra={
        <span className="cc-legend">
          {(['online', 'offline', 'fault', 'unknown', 'passive'] as const).map((status) => (
            <span key={status}>
              <i style={{ background: STATUS_HEX[status] }} />
              {t(`alarms.deviceStatus.${status}`)}
            </span>
          ))}
        </span>
      }
    >
      {plan?.floorPlanFileId ? (
        <div className="cc-plan">
          <button type="button" className="cc-button" onClick={() => setPlanOf(null)}>
            ← {t('alarms.command.allPlaces')}
          </button>
          <div className="cc-plan-image">
            <img src={`/api/v1/files/${plan.floorPlanFileId}`} alt={plan.name} />
            {plan.planX !== null && plan.planY !== null && (
              <span className="cc-plan-pin" style={{ left: `${plan.planX * 100}%`, top: `${plan.planY * 100}%` }} />
            )}
          </div>
        </div>
      ) : (
        <div className="cc-places" data-testid="command-places">
          {tops.length === 0 && unplaced.length === 0 && <Empty description={t('alarms.command.noPlaces')} />}
          {tops.map((place) => {
            const devices = devicesAt.get(place.id) ?? [];
            const plans = data.places.filter((p) => p.floorPlanFileId && topOf(p.id) === place.id);
            return (
              <div
                key={place.id}
                className={`cc-place${alarmed.has(place.id) ? ' cc-place-alarm' : ''}${place.keyPlace ? ' cc-place-key' : ''}`}
              >
                <div className="cc-place-name">
                  {place.name}
                  {plans.length > 0 && (
                    <button type="button" className="cc-plan-link" onClick={() => setPlanOf(plans[0]!.id)}>
                      {t('alarms.command.floorPlan')}
                    </button>
                  )}
                </div>
                <div className="cc-pins">
                  {devices.map((device) => (
                    <span
                      key={device.id}
                      className="cc-pin"
                      title={`${device.name} · ${t(`alarms.deviceStatus.${device.status}`)}`}
                      style={{ background: STATUS_HEX[device.status] }}
                      data-status={device.status}
                    />
                  ))}
                  {devices.length === 0 && <span className="cc-muted">{t('alarms.command.noDevices')}</span>}
                </div>
              </div>
            );
          })}
          {unplaced.length > 0 && (
            <div className="cc-place">
              <div className="cc-place-name">{t('alarms.command.unplaced')}</div>
              <div className="cc-pins">
                {unplaced.map((device) => (
                  <span
                    key={device.id}
                    className="cc-pin"
                    title={device.name}
                    style={{ background: STATUS_HEX[device.status] }}
                  />
                ))}
              </div>
            </div>
          )}
        </div>
      )}
    </Panel>
  );
}

function SchoolBoard({ data }: { data: CommandOverview }) {
  const { t } = useTranslation();
  return (
    <Panel title={t('alarms.command.schools')} className="cc-map">
      {data.schools.length === 0 && <div className="cc-calm">{t('alarms.command.schoolsCalm')}</div>}
      <table className="cc-table" data-testid="command-schools">
        <tbody>
          {data.schools.map((school) => (
            <tr key={school.schoolId} className={school.escalatedAlarms > 0 ? 'cc-row-late' : undefined}>
              <td>{school.schoolName}</td>
              <td>{t('alarms.command.openCount', { count: school.openAlarms })}</td>
              <td>
                {school.escalatedAlarms > 0
                  ? t('alarms.command.escalatedCount', { count: school.escalatedAlarms })
                  : ''}
              </td>
              <td>{school.leaderOnDuty ?? t('alarms.command.noLeader')}</td>
              <td>{school.onlineRate === null ? '—' : `${Math.round(school.onlineRate * 100)}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

function Duty({ data }: { data: CommandOverview }) {
  const { t } = useTranslation();
  const leaders = data.leaderOnDuty;
  const others = data.onDuty.filter((person) => person.dutyRole !== 'leader');
  return (
    <Panel title={t('alarms.command.duty')}>
      <div className="cc-leader" data-testid="command-leader">
        <span className="cc-muted">{t('alarms.command.leaderOnDuty')}</span>
        <strong>{leaders.map((person) => person.name).join('、') || t('alarms.command.noLeader')}</strong>
      </div>
      <ul className="cc-duty-list">
        {others.map((person) => (
          <li key={person.userId}>
            <span>{person.name}</span>
            <span className="cc-muted">
              {t(`alarms.dutyRoles.${person.dutyRole}`)} ·{' '}
              {t('alarms.command.until', { time: dayjs(person.shiftEndsAt).format('HH:mm') })}
            </span>
          </li>
        ))}
        {data.onDuty.length === 0 && <li className="cc-muted">{t('alarms.command.nobodyOnDuty')}</li>}
      </ul>
    </Panel>
  );
}

function Health({ data }: { data: CommandOverview }) {
  const { t } = useTranslation();
  const { health } = data;
  const percent = (value: number | null) => (value === null ? 0 : Math.round(value * 1000) / 10);
  const color = (value: number | null) => (value !== null && value < 0.95 ? '#ff7875' : '#52c41a');
  return (
    <Panel title={t('alarms.command.health')}>
      <div className="cc-health" data-testid="command-health">
        <div>
          <Progress
            type="dashboard"
            size={110}
            percent={percent(health.onlineRate)}
            strokeColor={color(health.onlineRate)}
            format={() => (health.onlineRate === null ? '—' : `${percent(health.onlineRate)}%`)}
          />
          <div className="cc-muted">{t('alarms.command.onlineRate')}</div>
        </div>
        <div>
          <Progress
            type="dashboard"
            size={110}
            percent={percent(health.intactRate)}
            strokeColor={color(health.intactRate)}
            format={() => (health.intactRate === null ? '—' : `${percent(health.intactRate)}%`)}
          />
          <div className="cc-muted">{t('alarms.command.intactRate')}</div>
        </div>
      </div>
      <div className="cc-health-counts">
        {(['online', 'offline', 'fault', 'unknown', 'passive'] as const).map((status) => (
          <span key={status}>
            <i style={{ background: STATUS_HEX[status] }} />
            {t(`alarms.deviceStatus.${status}`)} {health[status]}
          </span>
        ))}
      </div>
    </Panel>
  );
}

function MajorHazards({ data }: { data: CommandOverview }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLUListElement>(null);
  return (
    <Panel
      title={t('alarms.command.majorHazards')}
      className="cc-hazards"
      extra={<span className="cc-count">{data.majorHazards.length}</span>}
    >
      {data.majorHazards.length === 0 && <div className="cc-calm">{t('alarms.command.noMajorHazards')}</div>}
      <ul className="cc-hazard-list" ref={ref}>
        {data.majorHazards.map((hazard) => (
          <li key={hazard.id}>
            <Link to={`/hazards/${hazard.id}`}>{hazard.title}</Link>
            <span className="cc-muted">
              {data.org.level !== 'school' ? `${hazard.schoolName} · ` : ''}
              {t(`hazards.states.${hazard.state}`)}
              {hazard.deadline
                ? ` · ${t('alarms.command.deadline', { day: dayjs(hazard.deadline).format('MM-DD') })}`
                : ''}
            </span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
