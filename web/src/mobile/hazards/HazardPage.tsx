import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import { uuid } from '../../api/uuid';
import { deadlineRuns, type HazardDetail, photoUrl, postWithKey, uploadPhoto } from './api';
import { classify } from './offlineQueue';
import { PhotoPicker } from './PhotoPicker';
import { Deadline, formatTime, StateTag, SubPage } from './parts';

/** A light hazard detail: what, where, the five fixes, photos, and the rectify form for the responsible person. */
export function HazardPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const hazard = useQuery({
    queryKey: ['mobile-hazard', id],
    queryFn: () => api.get<HazardDetail>(`/hazards/${id}`, undefined, { quiet: true }),
    enabled: Number.isInteger(id) && id > 0,
  });
  const title = t('mobileHazards.detail');
  if (hazard.isLoading) {
    return (
      <SubPage title={title}>
        <div className="m-empty">{t('common.loading')}</div>
      </SubPage>
    );
  }
  if (!hazard.data) {
    const missing = hazard.error instanceof ApiError && hazard.error.status === 404;
    return (
      <SubPage title={title}>
        <div className="m-empty">{missing || !hazard.error ? t('mobileHazards.notFound') : t('common.loadFailed')}</div>
      </SubPage>
    );
  }
  const detail = hazard.data;
  return (
    <SubPage title={title} back="/m/hazards/mine">
      <div className="mh-detail" data-testid="hazard-detail">
        <section className="mh-block">
          <div className="mh-card-head">
            <h2 className="mh-detail-title">{detail.title}</h2>
            <StateTag state={detail.state} />
          </div>
          <div className="mh-card-meta">
            {detail.code} · {t(`mobileHazards.categories.${detail.category}`)}
            {detail.grade && ` · ${t(`mobileHazards.grades.${detail.grade}`)}`}
          </div>
          <Deadline hazard={detail} />
          {detail.description && <p className="mh-text">{detail.description}</p>}
          <dl className="mh-facts">
            <Fact label={t('mobileHazards.place')}>{detail.placeName}</Fact>
            <Fact label={t('mobileHazards.school')}>
              {detail.schoolName}
              {detail.departmentName && ` · ${detail.departmentName}`}
            </Fact>
            <Fact label={t('mobileHazards.reportedBy')}>
              {detail.reportedByName} {formatTime(detail.reportedAt)}
            </Fact>
          </dl>
          <Photos title={t('mobileHazards.beforePhotos')} photos={detail.photos.before} />
        </section>
        {detail.responsibleUserName && (
          <section className="mh-block">
            <div className="mh-label">{t('mobileHazards.fiveFixes')}</div>
            <dl className="mh-facts">
              <Fact label={t('mobileHazards.responsibleUnit')}>{detail.responsibleUnit}</Fact>
              <Fact label={t('mobileHazards.responsibleUser')}>{detail.responsibleUserName}</Fact>
              <Fact label={t('mobileHazards.measures')}>{detail.measures}</Fact>
              <Fact label={t('mobileHazards.funds')}>
                {detail.funds === null ? null : t('mobileHazards.fundsValue', { value: detail.funds })}
              </Fact>
              {/* While it runs the deadline is shown at the top, highlighted; afterwards it is part of the record. */}
              <Fact label={t('mobileHazards.deadlineLabel')}>
                {detail.deadline && !deadlineRuns(detail) ? formatTime(detail.deadline) : null}
              </Fact>
              <Fact label={t('mobileHazards.interimMeasures')}>{detail.interimMeasures}</Fact>
            </dl>
          </section>
        )}
        {(detail.rectificationNote || detail.photos.after.length > 0) && (
          <section className="mh-block">
            <div className="mh-label">{t('mobileHazards.rectificationNote')}</div>
            {detail.state === 'rectified' && (
              <div className="mh-note mh-note-ok" data-testid="rectified-note">
                {t('mobileHazards.rectified')}
              </div>
            )}
            {detail.rectificationNote && <p className="mh-text">{detail.rectificationNote}</p>}
            <Photos title={t('mobileHazards.afterPhotos')} photos={detail.photos.after} />
          </section>
        )}
        {detail.commands.includes('rectify') && <RectifyForm hazard={detail} />}
      </div>
    </SubPage>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Photos({ title, photos }: { title: string; photos: HazardDetail['photos']['before'] }) {
  if (photos.length === 0) return null;
  return (
    <div className="mh-gallery">
      <div className="mh-hint">{title}</div>
      <div className="mh-photos">
        {photos.map((photo) => (
          <a key={photo.id} className="mh-photo" href={photoUrl(photo, false)} target="_blank" rel="noreferrer">
            <img src={photoUrl(photo)} alt={title} loading="lazy" />
          </a>
        ))}
      </div>
    </div>
  );
}

/** 记录整改: what was done and after-photos. One key per form, so a double tap or a retry records it once. */
function RectifyForm({ hazard }: { hazard: HazardDetail }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [key, setKey] = useState(uuid);
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<Blob[]>([]);
  const [uploaded, setUploaded] = useState<Map<Blob, string>>(() => new Map());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="mh-block mh-form"
      data-testid="rectify-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!note.trim()) return setError(t('mobileHazards.rectifyNoteRequired'));
        setBusy(true);
        setError(null);
        try {
          const photoIds: string[] = [];
          for (const photo of photos) {
            // Photos already uploaded by an attempt that failed later are not uploaded again.
            let fileId = uploaded.get(photo);
            if (!fileId) {
              fileId = await uploadPhoto(photo);
              uploaded.set(photo, fileId);
              setUploaded(new Map(uploaded));
            }
            photoIds.push(fileId);
          }
          const body = photoIds.length > 0 ? { note: note.trim(), photoIds } : { note: note.trim() };
          const updated = await postWithKey<HazardDetail>(`/hazards/${hazard.id}/rectify`, body, key);
          queryClient.setQueryData(['mobile-hazard', hazard.id], updated);
          void queryClient.invalidateQueries({ queryKey: ['mobile-hazards'] });
        } catch (cause) {
          setError(cause instanceof Error ? cause.message : String(cause));
          // Refused for good: the next attempt is a new request (the key is bound to this body on the server).
          if (classify(cause) === 'fail') {
            setKey(uuid());
            void queryClient.invalidateQueries({ queryKey: ['mobile-hazard', hazard.id] });
          }
        } finally {
          setBusy(false);
        }
      }}
    >
      <div className="mh-label">{t('mobileHazards.rectifyTitle')}</div>
      <label className="mh-hint" htmlFor="mh-rectify-note">
        {t('mobileHazards.rectifyNote')} <span className="mh-required">*</span>
      </label>
      <textarea
        id="mh-rectify-note"
        className="mh-input mh-textarea"
        rows={4}
        maxLength={2000}
        value={note}
        placeholder={t('mobileHazards.rectifyNotePlaceholder')}
        onChange={(event) => setNote(event.target.value)}
      />
      <div className="mh-hint">{t('mobileHazards.afterPhotos')}</div>
      <PhotoPicker photos={photos} onChange={setPhotos} testId="rectify-photos" />
      {error && (
        <div className="m-error" role="alert">
          {error}
        </div>
      )}
      <button type="submit" className="m-primary mh-wide" disabled={busy} data-testid="rectify-submit">
        {busy ? t('mobileHazards.sending') : t('mobileHazards.rectifySubmit')}
      </button>
    </form>
  );
}
