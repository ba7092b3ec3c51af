import type { ChecklistItem } from '@safe-campus/domain';
import { judgeAnswer } from '@safe-campus/domain/inspection-answers';
import { useTranslation } from 'react-i18next';
import { PhotoPicker } from '../hazards/PhotoPicker';
import type { AnswerValue } from './syncQueue';

export interface AnswerDraft {
  /** Numbers are kept as typed (a string) until judged or sent. */
  value: AnswerValue;
  note: string;
  photos: Blob[];
}

export const EMPTY: AnswerDraft = { value: null, note: '', photos: [] };

/** The value as the server takes it: a typed number becomes a number, an empty field null. */
export function answerValue(item: ChecklistItem, value: AnswerValue): AnswerValue {
  if (item.type === 'photo') return null;
  if (item.type === 'number') {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string' || value.trim() === '') return null;
    const number = Number(value.trim());
    return Number.isFinite(number) ? number : value;
  }
  if (item.type === 'text' && typeof value === 'string') return value.trim() === '' ? null : value;
  return value;
}

export type ItemStatus = 'empty' | 'passed' | 'failed' | 'incomplete';

/** Where an answer stands: not answered, fine, a finding (failed, complete), or failed but a photo is missing. */
export function statusOf(item: ChecklistItem, answer: AnswerDraft): ItemStatus {
  const value = answerValue(item, answer.value);
  const judged = judgeAnswer(item, value, answer.photos.length);
  if (judged.error === 'answer_missing') return 'empty';
  if (judged.error === 'photo_missing') return item.type === 'photo' ? 'empty' : 'incomplete';
  if (judged.error) return 'incomplete';
  if (item.type !== 'photo' && value === null) return 'empty';
  return judged.passed ? 'passed' : 'failed';
}

/** Whether the item blocks submitting: required and not answered, or a failure lacking its photo. */
export function blocks(item: ChecklistItem, answer: AnswerDraft): boolean {
  const status = statusOf(item, answer);
  if (status === 'incomplete') return true;
  return status === 'empty' && item.required !== false;
}

function limits(item: ChecklistItem, t: (key: string, options?: Record<string, unknown>) => string): string | null {
  const unit = item.unit ?? '';
  if (item.min != null && item.max != null) return t('mobileInspections.range', { min: item.min, max: item.max, unit });
  if (item.min != null) return t('mobileInspections.atLeast', { min: item.min, unit });
  if (item.max != null) return t('mobileInspections.atMost', { max: item.max, unit });
  return null;
}

/** One checklist item, by type, judged live with the domain rule the server applies. */
export function ItemField({
  item,
  answer,
  onChange,
  testId,
}: {
  item: ChecklistItem;
  answer: AnswerDraft;
  onChange: (answer: AnswerDraft) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const status = statusOf(item, answer);
  const failed = status === 'failed' || status === 'incomplete';
  const range = item.type === 'number' ? limits(item, t) : null;
  const set = (patch: Partial<AnswerDraft>) => onChange({ ...answer, ...patch });
  return (
    <div className={`mi-item mi-item-${status}`} data-testid={testId} data-status={status}>
      <div className="mi-item-text">
        {item.text}
        {item.required !== false && item.type !== 'photo' && <span className="mh-required"> *</span>}
      </div>
      {item.hint && <div className="mi-item-hint">{item.hint}</div>}
      {item.type === 'pass_fail' && (
        <div className="mi-pf">
          <button
            type="button"
            className={answer.value === true ? 'mi-pf-btn mi-pf-pass mi-pf-on' : 'mi-pf-btn mi-pf-pass'}
            aria-pressed={answer.value === true}
            onClick={() => set({ value: true })}
          >
            ✓ {t('mobileInspections.pass')}
          </button>
          <button
            type="button"
            className={answer.value === false ? 'mi-pf-btn mi-pf-fail mi-pf-on' : 'mi-pf-btn mi-pf-fail'}
            aria-pressed={answer.value === false}
            onClick={() => set({ value: false })}
          >
            ✗ {t('mobileInspections.fail')}
          </button>
        </div>
      )}
      {item.type === 'number' && (
        <div className="mi-number">
          <input
            className="mh-input"
            type="text"
            inputMode="decimal"
            value={typeof answer.value === 'number' ? String(answer.value) : ((answer.value as string | null) ?? '')}
            onChange={(event) => set({ value: event.target.value })}
            aria-label={item.text}
          />
          {item.unit && <span className="mi-unit">{item.unit}</span>}
          {range && <span className="mi-range">{range}</span>}
        </div>
      )}
      {item.type === 'text' && (
        <textarea
          className="mh-input mh-textarea"
          rows={2}
          maxLength={2000}
          value={(answer.value as string | null) ?? ''}
          onChange={(event) => set({ value: event.target.value })}
          aria-label={item.text}
        />
      )}
      {item.type === 'photo' && (
        <PhotoPicker photos={answer.photos} onChange={(photos) => set({ photos })} testId={`${testId}-photos`} />
      )}
      {failed && (
        <div className="mi-finding">
          <div className="mi-finding-head">
            {t('mobileInspections.finding')}
            {status === 'incomplete' && <strong> · {t('mobileInspections.photoNeeded')}</strong>}
          </div>
          <PhotoPicker photos={answer.photos} onChange={(photos) => set({ photos })} testId={`${testId}-photos`} />
          <input
            className="mh-input"
            value={answer.note}
            maxLength={1000}
            placeholder={t('mobileInspections.notePlaceholder')}
            aria-label={t('mobileInspections.note')}
            onChange={(event) => set({ note: event.target.value })}
          />
        </div>
      )}
    </div>
  );
}
