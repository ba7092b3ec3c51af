import {
  ApartmentOutlined,
  AuditOutlined,
  EnvironmentOutlined,
  HomeOutlined,
  SafetyOutlined,
  SettingOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';
import type { SessionUser } from '../api/types';
import { ALARM_ROUTES } from '../pages/alarms/routes';
import { DEVICE_ROUTES } from '../pages/devices/routes';
import { DUTY_ROUTES } from '../pages/duty/routes';
import { FORM_ROUTES } from '../pages/forms/routes';
import { HAZARD_ROUTES } from '../pages/hazards/routes';
import { INSPECTION_ROUTES } from '../pages/inspections/routes';
import { NOTICE_ROUTES } from '../pages/notices/routes';
import { MENU, type MenuEntry } from './menu';

export interface AppRoute extends MenuEntry {
  icon: ReactNode;
  component: LazyExoticComponent<ComponentType>;
}

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

const PAGES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/': { icon: <HomeOutlined />, component: page(() => import('../pages/dashboard/DashboardPage'), 'DashboardPage') },
  '/orgs': { icon: <ApartmentOutlined />, component: page(() => import('../pages/orgs/OrgsPage'), 'OrgsPage') },
  '/places': {
    icon: <EnvironmentOutlined />,
    component: page(() => import('../pages/places/PlacesPage'), 'PlacesPage'),
  },
  '/users': { icon: <TeamOutlined />, component: page(() => import('../pages/users/UsersPage'), 'UsersPage') },
  '/guards': {
    icon: <SafetyOutlined />,
    component: page(() => import('../pages/guards/GuardsPage'), 'GuardsPage'),
  },
  '/audit': { icon: <AuditOutlined />, component: page(() => import('../pages/audit/AuditPage'), 'AuditPage') },
  ...HAZARD_ROUTES,
  ...INSPECTION_ROUTES,
  ...ALARM_ROUTES,
  ...DUTY_ROUTES,
  ...NOTICE_ROUTES,
  ...FORM_ROUTES,
  ...DEVICE_ROUTES,
  '/settings': {
    icon: <SettingOutlined />,
    component: page(() => import('../pages/settings/SettingsPage'), 'SettingsPage'),
  },
};

/** The route table with each page's icon and lazy component. */
export const APP_ROUTES: AppRoute[] = MENU.map((entry) => {
  const found = PAGES[entry.path];
  if (!found) throw new Error(`no page for ${entry.path}`);
  return { ...entry, ...found };
});

export function canOpen(route: MenuEntry, user: SessionUser): boolean {
  return route.access === 'authenticated' || user.permissions.includes(route.access);
}

export function menuRoutesFor(user: SessionUser): AppRoute[] {
  return APP_ROUTES.filter((route) => !route.hideInMenu && canOpen(route, user));
}
