import { AuditOutlined, FileDoneOutlined, FileTextOutlined, FormOutlined, ProfileOutlined } from '@ant-design/icons';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';

function page<T extends string>(loader: () => Promise<Record<T, ComponentType>>, name: T) {
  return lazy(() => loader().then((module) => ({ default: module[name] })));
}

/** The report form pages for app/routes.tsx, each loaded on first visit. */
export const FORM_ROUTES: Record<string, { icon: ReactNode; component: LazyExoticComponent<ComponentType> }> = {
  '/forms/tasks': { icon: <FormOutlined />, component: page(() => import('./TasksPage'), 'TasksPage') },
  '/forms/collections': {
    icon: <FileDoneOutlined />,
    component: page(() => import('./CollectionsPage'), 'CollectionsPage'),
  },
  '/forms/templates': { icon: <ProfileOutlined />, component: page(() => import('./TemplatesPage'), 'TemplatesPage') },
  '/forms/templates/:id': {
    icon: <FileTextOutlined />,
    component: page(() => import('./TemplateDetailPage'), 'TemplateDetailPage'),
  },
  '/forms/collections/:id': {
    icon: <AuditOutlined />,
    component: page(() => import('./CollectionPage'), 'CollectionPage'),
  },
  '/forms/submissions/:id': {
    icon: <FormOutlined />,
    component: page(() => import('./SubmissionPage'), 'SubmissionPage'),
  },
};
