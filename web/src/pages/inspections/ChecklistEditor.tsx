import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  type ChecklistContent,
  type ChecklistItem,
  type ChecklistSection,
  HAZARD_CATEGORIES,
  ITEM_TYPES,
} from '@safe-campus/domain';
import { Button, Card, Checkbox, Col, Input, InputNumber, Row, Select, Space, Switch, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** A fresh item key: keys only need to be unique inside a version and stable across its edits. */
export function newItemKey(content: ChecklistContent): string {
  const used = new Set(content.flatMap((section) => section.items.map((item) => item.key)));
  for (let n = used.size + 1; ; n++) {
    const key = `item-${n}`;
    if (!used.has(key)) return key;
  }
}

function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return [...list];
  const next = [...list];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved as T);
  return next;
}

/** What keeps a draft from saving, as i18n keys with their place; empty when it may be saved. */
export function checklistProblems(content: ChecklistContent): { key: string; where: string }[] {
  const problems: { key: string; where: string }[] = [];
  if (content.length === 0) problems.push({ key: 'inspections.editor.needSection', where: '' });
  content.forEach((section, s) => {
    const where = `${s + 1}`;
    if (!section.title.trim()) problems.push({ key: 'inspections.editor.sectionTitleMissing', where });
    if (section.items.length === 0) problems.push({ key: 'inspections.editor.sectionEmpty', where });
    section.items.forEach((item, i) => {
      const at = `${s + 1}.${i + 1}`;
      if (!item.text.trim()) problems.push({ key: 'inspections.editor.itemTextMissing', where: at });
      if (item.type === 'number' && item.min != null && item.max != null && item.min > item.max) {
        problems.push({ key: 'inspections.editor.minAboveMax', where: at });
      }
    });
  });
  return problems;
}

/** Trims texts and drops fields an item type does not use, so the saved version says only what it means. */
export function cleanChecklist(content: ChecklistContent): ChecklistContent {
  return content.map((section) => ({
    title: section.title.trim(),
    items: section.items.map((item) => {
      const clean: ChecklistItem = { key: item.key, text: item.text.trim(), type: item.type, required: item.required };
      if (item.type === 'number') {
        clean.min = item.min ?? null;
        clean.max = item.max ?? null;
        clean.unit = item.unit?.trim() ? item.unit.trim() : null;
      }
      if (item.type === 'photo') clean.photoRequired = true;
      else if (item.photoRequired) clean.photoRequired = true;
      if (item.hazardCategory) clean.hazardCategory = item.hazardCategory;
      if (item.hint?.trim()) clean.hint = item.hint.trim();
      return clean;
    }),
  }));
}

