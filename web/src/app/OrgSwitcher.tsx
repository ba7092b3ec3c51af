import { Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import type { LoginResponse } from '../api/types';
import { useSession, useUser } from './session';

/** Shown only to users holding roles at more than one org unit. */
export function OrgSwitcher() {
  const { t } = useTranslation();
  const user = useUser();
  const { accept } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const orgs = new Map<number, string>();
  for (const assignment of user.assignments) orgs.set(assignment.orgId, assignment.orgName);
  if (orgs.size < 2) return null;
  return (
    <Select
      size="small"
      style={{ minWidth: 180 }}
      loading={busy}
      value={user.activeOrg.id}
      aria-label={t('shell.switchOrg')}
      data-testid="org-switcher"
      options={[...orgs].map(([value, label]) => ({ value, label }))}
      onChange={async (orgId: number) => {
        setBusy(true);
        try {
          accept(await api.post<LoginResponse>('/auth/switch-org', { orgId }));
          navigate('/');
        } finally {
          setBusy(false);
        }
      }}
    />
  );
}
