import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Route, Routes, useNavigate } from 'react-router';
import { ApiError, api } from '../api/client';
import type { LoginResponse, NotificationPage } from '../api/types';
import { type NotificationEvent, useRealtime } from '../app/realtime';
import { Splash } from '../app/Splash';
import { RequireSession, useSession, useUser } from '../app/session';
import { changeLanguage } from '../i18n';
import { myAlarms } from './alarms/api';
import { AlarmProgressPage, HelpPage } from './alarms/HelpPage';
import { MyAlarmsPage } from './alarms/MyAlarmsPage';
import { myHazards } from './hazards/api';
import { HazardPage } from './hazards/HazardPage';
import { MyHazardsPage } from './hazards/MyHazardsPage';
import { useOutbox, useOutboxSender } from './hazards/outbox';
import { ReportPage } from './hazards/ReportPage';
import { InspectionPages, OfflineShell, PatrolCard, useInspectionBackground, useOfflineStart } from './inspections';
import { MobileNoticePage, MobileNoticesPage, useNoticeUnread } from './notices/NoticePages';
import './mobile.css';
import './hazards/hazards.css';
import './alarms/alarms.css';

/** The phone pages: plain React and CSS, no antd, so the bundle stays small on a slow network. */
export function MobileApp() {
  const { user } = useSession();
  // No server at start but someone signed in here before: their downloaded tasks and outbox, marked offline.
  const offline = useOfflineStart();
  // Signing in on the phone stays in this light bundle; the rarer extra steps (new password, TOTP) use /login.
  if (user === null) {
    if (offline === undefined) return <Splash />;
    return offline ? <OfflineShell inspector={offline} /> : <MobileLogin />;
  }
  return (
    <RequireSession fallback={<Splash />}>
      <MobileShell />
    </RequireSession>
  );
}

