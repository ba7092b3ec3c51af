import { UploadOutlined } from '@ant-design/icons';
import { App, Button, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';

interface StoredFile {
  id: string;
  filename: string;
}

/** Files attached to a form field (排查整改工作情况报告 as PDF / Word / photos): uploaded at once, the field holds ids. */
export function AttachmentField({
  value,
  onChange,
  disabled,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [files, setFiles] = useState<UploadFile<StoredFile>[]>(() =>
    value.map((id, index) => ({
      uid: id,
      name: t('forms.attachmentName', { n: index + 1 }),
      status: 'done',
      url: `/api/v1/files/${id}?download=true`,
      response: { id, filename: id },
    })),
  );
  if (disabled && value.length === 0) return <span>—</span>;
  return (
    <Upload<StoredFile>
      accept="image/png,image/jpeg,image/webp,application/pdf,.docx,.xlsx"
      multiple
      maxCount={10}
      disabled={disabled}
      fileList={files}
      showUploadList={{ showRemoveIcon: !disabled }}
      customRequest={async ({ file, onSuccess, onError }) => {
        const body = new FormData();
        body.append('file', file as Blob);
        try {
          onSuccess?.(await api.post<StoredFile>('/files', body, { quiet: true }));
        } catch (cause) {
          message.error(cause instanceof ApiError ? cause.message : t('forms.uploadFailed'));
          onError?.(cause as Error);
        }
      }}
      onChange={({ fileList }) => {
        const kept = fileList
          .filter((file) => file.status !== 'error')
          .map((file) =>
            file.status === 'done' && file.response
              ? { ...file, url: `/api/v1/files/${file.response.id}?download=true` }
              : file,
          );
        setFiles(kept);
        onChange(kept.flatMap((file) => (file.status === 'done' && file.response ? [file.response.id] : [])));
      }}
    >
      {!disabled && <Button icon={<UploadOutlined />}>{t('forms.upload')}</Button>}
    </Upload>
  );
}
