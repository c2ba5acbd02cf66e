import { z } from 'zod';
import type { ActivityResponse } from '../../server/routes/activity-schema.ts';
import type { KdfParams } from '../../shared-crypto/index.ts';
import { parseTotpSecret } from '../autofill/totp.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { isWebsiteAddress } from './website-address.ts';

/**
 * The popup ↔ service-worker protocol: one map of `name → request schema`, a matching map of
 * response types, and one reply shape. The service worker validates every request at runtime
 * (the schemas below) because a message is a trust boundary even between our own pages.
 *
 * Every check a user can fail carries a message that names the field (the popup shows it next to
 * that field); `describeIssue` (error-messages.ts) turns a failed check into `{field, message}`.
 */

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter a valid email address.' }));
const password = z
  .string()
  .min(1, 'Enter your master password.')
  .max(1024, 'The master password can be at most 1,024 characters.');
const serverUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, message: 'Enter the server address, e.g. http://127.0.0.1:8787' }))
  .transform((u) => u.replace(/\/+$/, ''));

/** Under `uris.<n>` the message follows the row's name ("Website address 2 …"): see `describeIssue`. */
const websiteUrl = z
  .string()
  .trim()
  .min(1, 'is empty.')
  .max(2000, 'is longer than 2,000 characters.')
  .refine(
    isWebsiteAddress,
    'is not a web address: use one that starts with https:// or http:// (or an app address: androidapp://, iosapp://).',
  );

export const itemFieldsSchema = z.object({
  title: z
    .string()
    .trim()
    .min(1, 'Give the login a title.')
    .max(500, 'The title can be at most 500 characters.'),
  username: z.string().max(1000, 'The username can be at most 1,000 characters.'),
  password: z.string().max(10_000, 'The password can be at most 10,000 characters.'),
  uris: z
    .array(
      z.object({
        url: websiteUrl,
        match: z
          .enum(['domain', 'host', 'exact', 'never'], { message: 'is not one of the offered choices.' })
          .default('domain'),
      }),
    )
    .max(50, 'A login can have at most 50 websites.'),
  notes: z.string().max(100_000, 'The notes can be at most 100,000 characters.'),
  /** An `otpauth://totp/…` URI or a Base32 secret; '' when the login has no second factor. */
  totp: z
    .string()
    .trim()
    .max(2000, 'The one-time code secret can be at most 2,000 characters.')
    .refine(
      (s) => s === '' || parseTotpSecret(s) !== null,
      'The one-time code secret is not valid: paste the Base32 secret (letters A–Z and digits 2–7) or an otpauth://totp/ URI.',
    )
    .default(''),
});
export type ItemFields = z.output<typeof itemFieldsSchema>;
export type ItemFieldsInput = z.input<typeof itemFieldsSchema>;
export type SavedUriField = ItemFields['uris'][number];

