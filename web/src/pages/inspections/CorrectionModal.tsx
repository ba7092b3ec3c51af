import type { CorrectionBody, RecordAnswer, RecordDetail } from '@safe-campus/domain';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Form, Input, InputNumber, Modal, Radio } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { PhotoUpload } from '../hazards/PhotoUpload';
import { newClientId } from './shared';

type Value = boolean | number | string | null;

const answerKey = (answer: RecordAnswer) => `${answer.checkpointId ?? 0}:${answer.itemKey}`;

/**
 * 更正: a new record of the same template version, school and place, pointing at this one; the signed
 * original is never changed. The answers start as recorded and the reason is required.
 */
export function CorrectionModal({
  open,
  record,
  onClose,
  onCreated,
}: {
  open: boolean;
  record: RecordDetail;
  onClose: () => void;
  onCreated: (record: RecordDetail) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<string, Value>>({});
  const [photos, setPhotos] = useState<Record<string, string[]>>({});
  // The server judges the answers against the record's template version; its per-item problems show here.
  const [itemErrors, setItemErrors] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  // One client id per opened correction: a retried submit is recognised by the server, not stored twice.
  const [clientId, setClientId] = useState(newClientId);

  useEffect(() => {
    if (open) {
      setValues(Object.fromEntries(record.answers.map((answer) => [answerKey(answer), answer.value])));
      setPhotos(
        Object.fromEntries(record.answers.map((answer) => [answerKey(answer), answer.photos.map((photo) => photo.id)])),
      );
      setItemErrors({});
      setReason('');
      setProblem(null);
      setClientId(newClientId());
    }
  }, [open, record]);

  const submit = useMutation({
    mutationFn: () => {
      const body: CorrectionBody = {
        clientId,
        reason: reason.trim(),
        answers: record.answers.map((answer) => ({
          itemKey: answer.itemKey,
          checkpointId: answer.checkpointId,
          value: values[answerKey(answer)] ?? null,
          note: answer.note ?? undefined,
          photoIds: photos[answerKey(answer)] ?? [],
        })),
        scans: [],
      };
      return api.post<RecordDetail>(`/inspections/records/${record.id}/correction`, body, { quiet: true });
    },
    onSuccess: (created) => {
      message.success(t('inspections.record.corrected'));
      void queryClient.invalidateQueries({ queryKey: ['inspections', 'records'] });
      onCreated(created);
    },
    onError: (error) => {
      setProblem(error instanceof ApiError ? error.message : String(error));
      const problems = error instanceof ApiError ? (error.body.errors as unknown) : null;
      if (Array.isArray(problems)) {
        setItemErrors(
          Object.fromEntries(
            (problems as { itemKey: string | null; checkpointId: number | null; error: string }[])
              .filter((item) => item.itemKey)
              .map((item) => [
                `${item.checkpointId ?? 0}:${item.itemKey}`,
                t(`inspections.record.answerErrors.${item.error}`, { defaultValue: item.error }),
              ]),
          ),
        );
      }
    },
  });

  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('inspections.record.correctTitle')}
      okText={t('inspections.record.correctSubmit')}
      okButtonProps={{ disabled: !reason.trim(), loading: submit.isPending }}
      onOk={() => {
        setProblem(null);
        submit.mutate();
      }}
      width={Math.min(640, typeof window === 'undefined' ? 640 : window.innerWidth - 16)}
      destroyOnHidden
    >
      <Alert type="info" showIcon message={t('inspections.record.correctHint')} style={{ marginBottom: 16 }} />
      <Form layout="vertical">
        <Form.Item label={t('inspections.record.reason')} required>
          <Input.TextArea
            value={reason}
            maxLength={1000}
            autoSize={{ minRows: 2, maxRows: 4 }}
            onChange={(event) => setReason(event.target.value)}
            data-testid="correction-reason"
          />
        </Form.Item>
        <div className="sc-insp-correction-answers">
          {record.answers.map((answer) => {
            const key = answerKey(answer);
            const value = values[key] ?? null;
            const set = (next: Value) => setValues((current) => ({ ...current, [key]: next }));
            // Photos can be added where they may be needed: photo items, and answers that fail or already have some.
            const withPhotos =
              answer.itemType === 'photo' || value === false || !answer.passed || answer.photos.length > 0;
            return (
              <Form.Item
                key={key}
                validateStatus={itemErrors[key] ? 'error' : undefined}
                help={itemErrors[key]}
                label={
                  answer.checkpointPlaceName ? `${answer.checkpointPlaceName} · ${answer.itemText}` : answer.itemText
                }
                style={{ marginBottom: 12 }}
              >
                {answer.itemType === 'pass_fail' ? (
                  <Radio.Group
                    value={value}
                    onChange={(event) => set(event.target.value as boolean)}
                    options={[
                      { value: true, label: t('inspections.record.yes') },
                      { value: false, label: t('inspections.record.no') },
                    ]}
                  />
                ) : answer.itemType === 'number' ? (
                  <InputNumber
                    value={typeof value === 'number' ? value : null}
                    onChange={(next) => set(next ?? null)}
                    addonAfter={answer.unit ?? undefined}
                  />
                ) : answer.itemType === 'text' ? (
                  <Input value={typeof value === 'string' ? value : ''} onChange={(event) => set(event.target.value)} />
                ) : null}
                {withPhotos && (
                  <div style={{ marginTop: 8 }}>
                    <PhotoUpload
                      value={photos[key] ?? []}
                      onChange={(ids) => setPhotos((current) => ({ ...current, [key]: ids }))}
                    />
                  </div>
                )}
              </Form.Item>
            );
          })}
        </div>
      </Form>
      {problem && <Alert type="error" showIcon message={problem} />}
    </Modal>
  );
}
