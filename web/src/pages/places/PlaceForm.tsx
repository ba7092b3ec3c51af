import {
  ModalForm,
  ProFormDigit,
  ProFormSelect,
  ProFormSwitch,
  ProFormText,
  ProFormTextArea,
} from '@ant-design/pro-components';
import { PLACE_KINDS } from '@safe-campus/domain';
import { Col, Form } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Place, PlaceKind } from '../../api/types';
import { FloorPlanPicker } from './FloorPlanPicker';

interface Values {
  kind: PlaceKind;
  code: string;
  name: string;
  parentId?: number | null;
  keyPart?: boolean;
  description?: string | null;
  floorPlanFileId?: string | null;
  planX?: number | null;
  planY?: number | null;
}

interface PlaceFormProps {
  orgId: number;
  place?: Place;
  /** Places of the same school, for the parent select. */
  siblings: Place[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSaved: (place: Place) => void;
}

export function PlaceForm({ orgId, place, siblings, open, onOpenChange, onSaved }: PlaceFormProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  // Coordinates mean nothing without a plan to place them on.
  const planFile = Form.useWatch('floorPlanFileId', form);
  return (
    <ModalForm<Values>
      form={form}
      title={place ? t('places.edit') : t('places.create')}
      open={open}
      onOpenChange={onOpenChange}
      modalProps={{ destroyOnHidden: true }}
      width={560}
      grid
      initialValues={
        place
          ? {
              kind: place.kind,
              code: place.code,
              name: place.name,
              parentId: place.parentId,
              keyPart: place.keyPart,
              description: place.description,
              floorPlanFileId: place.floorPlanFileId,
              planX: place.planX,
              planY: place.planY,
            }
          : { kind: 'building', keyPart: false }
      }
      onFinish={async (values) => {
        const body = {
          kind: values.kind,
          code: values.code,
          name: values.name,
          parentId: values.parentId ?? null,
          keyPart: Boolean(values.keyPart),
          description: values.description ? values.description : null,
          floorPlanFileId: values.floorPlanFileId ?? null,
          planX: values.planX ?? null,
          planY: values.planY ?? null,
        };
        const saved = place
          ? await api.patch<Place>(`/places/${place.id}`, body)
          : await api.post<Place>('/places', { ...body, orgId });
        onSaved(saved);
        return true;
      }}
    >
      <ProFormText
        name="name"
        label={t('places.name')}
        colProps={{ span: 12 }}
        rules={[{ required: true, max: 100 }]}
      />
      <ProFormText
        name="code"
        label={t('places.code')}
        colProps={{ span: 12 }}
        rules={[{ required: true, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('orgs.codeHint') }]}
      />
      <ProFormSelect
        name="kind"
        label={t('places.kind')}
        colProps={{ span: 12 }}
        options={PLACE_KINDS.map((value) => ({ value, label: t(`placeKinds.${value}`) }))}
        rules={[{ required: true }]}
      />
      <ProFormSelect
        name="parentId"
        label={t('places.parent')}
        colProps={{ span: 12 }}
        showSearch
        allowClear
        options={siblings
          .filter((item) => item.id !== place?.id)
          .map((item) => ({ value: item.id, label: `${item.name}（${t(`placeKinds.${item.kind}`)}）` }))}
      />
      <ProFormSwitch
        name="keyPart"
        label={t('places.keyPart')}
        tooltip={t('places.keyPartHint')}
        colProps={{ span: 24 }}
      />
      <ProFormText name="floorPlanFileId" hidden />
      <Col span={24}>
        <Form.Item label={t('places.plan')} tooltip={t('places.planHint')}>
          <FloorPlanPicker />
        </Form.Item>
      </Col>
      <ProFormDigit
        name="planX"
        label={t('places.planX')}
        tooltip={t('places.planHint')}
        min={0}
        max={1}
        disabled={!planFile}
        fieldProps={{ step: 0.01, precision: 3 }}
        colProps={{ span: 12 }}
      />
      <ProFormDigit
        name="planY"
        label={t('places.planY')}
        tooltip={t('places.planHint')}
        min={0}
        max={1}
        disabled={!planFile}
        fieldProps={{ step: 0.01, precision: 3 }}
        colProps={{ span: 12 }}
      />
      <ProFormTextArea
        name="description"
        label={t('places.description')}
        rules={[{ max: 1000 }]}
        colProps={{ span: 24 }}
      />
    </ModalForm>
  );
}
