import { z } from 'zod';
import { MAX_GENERATED_VALUE } from '../generator/options.ts';
import { generatorOptionsSchema } from '../generator/options-schemas.ts';
import { t } from '../i18n/index.ts';
import { settingsPatchSchema } from '../settings/settings.ts';
import { itemInputSchema } from './item-input-schemas.ts';
import { ITEM_TYPES } from './item-schema.ts';
import { lazyTable } from './lazy-schemas.ts';
import { transferRequestBuilders } from './transfer-schemas.ts';

/**
 * The runtime checks of the popup ↔ service-worker protocol (protocol.ts has its types): one map of
 * `name → request schema`. The service worker validates every request with it, because a message
 * is a trust boundary even between our own pages. Only the worker imports this module statically;
 * the popup loads it on demand for the forms that mark every wrong field before sending
 * (popup/form-checks.ts), and the inline menu and save prompt never load it: zod stays out of what
 * a page loads to paint.
 *
 * Every check a user can fail carries a message that names the field (the popup shows it next to
 * that field); `describeIssue` (error-messages.ts) turns a failed check into `{field, message}`.
 */

/**
 * A check's message, read when the check fails (through `t`): the language can change while a page
 * is open, and the worker and the popup each read it in their own.
 */
const says = (words: () => string) => ({ error: words });

/** Checks several requests share (built with the first request that needs them). */
const parts = lazyTable({
  email: () =>
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.email(says(() => t('errors.check.email')))),
  password: () =>
    z
      .string()
      .min(
        1,
        says(() => t('errors.check.passwordEmpty')),
      )
      .max(
        1024,
        says(() => t('errors.check.passwordTooLong')),
      ),
  serverUrl: () =>
    z
      .string()
      .trim()
      .pipe(z.url({ protocol: /^https?$/, error: () => t('errors.check.serverUrl') }))
      .transform((u) => u.replace(/\/+$/, '')),
  /** An item field as a dotted path: `password`, `uris.0.url`, later `card.number`, `customFields.2.value`. */
  fieldPath: () =>
    z
      .string()
      .max(200)
      .regex(/^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+){0,5}$/, 'That is not a field of an item.'),
});

/**
 * `name → request schema`, each built when a request of that name first arrives (lazy-schemas.ts):
 * a cold worker builds `getState` and `listItems`, not all of them, before the popup's list shows.
 */