export const requestSchemas = {
  getState: z.object({}),
  register: z.object({
    serverUrl,
    email,
    password: password.min(8, 'Use at least 8 characters for the master password.'),
  }),
  login: z.object({ serverUrl, email, password }),
  /** The server's master-password policy (GET /v1/meta): of `serverUrl`, or of this device's account. */
  passwordPolicy: z.object({ serverUrl: serverUrl.optional() }),
  unlock: z.object({ password }),
  /** After PASSWORD_CHANGED_ELSEWHERE: sign in with the new master password, keeping local edits. */
  signInAgain: z.object({ password }),
  lock: z.object({}),
  /**
   * Sign this device out. Unsynced local changes are pushed first; if that is impossible the
   * answer is `unsynced` with their count and nothing is cleared, unless `discardUnsynced`.
   */
  logout: z.object({ discardUnsynced: z.boolean().default(false) }),
  /**
   * One page of the vault list, filtered in the worker: a popup over 10,000 logins receives the
   * rows it shows, not the whole vault.
   */
  listItems: z.object({
    query: z.string().max(200).default(''),
    limit: z.number().int().min(1).max(1000).default(200),
  }),
  getItem: z.object({ id: z.uuid() }),
  saveItem: z.object({ id: z.uuid().optional(), fields: itemFieldsSchema }),
  deleteItem: z.object({ id: z.uuid() }),
  syncNow: z.object({}),
  /** Logins matching the active tab's top frame, best first (autofill/url-match.ts ranking). */
  autofillMatches: z.object({}),
  /** Fill a login into the active tab (the popup's Fill button: a user gesture). */
  fillItem: z.object({ id: z.uuid(), allowInsecure: z.boolean().default(false) }),
  /** The inline menu (an extension page in the web page) asks what to show for its session. */
  menuState: z.object({ session: z.uuid() }),
  menuChoose: z.object({
    session: z.uuid(),
    action: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('fill'), id: z.uuid(), allowInsecure: z.boolean().default(false) }),
      z.object({ kind: z.literal('generate') }),
      z.object({ kind: z.literal('unlock') }),
    ]),
  }),
  menuDismiss: z.object({ session: z.uuid(), refocus: z.boolean() }),
  /** The save/update prompt asks what it is about, then reports the user's answer. */
  promptState: z.object({ session: z.uuid() }),
  promptAnswer: z.object({ session: z.uuid(), answer: z.enum(['save', 'update', 'never', 'dismiss']) }),
  /**
   * Replace the vault key (Security screen): the master password is entered again and checked on
   * this device. Every item key is re-wrapped under a new key version; bodies are not touched.
   */
  rotateVaultKey: z.object({ password }),
  /** The Security screen's facts: the account's KDF, the password's age, the server's policy. */
  securityOverview: z.object({}),
  /**
   * Change the master password knowing the current one; `kdf` picks the key-derivation strength
   * (`keep`: the account's, raised to the server's floor if it is below).
   */
  changePassword: z.object({
    currentPassword: password,
    newPassword: password.min(8, 'Use at least 8 characters for the master password.'),
    kdf: z
      .enum(['keep', 'standard', 'stronger', 'strongest'], { message: 'is not one of the offered choices.' })
      .default('keep'),
  }),
  /** The optional "change your old master password" banner: due or not. */
  passwordReminder: z.object({}),
  dismissPasswordReminder: z.object({}),
  /** Whether the locked vault may be reset: this device's session is refreshed to prove it is alive. */
  vaultResetAvailable: z.object({}),
  /**
   * Forgot the master password and lost the recovery key: delete every item and start an empty vault
   * under a new master password (only with a live device session; the email typed as confirmation).
   */
  resetVault: z.object({
    email: z.string().trim().min(1, 'Type your email address to confirm.').max(320),
    newPassword: password.min(8, 'Use at least 8 characters for the master password.'),
  }),
  /**
   * Delete the account on the server and every trace of it on this device (Security screen): the
   * master password entered again, the account's email typed as a confirmation.
   */
  deleteAccount: z.object({
    password,
    email: z.string().trim().min(1, 'Type your email address to confirm.').max(320),
  }),
  /**
   * A page of the account's security events as the server recorded them, newest first; `before`
   * (a page's `next`) asks for the page of older ones.
   */
  accountActivity: z.object({
    before: z
      .number()
      // int() also bounds to the safe integers; a fraction is an invalid_type ("… is not valid.").
      .int('The activity page position is too large.')
      .min(1, 'The activity page position must be 1 or more.')
      .optional(),
  }),
  /**
   * Recovery key (docs/recovery.md). `screen` is the popup screen that shows the key or runs the
   * recovery: the worker keeps what it shows bound to that screen and forgets it when the screen
   * goes away, so nothing is sent for a key that was never confirmed.
   */
  /** `refresh`: ask the server (else the state cached in the account record, at once). */
  recoveryKeyStatus: z.object({ refresh: z.boolean().default(false) }),
  /** A new recovery key on demand: the master password is re-entered and checked on this device. */
  createRecoveryKey: z.object({ screen: z.uuid(), password }),
  /** The recovery key offered once right after account creation or a recovery (no password again). */
  offeredRecoveryKey: z.object({ screen: z.uuid() }),
  /** "I saved it": the last group typed back; only then is the key stored on the server. */
  confirmRecoveryKey: z.object({
    screen: z.uuid(),
    lastGroup: z
      .string()
      .trim()
      .min(1, 'Type the last group of your recovery key.')
      .max(100, 'Type only the last group: 4 characters.'),
  }),
  discardRecoveryKey: z.object({ screen: z.uuid() }),
  /** "Forgot master password?": the recovery key is checked on this device, then with the server. */
  startAccountRecovery: z.object({
    screen: z.uuid(),
    serverUrl,
    email,
    recoveryKey: z
      .string()
      .trim()
      .min(1, 'Enter your recovery key.')
      .max(500, 'That is too long for a recovery key: it has 14 groups of 4 characters.'),
  }),
  completeAccountRecovery: z.object({
    screen: z.uuid(),
    newPassword: password.min(1, 'Choose a new master password.'),
  }),
  cancelAccountRecovery: z.object({ screen: z.uuid() }),
} as const;

