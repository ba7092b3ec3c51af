import {
  LogoutOutlined,
  MobileOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { ProLayout } from '@ant-design/pro-components';
import { App, Breadcrumb, Button, Dropdown, Grid, Result } from 'antd';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useLocation, useNavigate } from 'react-router';
import { AntdProvider } from './AntdProvider';
import { LanguageSwitch } from './LanguageSwitch';
import { NotificationBell } from './NotificationBell';
import { OrgSwitcher } from './OrgSwitcher';
import { useRealtime } from './realtime';
import { APP_ROUTES, canOpen, menuRoutesFor } from './routes';
import { Splash } from './Splash';
import { RequireSession, useSession, useUser } from './session';
import './desktop.css';

export function DesktopApp() {
  return (
    <AntdProvider>
      <RequireSession fallback={<Splash />}>
        <Shell />
      </RequireSession>
    </AntdProvider>
  );
}

function Shell() {
  const { t } = useTranslation();
  const user = useUser();
  const { logout } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const menu = menuRoutesFor(user);
  const { notification } = App.useApp();
  // The tab's one realtime stream lives with the shell, whatever the page (the command screen hides the header).
  useRealtime((event) =>
    notification.info({ message: t('notifications.new'), description: event.title, placement: 'bottomRight' }),
  );
  // ProLayout matches menu paths by prefix; only the most specific entry is the current one.
  const selectedPath = menu
    .map((item) => item.path)
    .filter((path) => location.pathname === path || location.pathname.startsWith(path === '/' ? '/' : `${path}/`))
    .sort((a, b) => b.length - a.length)[0];
  // On a phone-sized window the header keeps the icons and drops the long names.
  const wide = Grid.useBreakpoint().md !== false;

  return (
    <ProLayout
      title={t('app.name')}
      logo={<SafetyCertificateOutlined className="sc-logo" />}
      layout="mix"
      fixSiderbar
      fixedHeader
      siderWidth={208}
      location={{ pathname: location.pathname }}
      selectedKeys={selectedPath ? [selectedPath] : []}
      route={{ path: '/', routes: menu.map((item) => ({ path: item.path, name: t(item.label), icon: item.icon })) }}
      menu={{ locale: false }}
      menuItemRender={(item, dom) => (
        <Link to={item.path ?? '/'} data-menu={item.path}>
          {dom}
        </Link>
      )}
      onMenuHeaderClick={() => navigate('/')}
      headerContentRender={() =>
        wide && (
          <Breadcrumb
            className="sc-org-trail"
            items={user.activeOrg.trail.map((unit) => ({ key: unit.id, title: unit.name }))}
          />
        )
      }
      actionsRender={() => [
        <OrgSwitcher key="org" />,
        <NotificationBell key="bell" />,
        <Link key="mobile" to="/m" title={t('shell.mobile')} className="sc-header-action">
          <MobileOutlined />
        </Link>,
        <LanguageSwitch key="language" />,
      ]}
      avatarProps={{
        title: wide ? user.displayName : undefined,
        icon: <UserOutlined />,
        size: 'small',
        render: (_props, dom) => (
          <Dropdown
            menu={{
              items: [
                { key: 'settings', icon: <SettingOutlined />, label: t('menu.settings') },
                { type: 'divider' },
                { key: 'logout', icon: <LogoutOutlined />, label: t('shell.logout') },
              ],
              onClick: async ({ key }) => {
                if (key === 'settings') navigate('/settings');
                if (key === 'logout') {
                  await logout();
                  navigate('/login', { replace: true });
                }
              },
            }}
          >
            <span data-testid="user-menu">{dom}</span>
          </Dropdown>
        ),
      }}
      token={{ header: { colorBgHeader: '#fff' } }}
    >
      <Suspense fallback={<Splash />}>
        <Routes>
          {APP_ROUTES.map((route) => {
            const Page = route.component;
            return (
              <Route
                key={route.path}
                path={route.path === '/' ? '/' : `${route.path}/*`}
                element={canOpen(route, user) ? <Page /> : <Forbidden />}
              />
            );
          })}
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </ProLayout>
  );
}

function Forbidden() {
  const { t } = useTranslation();
  return <Result status="403" title="403" subTitle={t('shell.forbidden')} extra={<BackHome />} />;
}

function NotFound() {
  const { t } = useTranslation();
  return <Result status="404" title="404" subTitle={t('shell.notFound')} extra={<BackHome />} />;
}

function BackHome() {
  const { t } = useTranslation();
  return (
    <Link to="/">
      <Button type="primary">{t('shell.backHome')}</Button>
    </Link>
  );
}
