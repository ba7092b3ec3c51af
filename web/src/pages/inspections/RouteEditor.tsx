import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, HolderOutlined } from '@ant-design/icons';
import type { PatrolRouteDetail } from '@safe-campus/domain';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Drawer, Empty, Form, Input, List, Select, Skeleton, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { Place } from '../../api/types';
import { placeLabel, useSchoolPlaces } from './shared';

/**
 * 巡查路线编辑: a name and the checkpoints in patrol order, picked from the school's places; reorder by
 * dragging a row or with the arrows (phones and keyboards).
 */
export function RouteEditor({
  open,
  schoolId,
  routeId,
  onClose,
  onSaved,
}: {
  open: boolean;
  schoolId: number;
  /** null: a new route. */
  routeId: number | null;
  onClose: () => void;
  onSaved: (route: PatrolRouteDetail) => void;
}) {
  const { t } = useTranslation();
  const places = useSchoolPlaces(open ? schoolId : null);
  const existing = useQuery({
    queryKey: ['inspections', 'routes', 'detail', routeId],
    enabled: open && routeId !== null,
    queryFn: () => api.get<PatrolRouteDetail>(`/inspections/routes/${routeId}`),
  });
  // The draft starts from the saved route once it arrives; `loadedFor` says which route the draft belongs to.
  const [loadedFor, setLoadedFor] = useState<number | 'new' | null>(null);
  const [name, setName] = useState('');
  const [placeIds, setPlaceIds] = useState<number[]>([]);
  const [dragging, setDragging] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const target = routeId ?? 'new';
  if (open && loadedFor !== target) {
    if (routeId === null) {
      setLoadedFor('new');
      setName('');
      setPlaceIds([]);
      setProblem(null);
    } else if (existing.data && existing.data.id === routeId) {
      setLoadedFor(routeId);
      setName(existing.data.name);
      setPlaceIds(existing.data.checkpoints.map((checkpoint) => checkpoint.placeId));
      setProblem(null);
    }
  }
  if (!open && loadedFor !== null) setLoadedFor(null);

  const byId = useMemo(() => new Map((places.data ?? []).map((place) => [place.id, place])), [places.data]);
  const label = (id: number) => {
    const place = byId.get(id);
    if (place) return placeLabel(place, byId);
    return existing.data?.checkpoints.find((checkpoint) => checkpoint.placeId === id)?.placeName ?? `#${id}`;
  };
  const move = (from: number, to: number) => {
    if (to < 0 || to >= placeIds.length || from === to) return;
    const next = [...placeIds];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved as number);
    setPlaceIds(next);
  };

  const save = useMutation({
    mutationFn: () =>
      routeId === null
        ? api.post<PatrolRouteDetail>(
            '/inspections/routes',
            { orgId: schoolId, name: name.trim(), placeIds },
            { quiet: true },
          )
        : api.patch<PatrolRouteDetail>(
            `/inspections/routes/${routeId}`,
            { name: name.trim(), placeIds },
            { quiet: true },
          ),
    onSuccess: (route) => onSaved(route),
    onError: (error) => setProblem(error instanceof ApiError ? error.message : String(error)),
  });

  const loading = routeId !== null && loadedFor !== routeId;
  const options = (places.data ?? [])
    .filter((place: Place) => !placeIds.includes(place.id))
    .map((place) => ({ value: place.id, label: placeLabel(place, byId), keyPart: place.keyPart }))
    .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={routeId === null ? t('inspections.route.new') : t('inspections.route.edit')}
      width={Math.min(560, typeof window === 'undefined' ? 560 : window.innerWidth)}
      destroyOnHidden
      footer={
        <Space style={{ float: 'right' }}>
          <Button onClick={onClose}>{t('inspections.cancel')}</Button>
          <Button
            type="primary"
            loading={save.isPending}
            disabled={loading || !name.trim() || placeIds.length === 0}
            onClick={() => {
              setProblem(null);
              save.mutate();
            }}
            data-testid="route-save"
          >
            {t('inspections.save')}
          </Button>
        </Space>
      }
    >
      {loading ? (
        <Skeleton active />
      ) : (
        <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="route-editor">
          <Form layout="vertical">
            <Form.Item label={t('inspections.route.name')} required style={{ marginBottom: 12 }}>
              <Input
                value={name}
                maxLength={100}
                onChange={(event) => setName(event.target.value)}
                placeholder={t('inspections.route.namePlaceholder')}
                data-testid="route-name"
              />
            </Form.Item>
            <Form.Item
              label={t('inspections.route.addCheckpoint')}
              extra={t('inspections.route.keptHint')}
              style={{ marginBottom: 0 }}
            >
              <Select<number>
                showSearch
                value={null as unknown as number}
                placeholder={t('inspections.route.pickPlace')}
                loading={places.isLoading}
                optionFilterProp="label"
                options={options.map((option) => ({
                  value: option.value,
                  label: option.keyPart ? `${option.label}（${t('inspections.route.keyPart')}）` : option.label,
                }))}
                onChange={(id) => setPlaceIds((current) => [...current, id])}
                notFoundContent={places.isLoading ? t('common.loading') : t('inspections.route.noPlaces')}
                data-testid="route-add-place"
              />
            </Form.Item>
          </Form>
          {places.isError && <Alert type="error" showIcon message={places.error.message} />}
          <List
            bordered
            size="small"
            dataSource={placeIds}
            locale={{
              emptyText: (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inspections.route.noCheckpoints')} />
              ),
            }}
            data-testid="route-checkpoints"
            renderItem={(placeId, index) => (
              <List.Item
                key={placeId}
                draggable
                onDragStart={() => setDragging(index)}
                onDragOver={(event) => event.preventDefault()}
                onDrop={() => {
                  if (dragging !== null) move(dragging, index);
                  setDragging(null);
                }}
                className={dragging === index ? 'sc-insp-dragging' : undefined}
                actions={[
                  <Button
                    key="up"
                    type="text"
                    size="small"
                    icon={<ArrowUpOutlined />}
                    disabled={index === 0}
                    onClick={() => move(index, index - 1)}
                    aria-label={t('inspections.editor.up')}
                  />,
                  <Button
                    key="down"
                    type="text"
                    size="small"
                    icon={<ArrowDownOutlined />}
                    disabled={index === placeIds.length - 1}
                    onClick={() => move(index, index + 1)}
                    aria-label={t('inspections.editor.down')}
                  />,
                  <Button
                    key="remove"
                    type="text"
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    onClick={() => setPlaceIds((current) => current.filter((id) => id !== placeId))}
                    aria-label={t('inspections.route.remove')}
                  />,
                ]}
              >
                <Space className="sc-insp-checkpoint" data-testid="route-checkpoint">
                  <HolderOutlined className="sc-insp-drag-handle" />
                  <Typography.Text strong>{index + 1}</Typography.Text>
                  <Typography.Text>{label(placeId)}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          {problem && <Alert type="error" showIcon message={problem} />}
        </Space>
      )}
    </Drawer>
  );
}