function MobileLogin() {
  const { t } = useTranslation();
  const { accept } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="m-login">
      <div className="m-login-brand">
        <div className="m-title">{t('app.name')}</div>
        <div className="m-muted">{t('app.slogan')}</div>
      </div>
      <form
        className="m-login-form"
        data-testid="mobile-login"
        onSubmit={async (event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const username = String(data.get('username') ?? '').trim();
          const password = String(data.get('password') ?? '');
          if (!username || !password) {
            setError(t(!username ? 'login.usernameRequired' : 'login.passwordRequired'));
            return;
          }
          setBusy(true);
          setError(null);
          try {
            accept(await api.post<LoginResponse>('/auth/login', { username, password }, { quiet: true }));
          } catch (cause) {
            setError(cause instanceof ApiError ? cause.message : String(cause));
          } finally {
            setBusy(false);
          }
        }}
      >
        {error && (
          <div className="m-error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <input
          name="username"
          autoComplete="username"
          placeholder={t('login.username')}
          aria-label={t('login.username')}
        />
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          placeholder={t('login.password')}
          aria-label={t('login.password')}
        />
        <button type="submit" className="m-primary" disabled={busy}>
          {busy ? t('common.loading') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}

function useInbox() {
  return useQuery({
    queryKey: ['notifications'],
    queryFn: () => api.get<NotificationPage>('/notifications', { limit: 20 }, { quiet: true }),
  });
}

function MobileShell() {
  const { t } = useTranslation();
  const user = useUser();
  const inbox = useInbox();
  const [banner, setBanner] = useState<NotificationEvent | null>(null);
  useRealtime((event) => {
    setBanner(event);
    setTimeout(() => setBanner((current) => (current === event ? null : current)), 6000);
  });
  const unread = inbox.data?.unreadCount ?? 0;
  // Queued hazard reports go out on load, when the network returns, and on a backoff timer.
  useOutboxSender(user.id);
  // Service worker (offline shell) and the sender of queued inspection records.
  useInspectionBackground(user.id, user.permissions.includes('inspection.execute'));

  return (
    <div className="m-app">
      <header className="m-header">
        <div className="m-title">{t('app.name')}</div>
        <div className="m-org">{user.activeOrg.name}</div>
      </header>
      {banner && (
        <button type="button" className="m-banner" onClick={() => setBanner(null)}>
          <strong>{t('notifications.new')}</strong> {banner.title}
        </button>
      )}
      <main className="m-main">
        <Routes>
          <Route index element={<MobileHome />} />
          <Route path="inbox" element={<MobileInbox />} />
          <Route path="me" element={<MobileMe />} />
          <Route path="hazards/new" element={<ReportPage />} />
          <Route path="hazards/mine" element={<MyHazardsPage />} />
          <Route path="hazards/:id" element={<HazardPage />} />
          <Route path="alarms/help" element={<HelpPage />} />
          <Route path="alarms/mine" element={<MyAlarmsPage />} />
          <Route path="alarms/:id" element={<AlarmProgressPage />} />
          <Route path="inspections/*" element={<InspectionPages />} />
          <Route path="notices" element={<MobileNoticesPage />} />
          <Route path="notices/:id" element={<MobileNoticePage />} />
          <Route path="*" element={<MobileHome />} />
        </Routes>
      </main>
      <nav className="m-tabs" aria-label={t('mobile.tabs')}>
        <NavLink end to="/m" className="m-tab">
          <span className="m-tab-icon" aria-hidden>
            ⌂
          </span>
          {t('mobile.home')}
        </NavLink>
        <NavLink to="/m/inbox" className="m-tab">
          <span className="m-tab-icon" aria-hidden>
            ✉{unread > 0 && <span className="m-dot">{unread > 99 ? '99+' : unread}</span>}
          </span>
          {t('mobile.inbox')}
        </NavLink>
        <NavLink to="/m/me" className="m-tab">
          <span className="m-tab-icon" aria-hidden>
            ☺
          </span>
          {t('mobile.me')}
        </NavLink>
      </nav>
    </div>
  );
}

const COMING = [{ key: 'quiz', icon: '✎', color: '#52c41a' }] as const;

function MobileHome() {
  const { t } = useTranslation();
  const user = useUser();
  const canReport = user.permissions.includes('hazard.report');
  const canRectify = user.permissions.includes('hazard.rectify');
  const canAskHelp = user.permissions.includes('alarm.help_request');
  const canRespond = user.permissions.includes('alarm.handle');
  const canReadNotices = user.permissions.includes('notice.read');
  const noticeUnread = useNoticeUnread(canReadNotices).data?.count ?? 0;
  const dispatched = useQuery({
    queryKey: ['mobile-alarms', 'dispatched', false],
    queryFn: () => myAlarms('dispatched', true),
    enabled: canRespond,
  });
  const dispatchCount = dispatched.data?.items.length ?? 0;
  const { reports } = useOutbox(user.id);
  const pending = reports.filter((report) => report.status === 'pending').length;
  const failed = reports.length - pending;
  const tasks = useQuery({
    queryKey: ['mobile-hazards', 'responsible'],
    queryFn: () => myHazards('responsible', true),
    enabled: canRectify,
  });
  // Open tasks include rectified ones waiting for verification; only those still to fix count here.
  const toFix = tasks.data?.items.filter((hazard) => hazard.state === 'rectifying') ?? [];
  const taskCount = toFix.length;
  const overdue = toFix.filter((hazard) => hazard.overdue).length;
  return (
    <>
      <section className="m-welcome">
        <div className="m-welcome-name">{t('mobile.hello', { name: user.displayName })}</div>
        <div className="m-welcome-roles">{user.roles.map((role) => t(`roles.${role}`)).join(' · ')}</div>
      </section>
      {reports.length > 0 && (
        <Link
          to="/m/hazards/mine?tab=reported"
          className={failed > 0 ? 'mh-pending-bar mh-pending-failed' : 'mh-pending-bar'}
          data-testid="pending-bar"
        >
          <span>
            {pending > 0 && (
              <>
                <strong data-testid="pending-count">{pending}</strong> {t('mobileHazards.pendingHome')}
              </>
            )}
            {pending > 0 && failed > 0 && ' · '}
            {failed > 0 && t('mobileHazards.failedHome', { count: failed })}
          </span>
          <span aria-hidden>›</span>
        </Link>
      )}
      <section className="m-grid" data-testid="mobile-actions">
        {canAskHelp && (
          <Link to="/m/alarms/help" className="m-card m-card-live" data-testid="action-help">
            <span className="m-card-icon" style={{ background: '#f5222d' }} aria-hidden>
              ☎
            </span>
            <span className="m-card-title">{t('mobile.actions.help')}</span>
            <span className="m-card-note m-card-note-alert">{t('mobileAlarms.homeNote')}</span>
          </Link>
        )}
        {canRespond && (
          <Link to="/m/alarms/mine" className="m-card m-card-live" data-testid="action-dispatched">
            <span className="m-card-icon" style={{ background: '#2f54eb' }} aria-hidden>
              ⚑{dispatchCount > 0 && <span className="m-dot m-dot-card">{dispatchCount}</span>}
            </span>
            <span className="m-card-title">{t('mobileAlarms.mine')}</span>
            <span className={dispatchCount > 0 ? 'm-card-note m-card-note-alert' : 'm-card-note m-card-note-live'}>
              {dispatchCount > 0
                ? t('mobileAlarms.dispatchCount', { count: dispatchCount })
                : t('mobileAlarms.noneOpen')}
            </span>
          </Link>
        )}
        {canReport && (
          <Link to="/m/hazards/new" className="m-card m-card-live" data-testid="action-hazard">
            <span className="m-card-icon" style={{ background: '#fa8c16' }} aria-hidden>
              ⚠
            </span>
            <span className="m-card-title">{t('mobile.actions.hazard')}</span>
            <span className="m-card-note m-card-note-live">{t('mobileHazards.reportNote')}</span>
          </Link>
        )}
        {canRectify && (
          <Link to="/m/hazards/mine?tab=tasks" className="m-card m-card-live" data-testid="action-tasks">
            <span className="m-card-icon" style={{ background: '#13c2c2' }} aria-hidden>
              ✓{taskCount > 0 && <span className="m-dot m-dot-card">{taskCount > 99 ? '99+' : taskCount}</span>}
            </span>
            <span className="m-card-title">{t('mobileHazards.tasks')}</span>
            <span className={overdue > 0 ? 'm-card-note m-card-note-alert' : 'm-card-note m-card-note-live'}>
              {overdue > 0
                ? t('mobileHazards.overdueCount', { count: overdue })
                : taskCount > 0
                  ? t('mobileHazards.taskCount', { count: taskCount })
                  : t('mobileHazards.noTasks')}
            </span>
          </Link>
        )}
        {canReport && (
          <Link to="/m/hazards/mine?tab=reported" className="m-card m-card-live" data-testid="action-reported">
            <span className="m-card-icon" style={{ background: '#722ed1' }} aria-hidden>
              ☰
            </span>
            <span className="m-card-title">{t('mobileHazards.reported')}</span>
            <span className="m-card-note m-card-note-live">{t('mobileHazards.reportedNote')}</span>
          </Link>
        )}
        {user.permissions.includes('inspection.execute') && <PatrolCard userId={user.id} />}
        {canReadNotices && (
          <Link to="/m/notices" className="m-card m-card-live" data-testid="action-notices">
            <span className="m-card-icon" style={{ background: '#1677ff' }} aria-hidden>
              ✉
              {noticeUnread > 0 && <span className="m-dot m-dot-card">{noticeUnread > 99 ? '99+' : noticeUnread}</span>}
            </span>
            <span className="m-card-title">{t('notices.menu.notices')}</span>
            <span className={noticeUnread > 0 ? 'm-card-note m-card-note-alert' : 'm-card-note m-card-note-live'}>
              {noticeUnread > 0
                ? t('notices.mobile.homeNote', { count: noticeUnread })
                : t('notices.mobile.homeNoteNone')}
            </span>
          </Link>
        )}
        {COMING.map((action) => (
          <div key={action.key} className="m-card m-card-coming" aria-disabled="true">
            <span className="m-card-icon" style={{ background: action.color }} aria-hidden>
              {action.icon}
            </span>
            <span className="m-card-title">{t(`mobile.actions.${action.key}`)}</span>
            <span className="m-card-note">{t('mobile.coming')}</span>
          </div>
        ))}
      </section>
    </>
  );
}

function MobileInbox() {
  const { t } = useTranslation();
  const inbox = useInbox();
  const queryClient = useQueryClient();
  if (inbox.isLoading) return <div className="m-empty">{t('common.loading')}</div>;
  if (inbox.isError) return <div className="m-empty">{t('common.loadFailed')}</div>;
  const items = inbox.data?.items ?? [];
  if (items.length === 0) return <div className="m-empty">{t('notifications.empty')}</div>;
  return (
    <ul className="m-list">
      {items.map((item) => (
        <li key={item.id}>
          <button
            type="button"
            className={item.readAt ? 'm-item m-item-read' : 'm-item'}
            onClick={async () => {
              if (!item.readAt) {
                await api.post(`/notifications/${item.id}/read`);
                await queryClient.invalidateQueries({ queryKey: ['notifications'] });
              }
            }}
          >
            <span className="m-item-title">{item.title}</span>
            {item.body && <span className="m-item-body">{item.body}</span>}
            <span className="m-item-time">{new Date(item.createdAt).toLocaleString()}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function MobileMe() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const { logout, accept } = useSession();
  const navigate = useNavigate();
  const orgs = new Map<number, string>();
  for (const assignment of user.assignments) orgs.set(assignment.orgId, assignment.orgName);
  return (
    <div className="m-me">
      <div className="m-card m-me-card">
        <div className="m-welcome-name">{user.displayName}</div>
        <div className="m-muted">{user.username}</div>
        <div className="m-muted">{user.activeOrg.trail.map((unit) => unit.name).join(' / ')}</div>
      </div>
      {orgs.size > 1 && (
        <label className="m-row m-switch">
          <span>{t('shell.switchOrg')}</span>
          <select
            value={user.activeOrg.id}
            onChange={async (event) =>
              accept(await api.post<LoginResponse>('/auth/switch-org', { orgId: Number(event.target.value) }))
            }
          >
            {[...orgs].map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
      )}
      <Link className="m-row" to="/">
        {t('mobile.desktop')}
      </Link>
      <button type="button" className="m-row" onClick={() => changeLanguage(i18n.language === 'en' ? 'zh-CN' : 'en')}>
        {i18n.language === 'en' ? '简体中文' : 'English'}
      </button>
      <button
        type="button"
        className="m-row m-danger"
        onClick={async () => {
          await logout();
          navigate('/m', { replace: true });
        }}
      >
        {t('shell.logout')}
      </button>
    </div>
  );
}
