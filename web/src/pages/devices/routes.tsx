import { HddOutlined, HeartOutlined, RadarChartOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

/** The device pages for app/routes.tsx, each loaded on first visit. */
export const DEVICE_ROUTES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/devices': { icon: <VideoCameraOutlined />, component: page(() => import('./DevicesPage'), 'DevicesPage') },
  '/devices/coverage': {
    icon: <RadarChartOutlined />,
    component: page(() => import('./CoveragePage'), 'CoveragePage'),
  },
  '/devices/health': { icon: <HeartOutlined />, component: page(() => import('./HealthPage'), 'HealthPage') },
  '/devices/:id': { icon: <HddOutlined />, component: page(() => import('./DeviceDetailPage'), 'DeviceDetailPage') },
};
