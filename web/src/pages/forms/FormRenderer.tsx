import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  type FormAnswers,
  type FormContent,
  type FormField,
  isCorrection,
  NOT_APPLICABLE,
  type PersonAnswer,
  printable,
  type TableColumn,
} from '@safe-campus/domain';
import { Button, Checkbox, DatePicker, Input, InputNumber, Radio, Select, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { AttachmentField } from './AttachmentField';
import type { AnswerValue, FormProblems, PrefilledField, PrefilledFields } from './model';
import './forms.css';

type Cell = boolean | number | string | null;
type Row = Record<string, Cell>;

/** 「系统预填」 with where the value comes from, and 「已更正（系统值：…）」 once the school changed it. */
export function PrefillMark({
  field,
  prefill,
  value,
}: {
  field: FormField;
  prefill: PrefilledField | undefined;
  value: AnswerValue | undefined;
}) {
  const { t } = useTranslation();
  if (!prefill) return null;
  const corrected = isCorrection(value, prefill.value);
  // A source that knows nothing for this school says why (the basis) and leaves the answer to the school.
  const unknown = prefill.value === null;
  return (
    <div className="sc-form-prefill" data-testid={unknown ? 'prefill-unknown' : 'prefill-mark'}>
      <Tooltip title={prefill.basis}>
        <Tag color={unknown ? 'default' : 'blue'} bordered={false}>
          {unknown ? t('forms.prefillUnknown') : t('forms.prefilled')}
        </Tag>
      </Tooltip>
      {corrected && (
        <Tag color="orange" bordered={false} data-testid="prefill-corrected">
          {t('forms.corrected', { value: printable(field, prefill.value) ?? '—' })}
        </Tag>
      )}
      {prefill.basis && (
        <Typography.Text type="secondary" className="sc-form-basis">
          {prefill.basis}
        </Typography.Text>
      )}
    </div>
  );
}

/** 是/否 for yes/no fields, 有/无 for the seed's 「…有无」 fields. */
function yesNoOptions(label: string, t: (key: string) => string) {
  const hasOrNot = label.includes('有无');
  return [
    { value: true, label: hasOrNot ? t('forms.has') : t('forms.yes') },
    { value: false, label: hasOrNot ? t('forms.hasNot') : t('forms.no') },
  ];
}

function SimpleInput({
  spec,
  value,
  onChange,
  disabled,
}: {
  spec: FormField | TableColumn;
  value: Cell | undefined;
  onChange: (next: Cell) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  switch (spec.type) {
    case 'yesno':
      return (
        <Radio.Group
          disabled={disabled}
          value={typeof value === 'boolean' ? value : undefined}
          onChange={(event) => onChange(event.target.value as boolean)}
          options={yesNoOptions(spec.label, t)}
        />
      );
    case 'number':
      return (
        <InputNumber
          disabled={disabled}
          min={spec.min ?? 0}
          max={spec.max ?? undefined}
          precision={spec.integer === false ? undefined : 0}
          value={typeof value === 'number' ? value : null}
          onChange={(next) => onChange(next ?? null)}
          addonAfter={spec.unit || undefined}
          style={{ width: '100%', maxWidth: 200 }}
        />
      );
    case 'date':
      return (
        <DatePicker
          disabled={disabled}
          value={typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayjs(value) : null}
          onChange={(next) => onChange(next ? next.format('YYYY-MM-DD') : null)}
        />
      );
    case 'select':
      return (
        <Select
          disabled={disabled}
          allowClear
          value={typeof value === 'string' && value !== NOT_APPLICABLE ? value : undefined}
          onChange={(next) => onChange(next ?? null)}
          options={(spec.options ?? []).map((option) => ({ value: option, label: option }))}
          style={{ width: '100%', maxWidth: 320 }}
          placeholder={t('forms.choose')}
        />
      );
    default: {
      const text = typeof value === 'string' && value !== NOT_APPLICABLE ? value : '';
      const maxLength = 'maxLength' in spec ? (spec.maxLength ?? 2000) : 2000;
      return 'multiline' in spec && spec.multiline ? (
        <Input.TextArea
          disabled={disabled}
          value={text}
          onChange={(event) => onChange(event.target.value)}
          autoSize={{ minRows: 2, maxRows: 8 }}
          maxLength={maxLength}
        />
      ) : (
        <Input
          disabled={disabled}
          value={text}
          onChange={(event) => onChange(event.target.value)}
          maxLength={maxLength}
        />
      );
    }
  }
}

/** A repeating table (e.g. 假期师生团体活动: 次数, 总人数, 安全是否由校级领导直接负责); the school adds and removes rows. */
function TableField({
  field,
  value,
  onChange,
  readOnly,
}: {
  field: FormField;
  value: Row[];
  onChange: (next: Row[]) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const columns = field.columns ?? [];
  const maxRows = field.maxRows ?? 50;
  return (
    <div className="sc-form-table" data-testid={`table-${field.key}`}>
      <table>
        <thead>
          <tr>
            <th className="sc-form-table-number">#</th>
            {columns.map((column) => (
              <th key={column.key}>
                {column.required && !readOnly && <span className="sc-form-required">*</span>}
                {column.label}
              </th>
            ))}
            {!readOnly && <th className="sc-form-table-action" />}
          </tr>
        </thead>
        <tbody>
          {value.length === 0 && (
            <tr>
              <td colSpan={columns.length + (readOnly ? 1 : 2)} className="sc-form-table-empty">
                {readOnly ? t('forms.noRowsReadOnly') : t('forms.noRows')}
              </td>
            </tr>
          )}
          {value.map((row, rowIndex) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id; they are only appended and removed here.
            <tr key={rowIndex}>
              <td className="sc-form-table-number">{rowIndex + 1}</td>
              {columns.map((column) => (
                <td key={column.key} data-label={column.label}>
                  {readOnly ? (
                    (printable(column, row[column.key] ?? null) ?? '—')
                  ) : (
                    <SimpleInput
                      spec={column}
                      value={row[column.key]}
                      disabled={false}
                      onChange={(next) =>
                        onChange(
                          value.map((current, i) => (i === rowIndex ? { ...current, [column.key]: next } : current)),
                        )
                      }
                    />
                  )}
                </td>
              ))}
              {!readOnly && (
                <td className="sc-form-table-action">
                  <Button
                    type="text"
                    danger
                    size="small"
                    icon={<DeleteOutlined />}
                    aria-label={t('forms.removeRow')}
                    onClick={() => onChange(value.filter((_, i) => i !== rowIndex))}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {!readOnly && value.length < maxRows && (
        <Button
          size="small"
          type="dashed"
          icon={<PlusOutlined />}
          onClick={() => onChange([...value, {}])}
          style={{ marginTop: 8 }}
          data-testid={`add-row-${field.key}`}
        >
          {t('forms.addRow')}
        </Button>
      )}
    </div>
  );
}

function PersonInput({
  value,
  onChange,
  disabled,
}: {
  value: PersonAnswer | null;
  onChange: (next: PersonAnswer | null) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<PersonAnswer>) => {
    const next = { name: value?.name ?? '', ...(value?.position ? { position: value.position } : {}), ...patch };
    if (!next.position) delete next.position;
    onChange(next.name || next.position ? next : null);
  };
  return (
    <div className="sc-form-person">
      <Input
        disabled={disabled}
        value={value?.name ?? ''}
        onChange={(event) => set({ name: event.target.value })}
        placeholder={t('forms.personName')}
        maxLength={50}
      />
      <Input
        disabled={disabled}
        value={value?.position ?? ''}
        onChange={(event) => set({ position: event.target.value })}
        placeholder={t('forms.personPosition')}
        maxLength={50}
      />
    </div>
  );
}

function FieldInput({
  field,
  value,
  onChange,
  disabled,
}: {
  field: FormField;
  value: AnswerValue | undefined;
  onChange: (next: AnswerValue) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  // 「/」 is an answer of its own; a text field holds it only where the form allows 「/」 (无校车等用“/”).
  const notApplicable = value === NOT_APPLICABLE && (field.type !== 'text' || Boolean(field.notApplicable));
  let input: ReactNode;
  if (field.type === 'table') {
    input = (
      <TableField
        field={field}
        readOnly={disabled}
        value={Array.isArray(value) ? (value as Row[]) : []}
        onChange={onChange}
      />
    );
  } else if (field.type === 'attachment') {
    input = (
      <AttachmentField
        disabled={disabled}
        value={Array.isArray(value) ? (value as string[]) : []}
        onChange={(ids) => onChange(ids)}
      />
    );
  } else if (field.type === 'person') {
    input = (
      <PersonInput
        disabled={disabled || notApplicable}
        value={value && typeof value === 'object' && !Array.isArray(value) ? value : null}
        onChange={onChange}
      />
    );
  } else {
    input = (
      <SimpleInput
        spec={field}
        disabled={disabled || notApplicable}
        value={notApplicable ? null : (value as Cell | undefined)}
        onChange={onChange}
      />
    );
  }
  return (
    <div className="sc-form-input">
      {input}
      {field.notApplicable && field.type !== 'table' && field.type !== 'attachment' && (
        <Checkbox
          disabled={disabled}
          checked={value === NOT_APPLICABLE}
          onChange={(event) => onChange(event.target.checked ? NOT_APPLICABLE : null)}
          data-testid={`na-${field.key}`}
        >
          {t('forms.notApplicable')}
        </Checkbox>
      )}
    </div>
  );
}

/** A field's answer as printed (read-only forms). */
function FieldText({ field, value }: { field: FormField; value: AnswerValue | undefined }) {
  const { t } = useTranslation();
  if (field.type === 'table') {
    return (
      <TableField field={field} value={Array.isArray(value) ? (value as Row[]) : []} onChange={() => {}} readOnly />
    );
  }
  if (field.type === 'attachment') {
    return <AttachmentField value={Array.isArray(value) ? (value as string[]) : []} onChange={() => {}} disabled />;
  }
  const text = printable(field, value);
  if (text === null || text === '') return <Typography.Text type="secondary">{t('forms.notFilled')}</Typography.Text>;
  return (
    <span className={field.multiline ? 'sc-form-text-wide' : undefined} data-testid={`value-${field.key}`}>
      {text}
      {typeof value === 'number' && field.unit ? ` ${field.unit}` : ''}
    </span>
  );
}

/**
 * A report form laid out like its paper original (seed 003 附件1): each section a bordered grid of 「label | value」
 * cells, three to a row on a wide screen and one on a phone; long answers and tables take a whole row. Fields the
 * platform prefilled carry 「系统预填」 with the basis, and a visible 「已更正（系统值：…）」 when the school changed them.
 */
export function FormRenderer({
  content,
  answers,
  prefilled = {},
  problems = {},
  readOnly = false,
  onChange,
}: {
  content: FormContent;
  answers: FormAnswers;
  prefilled?: PrefilledFields;
  problems?: FormProblems;
  readOnly?: boolean;
  onChange?: (next: FormAnswers) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="sc-form" data-testid="form-renderer">
      {content.sections.map((section, sectionIndex) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: sections have no key; a rendered version never reorders them.
        <section key={sectionIndex} className="sc-form-section">
          <div className="sc-form-section-title">
            {content.sections.length > 1 ? `${sectionIndex + 1}. ` : ''}
            {section.title}
          </div>
          <div className="sc-form-grid">
            {section.fields.map((field) => {
              const value = answers[field.key];
              const fieldProblems = problems[field.key] ?? [];
              const wide =
                field.multiline || field.type === 'table' || field.type === 'attachment' || field.label.length > 24;
              return (
                <div
                  key={field.key}
                  className={`sc-form-cell${wide ? ' sc-form-cell-wide' : ''}${fieldProblems.length ? ' sc-form-cell-error' : ''}`}
                  data-field={field.key}
                >
                  <div className="sc-form-label">
                    {field.required && !readOnly && <span className="sc-form-required">*</span>}
                    {field.label}
                    {field.help && !readOnly && (
                      <Typography.Text type="secondary" className="sc-form-hint">
                        {field.help}
                      </Typography.Text>
                    )}
                  </div>
                  <div className="sc-form-value">
                    {readOnly ? (
                      <FieldText field={field} value={value} />
                    ) : (
                      <FieldInput
                        field={field}
                        value={value}
                        disabled={!onChange}
                        onChange={(next) => onChange?.({ ...answers, [field.key]: next })}
                      />
                    )}
                    <PrefillMark field={field} prefill={prefilled[field.key]} value={value} />
                    {fieldProblems.map((problem) => (
                      <div key={problem} className="sc-form-problem" role="alert">
                        {problem}
                      </div>
                    ))}
                  </div>
                </div>
              );
            })}
          </div>
        </section>
      ))}
      {content.footnote && (
        <Typography.Paragraph type="secondary" className="sc-form-footnote">
          {content.footnote}
        </Typography.Paragraph>
      )}
      {content.sections.length === 0 && <Typography.Text type="secondary">{t('forms.noFields')}</Typography.Text>}
    </div>
  );
}