/**
 * A popup screen that holds a secret in the worker (a recovery key being shown, a recovery in
 * progress) keeps a port named `SCREEN_PORT + screen` open; when it closes, the worker forgets.
 */
export const SCREEN_PORT = 'keyhold-screen:';

export type MessageName = keyof typeof requestSchemas;
export type RequestOf<N extends MessageName> = z.input<(typeof requestSchemas)[N]>;
export type ParsedRequestOf<N extends MessageName> = z.output<(typeof requestSchemas)[N]>;

export const VaultStatus = { NoAccount: 'no-account', Locked: 'locked', Unlocked: 'unlocked' } as const;
export type VaultStatus = (typeof VaultStatus)[keyof typeof VaultStatus];

export interface SyncStatus {
  lastSyncAt: string | null;
  pending: number;
  /** Items from the server that failed authentication and were skipped (tampered or corrupt). */
  unreadable: number;
  /** Stable error code of the last failed sync, null when the last one succeeded. */
  error: ErrorCode | null;
}

export interface VaultState {
  status: VaultStatus;
  email: string | null;
  serverUrl: string;
  sync: SyncStatus;
}

/**
 * What logging out did: `logged-out`, or `unsynced` when local changes that never reached the
 * server would be lost (nothing was cleared; `pending` is null when the count is unknown).
 */
export type LogoutResult =
  | { status: 'logged-out'; state: VaultState }
  | { status: 'unsynced'; pending: number | null; state: VaultState };

export interface ItemSummary {
  id: string;
  title: string;
  username: string;
  uris: SavedUriField[];
  conflict: boolean;
  pending: boolean;
  updatedAt: string;
}

export interface ItemPage {
  /** The first `limit` matching logins, sorted by title. */
  items: ItemSummary[];
  /** How many match the query. */
  matching: number;
  /** How many live logins the vault holds. */
  total: number;
}

export interface ItemDetail extends ItemFields {
  id: string;
  createdAt: string;
  updatedAt: string;
  /**
   * For a conflict copy: the login it collided with (null if that one is gone since) and when each
   * version was last edited, so the user can choose between them.
   */
  conflict: { of: string; ofTitle: string | null; ofUpdatedAt: string | null; copyUpdatedAt: string } | null;
}

export interface TabMatches {
  /** The active tab's page, or null when it is not an http(s) page (nothing can match). */
  pageUrl: string | null;
  items: ItemSummary[];
}

export const FillStatus = {
  Filled: 'filled',
  NothingToFill: 'nothing-to-fill',
  Refused: 'refused',
  /** The page is plain http and the login was saved for https: ask, then call again with allowInsecure. */
  NeedsConfirmation: 'needs-confirmation',
} as const;
export type FillStatus = (typeof FillStatus)[keyof typeof FillStatus];

