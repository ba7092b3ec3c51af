import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  COLUMN_TYPES,
  FIELD_TYPES,
  type FieldType,
  type FormContent,
  type FormField,
  type FormRule,
  type FormSection,
  fieldsOf,
  PREFILL_SOURCES,
  PREFILL_TYPES,
  type TableColumn,
} from '@safe-campus/domain';
import { Button, Card, Checkbox, Input, Select, Space, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return [...list];
  const next = [...list];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved as T);
  return next;
}

/** A key not used yet in the definition: keys only need to be unique inside a version. */
function freshKey(prefix: string, used: Set<string>): string {
  for (let n = used.size + 1; ; n++) {
    const key = `${prefix}${n}`;
    if (!used.has(key)) return key;
  }
}

function usedKeys(sections: readonly FormSection[]): Set<string> {
  return new Set(sections.flatMap((section) => section.fields.map((field) => field.key)));
}

function MoveButtons({
  index,
  count,
  onMove,
  onRemove,
  removeLabel,
}: {
  index: number;
  count: number;
  onMove: (to: number) => void;
  onRemove: () => void;
  removeLabel: string;
}) {
  const { t } = useTranslation();
  return (
    <Space size={0}>
      <Tooltip title={t('forms.builder.up')}>
        <Button
          type="text"
          size="small"
          icon={<ArrowUpOutlined />}
          disabled={index === 0}
          onClick={() => onMove(index - 1)}
          aria-label={t('forms.builder.up')}
        />
      </Tooltip>
      <Tooltip title={t('forms.builder.down')}>
        <Button
          type="text"
          size="small"
          icon={<ArrowDownOutlined />}
          disabled={index === count - 1}
          onClick={() => onMove(index + 1)}
          aria-label={t('forms.builder.down')}
        />
      </Tooltip>
      <Tooltip title={removeLabel}>
        <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={removeLabel} />
      </Tooltip>
    </Space>
  );
}

/** Options of a select field or a table's select column, typed as tags. */
function OptionsInput({ value, onChange }: { value: string[] | undefined; onChange: (next: string[]) => void }) {
  const { t } = useTranslation();
  return (
    <Select
      mode="tags"
      value={value ?? []}
      onChange={onChange}
      tokenSeparators={[',', '，', '、']}
      placeholder={t('forms.builder.options')}
      style={{ minWidth: 240, flex: 1 }}
      open={false}
      suffixIcon={null}
    />
  );
}

function ColumnsEditor({ value, onChange }: { value: TableColumn[]; onChange: (next: TableColumn[]) => void }) {
  const { t } = useTranslation();
  const set = (index: number, patch: Partial<TableColumn>) =>
    onChange(value.map((column, i) => (i === index ? { ...column, ...patch } : column)));
  return (
    <Space direction="vertical" size={6} style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('forms.builder.columns')}</Typography.Text>
      {value.map((column, index) => (
        <Space key={column.key} wrap size={6}>
          <Input
            value={column.label}
            placeholder={t('forms.builder.columnLabel')}
            onChange={(event) => set(index, { label: event.target.value })}
            style={{ width: 220 }}
            maxLength={60}
          />
          <Select
            value={column.type}
            onChange={(type) => set(index, { type })}
            style={{ width: 120 }}
            options={COLUMN_TYPES.map((kind) => ({ value: kind, label: t(`forms.kinds.${kind}`) }))}
          />
          {column.type === 'select' && (
            <OptionsInput value={column.options} onChange={(options) => set(index, { options })} />
          )}
          <Button
            type="text"
            danger
            size="small"
            icon={<DeleteOutlined />}
            aria-label={t('forms.builder.removeColumn')}
            onClick={() => onChange(value.filter((_, i) => i !== index))}
          />
        </Space>
      ))}
      <Button
        size="small"
        type="dashed"
        icon={<PlusOutlined />}
        onClick={() =>
          onChange([
            ...value,
            { key: freshKey('c', new Set(value.map((column) => column.key))), label: '', type: 'number' },
          ])
        }
      >
        {t('forms.builder.addColumn')}
      </Button>
    </Space>
  );
}

