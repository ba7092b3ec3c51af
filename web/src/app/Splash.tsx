import { useTranslation } from 'react-i18next';

/** Shown while a lazy bundle or the session loads; plain markup so the phone bundle stays small. */
export function Splash() {
  const { t } = useTranslation();
  return (
    <div className="sc-splash" role="status" aria-live="polite">
      <div className="sc-splash-logo">{t('app.shortName')}</div>
      <div>{t('common.loading')}</div>
    </div>
  );
}
