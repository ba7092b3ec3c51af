import { ApartmentOutlined, AuditOutlined, EnvironmentOutlined, MobileOutlined, TeamOutlined } from '@ant-design/icons';
import { Card, Col, Descriptions, Row, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Page } from '../../app/Page';
import { APP_ROUTES, canOpen } from '../../app/routes';
import { useSession, useUser } from '../../app/session';
import { HazardDashboardCard } from '../hazards/HazardDashboardCard';

const SHORTCUT_ICONS: Record<string, React.ReactNode> = {
  '/orgs': <ApartmentOutlined />,
  '/places': <EnvironmentOutlined />,
  '/users': <TeamOutlined />,
  '/audit': <AuditOutlined />,
};

export function DashboardPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { can } = useSession();
  const hour = new Date().getHours();
  const greeting = hour < 12 ? t('dashboard.morning') : hour < 18 ? t('dashboard.afternoon') : t('dashboard.evening');
  const shortcuts = APP_ROUTES.filter((route) => route.path in SHORTCUT_ICONS && canOpen(route, user));

  return (
    <Page title={t('menu.dashboard')}>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card data-testid="welcome-card">
            <Typography.Title level={4} style={{ marginTop: 0 }}>
              {t('dashboard.welcome', { greeting, name: user.displayName })}
            </Typography.Title>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('dashboard.activeOrg')}>
                <Space wrap>
                  {user.activeOrg.name}
                  <Tag>{t(`levels.${user.activeOrg.level}`)}</Tag>
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('dashboard.orgTrail')}>
                {user.activeOrg.trail.map((unit) => unit.name).join(' / ')}
              </Descriptions.Item>
              <Descriptions.Item label={t('dashboard.roles')}>
                <Space wrap>
                  {user.roles.map((role) => (
                    <Tag color="blue" key={role}>
                      {t(`roles.${role}`)}
                    </Tag>
                  ))}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('dashboard.totp')}>
                {user.totpEnabled ? (
                  <Tag color="green">{t('common.enabled')}</Tag>
                ) : (
                  <Tag>{t('common.notEnabled')}</Tag>
                )}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('dashboard.shortcuts')}>
            <Space direction="vertical" style={{ width: '100%' }}>
              {shortcuts.map((route) => (
                <Link key={route.path} to={route.path}>
                  <Space>
                    {SHORTCUT_ICONS[route.path]}
                    {t(route.label)}
                  </Space>
                </Link>
              ))}
              <Link to="/m">
                <Space>
                  <MobileOutlined />
                  {t('shell.mobile')}
                </Space>
              </Link>
            </Space>
          </Card>
        </Col>
        {can('hazard.read') && (
          <Col xs={24} lg={16}>
            <HazardDashboardCard />
          </Col>
        )}
        <Col span={24}>
          <Card>
            <Typography.Text type="secondary">{t('dashboard.comingSoon')}</Typography.Text>
          </Card>
        </Col>
      </Row>
    </Page>
  );
}