export const requestSchemas = lazyTable({
  getState: () => z.object({}),
  register: () =>
    z.object({
      serverUrl: parts.serverUrl,
      email: parts.email,
      password: parts.password.min(
        8,
        says(() => t('errors.check.passwordTooShort')),
      ),
    }),
  login: () => z.object({ serverUrl: parts.serverUrl, email: parts.email, password: parts.password }),
  /** The server's master-password policy (GET /v1/meta): of `serverUrl`, or of this device's account. */
  passwordPolicy: () => z.object({ serverUrl: parts.serverUrl.optional() }),
  unlock: () => z.object({ password: parts.password }),
  /** After PASSWORD_CHANGED_ELSEWHERE: sign in with the new master password, keeping local edits. */
  signInAgain: () => z.object({ password: parts.password }),
  lock: () => z.object({}),
  /**
   * Sign this device out. Unsynced local changes are pushed first; if that is impossible the
   * answer is `unsynced` with their count and nothing is cleared, unless `discardUnsynced`.
   */
  logout: () => z.object({ discardUnsynced: z.boolean().default(false) }),
  /**
   * One page of the vault list, filtered in the worker: a popup over 10,000 logins receives the
   * rows it shows, not the whole vault.
   */
  listItems: () =>
    z.object({
      query: z.string().max(200).default(''),
      limit: z.number().int().min(1).max(1000).default(200),
      /** `all`: live items; `favorites`; `trash`: items in the trash, newest trashed first. */
      view: z.enum(['all', 'favorites', 'trash']).default('all'),
      /** Only items in this folder or its subfolders; '' for every folder. */
      folder: z.string().max(500).default(''),
      type: z.enum(ITEM_TYPES).optional(),
    }),
  /** Every folder path in use (parents included), with how many live items each holds. */
  listFolders: () => z.object({}),
  getItem: () => z.object({ id: z.uuid() }),
  saveItem: () => z.object({ id: z.uuid().optional(), fields: itemInputSchema() }),
  /** Moves an item to the trash (restorable for 30 days). */
  deleteItem: () => z.object({ id: z.uuid() }),
  restoreItem: () => z.object({ id: z.uuid() }),
  /** Deletes a trashed item for good, on every device. */
  deleteForever: () => z.object({ id: z.uuid() }),
  emptyTrash: () => z.object({}),
  syncNow: () => z.object({}),
  /** Logins matching the active tab's top frame, best first (autofill/url-match.ts ranking). */
  autofillMatches: () => z.object({}),
  /** Fill a login into the active tab (the popup's Fill button: a user gesture). */
  fillItem: () => z.object({ id: z.uuid(), allowInsecure: z.boolean().default(false) }),
  /** The inline menu (an extension page in the web page) asks what to show for its session. */
  menuState: () => z.object({ session: z.uuid() }),
  menuChoose: () =>
    z.object({
      session: z.uuid(),
      action: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('fill'), id: z.uuid(), allowInsecure: z.boolean().default(false) }),
        z.object({ kind: z.literal('generate') }),
        z.object({ kind: z.literal('unlock') }),
      ]),
    }),
  menuDismiss: () => z.object({ session: z.uuid(), refocus: z.boolean() }),
  /** The save/update prompt asks what it is about, then reports the user's answer. */
  promptState: () => z.object({ session: z.uuid() }),
  promptAnswer: () => z.object({ session: z.uuid(), answer: z.enum(['save', 'update', 'never', 'dismiss']) }),
  /**
   * Replace the vault key (Security screen): the master password is entered again and checked on
   * this device. Every item key is re-wrapped under a new key version; bodies are not touched.
   */
  rotateVaultKey: () => z.object({ password: parts.password }),
  /** The Security screen's facts: the account's KDF, the password's age, the server's policy. */
  securityOverview: () => z.object({}),
  /**
   * Change the master password knowing the current one; `kdf` picks the key-derivation strength
   * (`keep`: the account's, raised to the server's floor if it is below).
   */
  changePassword: () =>
    z.object({
      currentPassword: parts.password,
      newPassword: parts.password.min(
        8,
        says(() => t('errors.check.passwordTooShort')),
      ),
      kdf: z
        .enum(
          ['keep', 'standard', 'stronger', 'strongest'],
          says(() => t('errors.check.notAChoice')),
        )
        .default('keep'),
    }),
  /** The optional "change your old master password" banner: due or not. */
  passwordReminder: () => z.object({}),
  dismissPasswordReminder: () => z.object({}),
  /** Whether the locked vault may be reset: this device's session is refreshed to prove it is alive. */
  vaultResetAvailable: () => z.object({}),
  /**
   * Forgot the master password and lost the recovery key: delete every item and start an empty vault
   * under a new master password (only with a live device session; the email typed as confirmation).
   */
  resetVault: () =>
    z.object({
      email: z
        .string()
        .trim()
        .min(
          1,
          says(() => t('errors.check.confirmEmail')),
        )
        .max(320),
      newPassword: parts.password.min(
        8,
        says(() => t('errors.check.passwordTooShort')),
      ),
    }),
  /**
   * Delete the account on the server and every trace of it on this device (Security screen): the
   * master password entered again, the account's email typed as a confirmation.
   */
  deleteAccount: () =>
    z.object({
      password: parts.password,
      email: z
        .string()
        .trim()
        .min(
          1,
          says(() => t('errors.check.confirmEmail')),
        )
        .max(320),
    }),
  /**
   * A page of the account's security events as the server recorded them, newest first; `before`
   * (a page's `next`) asks for the page of older ones.
   */
  accountActivity: () =>
    z.object({
      before: z
        .number()
        // int() also bounds to the safe integers; a fraction is an invalid_type ("… is not valid.").
        .int(says(() => t('errors.check.activityPositionTooLarge')))
        .min(
          1,
          says(() => t('errors.check.activityPositionTooSmall')),
        )
        .optional(),
    }),
  /**
   * Recovery key (docs/recovery.md). `screen` is the popup screen that shows the key or runs the
   * recovery: the worker keeps what it shows bound to that screen and forgets it when the screen
   * goes away, so nothing is sent for a key that was never confirmed.
   */
  /** `refresh`: ask the server (else the state cached in the account record, at once). */
  recoveryKeyStatus: () => z.object({ refresh: z.boolean().default(false) }),
  /** A new recovery key on demand: the master password is re-entered and checked on this device. */
  createRecoveryKey: () => z.object({ screen: z.uuid(), password: parts.password }),
  /** The recovery key offered once right after account creation or a recovery (no password again). */
  offeredRecoveryKey: () => z.object({ screen: z.uuid() }),
  /** "I saved it": the last group typed back; only then is the key stored on the server. */
  confirmRecoveryKey: () =>
    z.object({
      screen: z.uuid(),
      lastGroup: z
        .string()
        .trim()
        .min(
          1,
          says(() => t('errors.check.lastGroupEmpty')),
        )
        .max(
          100,
          says(() => t('errors.check.lastGroupTooLong')),
        ),
    }),
  discardRecoveryKey: () => z.object({ screen: z.uuid() }),
  /** "Forgot master password?": the recovery key is checked on this device, then with the server. */
  startAccountRecovery: () =>
    z.object({
      screen: z.uuid(),
      serverUrl: parts.serverUrl,
      email: parts.email,
      recoveryKey: z
        .string()
        .trim()
        .min(
          1,
          says(() => t('errors.check.recoveryKeyEmpty')),
        )
        .max(
          500,
          says(() => t('errors.check.recoveryKeyTooLong')),
        ),
    }),
  completeAccountRecovery: () =>
    z.object({
      screen: z.uuid(),
      newPassword: parts.password.min(
        1,
        says(() => t('errors.check.newPasswordEmpty')),
      ),
    }),
  cancelAccountRecovery: () => z.object({ screen: z.uuid() }),
  /** "Devices": the account's live device sessions, names opened here (docs/sessions.md). */
  listDevices: () => z.object({}),
  /** Names this device ('' for none: browser and OS only); the name is sealed before it is sent. */
  renameDevice: () =>
    z.object({
      label: z.string().max(
        60,
        says(() => t('errors.check.deviceNameTooLong')),
      ),
    }),
  /** Ends another device's session. */
  logOutDevice: () => z.object({ id: z.uuid() }),
  logOutOtherDevices: () => z.object({}),
  /** The "new sign-in" banner: the latest other device that signed in, until dismissed. */
  signInNotice: () => z.object({}),
  dismissSignInNotice: () => z.object({}),
  /** The note that this device had been signed out (and is signed in again), once read. */
  dismissSessionEnded: () => z.object({}),
  /** Settings (docs/settings.md): read, and change some; each field checked with its own message. */
  getSettings: () => z.object({}),
  updateSettings: settingsPatchSchema,
  /** The "Never for this site" list, and removing a host from it. */
  listNeverSites: () => z.object({}),
  removeNeverSite: () => z.object({ host: z.string().trim().min(1).max(253) }),
  /** The generator options saved last (or the defaults). */
  generatorOptions: () => z.object({}),
  /** A new password or passphrase from `options`, which become the saved options (docs/generator.md). */
  generatePassword: () => z.object({ options: generatorOptionsSchema() }),
  /** The user copied or used a generated value: it goes into the sealed generator history. */
  recordGenerated: () =>
    z.object({
      value: z.string().min(1).max(MAX_GENERATED_VALUE),
      kind: z.enum(['password', 'passphrase']),
    }),
  /** The generator history, newest first (unlocked only). */
  generatorHistory: () => z.object({}),
  clearGeneratorHistory: () => z.object({}),
  /**
   * The read-only detail view (docs/clipboard.md "Detail view"): the item without its secrets;
   * a secret is sent only when the user reveals it, and copied by the worker without passing here.
   */
  itemView: () => z.object({ id: z.uuid() }),
  revealField: () => z.object({ id: z.uuid(), path: parts.fieldPath }),
  /** The login's current one-time code, computed here: the TOTP secret never goes to the popup. */
  totpCode: () => z.object({ id: z.uuid() }),
  /** Copies an item's field (`totp`: its current code) and clears it after the user's clear time. */
  copyField: () => z.object({ id: z.uuid(), path: parts.fieldPath }),
  /** Copies a value the popup already shows (a generated password), cleared like any copy. */
  copyText: () => z.object({ text: z.string().min(1).max(10_000) }),
  /** The clipboard document's timer ran (background/clipboard.ts): clears only what is due. */
  clipboardDue: () => z.object({}),
  /**
   * The vault health report (docs/health.md), computed in the worker: weak, reused and old
   * passwords, http-only sites, sites with two-step login unused. Never a password in the reply.
   */
  vaultHealth: () =>
    z.object({
      oldAfterDays: z
        .number(says(() => t('healthCheck.ageNumber')))
        .int(says(() => t('healthCheck.ageWhole')))
        .min(
          1,
          says(() => t('healthCheck.ageMin')),
        )
        .max(
          3650,
          says(() => t('healthCheck.ageMax')),
        ),
    }),
  ...transferRequestBuilders,
});
