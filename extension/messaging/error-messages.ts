import type { z } from 'zod';
import { t } from '../i18n/index.ts';
import { type PasswordProblem, passwordProblemMessage } from './password-policy.ts';
import { ErrorCode } from './protocol.ts';

/**
 * What the user reads when something fails: the words per error code, what a message may name
 * (address, delay, browser error), and the field-by-field wording of validation issues. Kept apart
 * from the protocol's shapes (protocol.ts); nothing secret goes in.
 */

/** Words a user understands, per error code, in the language shown now. Nothing secret goes in. */
const ERROR_WORDS: Record<ErrorCode, () => string> = {
  VALIDATION: () => t('errors.code.validation'),
  WRONG_PASSWORD: () => t('errors.code.wrongPassword'),
  INVALID_CREDENTIALS: () => t('errors.code.invalidCredentials'),
  ACCOUNT_EXISTS: () => t('errors.code.accountExists'),
  RATE_LIMITED: () => t('errors.code.rateLimited'),
  SERVER_UNREACHABLE: () => t('errors.code.serverUnreachable'),
  NOT_KEYHOLD: () => t('errors.code.notKeyhold'),
  TLS_ERROR: () => t('errors.code.tlsError'),
  SERVER_TOO_OLD: () => t('errors.code.serverTooOld'),
  SERVER_TOO_NEW: () => t('errors.code.serverTooNew'),
  SERVER_ERROR: () => t('errors.code.serverError'),
  SESSION_EXPIRED: () => t('errors.code.sessionExpired'),
  SESSION_ENDED: () => t('errors.code.sessionEnded'),
  LOCKED: () => t('errors.code.locked'),
  NO_ACCOUNT: () => t('errors.code.noAccount'),
  NOT_FOUND: () => t('errors.code.notFound'),
  NOT_IN_TRASH: () => t('errors.code.notInTrash'),
  CLIPBOARD_FAILED: () => t('errors.code.clipboardFailed'),
  CORRUPT_DATA: () => t('errors.code.corruptData'),
  FORBIDDEN: () => t('errors.code.forbidden'),
  STORAGE_FAILED: () => t('errors.code.storageFailed'),
  UNSYNCED_CHANGES: () => t('errors.code.unsyncedChanges'),
  KDF_TOO_WEAK: () => t('errors.code.kdfTooWeak'),
  INVALID_RECOVERY_KEY: () => t('errors.code.invalidRecoveryKey'),
  KEY_VERSION_STALE: () => t('errors.code.keyVersionStale'),
  ROTATION_PENDING: () => t('errors.code.rotationPending'),
  ROTATION_INCOMPLETE: () => t('errors.code.rotationIncomplete'),
  NO_ROTATION: () => t('errors.code.noRotation'),
  CREDENTIALS_CHANGED: () => t('errors.code.credentialsChanged'),
  ROTATION_INTERRUPTED: () => t('errors.code.rotationInterrupted'),
  INTERNAL: () => t('errors.code.internal'),
  WEAK_PASSWORD: () => t('errors.code.weakPassword'),
  PASSWORD_REUSED: () => t('errors.code.passwordReused'),
  PASSWORD_CHANGED_ELSEWHERE: () => t('errors.code.passwordChangedElsewhere'),
  RECOVERY_KEY_TYPO: () => t('errors.code.recoveryKeyTypo'),
  RECOVERY_KEY_FORMAT: () => t('errors.code.recoveryKeyFormat'),
  RECOVERY_KEY_MISMATCH: () => t('errors.code.recoveryKeyMismatch'),
  RECOVERY_KEY_DISCARDED: () => t('errors.code.recoveryKeyDiscarded'),
  RECOVERY_INTERRUPTED: () => t('errors.code.recoveryInterrupted'),
  EMAIL_MISMATCH: () => t('errors.code.emailMismatch'),
};

/**
 * The words per error code, each read when used (the language can change while a page is open).
 * The popup shows these; nothing secret goes in.
 */
export const errorMessages: Readonly<Record<ErrorCode, string>> = Object.defineProperties(
  {} as Record<ErrorCode, string>,
  Object.fromEntries(
    Object.entries(ERROR_WORDS).map(([code, words]) => [code, { get: words, enumerable: true }]),
  ),
);

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
  /** Why the server ended this device's session (SESSION_ENDED): `remote-logout`, `idle`… */
  endReason?: string;
}

/** "42 seconds", "2 minutes", "1 hour": rounded up, so the user never tries too early. */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return t('errors.wait.seconds', s);
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return t('errors.wait.minutes', minutes);
  return t('errors.wait.hours', Math.ceil(s / 3600));
}

