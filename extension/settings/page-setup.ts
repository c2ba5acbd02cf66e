import { type LanguageChoice, useLanguage } from '../i18n/index.ts';
import {
  DEFAULT_SETTINGS,
  readSettings,
  type Settings,
  settingsItem,
  type ThemeChoice,
} from './stored-settings.ts';

/**
 * What every extension page does before its first render (entrypoints/<page>/main.tsx): the theme
 * and language the user chose, read straight from the settings item (reading needs no worker).
 * Later changes — made on this page or another — apply at once: the theme by the attribute, the
 * language by loading it and calling `rerender`, which renders the page again keeping its state.
 */

/** `data-theme` on <html>: `light` / `dark` override the system's; absent follows prefers-color-scheme. */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

async function applyLanguage(choice: LanguageChoice): Promise<void> {
  // A locale that cannot be loaded leaves the browser's: the page still works.
  await useLanguage(choice).catch(() => useLanguage('system'));
}

export async function setUpPage(rerender: () => void): Promise<Settings> {
  const settings = await readSettings().catch(() => null);
  if (settings) {
    applyTheme(settings.theme);
    await applyLanguage(settings.language);
  }
  let language = settings?.language;
  settingsItem.watch((next) => {
    if (!next) return;
    applyTheme(next.theme ?? 'system');
    if (next.language === language) return;
    language = next.language;
    void applyLanguage(next.language ?? 'system').then(rerender);
  });
  return settings ?? DEFAULT_SETTINGS;
}
