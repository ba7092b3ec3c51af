import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Space, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';

interface StoredFile {
  id: string;
  filename: string;
}

/** Attachments (PDF, Word, Excel, images): each is uploaded at once; the field holds the stored ids. */
export function FileUpload({ onChange }: { value?: string[]; onChange?: (ids: string[]) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [files, setFiles] = useState<UploadFile<StoredFile>[]>([]);
  return (
    <Upload<StoredFile>
      accept="image/png,image/jpeg,image/webp,application/pdf,.docx,.xlsx,.pptx"
      multiple
      maxCount={20}
      fileList={files}
      customRequest={async ({ file, onSuccess, onError }) => {
        const body = new FormData();
        body.append('file', file as Blob);
        try {
          onSuccess?.(await api.post<StoredFile>('/files', body, { quiet: true }));
        } catch (cause) {
          message.error(cause instanceof ApiError ? cause.message : t('notices.uploadFailed'));
          onError?.(cause as Error);
        }
      }}
      onChange={({ fileList }) => {
        const kept = fileList.filter((file) => file.status !== 'error');
        setFiles(kept);
        onChange?.(kept.flatMap((file) => (file.status === 'done' && file.response ? [file.response.id] : [])));
      }}
    >
      <Button icon={<UploadOutlined />} data-testid="notice-upload">
        {t('notices.upload')}
      </Button>
    </Upload>
  );
}

/** Links to attached files (opened in a new tab; the server checks who may read them). */
export function FileLinks({ files }: { files: { id: string; filename: string; size: number }[] }) {
  if (files.length === 0) return null;
  return (
    <Space direction="vertical" size={2}>
      {files.map((file) => (
        <a key={file.id} href={`/api/v1/files/${file.id}?download=true`} target="_blank" rel="noopener noreferrer">
          <PaperClipOutlined /> {file.filename}（{Math.max(1, Math.round(file.size / 1024))} KB）
        </a>
      ))}
    </Space>
  );
}
