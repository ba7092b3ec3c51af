import { EditOutlined, PlusOutlined, PrinterOutlined } from '@ant-design/icons';
import type { PatrolRouteDetail, PatrolRouteSummary } from '@safe-campus/domain';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, Popconfirm, Segmented, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { Page } from '../../app/Page';
import { useSession } from '../../app/session';
import { RouteEditor } from './RouteEditor';
import { dateTime, LoadError, PickSchoolFirst, useWorkingSchool } from './shared';
import './inspections.css';

/** Opens the server's A4 sheet of QR labels (one per checkpoint, with place names) in a new tab to print. */
export function openLabels(routeId: number): void {
  window.open(`/api/v1/inspections/routes/${routeId}/labels.pdf`, '_blank', 'noopener');
}

/** 巡查路线: a school's patrol routes, their checkpoints in order, and their printable QR labels. */
export function RoutesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const { schoolId, picker } = useWorkingSchool();
  const [archived, setArchived] = useState(false);
  const [editing, setEditing] = useState<{ routeId: number | null } | null>(null);
  const list = useQuery({
    queryKey: ['inspections', 'routes', schoolId, archived],
    enabled: schoolId !== null,
    queryFn: () =>
      api.get<{ items: PatrolRouteSummary[] }>(
        '/inspections/routes',
        { orgId: schoolId, archived: archived || undefined },
        { quiet: true },
      ),
  });
  const archive = useMutation({
    mutationFn: (route: PatrolRouteSummary) =>
      api.patch<PatrolRouteDetail>(`/inspections/routes/${route.id}`, { archived: !route.archived }),
    onSuccess: () => {
      message.success(t('common.saved'));
      void queryClient.invalidateQueries({ queryKey: ['inspections', 'routes'] });
    },
  });
  const manage = can('inspection.manage');

  return (
    <Page
      title={t('inspections.menu.routes')}
      extra={
        manage && schoolId !== null
          ? [
              <Button
                key="new"
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setEditing({ routeId: null })}
                data-testid="route-new"
              >
                {t('inspections.route.new')}
              </Button>,
            ]
          : undefined
      }
    >
      {schoolId === null ? (
        <PickSchoolFirst picker={picker} />
      ) : (
        <>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Space wrap>
              {picker}
              <Segmented<'active' | 'archived'>
                value={archived ? 'archived' : 'active'}
                onChange={(value) => setArchived(value === 'archived')}
                options={[
                  { value: 'active', label: t('inspections.route.inUse') },
                  { value: 'archived', label: t('inspections.route.withArchived') },
                ]}
              />
            </Space>
          </Card>
          {list.isError && <LoadError error={list.error} onRetry={() => list.refetch()} />}
          <Card size="small" styles={{ body: { padding: 0 } }}>
            <Table<PatrolRouteSummary>
              rowKey="id"
              loading={list.isLoading}
              dataSource={list.data?.items ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              scroll={{ x: 760 }}
              data-testid="routes-table"
              locale={{ emptyText: <Empty description={t('inspections.route.empty')} /> }}
              expandable={{
                expandedRowRender: (row) => <Checkpoints routeId={row.id} />,
                rowExpandable: (row) => row.checkpointCount > 0,
              }}
              columns={[
                {
                  title: t('inspections.route.name'),
                  dataIndex: 'name',
                  render: (value: string, row) => (
                    <Space>
                      {value}
                      {row.archived && <Tag>{t('inspections.template.archived')}</Tag>}
                    </Space>
                  ),
                },
                { title: t('inspections.route.checkpoints'), dataIndex: 'checkpointCount', width: 100, align: 'right' },
                { title: t('common.updatedAt'), dataIndex: 'updatedAt', width: 150, render: dateTime },
                {
                  title: t('common.actions'),
                  key: 'actions',
                  width: 280,
                  render: (_value, row) => (
                    <Space size={4} wrap>
                      <Button
                        size="small"
                        icon={<PrinterOutlined />}
                        onClick={() => openLabels(row.id)}
                        disabled={row.checkpointCount === 0}
                        data-testid="route-labels"
                      >
                        {t('inspections.route.printLabels')}
                      </Button>
                      {manage && (
                        <Button
                          size="small"
                          icon={<EditOutlined />}
                          onClick={() => setEditing({ routeId: row.id })}
                          data-testid="route-edit"
                        >
                          {t('common.edit')}
                        </Button>
                      )}
                      {manage && (
                        <Popconfirm
                          title={t(
                            row.archived ? 'inspections.route.restoreConfirm' : 'inspections.route.archiveConfirm',
                          )}
                          onConfirm={() => archive.mutate(row)}
                        >
                          <Button size="small" type="text">
                            {t(row.archived ? 'inspections.template.restore' : 'inspections.template.archive')}
                          </Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
                },
              ]}
            />
          </Card>
          <RouteEditor
            open={editing !== null}
            schoolId={schoolId}
            routeId={editing?.routeId ?? null}
            onClose={() => setEditing(null)}
            onSaved={(route) => {
              message.success(t('inspections.route.saved', { name: route.name }));
              setEditing(null);
              void queryClient.invalidateQueries({ queryKey: ['inspections', 'routes'] });
            }}
          />
        </>
      )}
    </Page>
  );
}

/** The checkpoints of one route in order, shown when its row is expanded. */
function Checkpoints({ routeId }: { routeId: number }) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: ['inspections', 'routes', 'detail', routeId],
    queryFn: () => api.get<PatrolRouteDetail>(`/inspections/routes/${routeId}`),
  });
  if (detail.isLoading) return <span>{t('common.loading')}</span>;
  if (!detail.data) return null;
  return (
    <ol className="sc-insp-checkpoint-list">
      {detail.data.checkpoints.map((checkpoint) => (
        <li key={checkpoint.id}>{checkpoint.placeName}</li>
      ))}
    </ol>
  );
}