export interface FillResult {
  status: FillStatus;
  /** Fields written. */
  filled: number;
  /** Words for the user when nothing was filled. */
  message: string | null;
}

export interface MenuSuggestion {
  id: string;
  title: string;
  username: string;
}

export interface MenuState {
  /** `expired`: the session is gone (worker restarted, page navigated); the menu closes itself. */
  status: 'locked' | 'unlocked' | 'expired';
  host: string;
  /** What the field wants: a login, a generated password, or a one-time code. */
  purpose: 'login' | 'new-password' | 'otp';
  suggestions: MenuSuggestion[];
}

export interface PromptState {
  kind: 'save' | 'update';
  host: string;
  username: string;
  /** For an update: the title of the login that will change. */
  title: string | null;
}

/**
 * A page of account activity, as `GET /v1/activity` answered it (checked against the server's
 * schema): `events` newest first, each with its device session (`current`: the session this
 * extension is signed in with) and the address it came from; `next` is the `before` of the page
 * of older events, null at the account's first event.
 */
export type ActivityPage = ActivityResponse;
export type ActivityEvent = ActivityPage['events'][number];

/**
 * A finished key rotation: the new key version, and whether the server cleared a recovery key
 * (it wrapped the old vault key) so that a new one must be created.
 */
export interface RotationResult {
  keyVersion: number;
  recoveryKeyCleared: boolean;
  state: VaultState;
}

/**
 * The account's recovery key as this device knows it: `set` / `none` as the server said (cached in
 * the account record), `unknown` before the server was ever asked. `offered`: a key is due to be
 * shown now (right after account creation or a recovery).
 */
export interface RecoveryKeyStatus {
  status: 'set' | 'none' | 'unknown';
  createdAt: string | null;
  offered: boolean;
}

/** A new recovery key, shown once: what the popup displays and writes into the text file. */
export interface RecoveryKeyShown {
  /** 14 groups of 4 characters joined by "-". */
  key: string;
  email: string;
  serverUrl: string;
  createdAt: string;
}

export interface Responses {
  getState: VaultState;
  register: VaultState;
  login: VaultState;
  passwordPolicy: PasswordPolicy;
  unlock: VaultState;
  signInAgain: VaultState;
  lock: VaultState;
  logout: LogoutResult;
  listItems: ItemPage;
  getItem: ItemDetail;
  saveItem: ItemDetail;
  deleteItem: null;
  syncNow: VaultState;
  autofillMatches: TabMatches;
  fillItem: FillResult;
  menuState: MenuState;
  menuChoose: FillResult;
  menuDismiss: null;
  promptState: PromptState | null;
  promptAnswer: null;
  accountActivity: ActivityPage;
  rotateVaultKey: RotationResult;
  recoveryKeyStatus: RecoveryKeyStatus;
  createRecoveryKey: RecoveryKeyShown;
  offeredRecoveryKey: RecoveryKeyShown;
  confirmRecoveryKey: RecoveryKeyStatus;
  discardRecoveryKey: null;
  startAccountRecovery: { email: string };
  completeAccountRecovery: VaultState;
  cancelAccountRecovery: null;
  securityOverview: SecurityOverview;
  changePassword: VaultState;
  passwordReminder: PasswordReminder;
  dismissPasswordReminder: null;
  vaultResetAvailable: { available: boolean };
  resetVault: VaultState;
  deleteAccount: VaultState;
}

/** The Security screen: how the master password is stretched, when it was set, what the server asks. */
export interface SecurityOverview {
  email: string;
  kdf: KdfParams;
  passwordChangedAt: string;
  policy: PasswordPolicy;
}

/** The optional reminder to change an old master password (never an expiry). */
export interface PasswordReminder {
  due: boolean;
  passwordChangedAt: string | null;
  /** The policy's period; null when the server sets none. */
  days: number | null;
}

