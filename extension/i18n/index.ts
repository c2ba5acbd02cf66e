import { createI18n } from '@wxt-dev/i18n';
import { browser } from 'wxt/browser';
import type { GeneratedI18nStructure } from '#i18n';

/**
 * Every user-visible string of every extension page goes through `t` (docs/i18n.md). Strings live in
 * extension/locales/<lang>.yml; the build turns them into _locales/<lang>/messages.json, read by the
 * browser's own i18n. The browser picks the language from its UI language; a language chosen in
 * Settings overrides it by loading that locale's messages.json (the same file the browser reads).
 */

/** The languages Keyhold ships; `system` follows the browser. */
export const LANGUAGES = ['en', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];
export type LanguageChoice = Language | 'system';

/** A key of a message without substitutions (t(key) alone). */
export type PlainMessageKey = {
  [K in keyof GeneratedI18nStructure]: GeneratedI18nStructure[K] extends { substitutions: 0; plural: false }
    ? GeneratedI18nStructure[K] extends { namedSubstitutions: readonly string[] }
      ? never
      : K
    : never;
}[keyof GeneratedI18nStructure];

export type ChromeMessages = Record<string, { message: string }>;

const browserI18n = createI18n<GeneratedI18nStructure>();

let chosen: { lang: Language; messages: ChromeMessages } | null = null;

/** `getMessage` over a loaded messages.json: `$1`…`$9` substituted, `$$` is a literal `$`. */
function fromMessages(messages: ChromeMessages, key: string, subs: readonly string[]): string {
  const text = messages[key]?.message ?? '';
  return text.replace(/\$(\$|[1-9])/g, (_, d: string) => (d === '$' ? '$' : (subs[Number(d) - 1] ?? '')));
}

const NAMED = /\{([A-Za-z0-9_]+)\}/g;

type Sub = string | number;

function translateChosen(messages: ChromeMessages, key: string, args: readonly unknown[]): string {
  let subs: Sub[] | undefined;
  let named: Record<string, Sub> | undefined;
  let count: number | undefined;
  for (const arg of args) {
    if (arg == null) continue;
    if (typeof arg === 'number') count = arg;
    else if (Array.isArray(arg)) subs = arg as Sub[];
    else named = arg as Record<string, Sub>;
  }
  if (count != null && subs == null) subs = [String(count)];
  let message = fromMessages(messages, key.replaceAll('.', '_'), (subs ?? []).map(String));
  if (count != null) {
    const forms = message.split(' | ');
    if (forms.length === 2) message = forms[count === 1 ? 0 : 1] ?? message;
    else if (forms.length === 3) message = forms[count === 0 || count === 1 ? count : 2] ?? message;
  }
  return named ? message.replace(NAMED, (m, k: string) => (k in named ? String(named[k]) : m)) : message;
}

/** The translation of `key` in the chosen language (typed against en.yml: keys and substitutions). */
export const t: typeof browserI18n.t = ((key: string, ...args: unknown[]) =>
  chosen
    ? translateChosen(chosen.messages, key, args)
    : // biome-ignore lint/suspicious/noExplicitAny: the typed overloads are checked at the call site above.
      (browserI18n.t as (...a: any[]) => string)(key, ...args)) as typeof browserI18n.t;

/** The language strings are shown in now (for `lang` attributes and date formatting). */
export function currentLanguage(): Language {
  if (chosen) return chosen.lang;
  // The locale the browser took the strings from says it itself (`language.code`): the UI language
  // the browser reports can differ from it (headless Chromium reports en-US under --lang=ja).
  const shown = browserI18n.t('language.code');
  const known = LANGUAGES.find((l) => l === shown);
  if (known) return known;
  const ui = browser.i18n.getUILanguage().toLowerCase();
  return LANGUAGES.find((l) => ui === l || ui.startsWith(`${l}-`)) ?? 'en';
}

/**
 * Show strings in `choice` from now on (`system`: the browser's language). Loads the extension's own
 * messages.json for that locale; a page calls this before its first render.
 */
export async function useLanguage(choice: LanguageChoice): Promise<void> {
  if (choice === 'system') {
    chosen = null;
  } else {
    const url = browser.runtime.getURL(`/_locales/${choice}/messages.json` as '/');
    const response = await fetch(url);
    if (!response.ok) throw new Error(`The ${choice} strings could not be loaded.`);
    useMessages(choice, (await response.json()) as ChromeMessages);
    return;
  }
  if (typeof document !== 'undefined') document.documentElement.lang = currentLanguage();
}

/** Show strings from `messages` (a locale's messages.json, already loaded) from now on. */
export function useMessages(lang: Language, messages: ChromeMessages): void {
  chosen = { lang, messages };
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}
