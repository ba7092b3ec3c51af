import {
  ModalForm,
  type ProColumns,
  ProFormDigit,
  ProFormSwitch,
  ProFormText,
  ProTable,
} from '@ant-design/pro-components';
import { type GuardItem, type GuardList, LICENCE_PATTERN } from '@safe-campus/domain';
import { Alert, App, Card, Empty, Form, Space, Statistic, Tag } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, request } from '../../api/client';
import { LinkButton } from '../../app/LinkButton';
import { Page } from '../../app/Page';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useSession, useUser } from '../../app/session';
import { ownSchoolId, useSchools } from '../../app/useSchools';

interface Values {
  licensed: boolean;
  licenceNo?: string;
  birthYear?: number | null;
}

/** 保安员: a school's guards with licence and year of birth, the data the seed 003 form counts. */
export function GuardsPage() {
  const { t } = useTranslation();
  const user = useUser();
  const { can } = useSession();
  const { message } = App.useApp();
  const ownSchool = ownSchoolId(user);
  const [orgId, setOrgId] = useState<number | null>(ownSchool);
  const [list, setList] = useState<GuardList | null>(null);
  const [editing, setEditing] = useState<GuardItem | null>(null);
  const [version, setVersion] = useState(0);
  const [form] = Form.useForm<Values>();
  const canManage = can('user.manage');
  const firstSchools = useSchools('', ownSchool === null);
  const firstSchool = firstSchools.data?.items[0]?.id;
  useEffect(() => {
    if (firstSchool !== undefined) setOrgId((current) => current ?? firstSchool);
  }, [firstSchool]);

  const columns: ProColumns<GuardItem>[] = [
    { title: t('guards.name'), dataIndex: 'name', width: 140 },
    { title: t('guards.username'), dataIndex: 'username', width: 180, responsive: ['md'] },
    { title: t('guards.org'), dataIndex: 'orgName', width: 140, responsive: ['lg'] },
    {
      title: t('guards.licensed'),
      dataIndex: 'licensed',
      width: 110,
      render: (_dom, row) =>
        !row.profiled ? (
          <Tag>{t('guards.unprofiled')}</Tag>
        ) : row.licensed ? (
          <Tag color="green">{t('guards.licensedYes')}</Tag>
        ) : (
          <Tag color="orange">{t('guards.licensedNo')}</Tag>
        ),
    },
    {
      title: t('guards.licenceNo'),
      dataIndex: 'licenceNo',
      width: 130,
      responsive: ['md'],
      render: (_dom, row) => row.licenceNo ?? '—',
    },
    {
      title: t('guards.birthYear'),
      dataIndex: 'birthYear',
      width: 190,
      render: (_dom, row) =>
        row.birthYear === null ? (
          '—'
        ) : (
          <Space size={4} style={{ whiteSpace: 'nowrap' }}>
            {t('guards.birthAge', { year: row.birthYear, age: row.age })}
            {row.overAge && <Tag color="red">{t('guards.overAge')}</Tag>}
          </Space>
        ),
    },
    {
      title: t('common.updatedAt'),
      dataIndex: 'updatedAt',
      width: 150,
      responsive: ['lg'],
      render: (_dom, row) => (row.updatedAt ? dayjs(row.updatedAt).format('YYYY-MM-DD HH:mm') : '—'),
    },
    {
      title: t('common.actions'),
      valueType: 'option',
      width: 90,
      hideInTable: !canManage,
      render: (_dom, row) => [
        <LinkButton
          key="edit"
          onClick={() => {
            setEditing(row);
            form.setFieldsValue({ licensed: row.licensed, licenceNo: undefined, birthYear: row.birthYear });
          }}
        >
          {t('common.edit')}
        </LinkButton>,
      ],
    },
  ];

  return (
    <Page
      title={t('guards.title')}
      extra={ownSchool === null ? [<SchoolPicker key="school" value={orgId} onChange={setOrgId} />] : undefined}
    >
      {orgId === null ? (
        <Card>
          <Empty description={t('guards.pickSchool')} />
        </Card>
      ) : (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Alert type="info" showIcon message={t('guards.hint', { maxAge: list?.maxAge ?? 60 })} />
          {list && (
            <Card size="small">
              <Space size="large" wrap>
                <Statistic title={t('guards.total')} value={list.totals.guards} suffix={t('guards.people')} />
                <Statistic title={t('guards.totalLicensed')} value={list.totals.licensed} suffix={t('guards.people')} />
                <Statistic
                  title={t('guards.totalOverAge', { maxAge: list.maxAge })}
                  value={list.totals.overAge}
                  suffix={t('guards.people')}
                  valueStyle={list.totals.overAge > 0 ? { color: '#cf1322' } : undefined}
                />
                <Statistic
                  title={t('guards.totalUnprofiled')}
                  value={list.totals.unprofiled}
                  suffix={t('guards.people')}
                />
              </Space>
            </Card>
          )}
          <ProTable<GuardItem>
            key={`${orgId}-${version}`}
            rowKey="userId"
            columns={columns}
            search={false}
            request={async () => {
              const result = await api.get<GuardList>('/guards', { orgId });
              setList(result);
              return { data: result.items, success: true, total: result.items.length };
            }}
            pagination={{ defaultPageSize: 20, hideOnSinglePage: true }}
            options={{ density: false, setting: false, reload: true }}
            scroll={{ x: 'max-content' }}
            headerTitle={t('guards.list')}
            locale={{ emptyText: <Empty description={t('guards.empty')} /> }}
          />
        </Space>
      )}
      <ModalForm<Values>
        title={editing ? t('guards.editTitle', { name: editing.name }) : ''}
        open={editing !== null}
        form={form}
        width={440}
        modalProps={{ destroyOnHidden: true, onCancel: () => setEditing(null) }}
        onFinish={async (values) => {
          if (!editing) return false;
          const body: Record<string, unknown> = { licensed: values.licensed, birthYear: values.birthYear ?? null };
          if (!values.licensed) body.licenceNo = null;
          else if (values.licenceNo) body.licenceNo = values.licenceNo;
          await request(`/guards/${editing.userId}`, { method: 'PUT', body });
          message.success(t('common.saved'));
          setEditing(null);
          setVersion((value) => value + 1);
          return true;
        }}
      >
        <ProFormSwitch name="licensed" label={t('guards.licensed')} />
        <Form.Item noStyle shouldUpdate={(before, after) => before.licensed !== after.licensed}>
          {({ getFieldValue }) =>
            getFieldValue('licensed') ? (
              <ProFormText
                name="licenceNo"
                label={t('guards.licenceNo')}
                placeholder={editing?.licenceNo ? t('guards.licenceKeep', { masked: editing.licenceNo }) : ''}
                extra={t('guards.licenceHint')}
                rules={[{ pattern: LICENCE_PATTERN, message: t('guards.licenceFormat') }]}
              />
            ) : null
          }
        </Form.Item>
        <ProFormDigit
          name="birthYear"
          label={t('guards.birthYear')}
          min={1900}
          max={dayjs().year() - 16}
          fieldProps={{ precision: 0, style: { width: '100%' } }}
          extra={t('guards.birthYearHint')}
        />
      </ModalForm>
    </Page>
  );
}
