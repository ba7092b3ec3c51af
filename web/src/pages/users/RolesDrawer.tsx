import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Drawer, List, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { RoleCode, User } from '../../api/types';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { useUser } from '../../app/session';
import { assignableRoles, mayGrant, useRoles } from '../../app/useRoles';

/** A user's role assignments: remove one, or add a role at an org unit. */
export function RolesDrawer({
  user,
  onClose,
  onChanged,
}: {
  user: User;
  onClose: () => void;
  onChanged: (user: User) => void;
}) {
  const { t } = useTranslation();
  const me = useUser();
  const roles = useRoles();
  const { message } = App.useApp();
  const [org, setOrg] = useState<PickedOrg | null>({
    id: me.activeOrg.id,
    name: me.activeOrg.name,
    level: me.activeOrg.level,
  });
  const [role, setRole] = useState<RoleCode | null>(null);
  const [busy, setBusy] = useState(false);
  const options = assignableRoles(roles.data ?? [], org?.level, me);
  const mayRemove = (code: RoleCode) => {
    const info = roles.data?.find((item) => item.code === code);
    return info ? mayGrant(info, me) : false;
  };

  const add = async () => {
    if (!org || !role) return;
    setBusy(true);
    try {
      onChanged(await api.post<User>(`/users/${user.id}/roles`, { role, orgId: org.id }));
      setRole(null);
      message.success(t('common.saved'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer open title={t('users.rolesOf', { name: user.displayName })} width={520} onClose={onClose}>
      <List
        bordered
        dataSource={user.roles}
        locale={{ emptyText: t('users.noRoles') }}
        renderItem={(assignment) => (
          <List.Item
            actions={
              mayRemove(assignment.role)
                ? [
                    <Popconfirm
                      key="remove"
                      title={t('users.removeRoleConfirm')}
                      onConfirm={async () => {
                        onChanged(await api.delete<User>(`/users/${user.id}/roles/${assignment.id}`));
                        message.success(t('common.saved'));
                      }}
                    >
                      <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                    </Popconfirm>,
                  ]
                : []
            }
          >
            <Space direction="vertical" size={0}>
              <Tag color="blue">{t(`roles.${assignment.role}`)}</Tag>
              <Typography.Text type="secondary">
                {assignment.orgName}（{t(`levels.${assignment.orgLevel}`)}）
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      {me.permissions.includes('role.assign') && (
        <Space direction="vertical" style={{ width: '100%', marginTop: 24 }}>
          <Typography.Text strong>{t('users.addRole')}</Typography.Text>
          <OrgPicker
            style={{ width: '100%' }}
            value={org}
            onChange={(next) => {
              setOrg(next);
              setRole(null);
            }}
          />
          <Select<RoleCode>
            style={{ width: '100%' }}
            placeholder={t('users.pickRole')}
            value={role ?? undefined}
            onChange={setRole}
            notFoundContent={t('users.noRoleAtLevel')}
            options={options.map((code) => ({ value: code, label: t(`roles.${code}`) }))}
          />
          <Button type="primary" icon={<PlusOutlined />} disabled={!org || !role} loading={busy} onClick={add}>
            {t('users.addRole')}
          </Button>
        </Space>
      )}
    </Drawer>
  );
}
