import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Modal, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, download, type Query, withQuery } from '../api/client';
import type { ImportRowError } from '../api/types';

/** What an import answers: how many rows it created and how many it updated. */
export interface ImportReport {
  created: number;
  updated: number;
}

interface ImportButtonsProps {
  /** e.g. `/orgs/import` */
  importPath: string;
  templatePath: string;
  templateName: string;
  query?: Query;
  exportPath?: string;
  exportName?: string;
  disabled?: boolean;
  canImport?: boolean;
  /** Called after a successful import with its answer, so the page can reload or show the counts. */
  onImported: (report: ImportReport) => void;
}

/** Excel template download, upload with a row-by-row error table, and optional export. */
export function ImportButtons(props: ImportButtonsProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ImportRowError[] | null>(null);
  const [errorTitle, setErrorTitle] = useState('');

  const upload = async (file: File) => {
    const form = new FormData();
    form.append('file', file);
    setBusy(true);
    try {
      const answer = await api.post<Partial<ImportReport>>(withQuery(props.importPath, props.query), form, {
        quiet: true,
      });
      const report: ImportReport = { created: answer.created ?? 0, updated: answer.updated ?? 0 };
      message.success(t('import.done', { created: report.created, updated: report.updated }));
      props.onImported(report);
    } catch (cause) {
      if (cause instanceof ApiError && cause.errors.length > 0) {
        setErrorTitle(cause.message);
        setErrors(cause.errors as ImportRowError[]);
      } else {
        message.error(cause instanceof ApiError ? cause.message : String(cause));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space wrap>
      {props.canImport !== false && (
        <>
          <Button
            icon={<DownloadOutlined />}
            disabled={props.disabled}
            onClick={() => void download(props.templatePath, props.query, props.templateName)}
          >
            {t('import.template')}
          </Button>
          <Upload
            accept=".xlsx"
            showUploadList={false}
            disabled={props.disabled || busy}
            beforeUpload={(file) => {
              void upload(file);
              return false;
            }}
          >
            <Button icon={<UploadOutlined />} loading={busy} disabled={props.disabled} data-testid="import-button">
              {t('import.upload')}
            </Button>
          </Upload>
        </>
      )}
      {props.exportPath && (
        <Button
          icon={<DownloadOutlined />}
          disabled={props.disabled}
          onClick={() => void download(props.exportPath!, props.query, props.exportName ?? 'export.xlsx')}
        >
          {t('import.export')}
        </Button>
      )}
      <Modal
        open={errors !== null}
        title={t('import.errorsTitle')}
        onCancel={() => setErrors(null)}
        footer={<Button onClick={() => setErrors(null)}>{t('common.close')}</Button>}
        width={640}
      >
        <Typography.Paragraph type="danger">{errorTitle}</Typography.Paragraph>
        <Table<ImportRowError>
          size="small"
          rowKey={(row) => `${row.row}-${row.column}-${row.message}`}
          dataSource={errors ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            { title: t('import.row'), dataIndex: 'row', width: 80 },
            { title: t('import.column'), dataIndex: 'column', width: 140, render: (value) => value ?? '—' },
            { title: t('import.message'), dataIndex: 'message' },
          ]}
        />
      </Modal>
    </Space>
  );
}
