import { CameraOutlined, InfoCircleOutlined } from '@ant-design/icons';
import type { ChecklistContent, ChecklistItem } from '@safe-campus/domain';
import { Card, Empty, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** The limits of a number item as `0.8 – 1.2 MPa`, `≥ 2 个`, `≤ 30 ℃`. */
export function limitsText(item: ChecklistItem): string | null {
  if (item.type !== 'number') return null;
  const unit = item.unit ? ` ${item.unit}` : '';
  if (item.min != null && item.min === item.max) return `${item.min}${unit}`;
  if (item.min != null && item.max != null) return `${item.min} – ${item.max}${unit}`;
  if (item.min != null) return `≥ ${item.min}${unit}`;
  if (item.max != null) return `≤ ${item.max}${unit}`;
  return item.unit ?? null;
}

/** The tags under one item: type, limits, required, photo rule, hazard category. */
export function ItemTags({ item }: { item: ChecklistItem }) {
  const { t } = useTranslation();
  const limits = limitsText(item);
  const photoRule = item.type === 'photo' ? null : item.photoRequired ? t('inspections.item.photoOnFailure') : null;
  return (
    <Space size={[4, 4]} wrap>
      <Tag color="blue">{t(`inspections.itemTypes.${item.type}`)}</Tag>
      {limits && <Tag>{t('inspections.item.limits', { limits })}</Tag>}
      {item.required === false ? (
        <Tag>{t('inspections.item.optional')}</Tag>
      ) : (
        <Tag color="orange">{t('inspections.item.required')}</Tag>
      )}
      {photoRule && (
        <Tag icon={<CameraOutlined />} color="purple">
          {photoRule}
        </Tag>
      )}
      {item.hazardCategory && (
        <Tag color="red">
          {t('inspections.item.hazardAs', { category: t(`hazards.categories.${item.hazardCategory}`) })}
        </Tag>
      )}
    </Space>
  );
}

/** A template version read-only: its sections, each item with its type, limits, photo rule and hint. */
export function ChecklistView({ content }: { content: ChecklistContent }) {
  const { t } = useTranslation();
  if (content.length === 0) return <Empty description={t('inspections.template.noItems')} />;
  // Items are numbered through the whole version; each section starts after the ones before it. (A counter
  // bumped inside renderItem would drift: List re-renders its items on its own.)
  const offsets = content.map((_, index) =>
    content.slice(0, index).reduce((sum, section) => sum + section.items.length, 0),
  );
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="checklist-view">
      {content.map((section, sectionIndex) => (
        <Card
          // Item keys are unique across a version, so a section's first item names it.
          key={section.items[0]?.key ?? section.title}
          size="small"
          title={`${sectionIndex + 1}. ${section.title}`}
          extra={
            <Typography.Text type="secondary">
              {t('inspections.template.itemCount', { count: section.items.length })}
            </Typography.Text>
          }
        >
          <List
            itemLayout="vertical"
            dataSource={section.items}
            renderItem={(item, itemIndex) => {
              const number = (offsets[sectionIndex] ?? 0) + itemIndex + 1;
              return (
                <List.Item key={item.key} className="sc-insp-item" data-testid="checklist-item">
                  <div className="sc-insp-item-text">
                    <Typography.Text type="secondary" className="sc-insp-item-number">
                      {number}.
                    </Typography.Text>
                    <Typography.Text>{item.text}</Typography.Text>
                  </div>
                  <div className="sc-insp-item-meta">
                    <ItemTags item={item} />
                  </div>
                  {item.hint && (
                    <Typography.Paragraph type="secondary" className="sc-insp-item-hint">
                      <InfoCircleOutlined /> {item.hint}
                    </Typography.Paragraph>
                  )}
                </List.Item>
              );
            }}
          />
        </Card>
      ))}
    </Space>
  );
}
