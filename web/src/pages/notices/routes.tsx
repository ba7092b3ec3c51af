import { AlertOutlined, FileTextOutlined, NotificationOutlined, SendOutlined } from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

const urgent = page(() => import('./UrgentReportsPage'), 'UrgentReportsPage');

/** The notice and urgent-report pages for app/routes.tsx, each loaded on first visit. */
export const NOTICE_ROUTES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/notices': { icon: <NotificationOutlined />, component: page(() => import('./NoticesPage'), 'NoticesPage') },
  '/notices/new': { icon: <SendOutlined />, component: page(() => import('./PublishPage'), 'PublishPage') },
  '/notices/urgent': { icon: <AlertOutlined />, component: urgent },
  '/notices/urgent/:id': { icon: <AlertOutlined />, component: urgent },
  '/notices/:id': {
    icon: <FileTextOutlined />,
    component: page(() => import('./NoticeDetailPage'), 'NoticeDetailPage'),
  },
};
