import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../api/client';
import { useAlarmStream } from '../../pages/alarms/useAlarmStream';
import { type AlarmSummary, actOnAlarm, myAlarms, newKey } from './api';

/** 我的出警: alarms dispatched to me, with 到场 and 处置完毕. */
export function MyAlarmsPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [showDone, setShowDone] = useState(false);
  const key = ['mobile-alarms', 'dispatched', showDone];
  const list = useQuery({ queryKey: key, queryFn: () => myAlarms('dispatched', !showDone) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['mobile-alarms'] });
  useAlarmStream(refresh, refresh);
  const items = list.data?.items ?? [];
  return (
    <div className="ma-mine" data-testid="my-alarms">
      <div className="mh-tabs" role="tablist">
        <button type="button" className={showDone ? 'mh-tab' : 'mh-tab mh-tab-on'} onClick={() => setShowDone(false)}>
          {t('mobileAlarms.open')}
        </button>
        <button type="button" className={showDone ? 'mh-tab mh-tab-on' : 'mh-tab'} onClick={() => setShowDone(true)}>
          {t('mobileAlarms.done')}
        </button>
      </div>
      {list.isLoading && <div className="m-empty">{t('common.loading')}</div>}
      {list.isError && <div className="m-empty">{t('common.loadFailed')}</div>}
      {list.data && items.length === 0 && (
        <div className="m-empty">{showDone ? t('mobileAlarms.noneDone') : t('mobileAlarms.noneOpen')}</div>
      )}
      <ul className="m-list">
        {items.map((alarm) => (
          <DispatchCard key={alarm.id} alarm={alarm} onChanged={refresh} />
        ))}
      </ul>
    </div>
  );
}

function DispatchCard({ alarm, onChanged }: { alarm: AlarmSummary; onChanged: () => void }) {
  const { t } = useTranslation();
  const [resolving, setResolving] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [falseAlarm, setFalseAlarm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const keys = useRef<Record<string, string>>({});
  const keyOf = (action: string) => {
    keys.current[action] ??= newKey();
    return keys.current[action];
  };
  const act = async (action: 'arrive' | 'resolve', body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await actOnAlarm(alarm.id, action, body, keyOf(action));
      setResolving(false);
      onChanged();
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };
  const where = [alarm.placeName, alarm.locationText, alarm.deviceName].filter(Boolean).join(' · ');
  const map =
    alarm.latitude !== null && alarm.longitude !== null
      ? `https://uri.amap.com/marker?position=${alarm.longitude},${alarm.latitude}&coordinate=wgs84`
      : null;
  return (
    <li className={`ma-card ma-card-${alarm.state}`} data-testid="dispatch-card" data-code={alarm.code}>
      <div className="ma-card-head">
        <span className="ma-kind">{t(`alarms.kinds.${alarm.kind}`)}</span>
        <span className="ma-state">{t(`alarms.states.${alarm.state}`)}</span>
      </div>
      <Link to={`/m/alarms/${alarm.id}`} className="ma-title">
        {alarm.title}
      </Link>
      <div className="ma-where">{where || '—'}</div>
      {map && (
        <a className="ma-map" href={map} target="_blank" rel="noreferrer">
          {t('mobileAlarms.openMap')}
        </a>
      )}
      <div className="m-muted">
        {alarm.code} · {new Date(alarm.raisedAt).toLocaleTimeString()}
        {alarm.dispatchTeam ? ` · ${alarm.dispatchTeam}` : ''}
      </div>
      {error && (
        <div className="m-error" role="alert">
          {error}
        </div>
      )}
      {alarm.state === 'dispatched' && (
        <button
          type="button"
          className="m-primary"
          disabled={busy}
          onClick={() => void act('arrive', {})}
          data-testid="dispatch-arrive"
        >
          {t('mobileAlarms.arrive')}
        </button>
      )}
      {(alarm.state === 'dispatched' || alarm.state === 'on_scene') &&
        (resolving ? (
          <div className="ma-resolve">
            <input
              className="mh-field"
              value={outcome}
              maxLength={200}
              placeholder={t('mobileAlarms.outcomeHint')}
              onChange={(event) => setOutcome(event.target.value)}
              data-testid="dispatch-outcome"
            />
            <label className="ma-check">
              <input type="checkbox" checked={falseAlarm} onChange={(event) => setFalseAlarm(event.target.checked)} />
              {t('alarms.fields.falseAlarm')}
            </label>
            <button
              type="button"
              className="m-primary"
              disabled={busy || !outcome.trim()}
              onClick={() => void act('resolve', { outcome: outcome.trim(), falseAlarm })}
              data-testid="dispatch-resolve-submit"
            >
              {t('mobileAlarms.resolveSubmit')}
            </button>
          </div>
        ) : (
          <button
            type="button"
            className={alarm.state === 'on_scene' ? 'm-primary' : 'ma-secondary'}
            onClick={() => setResolving(true)}
            data-testid="dispatch-resolve"
          >
            {t('mobileAlarms.resolve')}
          </button>
        ))}
    </li>
  );
}
