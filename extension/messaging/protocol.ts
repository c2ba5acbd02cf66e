import { z } from 'zod';
import type { ActivityResponse } from '../../server/routes/activity-schema.ts';
import { parseTotpSecret } from '../autofill/totp.ts';
import { isWebsiteAddress } from './website-address.ts';

/**
 * The popup ↔ service-worker protocol: one map of `name → request schema`, a matching map of
 * response types, and one reply shape. The service worker validates every request at runtime
 * (the schemas below) because a message is a trust boundary even between our own pages.
 *
 * Every check a user can fail carries a message that names the field (the popup shows it next to
 * that field); `describeIssue` turns a failed check into `{field, message}`.
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

/**
 * A page of account activity, as `GET /v1/activity` answered it (checked against the server's
 * schema): `events` newest first, each with its device session (`current`: the session this
 * extension is signed in with) and the address it came from; `next` is the `before` of the page
 * of older events, null at the account's first event.
 */
export type ActivityPage = ActivityResponse;
export type ActivityEvent = ActivityPage['events'][number];

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
  accountActivity: ActivityPage;
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
  Internal: 'INTERNAL',
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

/** Words a user understands, per error code. The popup shows these; nothing secret goes in. */
export const errorMessages: Record<ErrorCode, string> = {
  VALIDATION: 'Some of the information entered is not valid.',
  WRONG_PASSWORD: 'That master password is not right.',
  INVALID_CREDENTIALS: 'The email or master password is not right.',
  ACCOUNT_EXISTS: 'An account with this email already exists on that server. Log in instead.',
  RATE_LIMITED: 'Too many attempts. Wait a little and try again.',
  SERVER_UNREACHABLE: 'The Keyhold server cannot be reached. Check the address and your connection.',
  NOT_KEYHOLD: 'The server address did not answer like a Keyhold server. Check the address.',
  TLS_ERROR: 'The secure (https) connection to the Keyhold server failed: its certificate is not trusted.',
  SERVER_TOO_OLD: 'The Keyhold server is too old for this version of the extension. Update the server.',
  SERVER_TOO_NEW: 'The Keyhold server needs a newer version of this extension. Update Keyhold.',
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

/** What a message may say beyond its code. None of it is secret: an address, a delay, a browser error name. */
export interface ErrorDetail {
  /** The server address the failed call went to, as the user entered it. */
  serverUrl?: string;
  /** Seconds until the server takes another attempt (its Retry-After header). */
  retryAfterSeconds?: number;
  /** The browser's network error, e.g. `net::ERR_CERT_AUTHORITY_INVALID`. */
  netError?: string;
  /** What the server's `GET /v1/meta` said, for SERVER_TOO_OLD / SERVER_TOO_NEW. */
  serverProtocol?: { version: number; minClientVersion: number };
  /** The protocol version this extension speaks and the oldest server version it accepts. */
  clientProtocol?: { version: number; minServerVersion: number };
}

/** "42 seconds", "2 minutes", "1 hour": rounded up, so the user never tries too early. */
export function formatWait(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return plural(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  return plural(Math.ceil(s / 3600), 'hour');
}

/** The message for a code, naming the server address (and the delay, the browser's error…) when known. */
export function errorMessage(code: ErrorCode, detail: ErrorDetail = {}): string {
  const at = detail.serverUrl;
  switch (code) {
    case ErrorCode.RateLimited:
      return detail.retryAfterSeconds === undefined
        ? errorMessages[code]
        : `Too many attempts. Try again in ${formatWait(detail.retryAfterSeconds)}.`;
    case ErrorCode.ServerUnreachable:
      return at
        ? `Keyhold cannot reach a server at ${at}. Check the address and your connection.`
        : errorMessages[code];
    case ErrorCode.NotKeyhold:
      return at
        ? `${at} did not answer like a Keyhold server. Check the address: it is the one the Keyhold server prints when it starts, e.g. http://127.0.0.1:8787, with nothing after the port.`
        : errorMessages[code];
    case ErrorCode.TlsError:
      return at
        ? `The secure connection to ${at} failed${detail.netError ? ` (${detail.netError})` : ''}: the server's certificate is not trusted by this browser, has expired or is for another name, or the server does not speak https. Check the address, or give the server a certificate this browser trusts.`
        : errorMessages[code];
    case ErrorCode.ServerTooOld:
      return at
        ? `The Keyhold server at ${at} is too old for this extension${versions(detail)}. Update the server.`
        : errorMessages[code];
    case ErrorCode.ServerTooNew:
      return at
        ? `The Keyhold server at ${at} needs a newer Keyhold extension${versions(detail)}. Update the extension.`
        : errorMessages[code];
    default:
      return errorMessages[code];
  }
}

const versions = ({ serverProtocol: s, clientProtocol: c }: ErrorDetail) =>
  s && c
    ? ` (the server speaks protocol ${s.version} and accepts ${s.minClientVersion} or later; this extension speaks ${c.version} and accepts servers from ${c.minServerVersion})`
    : '';

/**
 * The request field each code is about. The service worker names it in the reply when the request
 * has that field, so the popup shows the message next to it (the server address, the email…).
 */
export const errorFields: Partial<Record<ErrorCode, string>> = {
  SERVER_UNREACHABLE: 'serverUrl',
  NOT_KEYHOLD: 'serverUrl',
  TLS_ERROR: 'serverUrl',
  SERVER_TOO_OLD: 'serverUrl',
  SERVER_TOO_NEW: 'serverUrl',
  ACCOUNT_EXISTS: 'email',
  INVALID_CREDENTIALS: 'password',
  WRONG_PASSWORD: 'password',
};

const FIELD_LABELS: Record<string, string> = {
  serverUrl: 'Server address',
  email: 'Email',
  password: 'Master password',
  'fields.title': 'Title',
  'fields.username': 'Username',
  'fields.password': 'Password',
  'fields.uris': 'Websites',
  'fields.notes': 'Notes',
  'fields.totp': 'One-time code secret',
  before: 'The activity page position',
};

/** The name the popup shows for a request field (`fields.uris.1.url` → "Website address 2"). */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const [, , row, part] = path;
  if (path[0] === 'fields' && path[1] === 'uris' && typeof row === 'number') {
    return part === 'match' ? `Match for website address ${row + 1}` : `Website address ${row + 1}`;
  }
  const key = path.map(String).join('.');
  return FIELD_LABELS[key] ?? (key || 'The request');
}

/** Zod's own words for these ("Invalid input: expected string…") are replaced by the field's name. */
const GENERIC_ISSUES: ReadonlySet<string> = new Set([
  'invalid_type',
  'invalid_union',
  'invalid_key',
  'invalid_element',
  'unrecognized_keys',
]);

/**
 * A failed check as the user sees it: the field (dotted path) and a message that names it. Checks
 * on a website row say what is wrong after the row's name; every other check has its own sentence.
 */
export function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issue.path.map(String).join('.');
  const label = fieldLabel(issue.path);
  if (GENERIC_ISSUES.has(issue.code)) return { field, message: `${label} is not valid.` };
  const inRow = issue.path[0] === 'fields' && issue.path[1] === 'uris' && issue.path.length > 2;
  return { field, message: inRow ? `${label} ${issue.message}` : issue.message };
}
