import { PageContainer } from '@ant-design/pro-components';
import type { ReactNode } from 'react';

/** Every desktop page: a title, optional actions on the right, the content below. */
export function Page({ title, extra, children }: { title: ReactNode; extra?: ReactNode[]; children: ReactNode }) {
  return (
    <PageContainer title={title} extra={extra} breadcrumbRender={false}>
      {children}
    </PageContainer>
  );
}
