import type { TemplateDetail } from '@safe-campus/domain';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';

/** The unit new templates belong to: a school user's school (templates serve the whole school), else the bureau. */
export function useTemplateOwner(): number {
  const user = useUser();
  return ownSchoolId(user) ?? user.activeOrg.id;
}

/** 复制到本单位: copies a built-in or published template (its current version) and opens the copy. */
export function useCopyTemplate() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const orgId = useTemplateOwner();
  return useMutation({
    mutationFn: (sourceId: number) => api.post<TemplateDetail>('/inspections/templates', { orgId, copyOf: sourceId }),
    onSuccess: (copy) => {
      message.success(t('inspections.template.copied', { name: copy.name }));
      void queryClient.invalidateQueries({ queryKey: ['inspections', 'templates'] });
      navigate(`/inspections/templates/${copy.id}`);
    },
  });
}
