import { PlusOutlined } from '@ant-design/icons';
import { App, Upload, type UploadFile } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';

interface StoredFile {
  id: string;
  mime: string;
}

/**
 * Photos for a hazard step: each picked image is uploaded at once through POST /files and the
 * form field holds the stored ids (what the API's `photoIds` takes).
 */
export function PhotoUpload({
  value,
  onChange,
  max = 9,
  testId,
}: {
  value?: string[];
  onChange?: (ids: string[]) => void;
  max?: number;
  testId?: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [files, setFiles] = useState<UploadFile<StoredFile>[]>(() =>
    (value ?? []).map((id) => ({
      uid: id,
      name: id,
      status: 'done',
      url: `/api/v1/files/${id}`,
      thumbUrl: `/api/v1/files/${id}/thumbnail`,
      response: { id, mime: 'image/*' },
    })),
  );

  const publish = (list: UploadFile<StoredFile>[]) => {
    setFiles(list);
    onChange?.(list.flatMap((file) => (file.status === 'done' && file.response ? [file.response.id] : [])));
  };

  return (
    <div data-testid={testId}>
      <Upload<StoredFile>
        accept="image/png,image/jpeg,image/webp"
        listType="picture-card"
        multiple
        maxCount={max}
        fileList={files}
        customRequest={async ({ file, onSuccess, onError }) => {
          const body = new FormData();
          body.append('file', file as Blob);
          try {
            const stored = await api.post<StoredFile>('/files', body, { quiet: true });
            onSuccess?.(stored);
          } catch (cause) {
            message.error(cause instanceof ApiError ? cause.message : t('hazards.uploadFailed'));
            onError?.(cause as Error);
          }
        }}
        onChange={({ fileList }) =>
          publish(
            fileList
              .filter((file) => file.status !== 'error')
              .map((file) =>
                file.status === 'done' && file.response
                  ? {
                      ...file,
                      url: `/api/v1/files/${file.response.id}`,
                      thumbUrl: `/api/v1/files/${file.response.id}/thumbnail`,
                    }
                  : file,
              ),
          )
        }
        onPreview={(file) => {
          if (file.url) window.open(file.url, '_blank', 'noopener');
        }}
      >
        {files.length < max && (
          <button type="button" className="sc-hazard-photo-add">
            <PlusOutlined />
            <div>{t('hazards.addPhoto')}</div>
          </button>
        )}
      </Upload>
    </div>
  );
}
