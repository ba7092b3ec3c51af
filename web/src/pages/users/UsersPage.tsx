import { DownloadOutlined, DownOutlined, PlusOutlined } from '@ant-design/icons';
import { type ActionType, type ProColumns, ProTable } from '@ant-design/pro-components';
import { isAdministratorRole, ROLE_CODES } from '@safe-campus/domain';
import { App, Button, Dropdown, Space, Tag, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, download, type Query } from '../../api/client';
import type { User } from '../../api/types';
import { cursorRequest } from '../../app/cursorTable';
import { LinkButton } from '../../app/LinkButton';
import { Page } from '../../app/Page';
import { useSession } from '../../app/session';
import { RolesDrawer } from './RolesDrawer';
import { CreateUserForm, EditUserForm, ResetPasswordForm } from './UserForms';

type Dialog = { kind: 'create' } | { kind: 'edit' | 'password' | 'roles'; user: User };

export function UsersPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const action = useRef<ActionType>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const filters = useRef<Query>({});
  const request = useMemo(
    () =>
      cursorRequest<User>('/users', (values) => {
        filters.current = { keyword: values.keyword as string | undefined, role: values.role as string | undefined };
        return filters.current;
      }),
    [],
  );
  const canManage = can('user.manage');
  const canAssign = can('role.assign');
  const canUnlock = can('account.unlock');
  // Administrator accounts are reset by the security administrator only (三员分立).
  const canResetAdministrators = can('role.assign_admin');
  const refresh = () => action.current?.reload();

  const setDisabled = (user: User, disabled: boolean) =>
    modal.confirm({
      title: disabled
        ? t('users.disableConfirm', { name: user.displayName })
        : t('users.enableConfirm', { name: user.displayName }),
      content: disabled ? t('users.disableHint') : undefined,
      onOk: async () => {
        await api.patch<User>(`/users/${user.id}`, { disabled });
        message.success(t('common.saved'));
        refresh();
      },
    });

  const unlock = async (user: User) => {
    await api.post<User>(`/users/${user.id}/unlock`);
    message.success(t('users.unlocked'));
    refresh();
  };

  const columns: ProColumns<User>[] = [
    {
      title: t('common.keyword'),
      dataIndex: 'keyword',
      hideInTable: true,
      fieldProps: { placeholder: t('users.keywordHint') },
    },
    { title: t('users.username'), dataIndex: 'username', search: false, width: 140, copyable: true },
    { title: t('users.displayName'), dataIndex: 'displayName', search: false, width: 120 },
    {
      title: t('users.roles'),
      dataIndex: 'role',
      valueType: 'select',
      valueEnum: Object.fromEntries(ROLE_CODES.map((code) => [code, { text: t(`roles.${code}`) }])),
      render: (_dom, row) => (
        <Space size={[4, 4]} wrap>
          {row.roles.map((assignment) => (
            <Tooltip key={assignment.id} title={assignment.orgName}>
              <Tag color="blue">
                {t(`roles.${assignment.role}`)} · {assignment.orgName}
              </Tag>
            </Tooltip>
          ))}
        </Space>
      ),
    },
    { title: t('users.phone'), dataIndex: 'phone', search: false, width: 130, render: (_dom, row) => row.phone ?? '—' },
    {
      title: t('users.status'),
      dataIndex: 'disabled',
      search: false,
      width: 150,
      render: (_dom, row) => (
        <Space size={[4, 4]} wrap>
          {row.disabled ? (
            <Tag color="default">{t('users.disabled')}</Tag>
          ) : (
            <Tag color="green">{t('users.active')}</Tag>
          )}
          {row.locked && <Tag color="red">{t('users.locked')}</Tag>}
          {row.mustChangePassword && <Tag color="orange">{t('users.mustChange')}</Tag>}
          {row.totpEnabled && <Tag color="cyan">TOTP</Tag>}
        </Space>
      ),
    },
    {
      title: t('users.lastLogin'),
      dataIndex: 'lastLoginAt',
      search: false,
      width: 150,
      render: (_dom, row) => (row.lastLoginAt ? dayjs(row.lastLoginAt).format('YYYY-MM-DD HH:mm') : '—'),
    },
    {
      title: t('common.actions'),
      valueType: 'option',
      width: 150,
      fixed: 'right',
      hideInTable: !canManage && !canAssign && !canUnlock && !canResetAdministrators,
      render: (_dom, row) => {
        const more = [
          (row.roles.some((assignment) => isAdministratorRole(assignment.role))
            ? canResetAdministrators
            : canManage) && { key: 'password', label: t('users.resetPassword') },
          canManage && {
            key: row.disabled ? 'enable' : 'disable',
            label: row.disabled ? t('users.enable') : t('users.disable'),
            danger: !row.disabled,
          },
          canUnlock && row.locked && { key: 'unlock', label: t('users.unlock') },
        ].filter(Boolean) as { key: string; label: string; danger?: boolean }[];
        return [
          canManage && (
            <LinkButton key="edit" onClick={() => setDialog({ kind: 'edit', user: row })}>
              {t('common.edit')}
            </LinkButton>
          ),
          canAssign && (
            <LinkButton key="roles" onClick={() => setDialog({ kind: 'roles', user: row })}>
              {t('users.rolesAction')}
            </LinkButton>
          ),
          more.length > 0 && (
            <Dropdown
              key="more"
              trigger={['click']}
              menu={{
                items: more,
                onClick: ({ key }) => {
                  if (key === 'password') setDialog({ kind: 'password', user: row });
                  if (key === 'disable') setDisabled(row, true);
                  if (key === 'enable') setDisabled(row, false);
                  if (key === 'unlock') void unlock(row);
                },
              }}
            >
              <LinkButton>
                {t('common.more')} <DownOutlined />
              </LinkButton>
            </Dropdown>
          ),
        ].filter(Boolean);
      },
    },
  ];

  const saved = () => {
    message.success(t('common.saved'));
    refresh();
  };

  return (
    <Page title={t('menu.users')}>
      <ProTable<User>
        rowKey="id"
        actionRef={action}
        columns={columns}
        request={request}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        search={{ labelWidth: 'auto' }}
        columnsState={{ persistenceKey: 'sc.users.columns', persistenceType: 'localStorage' }}
        scroll={{ x: 1100 }}
        headerTitle={t('users.list')}
        toolBarRender={() => [
          <Button
            key="export"
            icon={<DownloadOutlined />}
            onClick={() => void download('/users/export.xlsx', filters.current, t('users.exportFile'))}
          >
            {t('import.export')}
          </Button>,
          canManage && (
            <Button
              key="create"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setDialog({ kind: 'create' })}
              data-testid="create-user"
            >
              {t('users.create')}
            </Button>
          ),
        ]}
      />
      {dialog?.kind === 'create' && (
        <CreateUserForm open onOpenChange={(open) => !open && setDialog(null)} onSaved={saved} />
      )}
      {dialog?.kind === 'edit' && (
        <EditUserForm user={dialog.user} open onOpenChange={(open) => !open && setDialog(null)} onSaved={saved} />
      )}
      {dialog?.kind === 'password' && (
        <ResetPasswordForm user={dialog.user} open onOpenChange={(open) => !open && setDialog(null)} onSaved={saved} />
      )}
      {dialog?.kind === 'roles' && (
        <RolesDrawer
          user={dialog.user}
          onClose={() => {
            setDialog(null);
            refresh();
          }}
          onChanged={(user) => setDialog({ kind: 'roles', user })}
        />
      )}
    </Page>
  );
}
