import { BellOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import type { NotificationPage } from '../api/types';

export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const inbox = useQuery({
    queryKey: ['notifications'],
    queryFn: () => api.get<NotificationPage>('/notifications', { limit: 10 }, { quiet: true }),
  });
  const markRead = useMutation({
    mutationFn: (id: number) => api.post(`/notifications/${id}/read`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });

  const items = inbox.data?.items ?? [];
  const content = (
    <div style={{ width: 320 }}>
      {inbox.isError ? (
        <Typography.Text type="secondary">{t('common.loadFailed')}</Typography.Text>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
      ) : (
        <List
          size="small"
          loading={inbox.isLoading}
          dataSource={items}
          renderItem={(item) => (
            <List.Item
              style={{ cursor: 'pointer', opacity: item.readAt ? 0.6 : 1 }}
              onClick={() => {
                if (!item.readAt) markRead.mutate(item.id);
                if (item.link?.startsWith('/')) navigate(item.link);
              }}
            >
              <List.Item.Meta
                title={
                  <Badge dot={!item.readAt} offset={[6, 0]}>
                    {item.title}
                  </Badge>
                }
                description={dayjs(item.createdAt).format('YYYY-MM-DD HH:mm')}
              />
            </List.Item>
          )}
        />
      )}
      {(inbox.data?.unreadCount ?? 0) > 0 && (
        <Button
          type="link"
          size="small"
          onClick={async () => {
            await api.post('/notifications/read-all');
            await queryClient.invalidateQueries({ queryKey: ['notifications'] });
          }}
        >
          {t('notifications.readAll')}
        </Button>
      )}
    </div>
  );
  return (
    <Popover trigger="click" placement="bottomRight" title={t('notifications.title')} content={content}>
      <span className="sc-header-action" data-testid="notification-bell" title={t('notifications.title')}>
        <Badge count={inbox.data?.unreadCount ?? 0} size="small">
          <BellOutlined style={{ fontSize: 16 }} />
        </Badge>
      </span>
    </Popover>
  );
}
