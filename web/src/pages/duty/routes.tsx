import { CalendarOutlined, EyeOutlined } from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

/** The duty pages for app/routes.tsx, each loaded on first visit. */
export const DUTY_ROUTES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/duty': { icon: <CalendarOutlined />, component: page(() => import('./DutyPage'), 'DutyPage') },
  '/duty/now': { icon: <EyeOutlined />, component: page(() => import('./DutyNowPage'), 'DutyNowPage') },
};