function FieldEditor({ field, onChange }: { field: FormField; onChange: (patch: Partial<FormField>) => void }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" size={8} style={{ width: '100%' }}>
      <Space wrap size={8} style={{ width: '100%' }}>
        <Input
          value={field.label}
          placeholder={t('forms.builder.fieldLabel')}
          onChange={(event) => onChange({ label: event.target.value })}
          style={{ width: 300, maxWidth: '100%' }}
          maxLength={100}
          data-testid="field-label"
        />
        <Select<FieldType>
          value={field.type}
          onChange={(type) => onChange({ type, prefill: undefined })}
          style={{ width: 130 }}
          options={FIELD_TYPES.map((kind) => ({ value: kind, label: t(`forms.kinds.${kind}`) }))}
          data-testid="field-kind"
        />
        <Checkbox checked={Boolean(field.required)} onChange={(event) => onChange({ required: event.target.checked })}>
          {t('forms.builder.required')}
        </Checkbox>
        <Checkbox
          checked={Boolean(field.notApplicable)}
          onChange={(event) => onChange({ notApplicable: event.target.checked })}
        >
          {t('forms.builder.allowNotApplicable')}
        </Checkbox>
        {field.type === 'text' && (
          <Checkbox
            checked={Boolean(field.multiline)}
            onChange={(event) => onChange({ multiline: event.target.checked })}
          >
            {t('forms.builder.long')}
          </Checkbox>
        )}
      </Space>
      <Space wrap size={8} style={{ width: '100%' }}>
        {(field.type === 'yesno' || field.type === 'number') && (
          <Select
            allowClear
            value={field.prefill}
            onChange={(prefill) => onChange({ prefill })}
            placeholder={t('forms.builder.prefill')}
            style={{ width: 300, maxWidth: '100%' }}
            options={PREFILL_SOURCES.filter((source) => PREFILL_TYPES[source] === field.type).map((source) => ({
              value: source,
              label: t(`forms.prefillSources.${source}`),
            }))}
          />
        )}
        {field.type === 'number' && (
          <Input
            value={field.unit ?? ''}
            placeholder={t('forms.builder.unit')}
            onChange={(event) => onChange({ unit: event.target.value || undefined })}
            style={{ width: 100 }}
            maxLength={10}
          />
        )}
        {field.type === 'select' && (
          <OptionsInput value={field.options} onChange={(options) => onChange({ options })} />
        )}
      </Space>
      <Input.TextArea
        value={field.help ?? ''}
        placeholder={t('forms.builder.hint')}
        onChange={(event) => onChange({ help: event.target.value || undefined })}
        autoSize={{ minRows: 1, maxRows: 4 }}
        style={{ maxWidth: 720 }}
        maxLength={500}
      />
      {field.type === 'table' && (
        <ColumnsEditor value={field.columns ?? []} onChange={(columns) => onChange({ columns })} />
      )}
    </Space>
  );
}

/** The rules between number fields: 「A ≤ B」 (licensed guards ≤ guards) and 「A = B − C」 (unrectified = found − rectified). */
function RulesEditor({ content, onChange }: { content: FormContent; onChange: (rules: FormRule[]) => void }) {
  const { t } = useTranslation();
  const numbers = fieldsOf(content)
    .filter((field) => field.type === 'number')
    .map((field) => ({ value: field.key, label: field.label || field.key }));
  const pick = (value: string, set: (key: string) => void, testId?: string) => (
    <Select
      value={value || undefined}
      onChange={set}
      options={numbers}
      placeholder={t('forms.builder.numberField')}
      style={{ width: 200 }}
      showSearch
      optionFilterProp="label"
      data-testid={testId}
    />
  );
  const set = (index: number, rule: FormRule) =>
    onChange(content.rules.map((current, i) => (i === index ? rule : current)));
  return (
    <Card size="small" title={t('forms.builder.rules')} data-testid="rules-editor">
      <Space direction="vertical" size={8} style={{ width: '100%' }}>
        {content.rules.length === 0 && <Typography.Text type="secondary">{t('forms.builder.noRules')}</Typography.Text>}
        {content.rules.map((rule, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules have no id; they are only appended and removed here.
          <Space key={index} wrap size={6}>
            {rule.kind === 'lte' ? (
              <>
                {pick(rule.left, (left) => set(index, { ...rule, left }))}
                <span>≤</span>
                {pick(rule.right, (right) => set(index, { ...rule, right }))}
              </>
            ) : (
              <>
                {pick(rule.target, (target) => set(index, { ...rule, target }))}
                <span>=</span>
                {pick(rule.minuend, (minuend) => set(index, { ...rule, minuend }))}
                <span>−</span>
                {pick(rule.subtrahend, (subtrahend) => set(index, { ...rule, subtrahend }))}
              </>
            )}
            <Button
              type="text"
              danger
              size="small"
              icon={<DeleteOutlined />}
              aria-label={t('forms.builder.removeRule')}
              onClick={() => onChange(content.rules.filter((_, i) => i !== index))}
            />
          </Space>
        ))}
        <Space wrap>
          <Button
            size="small"
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() => onChange([...content.rules, { kind: 'lte', left: '', right: '' }])}
          >
            {t('forms.builder.addLte')}
          </Button>
          <Button
            size="small"
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() =>
              onChange([...content.rules, { kind: 'difference', target: '', minuend: '', subtrahend: '' }])
            }
          >
            {t('forms.builder.addDifference')}
          </Button>
        </Space>
      </Space>
    </Card>
  );
}

