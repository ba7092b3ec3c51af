import { Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSchools } from './useSchools';

/** Search-as-you-type select of the schools in scope. */
export function SchoolPicker({ value, onChange }: { value: number | null; onChange: (id: number | null) => void }) {
  const { t } = useTranslation();
  const [keyword, setKeyword] = useState('');
  const schools = useSchools(keyword, true);
  return (
    <Select<number>
      showSearch
      allowClear
      style={{ minWidth: 260 }}
      placeholder={t('places.pickSchool')}
      value={value ?? undefined}
      filterOption={false}
      onSearch={setKeyword}
      loading={schools.isLoading}
      notFoundContent={schools.isLoading ? t('common.loading') : t('common.noData')}
      options={(schools.data?.items ?? []).map((school) => ({ value: school.id, label: school.name }))}
      onChange={(id) => onChange(id ?? null)}
      data-testid="school-picker"
    />
  );
}
