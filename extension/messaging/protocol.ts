import type { z } from 'zod';
import type { ActivityResponse } from '../../server/routes/activity-schema.ts';
import type { KdfParams } from '../../shared-crypto/index.ts';
import type { Generated } from '../generator/generate.ts';
import type { HistoryEntry } from '../generator/history.ts';
import type { GeneratorOptions } from '../generator/options.ts';
import type { Settings } from '../settings/setting-values.ts';
import type { ItemFields, ItemType, SavedUriField } from './item-schema.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { requestSchemas } from './protocol-schemas.ts';
import type { TransferResponses } from './transfer-protocol.ts';

/**
 * The popup ↔ service-worker protocol: one map of `name → request schema` (protocol-schemas.ts,
 * where the service worker validates every request), a matching map of response types, and one
 * reply shape. This module holds only types and constants, so a page that sends messages loads no
 * zod: request types are derived from the schemas with type-only imports.
 */

export type {
  CustomField,
  ItemFields,
  ItemInput,
  ItemInputRaw,
  ItemType,
  LoginFields,
  PreviousPassword,
  SavedUriField,
} from './item-schema.ts';

/**
 * A popup screen that holds a secret in the worker (a recovery key being shown, a recovery in
 * progress) keeps a port named `SCREEN_PORT + screen` open; when it closes, the worker forgets.
 */
export const SCREEN_PORT = 'keyhold-screen:';

/**
 * How many rows the popup's list asks for at a time: enough to scroll, few enough that a
 * 10,000-item vault opens instantly. The worker keeps the first page of the vault's
 * default view sealed on its own (vault-store.ts), so a popup opened right after a worker start
 * shows it before the rest of the list opens.
 */
export const LIST_ROWS = 200;

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
  type: ItemType;
  title: string;
  /**
   * The list's second line, no secret: a login's username, a card's last four digits, an
   * identity's name, an SSH key's fingerprint; '' for a note.
   */
  subtitle: string;
  /** Kept for the autofill matches and older callers: the login's username ('' for other types). */
  username: string;
  uris: SavedUriField[];
  folder: string;
  favorite: boolean;
  /** When it went to the trash; null for a live item. */
  trashedAt: string | null;
  conflict: boolean;
  pending: boolean;
  updatedAt: string;
}

/** Which part of the vault the list shows. */
export type ListView = z.output<typeof requestSchemas.listItems>['view'];

export interface ItemPage {
  /** The first `limit` matching items, favorites first, then by title. */
  items: ItemSummary[];
  /** How many match the query (and view, folder, type). */
  matching: number;
  /** How many live items the vault holds (not counting the trash). */
  total: number;
  /** How many items are in the trash. */
  trashed: number;
}

export interface FolderSummary {
  /** The full path, e.g. "Work/Servers". */
  path: string;
  /** Live items in it and its subfolders. */
  count: number;
}

export type ItemDetail = ItemFields & {
  id: string;
  createdAt: string;
  updatedAt: string;
  /**
   * For a conflict copy: the item it collided with (null if that one is gone since) and when each
   * version was last edited, so the user can choose between them.
   */
  conflict: { of: string; ofTitle: string | null; ofUpdatedAt: string | null; copyUpdatedAt: string } | null;
};

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

export interface Responses extends TransferResponses {
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
  restoreItem: ItemDetail;
  deleteForever: null;
  emptyTrash: { deleted: number };
  listFolders: FolderSummary[];
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
  listDevices: DeviceList;
  renameDevice: DeviceList;
  logOutDevice: DeviceList;
  logOutOtherDevices: { ended: number; devices: DeviceInfo[] };
  signInNotice: SignInNotice | null;
  dismissSignInNotice: null;
  dismissSessionEnded: null;
  getSettings: Settings;
  updateSettings: Settings;
  listNeverSites: string[];
  removeNeverSite: string[];
  generatorOptions: GeneratorOptions;
  generatePassword: Generated;
  recordGenerated: null;
  generatorHistory: { entries: HistoryEntry[] };
  clearGeneratorHistory: null;
  itemView: ItemView;
  revealField: { value: string };
  totpCode: TotpNow;
  copyField: CopyResult;
  copyText: CopyResult;
  clipboardDue: null;
  vaultHealth: HealthReport;
}

/**
 * An item for the read-only detail view: every secret field is '' here, and `secrets` lists the
 * paths of those that hold one (`password`, `totp`…), so the view shows them masked.
 */
export type ItemView = ItemDetail & {
  secrets: string[];
};

/** A login's one-time code now: `expiresInSeconds` of `period` left (rounded up). */
export interface TotpNow {
  code: string;
  expiresInSeconds: number;
  period: number;
}

/** A copy: the clipboard is cleared in `clearsInSeconds` if it still holds it (null: never). */
export interface CopyResult {
  clearsInSeconds: number | null;
}

/** One finding of the health report: which item, and a number or site that says how (no secret). */
export interface HealthEntry {
  itemId: string;
  title: string;
  /** The login's username. */
  subtitle: string;
  /** weak: zxcvbn score 0–2; reused: logins sharing the password; old: age in days; insecure: the http host; inactiveTotp: the site. */
  detail: number | string;
}

export const HEALTH_CATEGORIES = ['weak', 'reused', 'old', 'insecure', 'inactiveTotp'] as const;
export type HealthCategory = (typeof HEALTH_CATEGORIES)[number];

/** Per category its entries; `checked`: how many live logins were looked at. */
export type HealthReport = {
  checked: number;
  /** Distinct passwords whose strength is known so far, of all: `weak` is complete when equal. */
  strength: { scored: number; total: number };
} & Record<HealthCategory, HealthEntry[]>;

/** One device session of the account, as the Devices screen shows it. */
export interface DeviceInfo {
  id: string;
  /** Opened here: "Work laptop (Chrome on Linux)", or "Unnamed device". */
  name: string;
  /** The session this extension is signed in with. */
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  /** Addresses as the server saw them: at sign-in, and last. */
  createdIp: string | null;
  lastIp: string | null;
  /** When the session ends unless used (idle and absolute limits). */
  expiresAt: string;
}

export interface DeviceList {
  devices: DeviceInfo[];
  /** This device's own name ('' for none) and its detected browser and OS. */
  label: string;
  browser: string;
}

/** Another device signed in: its name (opened here), address and when. */
export interface SignInNotice {
  sessionId: string;
  name: string;
  ip: string | null;
  at: string;
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
  /**
   * The server ended this device's session (another device logged it out, a limit, a security
   * event): the device does not sign itself in again; the reason says why (docs/sessions.md).
   */
  SessionEnded: 'SESSION_ENDED',
  Locked: 'LOCKED',
  NoAccount: 'NO_ACCOUNT',
  NotFound: 'NOT_FOUND',
  /** Delete forever applies to items in the trash; a live item is moved to the trash first. */
  NotInTrash: 'NOT_IN_TRASH',
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
  /** The clipboard could not be written (no clipboard document in this browser, or it failed). */
  ClipboardFailed: 'CLIPBOARD_FAILED',
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

/** A detail known to be a login (after checking `type`), for code that handles logins only. */
export type LoginDetail = Extract<ItemDetail, { type: 'login' }>;

/** The detail as a login; throws for another type (a caller that expected a login has a bug). */
export function asLogin(detail: ItemDetail): LoginDetail {
  if (detail.type !== 'login') throw new TypeError(`expected a login, got a ${detail.type}`);
  return detail as LoginDetail;
}
