import { AlertOutlined, BarChartOutlined, FileSearchOutlined, FlagOutlined, SolutionOutlined } from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

/** The hazard pages for app/routes.tsx, each loaded on first visit. */
export const HAZARD_ROUTES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/hazards': { icon: <AlertOutlined />, component: page(() => import('./HazardsPage'), 'HazardsPage') },
  '/hazards/mine': { icon: <SolutionOutlined />, component: page(() => import('./MyHazardsPage'), 'MyHazardsPage') },
  '/hazards/supervision': {
    icon: <FlagOutlined />,
    component: page(() => import('./SupervisionPage'), 'SupervisionPage'),
  },
  '/hazards/stats': {
    icon: <BarChartOutlined />,
    component: page(() => import('./HazardStatsPage'), 'HazardStatsPage'),
  },
  '/hazards/:id': {
    icon: <FileSearchOutlined />,
    component: page(() => import('./HazardDetailPage'), 'HazardDetailPage'),
  },
};
