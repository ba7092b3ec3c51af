import { AlertOutlined, DashboardOutlined } from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

/** The command-center screen and the alarm history for app/routes.tsx, each loaded on first visit. */
export const ALARM_ROUTES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/command': { icon: <DashboardOutlined />, component: page(() => import('../command/CommandPage'), 'CommandPage') },
  '/alarms': { icon: <AlertOutlined />, component: page(() => import('./AlarmsPage'), 'AlarmsPage') },
};
