import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, List, Result, Skeleton, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { Page } from '../../app/Page';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useUser } from '../../app/session';
import { ownSchoolId, useSchools } from '../../app/useSchools';
import type { DeviceCoverage, DeviceKind } from './deviceApi';
import { useDeviceEvents } from './useDeviceEvents';
import './devices.css';

type CoveragePlace = DeviceCoverage['places'][number];

/** Same rule as the server (coverage.ts): dormitories are recognised by name or a DORM code. */
const isDormitory = (place: { name: string; code: string }) =>
  /宿舍|公寓/.test(place.name) || /^DORM/i.test(place.code);

/** 覆盖情况: one school's key places × device kinds, gaps in red, and the seed 003 checklist lines. */
export function CoveragePage() {
  const { t } = useTranslation();
  const user = useUser();
  const ownSchool = ownSchoolId(user);
  const [orgId, setOrgId] = useState<number | null>(ownSchool);
  const firstSchools = useSchools('', ownSchool === null);
  const firstSchool = firstSchools.data?.items[0]?.id;
  useEffect(() => {
    if (firstSchool !== undefined) setOrgId((current) => current ?? firstSchool);
  }, [firstSchool]);

  const coverage = useQuery({
    queryKey: ['devices', 'coverage', orgId],
    enabled: orgId !== null,
    queryFn: () => api.get<DeviceCoverage>('/devices/coverage', { orgId }),
  });
  useDeviceEvents(() => void coverage.refetch());

  const data = coverage.data;
  const kinds = (data?.kinds ?? []) as DeviceKind[];
  const hasDorms = (data?.places ?? []).some(isDormitory);

  const columns: ColumnsType<CoveragePlace> = [
    {
      title: t('devices.coverage.place'),
      dataIndex: 'name',
      fixed: 'left',
      width: 180,
      render: (_value, row) => (
        <Space size={4} wrap>
          <span>{row.name}</span>
          {row.kind === 'gate' && <Tag>{t('placeKinds.gate')}</Tag>}
          {row.keyPart && row.kind !== 'gate' && <Tag color="red">{t('devices.keyPlace')}</Tag>}
        </Space>
      ),
    },
    ...kinds.map((kind) => ({
      title: t(`devices.kinds.${kind}`),
      key: kind,
      width: 92,
      align: 'center' as const,
      onCell: (row: CoveragePlace) => ({
        className: kind === 'camera' && row.gap ? 'devices-gap' : row.counts[kind] ? 'devices-has' : undefined,
        'data-cell': `${row.code}:${kind}`,
      }),
      render: (_value: unknown, row: CoveragePlace) => {
        const count = row.counts[kind] ?? 0;
        if (kind === 'camera' && row.gap) return t('devices.coverage.gapCell');
        return count > 0 ? count : <span className="devices-muted">—</span>;
      },
    })),
  ];

  const gaps = (data?.places ?? []).filter((place) => place.gap);
  const unplaced = Object.entries(data?.unplaced ?? {}).filter(([, count]) => count > 0);

  return (
    <Page
      title={t('devices.menu.coverage')}
      extra={ownSchool === null ? [<SchoolPicker key="school" value={orgId} onChange={setOrgId} />] : undefined}
    >
      {orgId === null ? (
        <Card>
          <Empty description={t('places.pickSchoolFirst')} />
        </Card>
      ) : coverage.isError ? (
        <Result
          status="warning"
          title={t('common.loadFailed')}
          extra={<Button onClick={() => void coverage.refetch()}>{t('common.retry')}</Button>}
        />
      ) : !data ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Card title={t('devices.coverage.checklist', { name: data.schoolName })} size="small">
            <List
              size="small"
              dataSource={data.requirements}
              renderItem={(item) => {
                const notApplicable = item.key === 'one_key_alarm_at_dormitory' && !hasDorms;
                return (
                  <List.Item data-requirement={item.key} data-met={item.met}>
                    <Space align="start" style={{ width: '100%', justifyContent: 'space-between' }} wrap>
                      <Typography.Text>{t(`devices.coverage.requirements.${item.key}`)}</Typography.Text>
                      <Space size={8}>
                        {item.detail && <Typography.Text type="secondary">{item.detail}</Typography.Text>}
                        {notApplicable ? (
                          <Tag>{t('devices.coverage.notApplicable')}</Tag>
                        ) : item.met ? (
                          <Tag color="success" icon={<CheckCircleFilled />}>
                            {t('devices.coverage.yes')}
                          </Tag>
                        ) : (
                          <Tag color="error" icon={<CloseCircleFilled />}>
                            {t('devices.coverage.no')}
                          </Tag>
                        )}
                      </Space>
                    </Space>
                  </List.Item>
                );
              }}
            />
          </Card>
          <Card
            title={t('devices.coverage.grid')}
            size="small"
            extra={<Link to="/devices">{t('devices.coverage.toRegistry')}</Link>}
          >
            {gaps.length > 0 ? (
              <Alert
                type="error"
                showIcon
                style={{ marginBottom: 12 }}
                message={t('devices.coverage.gaps', { count: gaps.length, names: gaps.map((g) => g.name).join('、') })}
                data-testid="coverage-gaps"
              />
            ) : (
              data.places.length > 0 && (
                <Alert type="success" showIcon style={{ marginBottom: 12 }} message={t('devices.coverage.noGaps')} />
              )
            )}
            <Table<CoveragePlace>
              className="devices-grid"
              size="small"
              bordered
              rowKey="placeId"
              columns={columns}
              dataSource={data.places}
              pagination={false}
              scroll={{ x: 180 + kinds.length * 92 }}
              locale={{ emptyText: <Empty description={t('devices.coverage.noPlaces')} /> }}
            />
            {unplaced.length > 0 && (
              <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
                {t('devices.coverage.unplaced', {
                  list: unplaced.map(([kind, count]) => `${t(`devices.kinds.${kind}`)} ${count}`).join('，'),
                })}
              </Typography.Paragraph>
            )}
          </Card>
        </Space>
      )}
    </Page>
  );
}
