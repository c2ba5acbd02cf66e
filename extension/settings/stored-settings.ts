import { storage } from 'wxt/utils/storage';
import {
  DEFAULT_SETTINGS,
  migrateV1toV2,
  SETTINGS_VERSION,
  type Settings,
  sanitizeSettings,
  type UriMatch,
} from './setting-values.ts';

export * from './setting-values.ts';

/**
 * The user's settings as stored: one versioned storage item in storage.local, nothing secret.
 * Defining the item starts its migration at once, so only extension pages and the worker import
 * this module; everything else uses setting-values.ts.
 */
export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: SETTINGS_VERSION,
  migrations: { 2: migrateV1toV2 },
});

/** The settings in force: what is stored, each field checked (see `sanitizeSettings`). */
export async function readSettings(): Promise<Settings> {
  return sanitizeSettings(await settingsItem.getValue());
}

/** For the clipboard feature: seconds after a copy to clear it; 0 = never. */
export const clipboardClearSeconds = async (): Promise<number> =>
  (await readSettings()).clipboardClearSeconds;

/** For new websites of a login: the match mode a new URI gets unless the user picks another. */
export const defaultUriMatch = async (): Promise<UriMatch> => (await readSettings()).defaultUriMatch;

export type SettingsPatch = Partial<Settings>;

/** Applies an already-checked change and returns the settings now stored. */
export async function writeSettings(patch: SettingsPatch): Promise<Settings> {
  const next = { ...(await readSettings()), ...patch };
  await settingsItem.setValue(next);
  return next;
}
