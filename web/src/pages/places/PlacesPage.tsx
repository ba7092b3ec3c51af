import { PlusOutlined } from '@ant-design/icons';
import { type ActionType, type ProColumns, ProTable } from '@ant-design/pro-components';
import { PLACE_KINDS } from '@safe-campus/domain';
import { App, Button, Card, Empty, Popconfirm, Tag } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Place } from '../../api/types';
import { cursorRequest } from '../../app/cursorTable';
import { ImportButtons } from '../../app/ImportButtons';
import { LinkButton } from '../../app/LinkButton';
import { Page } from '../../app/Page';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useSession, useUser } from '../../app/session';
import { ownSchoolId, useSchools } from '../../app/useSchools';
import { PlaceForm } from './PlaceForm';

export function PlacesPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { can } = useSession();
  const { message } = App.useApp();
  const ownSchool = ownSchoolId(user);
  const [orgId, setOrgId] = useState<number | null>(ownSchool);
  const [editing, setEditing] = useState<{ place?: Place } | null>(null);
  const [rows, setRows] = useState<Place[]>([]);
  const action = useRef<ActionType>(null);
  const canManage = can('place.manage');
  // Bureau and provincial users start on the first school of their scope.
  const firstSchools = useSchools('', ownSchool === null);
  const firstSchool = firstSchools.data?.items[0]?.id;
  useEffect(() => {
    if (firstSchool !== undefined) setOrgId((current) => current ?? firstSchool);
  }, [firstSchool]);

  const request = useMemo(
    () =>
      cursorRequest<Place>('/places', (filters) => ({
        orgId: orgId ?? undefined,
        kind: filters.kind as string | undefined,
        keyPart: filters.keyPart as string | undefined,
        keyword: filters.keyword as string | undefined,
      })),
    [orgId],
  );

  const kindEnum = Object.fromEntries(PLACE_KINDS.map((kind) => [kind, { text: t(`placeKinds.${kind}`) }]));
  const byId = new Map(rows.map((row) => [row.id, row]));

  const columns: ProColumns<Place>[] = [
    {
      title: t('common.keyword'),
      dataIndex: 'keyword',
      hideInTable: true,
      fieldProps: { placeholder: t('places.keywordHint') },
    },
    { title: t('places.name'), dataIndex: 'name', search: false, ellipsis: true },
    { title: t('places.code'), dataIndex: 'code', search: false, width: 140, copyable: true },
    { title: t('places.kind'), dataIndex: 'kind', valueType: 'select', valueEnum: kindEnum, width: 110 },
    {
      title: t('places.keyPart'),
      dataIndex: 'keyPart',
      width: 110,
      valueType: 'select',
      valueEnum: { true: { text: t('common.yes') }, false: { text: t('common.no') } },
      render: (_dom, row) => (row.keyPart ? <Tag color="red">{t('places.keyPart')}</Tag> : '—'),
    },
    {
      title: t('places.parent'),
      dataIndex: 'parentId',
      search: false,
      render: (_dom, row) => (row.parentId ? (byId.get(row.parentId)?.name ?? `#${row.parentId}`) : '—'),
    },
    {
      title: t('places.plan'),
      dataIndex: 'planX',
      search: false,
      width: 130,
      render: (_dom, row) =>
        row.planX === null || row.planY === null ? '—' : `${row.planX.toFixed(2)}, ${row.planY.toFixed(2)}`,
    },
    {
      title: t('common.updatedAt'),
      dataIndex: 'updatedAt',
      search: false,
      width: 150,
      render: (_dom, row) => dayjs(row.updatedAt).format('YYYY-MM-DD HH:mm'),
    },
    {
      title: t('common.actions'),
      valueType: 'option',
      width: 130,
      hideInTable: !canManage,
      render: (_dom, row) => [
        <LinkButton key="edit" onClick={() => setEditing({ place: row })}>
          {t('common.edit')}
        </LinkButton>,
        <Popconfirm
          key="delete"
          title={t('places.deleteConfirm', { name: row.name })}
          onConfirm={async () => {
            await api.delete(`/places/${row.id}`);
            message.success(t('common.deleted'));
            action.current?.reload();
          }}
        >
          <LinkButton danger>{t('common.delete')}</LinkButton>
        </Popconfirm>,
      ],
    },
  ];

  return (
    <Page
      title={t('menu.places')}
      extra={ownSchool === null ? [<SchoolPicker key="school" value={orgId} onChange={setOrgId} />] : undefined}
    >
      {orgId === null ? (
        <Card>
          <Empty description={t('places.pickSchoolFirst')} />
        </Card>
      ) : (
        <ProTable<Place>
          key={orgId}
          rowKey="id"
          actionRef={action}
          columns={columns}
          request={async (params) => {
            const result = await request(params);
            setRows(result.data);
            return result;
          }}
          pagination={{ defaultPageSize: 20, showSizeChanger: true }}
          search={{ labelWidth: 'auto' }}
          options={{ density: true, setting: true, reload: true }}
          columnsState={{ persistenceKey: 'sc.places.columns', persistenceType: 'localStorage' }}
          scroll={{ x: 900 }}
          headerTitle={t('places.list')}
          toolBarRender={() => [
            <ImportButtons
              key="import"
              importPath="/places/import"
              templatePath="/places/import/template.xlsx"
              templateName={t('places.templateFile')}
              exportPath="/places/export.xlsx"
              exportName={t('places.exportFile')}
              query={{ orgId }}
              canImport={canManage}
              onImported={() => action.current?.reload()}
            />,
            canManage && (
              <Button key="create" type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})}>
                {t('places.create')}
              </Button>
            ),
          ]}
        />
      )}
      {editing && orgId !== null && (
        <PlaceForm
          open
          orgId={orgId}
          place={editing.place}
          siblings={rows}
          onOpenChange={(open) => !open && setEditing(null)}
          onSaved={() => {
            message.success(t('common.saved'));
            action.current?.reload();
          }}
        />
      )}
    </Page>
  );
}
