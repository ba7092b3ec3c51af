import {
  ApartmentOutlined,
  AuditOutlined,
  EnvironmentOutlined,
  HomeOutlined,
  SettingOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';
import type { Permission, SessionUser } from '../api/types';

export interface AppRoute {
  /** Menu key and route path. */
  path: string;
  /** i18n key of the menu label and page title. */
  label: string;
  icon: ReactNode;
  /** Permission from domain/src/permissions.ts the page needs. */
  access: Permission | 'authenticated';
  component: LazyExoticComponent<ComponentType>;
  /** Reached from the user menu, not the side menu. */
  hideInMenu?: boolean;
}

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

/** The one route table: the side menu and the router are both built from it. */
export const APP_ROUTES: AppRoute[] = [
  {
    path: '/',
    label: 'menu.dashboard',
    icon: <HomeOutlined />,
    access: 'authenticated',
    component: page(() => import('../pages/dashboard/DashboardPage'), 'DashboardPage'),
  },
  {
    path: '/orgs',
    label: 'menu.orgs',
    icon: <ApartmentOutlined />,
    access: 'org.read',
    component: page(() => import('../pages/orgs/OrgsPage'), 'OrgsPage'),
  },
  {
    path: '/places',
    label: 'menu.places',
    icon: <EnvironmentOutlined />,
    access: 'place.read',
    component: page(() => import('../pages/places/PlacesPage'), 'PlacesPage'),
  },
  {
    path: '/users',
    label: 'menu.users',
    icon: <TeamOutlined />,
    access: 'user.read',
    component: page(() => import('../pages/users/UsersPage'), 'UsersPage'),
  },
  {
    path: '/audit',
    label: 'menu.audit',
    icon: <AuditOutlined />,
    access: 'audit.read',
    component: page(() => import('../pages/audit/AuditPage'), 'AuditPage'),
  },
  {
    path: '/settings',
    label: 'menu.settings',
    icon: <SettingOutlined />,
    access: 'authenticated',
    hideInMenu: true,
    component: page(() => import('../pages/settings/SettingsPage'), 'SettingsPage'),
  },
];

export function canOpen(route: AppRoute, user: SessionUser): boolean {
  return route.access === 'authenticated' || user.permissions.includes(route.access);
}

export function menuRoutesFor(user: SessionUser): AppRoute[] {
  return APP_ROUTES.filter((route) => !route.hideInMenu && canOpen(route, user));
}