/** Edits a form template's content: title, sections and fields (type, required, 「/」, options, prefill), rules, co-sign. */
export function FormBuilder({ value, onChange }: { value: FormContent; onChange: (next: FormContent) => void }) {
  const { t } = useTranslation();
  const sections = value.sections;
  const setSections = (next: FormSection[]) => onChange({ ...value, sections: next });
  const setSection = (index: number, section: FormSection) =>
    setSections(sections.map((current, i) => (i === index ? section : current)));
  const setField = (sectionIndex: number, fieldIndex: number, patch: Partial<FormField>) => {
    const section = sections[sectionIndex];
    if (!section) return;
    setSection(sectionIndex, {
      ...section,
      fields: section.fields.map((field, i) => (i === fieldIndex ? { ...field, ...patch } : field)),
    });
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="form-builder">
      <Card size="small">
        <Space direction="vertical" size={8} style={{ width: '100%' }}>
          <Input
            value={value.title}
            maxLength={200}
            addonBefore={t('forms.builder.title')}
            onChange={(event) => onChange({ ...value, title: event.target.value })}
            data-testid="content-title"
          />
          <Space wrap>
            <Checkbox checked={value.cosign} onChange={(event) => onChange({ ...value, cosign: event.target.checked })}>
              {t('forms.builder.cosign')}
            </Checkbox>
            <Input
              value={value.principalLabel}
              maxLength={20}
              addonBefore={t('forms.builder.principalLabel')}
              onChange={(event) => onChange({ ...value, principalLabel: event.target.value })}
              style={{ width: 200 }}
            />
            {value.cosign && (
              <Input
                value={value.cosignerLabel}
                maxLength={20}
                addonBefore={t('forms.builder.cosignerLabel')}
                onChange={(event) => onChange({ ...value, cosignerLabel: event.target.value })}
                style={{ width: 200 }}
              />
            )}
          </Space>
          <Input.TextArea
            value={value.footnote ?? ''}
            maxLength={1000}
            autoSize={{ minRows: 1, maxRows: 4 }}
            placeholder={t('forms.builder.footnote')}
            onChange={(event) => onChange({ ...value, footnote: event.target.value || undefined })}
          />
        </Space>
      </Card>
      {sections.map((section, sectionIndex) => (
        <Card
          // biome-ignore lint/suspicious/noArrayIndexKey: sections have no id; they move only through these buttons and every field is controlled.
          key={sectionIndex}
          size="small"
          title={
            <Input
              value={section.title}
              maxLength={100}
              variant="borderless"
              placeholder={t('forms.builder.sectionTitle')}
              onChange={(event) => setSection(sectionIndex, { ...section, title: event.target.value })}
              prefix={<Typography.Text type="secondary">{sectionIndex + 1}.</Typography.Text>}
              style={{ fontWeight: 600, paddingLeft: 0 }}
              data-testid="section-title"
            />
          }
          extra={
            <MoveButtons
              index={sectionIndex}
              count={sections.length}
              onMove={(to) => setSections(move(sections, sectionIndex, to))}
              onRemove={() => setSections(sections.filter((_, i) => i !== sectionIndex))}
              removeLabel={t('forms.builder.removeSection')}
            />
          }
        >
          <Space direction="vertical" size={10} style={{ width: '100%' }}>
            {section.fields.map((field, fieldIndex) => (
              <div key={field.key} className="sc-form-builder-field" data-testid="builder-field">
                <Space align="start" style={{ width: '100%', justifyContent: 'space-between' }}>
                  <Typography.Text type="secondary">
                    {sectionIndex + 1}.{fieldIndex + 1} · {field.key}
                  </Typography.Text>
                  <MoveButtons
                    index={fieldIndex}
                    count={section.fields.length}
                    onMove={(to) =>
                      setSection(sectionIndex, { ...section, fields: move(section.fields, fieldIndex, to) })
                    }
                    onRemove={() =>
                      setSection(sectionIndex, {
                        ...section,
                        fields: section.fields.filter((_, i) => i !== fieldIndex),
                      })
                    }
                    removeLabel={t('forms.builder.removeField')}
                  />
                </Space>
                <FieldEditor field={field} onChange={(patch) => setField(sectionIndex, fieldIndex, patch)} />
              </div>
            ))}
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() =>
                setSection(sectionIndex, {
                  ...section,
                  fields: [
                    ...section.fields,
                    { key: freshKey('f', usedKeys(sections)), label: '', type: 'yesno', required: true },
                  ],
                })
              }
              data-testid="add-field"
            >
              {t('forms.builder.addField')}
            </Button>
          </Space>
        </Card>
      ))}
      <Button
        icon={<PlusOutlined />}
        onClick={() => setSections([...sections, { title: '', fields: [] }])}
        data-testid="add-section"
      >
        {t('forms.builder.addSection')}
      </Button>
      <RulesEditor content={value} onChange={(rules) => onChange({ ...value, rules })} />
    </Space>
  );
}
