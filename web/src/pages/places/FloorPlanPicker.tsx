import { DeleteOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Form, Space, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';

interface StoredFile {
  id: string;
  mime: string;
}

/**
 * Floor plan of a place: upload an image, then click on it to set the point (planX, planY in 0..1).
 * Works on the surrounding form's `floorPlanFileId`, `planX` and `planY` fields.
 */
export function FloorPlanPicker() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const fileId = Form.useWatch('floorPlanFileId', form) as string | null | undefined;
  const planX = Form.useWatch('planX', form) as number | null | undefined;
  const planY = Form.useWatch('planY', form) as number | null | undefined;
  const [busy, setBusy] = useState(false);

  const upload = async (file: File) => {
    const body = new FormData();
    body.append('file', file);
    setBusy(true);
    try {
      const stored = await api.post<StoredFile>('/files', body);
      form.setFieldsValue({ floorPlanFileId: stored.id, planX: null, planY: null });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sc-floor-plan">
      <Space wrap>
        <Upload
          accept="image/png,image/jpeg,image/webp"
          showUploadList={false}
          beforeUpload={(file) => {
            void upload(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={busy}>
            {fileId ? t('places.replacePlan') : t('places.uploadPlan')}
          </Button>
        </Upload>
        {fileId && (
          <Button
            icon={<DeleteOutlined />}
            onClick={() => form.setFieldsValue({ floorPlanFileId: null, planX: null, planY: null })}
          >
            {t('places.removePlan')}
          </Button>
        )}
      </Space>
      {fileId ? (
        <>
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0' }}>
            {t('places.clickPlan')}
          </Typography.Paragraph>
          <div className="sc-floor-plan-canvas">
            <img
              src={`/api/v1/files/${fileId}`}
              alt={t('places.plan')}
              onClick={(event) => {
                const box = event.currentTarget.getBoundingClientRect();
                const round = (value: number) => Math.min(1, Math.max(0, Math.round(value * 1000) / 1000));
                form.setFieldsValue({
                  planX: round((event.clientX - box.left) / box.width),
                  planY: round((event.clientY - box.top) / box.height),
                });
              }}
              onKeyDown={() => undefined}
            />
            {typeof planX === 'number' && typeof planY === 'number' && (
              <span className="sc-floor-plan-pin" style={{ left: `${planX * 100}%`, top: `${planY * 100}%` }} />
            )}
          </div>
        </>
      ) : (
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
          {t('places.noPlan')}
        </Typography.Paragraph>
      )}
    </div>
  );
}
