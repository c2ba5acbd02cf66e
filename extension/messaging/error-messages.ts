import type { z } from 'zod';
import { type PasswordProblem, passwordProblemMessage } from './password-policy.ts';
import { ErrorCode } from './protocol.ts';

/**
 * What the user reads when something fails: the words per error code, what a message may name
 * (address, delay, browser error), and the field-by-field wording of validation issues. Kept apart
 * from the protocol's shapes (protocol.ts); nothing secret goes in.
 */

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
  KDF_TOO_WEAK:
    'The server asks for stronger protection of the master password than this device offered. Update Keyhold and try again.',
  INVALID_RECOVERY_KEY: 'The email or recovery key is incorrect.',
  KEY_VERSION_STALE: "This vault's encryption key was replaced on another device.",
  ROTATION_PENDING: 'An encryption key change is still in progress. Let it finish, then try again.',
  ROTATION_INCOMPLETE: 'The encryption key change has not reached every item yet. Keyhold will finish it.',
  NO_ROTATION: 'There is no encryption key change in progress to finish.',
  CREDENTIALS_CHANGED:
    'Your master password was changed on another device meanwhile. Log in again with the new one.',
  ROTATION_INTERRUPTED:
    'The encryption key change started but the server stopped answering. Keyhold finishes it by itself when the server is back; every item stays readable meanwhile.',
  INTERNAL: 'Something went wrong inside Keyhold.',
  WEAK_PASSWORD: 'This master password is too easy to guess.',
  PASSWORD_REUSED:
    'You used this master password recently: choose one you have not used for this account before.',
  PASSWORD_CHANGED_ELSEWHERE: 'Your master password was changed on another device — log in again.',
  RECOVERY_KEY_TYPO:
    'The recovery key does not check out: a character is mistyped. Compare each group with your saved copy.',
  RECOVERY_KEY_FORMAT:
    'That is not a recovery key: it has 14 groups of 4 characters, letters A–Z and digits 2–7.',
  RECOVERY_KEY_MISMATCH:
    'That is not the last group of your recovery key: type the 4 characters after its last hyphen.',
  RECOVERY_KEY_DISCARDED:
    'This recovery key was discarded before you confirmed it, so it was never saved. Create a new one.',
  RECOVERY_INTERRUPTED: 'The recovery was interrupted. Enter your email and recovery key again.',
  EMAIL_MISMATCH: "That is not this account's email address. Type it exactly to confirm.",
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
  /**
   * What is wrong with a typed recovery key (RECOVERY_KEY_FORMAT): a character recovery keys never
   * use (so not a secret) and its group, or how many characters were typed.
   */
  recoveryKey?: { character?: string; group?: number; length?: number };
  /** For WEAK_PASSWORD: why, and the policy's minimum length it names. */
  passwordProblem?: { problem: PasswordProblem; minLength: number };
  /** The request field the error is about, when it is not the code's usual one (`errorFields`). */
  field?: string;
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
    case ErrorCode.RecoveryKeyFormat:
      return recoveryKeyFormat(detail.recoveryKey) ?? errorMessages[code];
    case ErrorCode.WeakPassword:
      return detail.passwordProblem
        ? passwordProblemMessage(detail.passwordProblem.problem, {
            passwordMinLength: detail.passwordProblem.minLength,
          })
        : errorMessages[code];
    default:
      return errorMessages[code];
  }
}

/** Characters people type for the ones Base32 leaves out. */
const LOOK_ALIKES: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '8': 'B' };

function recoveryKeyFormat(problem: ErrorDetail['recoveryKey']): string | null {
  if (!problem) return null;
  const { character, group, length } = problem;
  if (character !== undefined) {
    const where = group === undefined ? '' : ` (in group ${group})`;
    const meant = LOOK_ALIKES[character];
    return `The recovery key cannot contain “${character}”${where}: recovery keys use only the letters A–Z and the digits 2–7.${meant ? ` Did you mean “${meant}”?` : ''}`;
  }
  if (length !== undefined) {
    return `The recovery key has ${length} character${length === 1 ? '' : 's'}; a recovery key has 56 (14 groups of 4).`;
  }
  return null;
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
  INVALID_RECOVERY_KEY: 'recoveryKey',
  RECOVERY_KEY_TYPO: 'recoveryKey',
  RECOVERY_KEY_FORMAT: 'recoveryKey',
  WEAK_PASSWORD: 'newPassword',
  PASSWORD_REUSED: 'newPassword',
  RECOVERY_KEY_MISMATCH: 'lastGroup',
};

const FIELD_LABELS: Record<string, string> = {
  serverUrl: 'Server address',
  email: 'Email',
  password: 'Master password',
  currentPassword: 'Current master password',
  newPassword: 'New master password',
  kdf: 'Key derivation',
  'fields.title': 'Title',
  'fields.username': 'Username',
  'fields.password': 'Password',
  'fields.uris': 'Websites',
  'fields.notes': 'Notes',
  'fields.totp': 'One-time code secret',
  before: 'The activity page position',
  recoveryKey: 'Recovery key',
  lastGroup: 'Last group',
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
