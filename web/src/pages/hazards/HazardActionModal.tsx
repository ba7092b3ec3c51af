import {
  ModalForm,
  ProFormDateTimePicker,
  ProFormDigit,
  ProFormRadio,
  ProFormSelect,
  ProFormText,
  ProFormTextArea,
} from '@ant-design/pro-components';
import { HAZARD_GRADES, type HazardCommand, type HazardDetail, RISK_LEVELS } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Form, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { Page, User } from '../../api/types';
import { GRADE_COLORS, RISK_COLORS } from './hazardTags';
import { PhotoUpload } from './PhotoUpload';

type Values = Record<string, unknown>;

/** Commands whose deadline field must lie in the future. */
const DEADLINE_FIELD: Partial<Record<HazardCommand, string>> = {
  assign: 'deadline',
  return: 'deadline',
  supervise: 'deadline',
};

function toIso(value: unknown): string | undefined {
  if (!value) return undefined;
  const parsed = dayjs(value as string | Dayjs);
  return parsed.isValid() ? parsed.toISOString() : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Values → the body of POST /hazards/:id/<command> (hazardActionBodies). */
function bodyOf(command: HazardCommand, values: Values): Record<string, unknown> {
  switch (command) {
    case 'confirm':
      return { grade: values.grade, riskLevel: values.riskLevel, note: text(values.note) };
    case 'reject':
    case 'reopen':
      return { reason: text(values.reason) };
    case 'assign':
      return {
        responsibleUnit: text(values.responsibleUnit),
        responsibleUserId: values.responsibleUserId,
        measures: text(values.measures),
        funds: typeof values.funds === 'number' ? values.funds : null,
        deadline: toIso(values.deadline),
        interimMeasures: text(values.interimMeasures),
        note: text(values.note),
      };
    case 'rectify':
    case 'progress':
      return {
        note: text(values.note),
        photoIds: (values.photoIds as string[] | undefined)?.length ? values.photoIds : undefined,
      };
    case 'verify':
      return { note: text(values.note) };
    case 'return':
      return { reason: text(values.reason), deadline: toIso(values.deadline) };
    case 'supervise':
      return { deadline: toIso(values.deadline), requirements: text(values.requirements) };
  }
}

/** A default deadline: a week from now at 17:00, the end of a working day. */
function defaultDeadline(days = 7): Dayjs {
  return dayjs().add(days, 'day').hour(17).minute(0).second(0).millisecond(0);
}

export function HazardActionModal({
  hazard,
  command,
  onClose,
  onDone,
  onStale,
}: {
  hazard: HazardDetail;
  command: HazardCommand;
  onClose: () => void;
  onDone: (hazard: HazardDetail) => void;
  /** The server said the record moved on (409): close and show its current state. */
  onStale: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<{ status: number; code: string; message: string } | null>(null);
  const [userKeyword, setUserKeyword] = useState('');
  const users = useQuery({
    queryKey: ['users', 'of', hazard.schoolId, userKeyword],
    enabled: command === 'assign',
    queryFn: () =>
      api.get<Page<User>>(
        '/users',
        { orgId: hazard.schoolId, keyword: userKeyword || undefined, limit: 50 },
        { quiet: true },
      ),
  });
  const userOptions = new Map<number, string>();
  if (hazard.responsibleUserId && hazard.responsibleUserName)
    userOptions.set(hazard.responsibleUserId, hazard.responsibleUserName);
  for (const user of users.data?.items ?? []) {
    if (!user.disabled) userOptions.set(user.id, `${user.displayName}（${user.username}）`);
  }

  const initialValues: Values =
    command === 'assign'
      ? {
          responsibleUnit: hazard.responsibleUnit ?? hazard.departmentName ?? hazard.schoolName,
          responsibleUserId: hazard.responsibleUserId ?? undefined,
          measures: hazard.measures ?? undefined,
          funds: hazard.funds ?? undefined,
          deadline:
            hazard.deadline && dayjs(hazard.deadline).isAfter(dayjs()) ? dayjs(hazard.deadline) : defaultDeadline(),
          interimMeasures: hazard.interimMeasures ?? undefined,
        }
      : command === 'confirm'
        ? { grade: hazard.grade ?? 'general', riskLevel: hazard.riskLevel ?? 'blue' }
        : command === 'return'
          ? { deadline: defaultDeadline(3) }
          : command === 'supervise'
            ? { deadline: defaultDeadline(30) }
            : {};

  const required = (label: string) => [{ required: true, whitespace: true, message: t('hazards.required', { label }) }];
  const futureRule = {
    validator: async (_rule: unknown, value: unknown) => {
      if (value && !dayjs(value as Dayjs).isAfter(dayjs())) throw new Error(t('hazards.deadlineFuture'));
    },
  };
  const deadlineField = DEADLINE_FIELD[command] && (
    <ProFormDateTimePicker
      name="deadline"
      label={command === 'supervise' ? t('hazards.supervisionDeadline') : t('hazards.deadline')}
      rules={[{ required: true, message: t('hazards.required', { label: t('hazards.deadline') }) }, futureRule]}
      fieldProps={{
        format: 'YYYY-MM-DD HH:mm',
        showTime: { format: 'HH:mm' },
        disabledDate: (day: Dayjs) => day.isBefore(dayjs(), 'day'),
        style: { width: '100%' },
      }}
    />
  );

  return (
    <ModalForm<Values>
      form={form}
      open
      title={t(`hazards.commands.${command}`)}
      width={command === 'assign' ? 640 : 520}
      initialValues={initialValues}
      modalProps={{ destroyOnHidden: true, onCancel: onClose, maskClosable: false }}
      onOpenChange={(open) => !open && onClose()}
      submitter={{ searchConfig: { submitText: t(`hazards.commands.${command}`) } }}
      onFinish={async (values) => {
        setProblem(null);
        try {
          const updated = await api.post<HazardDetail>(`/hazards/${hazard.id}/${command}`, bodyOf(command, values), {
            quiet: true,
          });
          onDone(updated);
          return true;
        } catch (cause) {
          setProblem(
            cause instanceof ApiError
              ? { status: cause.status, code: cause.code, message: cause.message }
              : { status: 0, code: 'error', message: String(cause) },
          );
          return false;
        }
      }}
    >
      <Typography.Paragraph type="secondary">{t(`hazards.commandHints.${command}`)}</Typography.Paragraph>
      {problem && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={problem.message}
          action={
            problem.status === 409 && (
              <Button size="small" onClick={onStale}>
                {t('hazards.refresh')}
              </Button>
            )
          }
          data-testid="action-problem"
          data-code={problem.code}
        />
      )}
      {command === 'confirm' && (
        <>
          <ProFormRadio.Group
            name="grade"
            label={t('hazards.grade')}
            rules={[{ required: true }]}
            radioType="button"
            options={HAZARD_GRADES.map((value) => ({
              value,
              label: (
                <Tag color={GRADE_COLORS[value]} style={{ margin: 0 }}>
                  {t(`hazards.grades.${value}`)}
                </Tag>
              ),
            }))}
            extra={t('hazards.gradeHint')}
          />
          <ProFormRadio.Group
            name="riskLevel"
            label={t('hazards.riskLevel')}
            rules={[{ required: true }]}
            radioType="button"
            options={RISK_LEVELS.map((value) => ({
              value,
              label: (
                <Tag color={RISK_COLORS[value]} style={{ margin: 0 }}>
                  {t(`hazards.riskLevels.${value}`)}
                </Tag>
              ),
            }))}
          />
        </>
      )}
      {(command === 'reject' || command === 'reopen' || command === 'return') && (
        <ProFormTextArea
          name="reason"
          label={t('hazards.reason')}
          rules={[...required(t('hazards.reason')), { max: 1000 }]}
          fieldProps={{ rows: 3, showCount: true, maxLength: 1000 }}
        />
      )}
      {command === 'assign' && (
        <>
          <ProFormText
            name="responsibleUnit"
            label={t('hazards.responsibleUnit')}
            rules={[...required(t('hazards.responsibleUnit')), { max: 100 }]}
          />
          <ProFormSelect
            name="responsibleUserId"
            label={t('hazards.responsiblePerson')}
            rules={[{ required: true, message: t('hazards.required', { label: t('hazards.responsiblePerson') }) }]}
            showSearch
            fieldProps={{
              filterOption: false,
              onSearch: setUserKeyword,
              loading: users.isLoading,
              notFoundContent: users.isLoading ? t('common.loading') : t('common.noData'),
            }}
            options={[...userOptions].map(([value, label]) => ({ value, label }))}
          />
          <ProFormTextArea
            name="measures"
            label={t('hazards.measures')}
            rules={[...required(t('hazards.measures')), { max: 2000 }]}
            fieldProps={{ rows: 3, showCount: true, maxLength: 2000 }}
          />
          <ProFormDigit
            name="funds"
            label={t('hazards.funds')}
            min={0}
            max={1e10}
            fieldProps={{ precision: 2, addonAfter: t('hazards.yuan'), style: { width: '100%' } }}
          />
          {deadlineField}
          <ProFormTextArea
            name="interimMeasures"
            label={t('hazards.interimMeasures')}
            tooltip={t('hazards.interimHint')}
            rules={[...required(t('hazards.interimMeasures')), { max: 2000 }]}
            fieldProps={{ rows: 3, showCount: true, maxLength: 2000 }}
          />
        </>
      )}
      {command === 'return' && deadlineField}
      {command === 'supervise' && (
        <>
          {deadlineField}
          <ProFormTextArea
            name="requirements"
            label={t('hazards.requirements')}
            rules={[...required(t('hazards.requirements')), { max: 2000 }]}
            fieldProps={{ rows: 4, showCount: true, maxLength: 2000 }}
          />
        </>
      )}
      {(command === 'rectify' || command === 'progress') && (
        <>
          <ProFormTextArea
            name="note"
            label={command === 'rectify' ? t('hazards.rectifyNote') : t('hazards.progressNote')}
            rules={[...required(t('hazards.note')), { max: 2000 }]}
            fieldProps={{ rows: 4, showCount: true, maxLength: 2000 }}
          />
          <Form.Item name="photoIds" label={command === 'rectify' ? t('hazards.photosAfter') : t('hazards.photos')}>
            <PhotoUpload testId="action-photos" />
          </Form.Item>
        </>
      )}
      {(command === 'confirm' || command === 'verify' || command === 'assign') && (
        <ProFormTextArea
          name="note"
          label={t('hazards.note')}
          rules={[{ max: 2000 }]}
          fieldProps={{ rows: 2, maxLength: 2000 }}
        />
      )}
    </ModalForm>
  );
}
