import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { allowedChildLevels } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Empty, Popconfirm, Result, Row, Space, Spin, Tag, Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { OrgUnit } from '../../api/types';
import { ImportButtons } from '../../app/ImportButtons';
import { Page } from '../../app/Page';
import { useSession, useUser } from '../../app/session';
import { OrgForm } from './OrgForm';

const LEVEL_COLORS: Record<string, string> = {
  province: 'red',
  city: 'volcano',
  county: 'orange',
  school: 'blue',
  department: 'default',
};

export function OrgsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { can } = useSession();
  const { message } = App.useApp();
  const canManage = can('org.manage');
  const rootId = user.activeOrg.id;

  const root = useQuery({ queryKey: ['orgs', rootId], queryFn: () => api.get<OrgUnit>(`/orgs/${rootId}`) });
  const [units, setUnits] = useState<Record<number, OrgUnit>>({});
  const [children, setChildren] = useState<Record<number, number[]>>({});
  const [loadedKeys, setLoadedKeys] = useState<React.Key[]>([]);
  const [expandedKeys, setExpandedKeys] = useState<React.Key[]>([]);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [form, setForm] = useState<{ mode: 'create' | 'edit'; unit: OrgUnit } | null>(null);

  const unitOf = useCallback(
    (id: number): OrgUnit | undefined => units[id] ?? (root.data?.id === id ? root.data : undefined),
    [units, root.data],
  );

  const loadChildren = useCallback(async (id: number) => {
    const { items } = await api.get<{ items: OrgUnit[] }>(`/orgs/${id}/children`);
    setUnits((previous) => ({ ...previous, ...Object.fromEntries(items.map((item) => [item.id, item])) }));
    setChildren((previous) => ({ ...previous, [id]: items.map((item) => item.id) }));
    setLoadedKeys((previous) => (previous.includes(id) ? previous : [...previous, id]));
  }, []);

  const refreshUnit = useCallback(
    async (id: number) => {
      const unit = await api.get<OrgUnit>(`/orgs/${id}`);
      setUnits((previous) => ({ ...previous, [id]: unit }));
      if (id === rootId) void root.refetch();
    },
    [rootId, root],
  );

  // Open on the user's own unit with its children shown.
  const rootLoaded = root.data?.id;
  useEffect(() => {
    if (rootLoaded === undefined) return;
    setSelectedId((current) => current ?? rootLoaded);
    void loadChildren(rootLoaded).then(() =>
      setExpandedKeys((keys) => (keys.includes(rootLoaded) ? keys : [...keys, rootLoaded])),
    );
  }, [rootLoaded, loadChildren]);

  const treeData = useMemo(() => {
    if (!root.data) return [];
    const build = (unit: OrgUnit): DataNode => ({
      key: unit.id,
      title: (
        <Space size={4}>
          <span>{unit.name}</span>
          <Tag color={LEVEL_COLORS[unit.level]} bordered={false}>
            {t(`levels.${unit.level}`)}
          </Tag>
        </Space>
      ),
      isLeaf: unit.childCount === 0,
      children: children[unit.id]?.map((id) => build(unitOf(id)!)).filter(Boolean),
    });
    return [build(units[root.data.id] ?? root.data)];
  }, [root.data, units, children, unitOf, t]);

  const selected = selectedId === null ? undefined : unitOf(selectedId);
  const parentIdOf = (unit: OrgUnit) => unit.parentId;

  const afterSave = async (saved: OrgUnit) => {
    setUnits((previous) => ({ ...previous, [saved.id]: saved }));
    if (form?.mode === 'create') {
      await refreshUnit(form.unit.id);
      await loadChildren(form.unit.id);
      setExpandedKeys((keys) => (keys.includes(form.unit.id) ? keys : [...keys, form.unit.id]));
      setSelectedId(saved.id);
    }
    message.success(t('common.saved'));
  };

  const remove = async (unit: OrgUnit) => {
    await api.delete(`/orgs/${unit.id}`);
    message.success(t('common.deleted'));
    const parentId = parentIdOf(unit);
    setSelectedId(parentId);
    if (parentId !== null) {
      await refreshUnit(parentId);
      await loadChildren(parentId);
    }
  };

  const reloadAll = async () => {
    setChildren({});
    setLoadedKeys([]);
    setExpandedKeys([]);
    await root.refetch();
  };

  if (root.isError) {
    return (
      <Page title={t('menu.orgs')}>
        <Result
          status="error"
          title={t('common.loadFailed')}
          extra={<Button onClick={() => root.refetch()}>{t('common.retry')}</Button>}
        />
      </Page>
    );
  }

  return (
    <Page
      title={t('menu.orgs')}
      extra={
        canManage
          ? [
              <ImportButtons
                key="import"
                importPath="/orgs/import"
                templatePath="/orgs/import/template.xlsx"
                templateName={t('orgs.templateFile')}
                canImport={canManage}
                onImported={() => void reloadAll()}
              />,
            ]
          : undefined
      }
    >
      <Row gutter={16}>
        <Col xs={24} md={10} xl={8}>
          <Card title={t('orgs.tree')} className="sc-org-tree-card">
            {root.isLoading ? (
              <Spin />
            ) : (
              <Tree
                data-testid="org-tree"
                treeData={treeData}
                loadedKeys={loadedKeys}
                expandedKeys={expandedKeys}
                onExpand={(keys) => setExpandedKeys(keys)}
                selectedKeys={selectedId === null ? [] : [selectedId]}
                onSelect={(keys) => setSelectedId(keys.length ? Number(keys[0]) : null)}
                loadData={async (node) => loadChildren(Number(node.key))}
                blockNode
              />
            )}
          </Card>
        </Col>
        <Col xs={24} md={14} xl={16}>
          <Card
            title={selected ? selected.name : t('orgs.detail')}
            data-testid="org-detail"
            extra={
              selected &&
              canManage && (
                <Space wrap>
                  {allowedChildLevels(selected.level).length > 0 && (
                    <Button
                      icon={<PlusOutlined />}
                      type="primary"
                      onClick={() => setForm({ mode: 'create', unit: selected })}
                    >
                      {t('orgs.addChild')}
                    </Button>
                  )}
                  <Button icon={<EditOutlined />} onClick={() => setForm({ mode: 'edit', unit: selected })}>
                    {t('common.edit')}
                  </Button>
                  {selected.id !== rootId && (
                    <Popconfirm
                      title={t('orgs.deleteConfirm', { name: selected.name })}
                      description={t('orgs.deleteHint')}
                      onConfirm={() => remove(selected)}
                    >
                      <Button danger icon={<DeleteOutlined />}>
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              )
            }
          >
            {selected ? (
              <Descriptions column={{ xs: 1, sm: 1, md: 1, lg: 2, xl: 2, xxl: 2 }} bordered size="small">
                <Descriptions.Item label={t('orgs.name')}>{selected.name}</Descriptions.Item>
                <Descriptions.Item label={t('orgs.code')}>{selected.code}</Descriptions.Item>
                <Descriptions.Item label={t('orgs.level')}>{t(`levels.${selected.level}`)}</Descriptions.Item>
                <Descriptions.Item label={t('orgs.schoolType')}>
                  {selected.schoolType ? t(`schoolTypes.${selected.schoolType}`) : '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('orgs.address')} span={2}>
                  {selected.address ?? '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('orgs.childCount')}>{selected.childCount}</Descriptions.Item>
                <Descriptions.Item label={t('common.updatedAt')}>
                  {dayjs(selected.updatedAt).format('YYYY-MM-DD HH:mm')}
                </Descriptions.Item>
              </Descriptions>
            ) : (
              <Empty description={t('orgs.selectHint')} />
            )}
          </Card>
        </Col>
      </Row>
      {form && (
        <OrgForm
          open
          parent={form.mode === 'create' ? form.unit : undefined}
          org={form.mode === 'edit' ? form.unit : undefined}
          onOpenChange={(open) => !open && setForm(null)}
          onSaved={(saved) => void afterSave(saved)}
        />
      )}
    </Page>
  );
}
