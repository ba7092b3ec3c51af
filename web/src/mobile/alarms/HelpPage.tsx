import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useUser } from '../../app/session';
import { useAlarmStream } from '../../pages/alarms/useAlarmStream';
import { schoolOf } from '../hazards/api';
import { type PickedPlace, PlacePicker } from '../hazards/PlacePicker';
import { type AlarmDetail, alarmDetail, locate, myAlarms, newKey, sendHelp } from './api';

type Position = { latitude: number; longitude: number; accuracy: number };

/** 一键求助: one big button; where I am from the browser (or typed), optionally the place and what happened. */
export function HelpPage() {
  const { t } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const school = schoolOf(user);
  const [position, setPosition] = useState<Position | null>(null);
  const [locating, setLocating] = useState(true);
  const [locationText, setLocationText] = useState('');
  const [place, setPlace] = useState<PickedPlace | null>(null);
  const [description, setDescription] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per request being composed: a retry after a lost answer is the same request.
  const key = useRef(newKey());

  useEffect(() => {
    let live = true;
    void locate().then((found) => {
      if (!live) return;
      setPosition(found);
      setLocating(false);
    });
    return () => {
      live = false;
    };
  }, []);

  const located = position !== null;
  const canSend = located || locationText.trim().length > 0 || place !== null;
  const send = async () => {
    if (!canSend) {
      setError(t('mobileAlarms.needLocation'));
      return;
    }
    setSending(true);
    setError(null);
    try {
      const alarm = await sendHelp(
        {
          locationText: locationText.trim() || undefined,
          latitude: position?.latitude ?? null,
          longitude: position?.longitude ?? null,
          accuracy: position?.accuracy ?? null,
          placeId: place?.id ?? null,
          description: description.trim() || undefined,
        },
        key.current,
      );
      key.current = newKey();
      navigate(`/m/alarms/${alarm.id}`, { replace: true });
    } catch (cause) {
      setError(
        cause instanceof ApiError && cause.status === 0
          ? t('mobileAlarms.sendFailedOffline')
          : cause instanceof Error
            ? cause.message
            : String(cause),
      );
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="ma-help" data-testid="help-page">
      <p className="ma-lead">{t('mobileAlarms.lead')}</p>
      <button type="button" className="ma-sos" disabled={sending} onClick={() => void send()} data-testid="help-send">
        <span className="ma-sos-big">{sending ? t('mobileAlarms.sending') : t('mobileAlarms.sos')}</span>
        <span className="ma-sos-small">{t('mobileAlarms.sosNote')}</span>
      </button>
      {error && (
        <div className="m-error" role="alert" data-testid="help-error">
          {error}
        </div>
      )}
      <div className="ma-field">
        <span className="ma-label">{t('mobileAlarms.position')}</span>
        <span data-testid="help-position" className={located ? 'ma-ok' : 'ma-warn'}>
          {locating
            ? t('mobileAlarms.locating')
            : located
              ? t('mobileAlarms.located', { accuracy: position.accuracy })
              : t('mobileAlarms.notLocated')}
        </span>
      </div>
      <label className="ma-field">
        <span className="ma-label">
          {t('mobileAlarms.where')}
          {!located && <span className="ma-required"> *</span>}
        </span>
        <input
          className="mh-field"
          value={locationText}
          maxLength={200}
          onChange={(event) => setLocationText(event.target.value)}
          placeholder={t('mobileAlarms.whereHint')}
          data-testid="help-where"
        />
      </label>
      {school && (
        <div className="ma-field">
          <span className="ma-label">{t('mobileAlarms.place')}</span>
          <PlacePicker schoolId={school.id} value={place} onChange={setPlace} />
        </div>
      )}
      <label className="ma-field">
        <span className="ma-label">{t('mobileAlarms.what')}</span>
        <textarea
          className="mh-field"
          rows={3}
          maxLength={1000}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          placeholder={t('mobileAlarms.whatHint')}
          data-testid="help-what"
        />
      </label>
      <RecentRequests />
    </div>
  );
}

function RecentRequests() {
  const { t } = useTranslation();
  const mine = useQuery({ queryKey: ['mobile-alarms', 'requested'], queryFn: () => myAlarms('requested') });
  const items = mine.data?.items.slice(0, 5) ?? [];
  if (items.length === 0) return null;
  return (
    <section className="ma-recent">
      <h3>{t('mobileAlarms.myRequests')}</h3>
      <ul className="m-list">
        {items.map((alarm) => (
          <li key={alarm.id}>
            <Link to={`/m/alarms/${alarm.id}`} className="m-item">
              <span className="m-item-title">{alarm.title}</span>
              <span className="m-item-time">
                {new Date(alarm.raisedAt).toLocaleString()} · {t(`alarms.states.${alarm.state}`)}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

const STEPS = ['new', 'acknowledged', 'dispatched', 'on_scene', 'resolved'] as const;

/** A help request's (or a dispatched alarm's) progress, live. */
export function AlarmProgressPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const alarmId = Number(id);
  const queryClient = useQueryClient();
  const key = ['mobile-alarm', alarmId];
  const detail = useQuery({ queryKey: key, queryFn: () => alarmDetail(alarmId), enabled: alarmId > 0 });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  useAlarmStream((event) => {
    if (event.id === alarmId) refresh();
  }, refresh);
  if (detail.isLoading) return <div className="m-empty">{t('common.loading')}</div>;
  if (!detail.data) return <div className="m-empty">{t('common.loadFailed')}</div>;
  const alarm: AlarmDetail = detail.data;
  const reached = STEPS.indexOf(alarm.state);
  return (
    <div className="ma-progress" data-testid="alarm-progress">
      <div
        className={alarm.state === 'resolved' ? 'ma-status ma-status-done' : 'ma-status'}
        data-testid="alarm-progress-state"
      >
        {t(`mobileAlarms.progress.${alarm.state}`)}
      </div>
      <div className="ma-title">{alarm.title}</div>
      <div className="m-muted">
        {alarm.code} · {new Date(alarm.raisedAt).toLocaleString()}
      </div>
      <ol className="ma-steps">
        {STEPS.map((step, index) => (
          <li key={step} className={index <= reached ? 'ma-step ma-step-done' : 'ma-step'}>
            <span className="ma-step-dot" />
            <span>{step === 'new' ? t('mobileAlarms.sent') : t(`alarms.states.${step}`)}</span>
            {step === 'dispatched' && alarm.dispatchedToName && index <= reached && (
              <span className="m-muted"> · {alarm.dispatchedToName}</span>
            )}
          </li>
        ))}
      </ol>
      {alarm.state === 'resolved' && alarm.outcome && <div className="ma-outcome">{alarm.outcome}</div>}
      <Link to="/m" className="m-row">
        {t('mobileAlarms.backHome')}
      </Link>
    </div>
  );
}
