import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { deadlineRuns, dueSoon, type HazardState, type HazardSummary } from './api';

/** A sub-page's title bar with a back button (to the previous page, or home when opened from a link). */
export function SubPage({ title, children, back = '/m' }: { title: string; children: ReactNode; back?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className="mh-page">
      <div className="mh-bar">
        <button
          type="button"
          className="mh-back"
          aria-label={t('mobileHazards.back')}
          onClick={() => (window.history.state?.idx > 0 ? navigate(-1) : navigate(back))}
        >
          ‹
        </button>
        <h1 className="mh-bar-title">{title}</h1>
      </div>
      {children}
    </div>
  );
}

export function StateTag({ state }: { state: HazardState }) {
  const { t } = useTranslation();
  return <span className={`mh-state mh-state-${state}`}>{t(`mobileHazards.states.${state}`)}</span>;
}

export function formatTime(value: string): string {
  const date = new Date(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The deadline while it runs (hidden once rectified or closed), red when past, amber within a day. */
export function Deadline({ hazard }: { hazard: Pick<HazardSummary, 'deadline' | 'overdue' | 'state'> }) {
  const { t } = useTranslation();
  if (!hazard.deadline || !deadlineRuns(hazard)) return null;
  const soon = dueSoon(hazard);
  return (
    <span className={hazard.overdue ? 'mh-deadline mh-overdue' : soon ? 'mh-deadline mh-soon' : 'mh-deadline'}>
      {t('mobileHazards.deadline', { time: formatTime(hazard.deadline) })}
      {hazard.overdue && <strong> · {t('mobileHazards.overdue')}</strong>}
      {soon && <strong> · {t('mobileHazards.dueSoon')}</strong>}
    </span>
  );
}

/** One hazard in a list: title, place, deadline (overdue in red), state. */
export function HazardCard({ hazard }: { hazard: HazardSummary }) {
  const { t } = useTranslation();
  return (
    <li>
      <Link
        to={`/m/hazards/${hazard.id}`}
        className={
          hazard.overdue
            ? 'mh-card mh-card-overdue'
            : hazard.state === 'closed' || hazard.state === 'rejected'
              ? 'mh-card mh-card-done'
              : 'mh-card'
        }
        data-testid="hazard-card"
      >
        <span className="mh-card-head">
          <span className="mh-card-title">{hazard.title}</span>
          <StateTag state={hazard.state} />
        </span>
        <span className="mh-card-meta">
          {t(`mobileHazards.categories.${hazard.category}`)}
          {hazard.placeName && ` · ${hazard.placeName}`}
          {hazard.supervised && <span className="mh-flag"> {t('mobileHazards.supervised')}</span>}
        </span>
        <span className="mh-card-meta">
          {hazard.schoolName}
          {hazard.departmentName && ` · ${hazard.departmentName}`} · {hazard.code}
        </span>
        <Deadline hazard={hazard} />
      </Link>
    </li>
  );
}
