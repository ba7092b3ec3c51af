import { ModalForm, ProForm, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import { isAdministratorRole } from '@safe-campus/domain';
import { Col, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { RoleCode, User } from '../../api/types';
import { OrgPicker, type PickedOrg } from '../../app/OrgPicker';
import { useUser } from '../../app/session';
import { assignableRoles, useRoles } from '../../app/useRoles';
import { passwordRule } from './passwordRule';

interface FormProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSaved: (user: User) => void;
}

interface CreateValues {
  username: string;
  displayName: string;
  phone?: string;
  password: string;
  org: PickedOrg | null;
  roles: RoleCode[];
}

export function CreateUserForm({ open, onOpenChange, onSaved }: FormProps) {
  const { t } = useTranslation();
  const me = useUser();
  const roles = useRoles();
  const [form] = Form.useForm<CreateValues>();
  const org = Form.useWatch('org', form);
  const roleOptions = assignableRoles(roles.data ?? [], org?.level, me).map((code) => ({
    value: code,
    label: t(`roles.${code}`),
  }));

  return (
    <ModalForm<CreateValues>
      title={t('users.create')}
      form={form}
      open={open}
      onOpenChange={onOpenChange}
      modalProps={{ destroyOnHidden: true }}
      width={560}
      grid
      initialValues={{ org: { id: me.activeOrg.id, name: me.activeOrg.name, level: me.activeOrg.level }, roles: [] }}
      onValuesChange={(changed) => {
        // Roles valid at one level are not valid at another.
        if ('org' in changed) form.setFieldValue('roles', []);
      }}
      onFinish={async (values) => {
        const saved = await api.post<User>('/users', {
          username: values.username,
          displayName: values.displayName,
          phone: values.phone ? values.phone : null,
          password: values.password,
          roles: values.roles.map((role) => ({ role, orgId: values.org!.id })),
        });
        onSaved(saved);
        return true;
      }}
    >
      <ProFormText
        name="username"
        label={t('users.username')}
        colProps={{ span: 12 }}
        rules={[
          { required: true, message: t('users.usernameRequired') },
          { pattern: /^[A-Za-z0-9][A-Za-z0-9_.@-]{2,63}$/, message: t('users.usernameRule') },
        ]}
      />
      <ProFormText
        name="displayName"
        label={t('users.displayName')}
        colProps={{ span: 12 }}
        rules={[{ required: true, max: 50 }]}
      />
      <ProFormText
        name="phone"
        label={t('users.phone')}
        colProps={{ span: 12 }}
        rules={[{ pattern: /^\+?[0-9-]{5,20}$/, message: t('users.phoneRule') }]}
      />
      <ProFormText.Password
        name="password"
        label={t('users.initialPassword')}
        colProps={{ span: 12 }}
        tooltip={t('password.rule')}
        rules={[{ required: true }, passwordRule(t, () => form.getFieldValue('username'))]}
      />
      <Col span={24}>
        <ProForm.Item name="org" label={t('users.org')} rules={[{ required: true }]}>
          <OrgPicker style={{ width: '100%' }} />
        </ProForm.Item>
      </Col>
      <ProFormSelect
        name="roles"
        label={t('users.roles')}
        mode="multiple"
        colProps={{ span: 24 }}
        options={roleOptions}
        rules={[{ required: true, message: t('users.rolesRequired') }]}
        fieldProps={{ notFoundContent: t('users.noRoleAtLevel') }}
      />
    </ModalForm>
  );
}

export function EditUserForm({ user, open, onOpenChange, onSaved }: FormProps & { user: User }) {
  const { t } = useTranslation();
  return (
    <ModalForm<{ displayName: string; phone?: string }>
      title={t('users.edit', { name: user.displayName })}
      open={open}
      onOpenChange={onOpenChange}
      modalProps={{ destroyOnHidden: true }}
      width={440}
      initialValues={{ displayName: user.displayName }}
      onFinish={async (values) => {
        const body: Record<string, unknown> = { displayName: values.displayName };
        // The list shows a masked phone; only a newly typed number is sent.
        if (values.phone) body.phone = values.phone;
        onSaved(await api.patch<User>(`/users/${user.id}`, body));
        return true;
      }}
    >
      <ProFormText name="displayName" label={t('users.displayName')} rules={[{ required: true, max: 50 }]} />
      <ProFormText
        name="phone"
        label={t('users.phone')}
        placeholder={user.phone ?? ''}
        extra={t('users.phoneKeep')}
        rules={[{ pattern: /^\+?[0-9-]{5,20}$/, message: t('users.phoneRule') }]}
      />
    </ModalForm>
  );
}

export function ResetPasswordForm({ user, open, onOpenChange, onSaved }: FormProps & { user: User }) {
  const { t } = useTranslation();
  return (
    <ModalForm<{ password: string }>
      title={t('users.resetPasswordOf', { name: user.displayName })}
      open={open}
      onOpenChange={onOpenChange}
      modalProps={{ destroyOnHidden: true }}
      width={440}
      onFinish={async (values) => {
        // Administrator accounts have their own route, open to the security administrator only.
        const administrator = user.roles.some((assignment) => isAdministratorRole(assignment.role));
        const route = administrator ? 'admin-reset-password' : 'reset-password';
        onSaved(await api.post<User>(`/users/${user.id}/${route}`, { password: values.password }));
        return true;
      }}
    >
      <ProFormText.Password
        name="password"
        label={t('users.newPassword')}
        extra={`${t('password.rule')} ${t('users.resetHint')}`}
        rules={[{ required: true }, passwordRule(t, () => user.username)]}
      />
    </ModalForm>
  );
}
