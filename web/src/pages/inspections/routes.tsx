import {
  BarChartOutlined,
  CalendarOutlined,
  FileDoneOutlined,
  FileTextOutlined,
  NodeIndexOutlined,
  ProfileOutlined,
  ScheduleOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

/** The inspection pages for app/routes.tsx, each loaded on first visit. */
export const INSPECTION_ROUTES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/inspections/templates': {
    icon: <ProfileOutlined />,
    component: page(() => import('./TemplatesPage'), 'TemplatesPage'),
  },
  '/inspections/templates/:id': {
    icon: <FileTextOutlined />,
    component: page(() => import('./TemplateDetailPage'), 'TemplateDetailPage'),
  },
  '/inspections/routes': { icon: <NodeIndexOutlined />, component: page(() => import('./RoutesPage'), 'RoutesPage') },
  '/inspections/plans': { icon: <ScheduleOutlined />, component: page(() => import('./PlansPage'), 'PlansPage') },
  '/inspections/tasks': { icon: <UnorderedListOutlined />, component: page(() => import('./TasksPage'), 'TasksPage') },
  '/inspections/calendar': {
    icon: <CalendarOutlined />,
    component: page(() => import('./CalendarPage'), 'CalendarPage'),
  },
  '/inspections/records': {
    icon: <FileDoneOutlined />,
    component: page(() => import('./RecordsPage'), 'RecordsPage'),
  },
  '/inspections/stats': { icon: <BarChartOutlined />, component: page(() => import('./StatsPage'), 'StatsPage') },
};
