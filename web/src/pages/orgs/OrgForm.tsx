import { ModalForm, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import { allowedChildLevels, SCHOOL_TYPES } from '@safe-campus/domain';
import { Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { OrgLevel, OrgUnit } from '../../api/types';

interface OrgFormProps {
  /** Create a child of `parent`, or edit `org`. */
  parent?: OrgUnit;
  org?: OrgUnit;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSaved: (org: OrgUnit) => void;
}

interface Values {
  name: string;
  code: string;
  level: OrgLevel;
  schoolType?: string | null;
  address?: string | null;
}

export function OrgForm({ parent, org, open, onOpenChange, onSaved }: OrgFormProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const levels = org ? [org.level] : allowedChildLevels(parent?.level ?? null);
  const level = Form.useWatch('level', form) ?? org?.level ?? levels[0];

  return (
    <ModalForm<Values>
      title={org ? t('orgs.edit') : t('orgs.createChild', { parent: parent?.name ?? '' })}
      form={form}
      open={open}
      onOpenChange={onOpenChange}
      modalProps={{ destroyOnHidden: true }}
      width={520}
      initialValues={
        org
          ? { name: org.name, code: org.code, level: org.level, schoolType: org.schoolType, address: org.address }
          : { level: levels[0] }
      }
      onFinish={async (values) => {
        const body = {
          name: values.name,
          code: values.code,
          schoolType: values.level === 'school' ? (values.schoolType ?? null) : null,
          address: values.address ? values.address : null,
        };
        const saved = org
          ? await api.patch<OrgUnit>(`/orgs/${org.id}`, body)
          : await api.post<OrgUnit>('/orgs', { ...body, parentId: parent?.id ?? null, level: values.level });
        onSaved(saved);
        return true;
      }}
    >
      <ProFormText name="name" label={t('orgs.name')} rules={[{ required: true, max: 100 }]} />
      <ProFormText
        name="code"
        label={t('orgs.code')}
        tooltip={t('orgs.codeHint')}
        rules={[{ required: true, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('orgs.codeHint') }]}
      />
      <ProFormSelect
        name="level"
        label={t('orgs.level')}
        disabled={Boolean(org) || levels.length < 2}
        options={levels.map((value) => ({ value, label: t(`levels.${value}`) }))}
        rules={[{ required: true }]}
      />
      {level === 'school' && (
        <ProFormSelect
          name="schoolType"
          label={t('orgs.schoolType')}
          options={SCHOOL_TYPES.map((value) => ({ value, label: t(`schoolTypes.${value}`) }))}
        />
      )}
      <ProFormText name="address" label={t('orgs.address')} rules={[{ max: 200 }]} />
    </ModalForm>
  );
}