/** Edits the sections and items of a template draft: add, remove, reorder, and each item's rules. */
export function ChecklistEditor({
  value,
  onChange,
}: {
  value: ChecklistContent;
  onChange: (next: ChecklistContent) => void;
}) {
  const { t } = useTranslation();
  const setSection = (index: number, section: ChecklistSection) =>
    onChange(value.map((current, i) => (i === index ? section : current)));
  const setItem = (sectionIndex: number, itemIndex: number, patch: Partial<ChecklistItem>) => {
    const section = value[sectionIndex];
    if (!section) return;
    setSection(sectionIndex, {
      ...section,
      items: section.items.map((item, i) => (i === itemIndex ? { ...item, ...patch } : item)),
    });
  };
  const addItem = (sectionIndex: number) => {
    const section = value[sectionIndex];
    if (!section) return;
    setSection(sectionIndex, {
      ...section,
      items: [...section.items, { key: newItemKey(value), text: '', type: 'pass_fail', required: true }],
    });
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="checklist-editor">
      {value.map((section, sectionIndex) => (
        <Card
          // biome-ignore lint/suspicious/noArrayIndexKey: sections have no id; they move only through these buttons and every field is controlled.
          key={`section-${sectionIndex}`}
          size="small"
          className="sc-insp-editor-section"
          title={
            <Input
              value={section.title}
              maxLength={100}
              placeholder={t('inspections.editor.sectionTitle')}
              onChange={(event) => setSection(sectionIndex, { ...section, title: event.target.value })}
              data-testid="section-title"
              variant="borderless"
              className="sc-insp-section-title"
              prefix={<Typography.Text type="secondary">{sectionIndex + 1}.</Typography.Text>}
            />
          }
          extra={
            <Space size={0}>
              <Tooltip title={t('inspections.editor.up')}>
                <Button
                  type="text"
                  size="small"
                  icon={<ArrowUpOutlined />}
                  disabled={sectionIndex === 0}
                  onClick={() => onChange(move(value, sectionIndex, sectionIndex - 1))}
                  aria-label={t('inspections.editor.up')}
                />
              </Tooltip>
              <Tooltip title={t('inspections.editor.down')}>
                <Button
                  type="text"
                  size="small"
                  icon={<ArrowDownOutlined />}
                  disabled={sectionIndex === value.length - 1}
                  onClick={() => onChange(move(value, sectionIndex, sectionIndex + 1))}
                  aria-label={t('inspections.editor.down')}
                />
              </Tooltip>
              <Tooltip title={t('inspections.editor.removeSection')}>
                <Button
                  type="text"
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  disabled={value.length === 1}
                  onClick={() => onChange(value.filter((_, i) => i !== sectionIndex))}
                  aria-label={t('inspections.editor.removeSection')}
                />
              </Tooltip>
            </Space>
          }
        >
          <Space direction="vertical" size={12} style={{ width: '100%' }}>
            {section.items.map((item, itemIndex) => (
              <div key={item.key} className="sc-insp-editor-item" data-testid="editor-item">
                <Row gutter={[8, 8]} align="middle">
                  <Col flex="32px">
                    <Typography.Text type="secondary">
                      {sectionIndex + 1}.{itemIndex + 1}
                    </Typography.Text>
                  </Col>
                  <Col flex="1 1 260px">
                    <Input.TextArea
                      value={item.text}
                      maxLength={300}
                      autoSize={{ minRows: 1, maxRows: 4 }}
                      placeholder={t('inspections.editor.itemText')}
                      onChange={(event) => setItem(sectionIndex, itemIndex, { text: event.target.value })}
                      data-testid="item-text"
                    />
                  </Col>
                  <Col flex="none">
                    <Space size={0}>
                      <Button
                        type="text"
                        size="small"
                        icon={<ArrowUpOutlined />}
                        disabled={itemIndex === 0}
                        aria-label={t('inspections.editor.up')}
                        onClick={() =>
                          setSection(sectionIndex, { ...section, items: move(section.items, itemIndex, itemIndex - 1) })
                        }
                      />
                      <Button
                        type="text"
                        size="small"
                        icon={<ArrowDownOutlined />}
                        disabled={itemIndex === section.items.length - 1}
                        aria-label={t('inspections.editor.down')}
                        onClick={() =>
                          setSection(sectionIndex, { ...section, items: move(section.items, itemIndex, itemIndex + 1) })
                        }
                      />
                      <Button
                        type="text"
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('inspections.editor.removeItem')}
                        onClick={() =>
                          setSection(sectionIndex, {
                            ...section,
                            items: section.items.filter((_, i) => i !== itemIndex),
                          })
                        }
                      />
                    </Space>
                  </Col>
                </Row>
                <div className="sc-insp-editor-rules">
                  <Select
                    size="small"
                    value={item.type}
                    style={{ width: 120 }}
                    aria-label={t('inspections.editor.type')}
                    options={ITEM_TYPES.map((type) => ({ value: type, label: t(`inspections.itemTypes.${type}`) }))}
                    onChange={(type) => setItem(sectionIndex, itemIndex, { type })}
                    data-testid="item-type"
                  />
                  {item.type === 'number' && (
                    <Space.Compact size="small">
                      <InputNumber
                        size="small"
                        value={item.min ?? null}
                        placeholder={t('inspections.editor.min')}
                        style={{ width: 84 }}
                        onChange={(min) => setItem(sectionIndex, itemIndex, { min: min ?? null })}
                        data-testid="item-min"
                      />
                      <InputNumber
                        size="small"
                        value={item.max ?? null}
                        placeholder={t('inspections.editor.max')}
                        style={{ width: 84 }}
                        onChange={(max) => setItem(sectionIndex, itemIndex, { max: max ?? null })}
                        data-testid="item-max"
                      />
                      <Input
                        size="small"
                        value={item.unit ?? ''}
                        maxLength={20}
                        placeholder={t('inspections.editor.unit')}
                        style={{ width: 72 }}
                        onChange={(event) => setItem(sectionIndex, itemIndex, { unit: event.target.value })}
                        data-testid="item-unit"
                      />
                    </Space.Compact>
                  )}
                  <span className="sc-insp-rule">
                    <Switch
                      size="small"
                      checked={item.required !== false}
                      onChange={(required) => setItem(sectionIndex, itemIndex, { required })}
                    />
                    {t('inspections.item.required')}
                  </span>
                  {item.type !== 'photo' && item.type !== 'text' && (
                    <Checkbox
                      checked={item.photoRequired === true}
                      onChange={(event) => setItem(sectionIndex, itemIndex, { photoRequired: event.target.checked })}
                    >
                      {t('inspections.item.photoOnFailure')}
                    </Checkbox>
                  )}
                  <Select
                    size="small"
                    allowClear
                    value={item.hazardCategory}
                    placeholder={t('inspections.editor.hazardCategory')}
                    prefix={item.hazardCategory ? t('inspections.editor.hazardPrefix') : undefined}
                    style={{ width: 170 }}
                    options={HAZARD_CATEGORIES.map((category) => ({
                      value: category,
                      label: t(`hazards.categories.${category}`),
                    }))}
                    onChange={(hazardCategory) => setItem(sectionIndex, itemIndex, { hazardCategory })}
                  />
                </div>
                <Input
                  size="small"
                  value={item.hint ?? ''}
                  maxLength={500}
                  placeholder={t('inspections.editor.hint')}
                  onChange={(event) => setItem(sectionIndex, itemIndex, { hint: event.target.value })}
                  className="sc-insp-editor-hint"
                />
              </div>
            ))}
            <Button
              type="dashed"
              block
              icon={<PlusOutlined />}
              onClick={() => addItem(sectionIndex)}
              data-testid="add-item"
            >
              {t('inspections.editor.addItem')}
            </Button>
          </Space>
        </Card>
      ))}
      <Button
        icon={<PlusOutlined />}
        onClick={() =>
          onChange([
            ...value,
            { title: '', items: [{ key: newItemKey(value), text: '', type: 'pass_fail', required: true }] },
          ])
        }
        data-testid="add-section"
      >
        {t('inspections.editor.addSection')}
      </Button>
    </Space>
  );
}
