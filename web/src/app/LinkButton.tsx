import { Button } from 'antd';
import type { ReactNode } from 'react';

/** A text action in a table row: a real button, styled like a link. */
export function LinkButton({
  onClick,
  children,
  danger,
  testId,
}: {
  onClick?: () => void;
  children: ReactNode;
  danger?: boolean;
  testId?: string;
}) {
  return (
    <Button
      type="link"
      size="small"
      danger={danger}
      onClick={onClick}
      style={{ padding: 0, height: 'auto' }}
      data-testid={testId}
    >
      {children}
    </Button>
  );
}
