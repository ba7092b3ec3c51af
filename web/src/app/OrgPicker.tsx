import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { OrgLevel, OrgUnit, Page } from '../api/types';
import { useUser } from './session';

export interface PickedOrg {
  id: number;
  name: string;
  level: OrgLevel;
}

/** Search any org unit in scope by name or code; the active org is offered first. */
export function OrgPicker({
  value,
  onChange,
  placeholder,
  style,
}: {
  value?: PickedOrg | null;
  onChange?: (org: PickedOrg | null) => void;
  placeholder?: string;
  style?: React.CSSProperties;
}) {
  const { t } = useTranslation();
  const user = useUser();
  const [keyword, setKeyword] = useState('');
  const search = useQuery({
    queryKey: ['orgs', 'search', keyword],
    queryFn: () => api.get<Page<OrgUnit>>('/orgs', { keyword, limit: 30 }),
  });
  const options = new Map<number, PickedOrg>();
  if (value) options.set(value.id, value);
  options.set(user.activeOrg.id, { id: user.activeOrg.id, name: user.activeOrg.name, level: user.activeOrg.level });
  for (const org of search.data?.items ?? []) options.set(org.id, { id: org.id, name: org.name, level: org.level });
  return (
    <Select<number>
      showSearch
      allowClear
      filterOption={false}
      style={style}
      placeholder={placeholder ?? t('users.pickOrg')}
      value={value?.id}
      onSearch={setKeyword}
      loading={search.isLoading}
      options={[...options.values()].map((org) => ({
        value: org.id,
        label: `${org.name}（${t(`levels.${org.level}`)}）`,
      }))}
      onChange={(id) => onChange?.(id === undefined ? null : (options.get(id) ?? null))}
    />
  );
}