export const ErrorCode = {
  Validation: 'VALIDATION',
  WrongPassword: 'WRONG_PASSWORD',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  AccountExists: 'ACCOUNT_EXISTS',
  RateLimited: 'RATE_LIMITED',
  ServerUnreachable: 'SERVER_UNREACHABLE',
  /** Something answered at the address, but not as a Keyhold server would (another web server, a wrong path). */
  NotKeyhold: 'NOT_KEYHOLD',
  /** The https connection failed: certificate not trusted, expired, for another name, or no TLS at all. */
  TlsError: 'TLS_ERROR',
  /** A Keyhold server older than the oldest protocol this extension speaks. */
  ServerTooOld: 'SERVER_TOO_OLD',
  /** A Keyhold server that no longer accepts this extension's protocol: the extension needs an update. */
  ServerTooNew: 'SERVER_TOO_NEW',
  ServerError: 'SERVER_ERROR',
  SessionExpired: 'SESSION_EXPIRED',
  Locked: 'LOCKED',
  NoAccount: 'NO_ACCOUNT',
  NotFound: 'NOT_FOUND',
  CorruptData: 'CORRUPT_DATA',
  Forbidden: 'FORBIDDEN',
  StorageFailed: 'STORAGE_FAILED',
  UnsyncedChanges: 'UNSYNCED_CHANGES',
  /** The server refused KDF parameters below its policy's floor. */
  KdfTooWeak: 'KDF_TOO_WEAK',
  /** The email or recovery key did not match (the server does not say which). */
  InvalidRecoveryKey: 'INVALID_RECOVERY_KEY',
  /** Written under a vault key version another device has replaced (rotation or vault reset). */
  KeyVersionStale: 'KEY_VERSION_STALE',
  /** A vault key rotation is in progress: finish it first. */
  RotationPending: 'ROTATION_PENDING',
  /** A rotation cannot complete while items remain under the previous key. */
  RotationIncomplete: 'ROTATION_INCOMPLETE',
  /** No rotation to complete. */
  NoRotation: 'NO_ROTATION',
  /** The master password changed on another device while this one was changing it. */
  CredentialsChanged: 'CREDENTIALS_CHANGED',
  /** Extension-only: the rotation started but stopped (server unreachable); it resumes by itself. */
  RotationInterrupted: 'ROTATION_INTERRUPTED',
  Internal: 'INTERNAL',
  /** A new master password below the server's policy (the message says why). */
  WeakPassword: 'WEAK_PASSWORD',
  /** A new master password equal to one of the account's last five. */
  PasswordReused: 'PASSWORD_REUSED',
  /** The master password this device knows no longer signs in: it was changed on another device. */
  PasswordChangedElsewhere: 'PASSWORD_CHANGED_ELSEWHERE',
  /** A destructive action's confirmation: the email typed is not this account's. */
  EmailMismatch: 'EMAIL_MISMATCH',
  /** A typed recovery key fails its checksum: a mistyped character (caught before any request). */
  RecoveryKeyTypo: 'RECOVERY_KEY_TYPO',
  /** A typed recovery key has the wrong length or a character recovery keys never use. */
  RecoveryKeyFormat: 'RECOVERY_KEY_FORMAT',
  /** The group typed to confirm a new recovery key is not its last group. */
  RecoveryKeyMismatch: 'RECOVERY_KEY_MISMATCH',
  /** The recovery key being confirmed was discarded (its screen closed, the vault locked). */
  RecoveryKeyDiscarded: 'RECOVERY_KEY_DISCARDED',
  /** The "forgot master password" steps lost their state (screen closed, browser restarted). */
  RecoveryInterrupted: 'RECOVERY_INTERRUPTED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A failed request: `field` is the request field it is about (a dotted path, e.g. `serverUrl` or
 * `fields.uris.1.url`) when it is about one; `retryAfterSeconds` says when to try again after
 * RATE_LIMITED, as the server's Retry-After header did.
 */
export type Reply<T> =
  | { ok: true; value: T }
  | { ok: false; code: ErrorCode; message: string; field?: string; retryAfterSeconds?: number };

export interface Envelope<N extends MessageName = MessageName> {
  name: N;
  request: RequestOf<N>;
}
