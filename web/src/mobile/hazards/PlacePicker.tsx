import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Page, Place } from '../../api/types';

export interface PickedPlace {
  id: number;
  name: string;
}

interface PlaceRow {
  id: number;
  name: string;
  code: string;
}

const cacheKey = (schoolId: number) => `sc.places.${schoolId}`;

/** "教学楼 / 1层 / 101室": a room number alone says little, so each place carries its parents' names. */
function labelled(places: Place[]): PlaceRow[] {
  const byId = new Map(places.map((place) => [place.id, place]));
  return places.map((place) => {
    const names = [place.name];
    let parent = place.parentId === null ? undefined : byId.get(place.parentId);
    for (let depth = 0; parent && depth < 10; depth++) {
      names.unshift(parent.name);
      parent = parent.parentId === null ? undefined : byId.get(parent.parentId);
    }
    return { id: place.id, name: names.join(' / '), code: place.code };
  });
}

/** The school's places, remembered on the phone so a report made offline can still name one. */
function usePlaces(schoolId: number) {
  return useQuery({
    queryKey: ['mobile-places', schoolId],
    queryFn: async (): Promise<{ rows: PlaceRow[]; offline: boolean }> => {
      try {
        const places: Place[] = [];
        let cursor: string | undefined;
        do {
          const page = await api.get<Page<Place>>('/places', { orgId: schoolId, limit: 200, cursor }, { quiet: true });
          places.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && places.length < 2000);
        const rows = labelled(places);
        try {
          localStorage.setItem(cacheKey(schoolId), JSON.stringify(rows));
        } catch {
          // Storage full or disabled: the list just is not remembered.
        }
        return { rows, offline: false };
      } catch (error) {
        const cached = localStorage.getItem(cacheKey(schoolId));
        if (cached) return { rows: JSON.parse(cached) as PlaceRow[], offline: true };
        throw error;
      }
    },
    staleTime: 5 * 60_000,
    // React Query would pause an offline query; this one has an offline answer (the remembered list).
    networkMode: 'always',
  });
}

/** A button showing the chosen place; tapping opens a searchable full-screen list. */
export function PlacePicker({
  schoolId,
  value,
  onChange,
}: {
  schoolId: number;
  value: PickedPlace | null;
  onChange: (place: PickedPlace | null) => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [keyword, setKeyword] = useState('');
  const places = usePlaces(schoolId);
  const needle = keyword.trim().toLowerCase();
  const rows = (places.data?.rows ?? []).filter(
    (row) => !needle || row.name.toLowerCase().includes(needle) || row.code.toLowerCase().includes(needle),
  );
  return (
    <>
      <button
        type="button"
        className={value ? 'mh-field mh-place mh-place-set' : 'mh-field mh-place'}
        data-testid="place-button"
        onClick={() => setOpen(true)}
      >
        <span>{value ? value.name : t('mobileHazards.placeNone')}</span>
        <span aria-hidden>›</span>
      </button>
      {open && (
        <div className="mh-sheet" role="dialog" aria-modal="true" aria-label={t('mobileHazards.place')}>
          <div className="mh-sheet-head">
            <input
              className="mh-input"
              type="search"
              // biome-ignore lint/a11y/noAutofocus: the sheet exists to search; the keyboard should be up.
              autoFocus
              value={keyword}
              placeholder={t('mobileHazards.placeSearch')}
              aria-label={t('mobileHazards.placeSearch')}
              onChange={(event) => setKeyword(event.target.value)}
            />
            <button type="button" className="mh-link" onClick={() => setOpen(false)}>
              {t('mobileHazards.cancel')}
            </button>
          </div>
          {places.data?.offline && <div className="mh-note">{t('mobileHazards.placesOffline')}</div>}
          <ul className="mh-options" data-testid="place-options">
            <li>
              <button
                type="button"
                className="mh-option mh-option-none"
                onClick={() => {
                  onChange(null);
                  setOpen(false);
                }}
              >
                {t('mobileHazards.placeClear')}
              </button>
            </li>
            {rows.map((row) => (
              <li key={row.id}>
                <button
                  type="button"
                  className={value?.id === row.id ? 'mh-option mh-option-on' : 'mh-option'}
                  onClick={() => {
                    onChange({ id: row.id, name: row.name });
                    setOpen(false);
                  }}
                >
                  <span>{row.name}</span>
                  <span className="mh-option-code">{row.code}</span>
                </button>
              </li>
            ))}
          </ul>
          {places.isLoading && <div className="m-empty">{t('common.loading')}</div>}
          {places.isError && <div className="m-empty">{t('common.loadFailed')}</div>}
          {places.isSuccess && rows.length === 0 && <div className="m-empty">{t('mobileHazards.placeEmpty')}</div>}
        </div>
      )}
    </>
  );
}
