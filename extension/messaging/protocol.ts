import { z } from 'zod';

/**
 * The popup ↔ service-worker protocol: one map of `name → request schema`, a matching map of
 * response types, and one reply shape. The service worker validates every request at runtime
 * (the schemas below) because a message is a trust boundary even between our own pages.
 */

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter a valid email address.' }));
const password = z.string().min(1, 'Enter your master password.').max(1024);
const serverUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, message: 'Enter the server address, e.g. http://127.0.0.1:8787' }))
  .transform((u) => u.replace(/\/+$/, ''));

export const itemFieldsSchema = z.object({
  title: z.string().trim().min(1, 'Give the login a title.').max(500),
  username: z.string().max(1000),
  password: z.string().max(10_000),
  uris: z
    .array(
      z.object({
        url: z.string().trim().min(1, 'Enter a website address.').max(2000),
        match: z.enum(['domain', 'host', 'exact', 'never']).default('domain'),
      }),
    )
    .max(50),
  notes: z.string().max(100_000),
  /** An `otpauth://totp/…` URI or a Base32 secret; '' when the login has no second factor. */
  totp: z.string().trim().max(2000).default(''),
});
export type ItemFields = z.output<typeof itemFieldsSchema>;
export type ItemFieldsInput = z.input<typeof itemFieldsSchema>;
export type SavedUriField = ItemFields['uris'][number];

export const requestSchemas = {
  getState: z.object({}),
  register: z.object({ serverUrl, email, password: password.min(8, 'Use at least 8 characters.') }),
  login: z.object({ serverUrl, email, password }),
  unlock: z.object({ password }),
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
} as const;

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

export interface Responses {
  getState: VaultState;
  register: VaultState;
  login: VaultState;
  unlock: VaultState;
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
}

export const ErrorCode = {
  Validation: 'VALIDATION',
  WrongPassword: 'WRONG_PASSWORD',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  AccountExists: 'ACCOUNT_EXISTS',
  RateLimited: 'RATE_LIMITED',
  ServerUnreachable: 'SERVER_UNREACHABLE',
  ServerError: 'SERVER_ERROR',
  SessionExpired: 'SESSION_EXPIRED',
  Locked: 'LOCKED',
  NoAccount: 'NO_ACCOUNT',
  NotFound: 'NOT_FOUND',
  CorruptData: 'CORRUPT_DATA',
  Forbidden: 'FORBIDDEN',
  StorageFailed: 'STORAGE_FAILED',
  UnsyncedChanges: 'UNSYNCED_CHANGES',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type Reply<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export interface Envelope<N extends MessageName = MessageName> {
  name: N;
  request: RequestOf<N>;
}

/** Words a user understands, per error code. The popup shows these; nothing secret goes in. */
export const errorMessages: Record<ErrorCode, string> = {
  VALIDATION: 'Some of the information entered is not valid.',
  WRONG_PASSWORD: 'That master password is not right.',
  INVALID_CREDENTIALS: 'The email or master password is not right.',
  ACCOUNT_EXISTS: 'An account with this email already exists on that server. Log in instead.',
  RATE_LIMITED: 'Too many attempts. Wait a little and try again.',
  SERVER_UNREACHABLE: 'The Keyhold server cannot be reached. Check the address and your connection.',
  SERVER_ERROR: 'The Keyhold server had a problem. Try again later.',
  SESSION_EXPIRED: 'Your session on the server has ended. Lock and unlock to sign in again.',
  LOCKED: 'Keyhold is locked. Unlock it first.',
  NO_ACCOUNT: 'No account is set up on this device yet.',
  NOT_FOUND: 'That item no longer exists.',
  CORRUPT_DATA: 'Stored data could not be decrypted: it may have been tampered with.',
  FORBIDDEN: 'This request is not allowed.',
  STORAGE_FAILED:
    "Keyhold could not write to this device's storage (is the disk full?). Nothing was changed: free some space and try again.",
  UNSYNCED_CHANGES:
    'This device holds changes of another account that have not reached its server. Unlock that account and sync, or log it out first.',
  INTERNAL: 'Something went wrong inside Keyhold.',
};
