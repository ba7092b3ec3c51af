import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setApiLanguage, setNetworkErrorMessage } from '../api/client';
import en from './en.json';
import zhCN from './zh-CN.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'sc.language';

function initialLanguage(): Language {
  const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return stored === 'en' ? 'en' : 'zh-CN';
}

const language = initialLanguage();
setApiLanguage(language);
document.documentElement.lang = language;

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: language,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});

setNetworkErrorMessage(() => i18n.t('common.networkError'));

export function changeLanguage(next: Language): void {
  localStorage.setItem(STORAGE_KEY, next);
  setApiLanguage(next);
  document.documentElement.lang = next;
  void i18n.changeLanguage(next);
}

export { i18n };
