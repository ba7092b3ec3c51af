import type { Permission } from '@safe-campus/domain';

export interface MenuEntry {
  /** Route path and menu key. */
  path: string;
  /** i18n key of the menu label and page title. */
  label: string;
  /** Permission from domain/src/permissions.ts the page needs. */
  access: Permission | 'authenticated';
  /** Reached from the user menu, not the side menu. */
  hideInMenu?: boolean;
}

/**
 * The one route table (plain data, so browser tests can read it too); routes.tsx adds icons and
 * page components by path.
 */
export const MENU: readonly MenuEntry[] = [
  { path: '/', label: 'menu.dashboard', access: 'authenticated' },
  { path: '/hazards', label: 'menu.hazards', access: 'hazard.read' },
  { path: '/hazards/mine', label: 'menu.myHazards', access: 'hazard.report' },
  { path: '/hazards/supervision', label: 'menu.hazardSupervision', access: 'hazard.supervise' },
  { path: '/hazards/stats', label: 'menu.hazardStats', access: 'hazard.read' },
  // The detail page is reached from lists and notifications; the server answers 404 outside the caller's scope.
  { path: '/hazards/:id', label: 'menu.hazardDetail', access: 'authenticated', hideInMenu: true },
  { path: '/inspections/templates', label: 'inspections.menu.templates', access: 'inspection.read' },
  { path: '/inspections/routes', label: 'inspections.menu.routes', access: 'inspection.manage' },
  { path: '/inspections/plans', label: 'inspections.menu.plans', access: 'inspection.manage' },
  { path: '/inspections/calendar', label: 'inspections.menu.calendar', access: 'inspection.read' },
  { path: '/inspections/tasks', label: 'inspections.menu.tasks', access: 'inspection.read' },
  { path: '/inspections/records', label: 'inspections.menu.records', access: 'inspection.read' },
  { path: '/inspections/stats', label: 'inspections.menu.stats', access: 'inspection.read' },
  {
    path: '/inspections/templates/:id',
    label: 'inspections.menu.templateDetail',
    access: 'inspection.read',
    hideInMenu: true,
  },
  { path: '/command', label: 'alarms.menuCommand', access: 'alarm.read' },
  { path: '/alarms', label: 'alarms.menuHistory', access: 'alarm.read' },
  { path: '/devices', label: 'devices.menu.registry', access: 'device.read' },
  { path: '/devices/coverage', label: 'devices.menu.coverage', access: 'device.read' },
  { path: '/devices/health', label: 'devices.menu.health', access: 'device.read' },
  // Reached from the registry and the 重点设备离线 notification; the server answers 404 outside the caller's scope.
  { path: '/devices/:id', label: 'devices.menu.detail', access: 'device.read', hideInMenu: true },
  { path: '/duty', label: 'duty.menu', access: 'duty.read' },
  { path: '/duty/now', label: 'duty.menuNow', access: 'duty.read' },
  { path: '/forms/tasks', label: 'forms.menu.tasks', access: 'report.read' },
  { path: '/forms/collections', label: 'forms.menu.collections', access: 'report.issue' },
  { path: '/forms/templates', label: 'forms.menu.templates', access: 'report.issue' },
  // Reached from the lists and the reminder notifications; the server answers 404 outside the caller's scope.
  { path: '/forms/templates/:id', label: 'forms.menu.templateDetail', access: 'report.issue', hideInMenu: true },
  { path: '/forms/collections/:id', label: 'forms.menu.collectionDetail', access: 'report.read', hideInMenu: true },
  { path: '/forms/submissions/:id', label: 'forms.menu.submission', access: 'report.read', hideInMenu: true },
  { path: '/notices', label: 'notices.menu.notices', access: 'notice.read' },
  { path: '/notices/new', label: 'notices.menu.publish', access: 'notice.publish' },
  { path: '/notices/urgent', label: 'notices.menu.urgent', access: 'report.read' },
  // Reached from the lists and the reminder notifications; the server answers 404 to anyone else.
  { path: '/notices/urgent/:id', label: 'notices.menu.urgent', access: 'report.read', hideInMenu: true },
  { path: '/notices/:id', label: 'notices.menu.detail', access: 'notice.read', hideInMenu: true },
  { path: '/orgs', label: 'menu.orgs', access: 'org.read' },
  { path: '/places', label: 'menu.places', access: 'place.read' },
  { path: '/users', label: 'menu.users', access: 'user.read' },
  { path: '/guards', label: 'guards.menu', access: 'user.read' },
  { path: '/audit', label: 'menu.audit', access: 'audit.read' },
  { path: '/settings', label: 'menu.settings', access: 'authenticated', hideInMenu: true },
];

/** Menu paths for a set of permissions, in menu order. */
export function menuPathsFor(permissions: readonly string[]): string[] {
  return MENU.filter(
    (entry) => !entry.hideInMenu && (entry.access === 'authenticated' || permissions.includes(entry.access)),
  ).map((entry) => entry.path);
}
