import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, download, type Query, withQuery } from '../../api/client';
import type { ImportRowError } from '../../api/types';
import type { ImportReport } from '../../app/ImportButtons';
import type { DeviceImportReport } from './deviceApi';

/**
 * Like app/ImportButtons (template, upload with the row-error table, export), but an import also answers
 * with the tokens of the new online devices, which must be shown this once.
 */
export function DeviceImport({
  query,
  canImport,
  onImported,
}: {
  query: Query;
  canImport: boolean;
  onImported: (report: ImportReport) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ title: string; rows: ImportRowError[] } | null>(null);
  const [report, setReport] = useState<DeviceImportReport | null>(null);

  const upload = async (file: File) => {
    const form = new FormData();
    form.append('file', file);
    setBusy(true);
    try {
      const result = await api.post<DeviceImportReport>(withQuery('/devices/import', query), form, { quiet: true });
      message.success(t('import.done', { created: result.created, updated: result.updated }));
      if (result.tokens.length > 0) setReport(result);
      onImported({ created: result.created, updated: result.updated });
    } catch (cause) {
      if (cause instanceof ApiError && cause.errors.length > 0) {
        setErrors({ title: cause.message, rows: cause.errors as ImportRowError[] });
      } else {
        message.error(cause instanceof ApiError ? cause.message : String(cause));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space wrap>
      {canImport && (
        <>
          <Button
            icon={<DownloadOutlined />}
            onClick={() => void download('/devices/import/template.xlsx', query, t('devices.templateFile'))}
          >
            {t('import.template')}
          </Button>
          <Upload
            accept=".xlsx"
            showUploadList={false}
            disabled={busy}
            beforeUpload={(file) => {
              void upload(file);
              return false;
            }}
          >
            <Button icon={<UploadOutlined />} loading={busy} data-testid="import-button">
              {t('import.upload')}
            </Button>
          </Upload>
        </>
      )}
      <Button
        icon={<DownloadOutlined />}
        onClick={() => void download('/devices/export.xlsx', query, t('devices.exportFile'))}
      >
        {t('import.export')}
      </Button>
      <Modal
        open={errors !== null}
        title={t('import.errorsTitle')}
        onCancel={() => setErrors(null)}
        footer={<Button onClick={() => setErrors(null)}>{t('common.close')}</Button>}
        width={640}
      >
        <Typography.Paragraph type="danger">{errors?.title}</Typography.Paragraph>
        <Table<ImportRowError>
          size="small"
          rowKey={(row) => `${row.row}-${row.column}-${row.message}`}
          dataSource={errors?.rows ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            { title: t('import.row'), dataIndex: 'row', width: 80 },
            { title: t('import.column'), dataIndex: 'column', width: 140, render: (value) => value ?? '—' },
            { title: t('import.message'), dataIndex: 'message' },
          ]}
        />
      </Modal>
      <Modal
        open={report !== null}
        title={t('devices.token.importTitle', { count: report?.tokens.length ?? 0 })}
        onCancel={() => setReport(null)}
        maskClosable={false}
        footer={
          <Button type="primary" onClick={() => setReport(null)}>
            {t('devices.token.done')}
          </Button>
        }
        width={760}
      >
        <Alert type="warning" showIcon message={t('devices.token.once')} style={{ marginBottom: 12 }} />
        <Table
          size="small"
          rowKey="code"
          dataSource={report?.tokens ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 600 }}
          columns={[
            { title: t('import.row'), dataIndex: 'row', width: 60 },
            { title: t('devices.name'), dataIndex: 'name' },
            {
              title: t('devices.code'),
              dataIndex: 'code',
              width: 150,
              render: (value: string) => <Typography.Text copyable>{value}</Typography.Text>,
            },
            {
              title: t('devices.token.token'),
              dataIndex: 'token',
              render: (value: string) => (
                <Typography.Text copyable code style={{ wordBreak: 'break-all' }}>
                  {value}
                </Typography.Text>
              ),
            },
          ]}
        />
      </Modal>
    </Space>
  );
}
