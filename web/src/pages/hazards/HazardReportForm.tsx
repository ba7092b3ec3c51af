import { DrawerForm, ProFormSelect, ProFormText, ProFormTextArea } from '@ant-design/pro-components';
import { type CreateHazardBody, HAZARD_CATEGORIES, type HazardDetail } from '@safe-campus/domain';
import { useQuery } from '@tanstack/react-query';
import { Alert, Form } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { Page, Place } from '../../api/types';
import { uuid } from '../../api/uuid';
import { SchoolPicker } from '../../app/SchoolPicker';
import { useUser } from '../../app/session';
import { ownSchoolId } from '../../app/useSchools';
import { PhotoUpload } from './PhotoUpload';
import { PlanPoint } from './PlanPoint';

interface Values {
  schoolId?: number | null;
  title: string;
  category: CreateHazardBody['category'];
  placeId?: number | null;
  planX?: number | null;
  planY?: number | null;
  description?: string;
  photoIds?: string[];
}

/**
 * 上报隐患: a school user reports for their own unit (school or department); a bureau user picks the
 * school of a spot check (督查抽查).
 */
export function HazardReportForm({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (hazard: HazardDetail) => void;
}) {
  const { t } = useTranslation();
  const user = useUser();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<string | null>(null);
  // One key per opening of the drawer: a double click or a retry after a lost answer reports once.
  const idempotencyKey = useRef(uuid());
  useEffect(() => {
    if (open) idempotencyKey.current = uuid();
  }, [open]);
  const ownSchool = ownSchoolId(user);
  const pickedSchool = Form.useWatch('schoolId', form) as number | null | undefined;
  const schoolId = ownSchool ?? pickedSchool ?? null;
  const placeId = Form.useWatch('placeId', form) as number | null | undefined;
  const planX = Form.useWatch('planX', form) as number | null | undefined;
  const planY = Form.useWatch('planY', form) as number | null | undefined;

  const places = useQuery({
    queryKey: ['places', 'of', schoolId],
    enabled: open && schoolId !== null,
    queryFn: () => api.get<Page<Place>>('/places', { orgId: schoolId, limit: 200 }),
  });
  const place = places.data?.items.find((item) => item.id === placeId);

  return (
    <DrawerForm<Values>
      form={form}
      title={t('hazards.report')}
      open={open}
      onOpenChange={(next) => {
        if (!next) setProblem(null);
        onOpenChange(next);
      }}
      width={Math.min(560, typeof window === 'undefined' ? 560 : window.innerWidth)}
      drawerProps={{ destroyOnHidden: true }}
      submitter={{ searchConfig: { submitText: t('hazards.submitReport') } }}
      onFinish={async (values) => {
        setProblem(null);
        // A school user reports for the unit they act in (their school or one of its departments).
        const orgId = ownSchool !== null ? user.activeOrg.id : values.schoolId;
        const body: CreateHazardBody = {
          orgId: orgId as number,
          title: values.title.trim(),
          category: values.category,
          description: values.description?.trim() ? values.description.trim() : undefined,
          placeId: values.placeId ?? null,
          planX: values.placeId ? (values.planX ?? null) : null,
          planY: values.placeId ? (values.planY ?? null) : null,
          photoIds: values.photoIds?.length ? values.photoIds : undefined,
        };
        try {
          const created = await api.post<HazardDetail>('/hazards', body, {
            quiet: true,
            idempotencyKey: idempotencyKey.current,
          });
          onCreated(created);
          return true;
        } catch (cause) {
          setProblem(cause instanceof ApiError ? cause.message : String(cause));
          return false;
        }
      }}
    >
      {problem && (
        <Alert type="error" showIcon message={problem} style={{ marginBottom: 16 }} data-testid="form-problem" />
      )}
      {ownSchool === null && (
        <Form.Item
          name="schoolId"
          label={t('hazards.spotCheckSchool')}
          tooltip={t('hazards.spotCheckHint')}
          rules={[{ required: true, message: t('hazards.pickSchool') }]}
        >
          <SchoolPickerField />
        </Form.Item>
      )}
      <ProFormText name="title" label={t('hazards.title')} rules={[{ required: true, whitespace: true, max: 100 }]} />
      <ProFormSelect
        name="category"
        label={t('hazards.category')}
        rules={[{ required: true }]}
        options={HAZARD_CATEGORIES.map((value) => ({ value, label: t(`hazards.categories.${value}`) }))}
      />
      <ProFormSelect
        name="placeId"
        label={t('hazards.place')}
        showSearch
        allowClear
        disabled={schoolId === null}
        placeholder={schoolId === null ? t('hazards.pickSchool') : t('hazards.pickPlace')}
        fieldProps={{
          loading: places.isLoading,
          optionFilterProp: 'label',
          onChange: () => form.setFieldsValue({ planX: null, planY: null }),
        }}
        options={(places.data?.items ?? []).map((item) => ({
          value: item.id,
          label: item.keyPart ? `${item.name}（${t('places.keyPart')}）` : item.name,
        }))}
      />
      <ProFormText name="planX" hidden />
      <ProFormText name="planY" hidden />
      {place?.floorPlanFileId && (
        <Form.Item label={t('hazards.planPoint')}>
          <PlanPoint
            fileId={place.floorPlanFileId}
            x={planX}
            y={planY}
            onPick={(x, y) => form.setFieldsValue({ planX: x, planY: y })}
          />
        </Form.Item>
      )}
      <ProFormTextArea
        name="description"
        label={t('hazards.description')}
        placeholder={t('hazards.descriptionHint')}
        rules={[{ max: 2000 }]}
        fieldProps={{ rows: 4, showCount: true, maxLength: 2000 }}
      />
      <Form.Item name="photoIds" label={t('hazards.photosBefore')} tooltip={t('hazards.photosHint')}>
        <PhotoUpload testId="report-photos" />
      </Form.Item>
    </DrawerForm>
  );
}

/** SchoolPicker as a form control (Form.Item passes value/onChange). */
function SchoolPickerField({ value, onChange }: { value?: number | null; onChange?: (id: number | null) => void }) {
  return <SchoolPicker value={value ?? null} onChange={(id) => onChange?.(id)} />;
}
