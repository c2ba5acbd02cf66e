/**
 * The user's settings as values (docs/settings.md): their types, defaults, and the plain check of
 * each field. No storage here, so the message protocol and tests can use them anywhere; the stored
 * item is in stored-settings.ts. Every page reads the settings before its first render (theme,
 * language), so this module is kept small: plain checks, no schema library. The worker's checks
 * with their messages, for what the user types, are in settings.ts; they use the same `fieldChecks`.
 */

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

/** Auto-lock: minutes without use; 0 = never (only a manual lock, or the browser restarting). */
export const AUTO_LOCK_MAX_MINUTES = 1440;
/** Clipboard: seconds after a copy; 0 = never cleared. */
export const CLIPBOARD_MAX_SECONDS = 3600;

export const URI_MATCHES = ['domain', 'host', 'exact', 'never'] as const;
export const THEMES = ['system', 'light', 'dark'] as const;
export const LANGUAGE_CHOICES = ['system', 'en', 'ja'] as const;

export type UriMatch = (typeof URI_MATCHES)[number];
export type ThemeChoice = (typeof THEMES)[number];
export type LanguageSetting = (typeof LANGUAGE_CHOICES)[number];

export interface Settings {
  /** The address offered at the next sign-in (an account keeps the server it signed in to). */
  serverUrl: string;
  autoLockMinutes: number;
  lockOnBrowserRestart: boolean;
  clipboardClearSeconds: number;
  /** The match mode a new website of a login gets. */
  defaultUriMatch: UriMatch;
  theme: ThemeChoice;
  language: LanguageSetting;
}

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: DEFAULT_SERVER_URL,
  autoLockMinutes: 15,
  lockOnBrowserRestart: true,
  clipboardClearSeconds: 30,
  defaultUriMatch: 'domain',
  theme: 'system',
  language: 'system',
};

/** Version 1 (before issue 11): the server address and the auto-lock minutes, nothing else. */
export interface SettingsV1 {
  serverUrl: string;
  autoLockMinutes: number;
}

export const SETTINGS_VERSION = 2;

const wholeNumberUpTo = (max: number) => (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (v: unknown) =>
    choices.includes(v as T) ? (v as T) : undefined;

/** An http(s) address without trailing slashes, or undefined. */
function serverAddress(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const trimmed = v.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return undefined;
  } catch {
    return undefined;
  }
  return trimmed.replace(/\/+$/, '');
}

/** Each setting's check: the value as stored (normalised), or undefined when it is not acceptable. */
export const fieldChecks: { [K in keyof Settings]: (v: unknown) => Settings[K] | undefined } = {
  serverUrl: serverAddress,
  autoLockMinutes: wholeNumberUpTo(AUTO_LOCK_MAX_MINUTES),
  lockOnBrowserRestart: (v) => (typeof v === 'boolean' ? v : undefined),
  clipboardClearSeconds: wholeNumberUpTo(CLIPBOARD_MAX_SECONDS),
  defaultUriMatch: oneOf(URI_MATCHES),
  theme: oneOf(THEMES),
  language: oneOf(LANGUAGE_CHOICES),
};

/**
 * Any stored value as valid settings: each field that passes its check is kept, every other one
 * (missing, wrong type, out of range, written by a newer version) takes its default. Never throws.
 */
export function sanitizeSettings(stored: unknown): Settings {
  const record = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, check] of Object.entries(fieldChecks)) {
    const value = (check as (v: unknown) => unknown)(record[key]);
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as Settings;
}

/**
 * v1 → v2: the user's server address and auto-lock minutes are kept (a v1 value of more than a day
 * is capped to a day rather than lost); the new settings start at their defaults. A WXT migration
 * that throws leaves the item unmigrated for good, so this one never throws.
 */
export function migrateV1toV2(v1: unknown): Settings {
  const record =
    typeof v1 === 'object' && v1 !== null ? (v1 as Partial<Record<keyof SettingsV1, unknown>>) : {};
  const minutes = record.autoLockMinutes;
  const autoLockMinutes =
    typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0
      ? Math.min(AUTO_LOCK_MAX_MINUTES, Math.max(1, Math.round(minutes)))
      : DEFAULT_SETTINGS.autoLockMinutes;
  return sanitizeSettings({ serverUrl: record.serverUrl, autoLockMinutes });
}
