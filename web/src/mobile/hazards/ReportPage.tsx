import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { uuid } from '../../api/uuid';
import { useUser } from '../../app/session';
import { CATEGORIES, schoolOf } from './api';
import { newReport } from './offlineQueue';
import { outboxChanged, outboxStore, sendOutbox } from './outbox';
import { PhotoPicker } from './PhotoPicker';
import { type PickedPlace, PlacePicker } from './PlacePicker';
import { SubPage } from './parts';

type Outcome = 'sent' | 'queued';

/**
 * 隐患随手拍: photo, title, category chip, send — built to take under half a minute. The report is stored in the
 * outbox before it is sent, so losing the network at any moment loses nothing and sends nothing twice.
 */
export function ReportPage() {
  const { t } = useTranslation();
  const user = useUser();
  const school = schoolOf(user);
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const editing = params.get('from');
  const [photos, setPhotos] = useState<Blob[]>([]);
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [place, setPlace] = useState<PickedPlace | null>(null);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  // "修改" on a refused report in the outbox opens it here; sending it again replaces the old one.
  useEffect(() => {
    if (!editing) return;
    void outboxStore.list().then((all) => {
      const report = all.find((item) => item.id === editing && item.userId === user.id);
      if (!report) return;
      setTitle(report.draft.title);
      setCategory(report.draft.category);
      setPlace(report.draft.placeId ? { id: report.draft.placeId, name: report.draft.placeName ?? '' } : null);
      setDescription(report.draft.description);
      setPhotos(report.photos.map((photo) => photo.blob));
      setError(report.error);
    });
  }, [editing, user.id]);

  if (!school || !user.permissions.includes('hazard.report')) {
    return (
      <SubPage title={t('mobileHazards.report')}>
        <div className="m-empty">{t('mobileHazards.noSchool')}</div>
      </SubPage>
    );
  }

  if (outcome) {
    return (
      <SubPage title={t('mobileHazards.report')}>
        <div className="mh-done" data-testid="report-outcome" data-outcome={outcome}>
          <div className={outcome === 'sent' ? 'mh-done-icon' : 'mh-done-icon mh-done-queued'} aria-hidden>
            {outcome === 'sent' ? '✓' : '⇡'}
          </div>
          <div className="mh-done-title">
            {t(outcome === 'sent' ? 'mobileHazards.sentTitle' : 'mobileHazards.queuedTitle')}
          </div>
          <div className="m-muted">{t(outcome === 'sent' ? 'mobileHazards.sentBody' : 'mobileHazards.queuedBody')}</div>
          <button
            type="button"
            className="m-primary mh-wide"
            onClick={() => {
              setOutcome(null);
              setParams({});
            }}
          >
            {t('mobileHazards.again')}
          </button>
          <Link className="mh-secondary mh-wide" to="/m/hazards/mine?tab=reported">
            {t('mobileHazards.viewReported')}
          </Link>
          <Link className="mh-link" to="/m">
            {t('mobileHazards.backHome')}
          </Link>
        </div>
      </SubPage>
    );
  }

  const submit = async () => {
    if (!title.trim()) return setError(t('mobileHazards.titleRequired'));
    if (!category) return setError(t('mobileHazards.categoryRequired'));
    setError(null);
    setBusy(true);
    try {
      const report = newReport(
        user.id,
        {
          orgId: user.activeOrg.id,
          title: title.trim(),
          category,
          placeId: place?.id ?? null,
          placeName: place?.name ?? null,
          description: description.trim(),
        },
        photos,
        new Date(),
        uuid(),
      );
      // Stored first: from here on the report survives a lost network, a closed tab, a flat battery.
      await outboxStore.put(report);
      if (editing) await outboxStore.remove(editing);
      outboxChanged();
      await sendOutbox(user.id);
      const stored = (await outboxStore.list()).find((item) => item.id === report.id);
      if (stored?.status === 'failed') {
        // Refused for good (e.g. a photo that is not an image): back to the form, nothing kept in the outbox.
        await outboxStore.remove(report.id);
        outboxChanged();
        setError(stored.error);
        return;
      }
      if (!stored) void queryClient.invalidateQueries({ queryKey: ['mobile-hazards'] });
      setTitle('');
      setCategory(null);
      setPlace(null);
      setDescription('');
      setPhotos([]);
      setOutcome(stored ? 'queued' : 'sent');
    } catch (cause) {
      setError(String(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <SubPage title={t('mobileHazards.report')}>
      <form
        className="mh-form"
        data-testid="hazard-report-form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <section className="mh-section">
          <div className="mh-label">
            {t('mobileHazards.photos')} <span className="mh-hint">{t('mobileHazards.photoHint')}</span>
          </div>
          <PhotoPicker photos={photos} onChange={setPhotos} testId="report-photos" />
        </section>
        <section className="mh-section">
          <label className="mh-label" htmlFor="mh-title">
            {t('mobileHazards.title')} <span className="mh-required">*</span>
          </label>
          <input
            id="mh-title"
            className="mh-input"
            name="title"
            maxLength={100}
            value={title}
            placeholder={t('mobileHazards.titlePlaceholder')}
            onChange={(event) => setTitle(event.target.value)}
          />
        </section>
        <section className="mh-section">
          <div className="mh-label" id="mh-category">
            {t('mobileHazards.category')} <span className="mh-required">*</span>
          </div>
          <div className="mh-chips" role="radiogroup" aria-labelledby="mh-category">
            {CATEGORIES.map((key) => (
              // biome-ignore lint/a11y/useSemanticElements: big tappable chips; a native radio is too small to hit.
              <button
                key={key}
                type="button"
                role="radio"
                aria-checked={category === key}
                className={category === key ? 'mh-chip mh-chip-on' : 'mh-chip'}
                data-category={key}
                onClick={() => setCategory(key)}
              >
                {t(`mobileHazards.categories.${key}`)}
              </button>
            ))}
          </div>
        </section>
        <section className="mh-section">
          <div className="mh-label">{t('mobileHazards.place')}</div>
          <PlacePicker schoolId={school.id} value={place} onChange={setPlace} />
        </section>
        <section className="mh-section">
          <label className="mh-label" htmlFor="mh-description">
            {t('mobileHazards.description')}
          </label>
          <textarea
            id="mh-description"
            className="mh-input mh-textarea"
            name="description"
            maxLength={2000}
            rows={3}
            value={description}
            placeholder={t('mobileHazards.descriptionPlaceholder')}
            onChange={(event) => setDescription(event.target.value)}
          />
        </section>
        <div className="mh-submit">
          {error && (
            <div className="m-error" role="alert" data-testid="report-error">
              {error}
            </div>
          )}
          <button type="submit" className="m-primary mh-wide" disabled={busy} data-testid="report-submit">
            {busy ? t('mobileHazards.sending') : t('mobileHazards.submit')}
          </button>
        </div>
      </form>
    </SubPage>
  );
}
