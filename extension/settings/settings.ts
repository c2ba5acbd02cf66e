import { z } from 'zod';
import { t } from '../i18n/index.ts';
import { once } from '../messaging/lazy-schemas.ts';
import { fieldChecks, type Settings } from './setting-values.ts';

/**
 * The worker's checks of a settings change (its `updateSettings` message), each with the sentence
 * shown next to its field. Built on the same `fieldChecks` that read the stored value, so what can
 * be written is exactly what reads back. Custom checks, not z.number() & co., so that a wrong type
 * gets the field's own sentence too, not "… is not valid."
 */
const checked = <K extends keyof Settings>(key: K) =>
  z
    .custom<Settings[K]>((v) => fieldChecks[key](v) !== undefined, {
      error: () => t(`settings.errors.${key}`),
    })
    .transform((v) => fieldChecks[key](v) as Settings[K]);

const settingsFields = () => ({
  serverUrl: checked('serverUrl'),
  autoLockMinutes: checked('autoLockMinutes'),
  lockOnBrowserRestart: checked('lockOnBrowserRestart'),
  clipboardClearSeconds: checked('clipboardClearSeconds'),
  defaultUriMatch: checked('defaultUriMatch'),
  theme: checked('theme'),
  language: checked('language'),
});

/** A change to some settings (unknown keys refused); built on first use (lazy-schemas.ts). */
export const settingsPatchSchema = once(() => z.strictObject(settingsFields()).partial());
