import type { HazardStats } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Skeleton, Statistic } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';

/** The dashboard's hazard card: open and overdue hazards of the caller's unit, linking to the ledger. */
export function HazardDashboardCard() {
  const { t } = useTranslation();
  const stats = useQuery({
    queryKey: ['hazards', 'stats', 'dashboard'],
    queryFn: () => api.get<HazardStats>('/hazards/stats', undefined, { quiet: true }),
  });
  const totals = stats.data?.totals;
  return (
    <Card
      title={t('hazards.dashboard.title')}
      extra={<Link to="/hazards">{t('hazards.dashboard.ledger')}</Link>}
      data-testid="hazard-dashboard-card"
    >
      {stats.isLoading && <Skeleton active paragraph={{ rows: 1 }} />}
      {stats.isError && t('common.loadFailed')}
      {totals && (
        <Row gutter={16}>
          <Col span={8}>
            <Link to="/hazards">
              <Statistic title={t('hazards.stats.unrectified')} value={totals.unrectified} />
            </Link>
          </Col>
          <Col span={8}>
            <Link to="/hazards?overdue=true" data-testid="dashboard-overdue">
              <Statistic
                title={t('hazards.stats.overdue')}
                value={totals.overdue}
                valueStyle={totals.overdue > 0 ? { color: '#cf1322' } : undefined}
              />
            </Link>
          </Col>
          <Col span={8}>
            <Statistic
              title={t('hazards.stats.rectificationRate')}
              value={totals.rectificationRate === null ? '—' : `${(totals.rectificationRate * 100).toFixed(1)}%`}
            />
          </Col>
        </Row>
      )}
    </Card>
  );
}