/** The message for a code, naming the server address (and the delay, the browser's error…) when known. */
export function errorMessage(code: ErrorCode, detail: ErrorDetail = {}): string {
  const url = detail.serverUrl;
  switch (code) {
    case ErrorCode.RateLimited:
      return detail.retryAfterSeconds === undefined
        ? errorMessages[code]
        : t('errors.at.rateLimited', { wait: formatWait(detail.retryAfterSeconds) });
    case ErrorCode.ServerUnreachable:
      return url ? t('errors.at.serverUnreachable', { url }) : errorMessages[code];
    case ErrorCode.NotKeyhold:
      return url ? t('errors.at.notKeyhold', { url }) : errorMessages[code];
    case ErrorCode.TlsError:
      if (!url) return errorMessages[code];
      return detail.netError
        ? t('errors.at.tlsErrorNamed', { url, netError: detail.netError })
        : t('errors.at.tlsError', { url });
    case ErrorCode.ServerTooOld: {
      if (!url) return errorMessages[code];
      const v = versions(detail);
      return v ? t('errors.at.serverTooOldVersions', { url, ...v }) : t('errors.at.serverTooOld', { url });
    }
    case ErrorCode.ServerTooNew: {
      if (!url) return errorMessages[code];
      const v = versions(detail);
      return v ? t('errors.at.serverTooNewVersions', { url, ...v }) : t('errors.at.serverTooNew', { url });
    }
    case ErrorCode.SessionEnded:
      return detail.endReason ? signedOutBecause(detail.endReason) : errorMessages[code];
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

/** Why this device was signed out, per server reason (docs/sessions.md), as one sentence. */
const SIGNED_OUT_WORDS: Readonly<Record<string, () => string>> = {
  'remote-logout': () => t('errors.signedOut.remoteLogout'),
  'others-logged-out': () => t('errors.signedOut.othersLoggedOut'),
  idle: () => t('errors.signedOut.idle'),
  absolute: () => t('errors.signedOut.absolute'),
  'session-cap': () => t('errors.signedOut.sessionCap'),
  'password-change': () => t('errors.signedOut.passwordChange'),
  recovery: () => t('errors.signedOut.recovery'),
  'key-rotation': () => t('errors.signedOut.keyRotation'),
  'vault-reset': () => t('errors.signedOut.vaultReset'),
  'refresh-reuse': () => t('errors.signedOut.refreshReuse'),
  logout: () => t('errors.signedOut.logout'),
  'account-deleted': () => t('errors.signedOut.accountDeleted'),
  operator: () => t('errors.signedOut.operator'),
};

/**
 * Why this device was signed out, by the server's reason (docs/sessions.md), as one sentence that
 * also says what to do, read in the language shown now. An unknown reason still gets the general words.
 */
export const SIGNED_OUT_REASONS: Readonly<Record<string, string>> = Object.defineProperties(
  {} as Record<string, string>,
  Object.fromEntries(
    Object.entries(SIGNED_OUT_WORDS).map(([reason, words]) => [reason, { get: words, enumerable: true }]),
  ),
);

const changesKept = (pending: number | null) =>
  pending === null ? t('errors.signedOut.changesKeptUnknown') : t('errors.signedOut.changesKept', pending);

/**
 * "You were signed out from another device. Log in again to keep using this vault; your 2 unsynced
 * changes are kept and will sync after you log in." — the part about changes only when there are any.
 */
export function signedOutBecause(reason: string, pending: number | null = 0): string {
  const why = SIGNED_OUT_REASONS[reason] ?? t('errors.signedOut.unknown');
  return pending === 0
    ? t('errors.signedOut.logInAgain', { why })
    : t('errors.signedOut.logInAgainKept', { why, kept: changesKept(pending) });
}

/** Characters people type for the ones Base32 leaves out. */
const LOOK_ALIKES: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '8': 'B' };

function recoveryKeyFormat(problem: ErrorDetail['recoveryKey']): string | null {
  if (!problem) return null;
  const { character, group, length } = problem;
  if (character !== undefined) {
    const message =
      group === undefined
        ? t('errors.recoveryKey.badCharacter', { character })
        : t('errors.recoveryKey.badCharacterInGroup', { character, group });
    const meant = LOOK_ALIKES[character];
    return meant ? t('errors.recoveryKey.didYouMean', { message, meant }) : message;
  }
  if (length !== undefined) return t('errors.recoveryKey.length', length);
  return null;
}

/** The protocol versions both sides speak, when the server said which. */
const versions = ({ serverProtocol: s, clientProtocol: c }: ErrorDetail) =>
  s && c
    ? { server: s.version, minClient: s.minClientVersion, client: c.version, minServer: c.minServerVersion }
    : null;

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

const FIELD_LABELS: Record<string, () => string> = {
  serverUrl: () => t('errors.field.serverUrl'),
  email: () => t('errors.field.email'),
  password: () => t('errors.field.password'),
  currentPassword: () => t('errors.field.currentPassword'),
  newPassword: () => t('errors.field.newPassword'),
  kdf: () => t('errors.field.kdf'),
  'fields.title': () => t('errors.field.title'),
  'fields.username': () => t('errors.field.username'),
  'fields.password': () => t('errors.field.itemPassword'),
  'fields.uris': () => t('errors.field.uris'),
  'fields.notes': () => t('errors.field.notes'),
  'fields.totp': () => t('errors.field.totp'),
  before: () => t('errors.field.before'),
  recoveryKey: () => t('errors.field.recoveryKey'),
  lastGroup: () => t('errors.field.lastGroup'),
};

/** The name the popup shows for a request field (`fields.uris.1.url` → "Website address 2"). */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const [, , row, part] = path;
  if (path[0] === 'fields' && path[1] === 'uris' && typeof row === 'number') {
    return part === 'match'
      ? t('errors.field.websiteMatch', { n: row + 1 })
      : t('errors.field.websiteAddress', { n: row + 1 });
  }
  const key = path.map(String).join('.');
  return FIELD_LABELS[key]?.() ?? (key || t('errors.field.request'));
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
  if (GENERIC_ISSUES.has(issue.code)) return { field, message: t('errors.notValid', { label }) };
  const inRow = issue.path[0] === 'fields' && issue.path[1] === 'uris' && issue.path.length > 2;
  return { field, message: inRow ? t('errors.inRow', { label, problem: issue.message }) : issue.message };
}
