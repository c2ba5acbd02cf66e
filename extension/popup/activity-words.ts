import { formatWait } from '../messaging/error-messages.ts';
import type { ActivityEvent } from '../messaging/protocol.ts';

/**
 * Account activity in words a user reads: what happened, when, on which device, from where. The
 * event types and their details are the server's (server/audit/event-types.ts and the places that
 * record them); a type this extension does not know yet is still shown, by its name.
 */

/** How dates are written: the browser's own locale and time zone unless told otherwise. */
export interface DateStyle {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

type Details = ActivityEvent['details'];

const text = (details: Details, key: string): string | null => {
  const v = details[key];
  return typeof v === 'string' ? v : null;
};
const count = (details: Details, key: string): number | null => {
  const v = details[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A moment as the list shows it: local date and time, to the second. */
export function formatWhen(iso: string, style: DateStyle = {}): string {
  return new Date(iso).toLocaleString(style.locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: style.timeZone,
  });
}

const formatClock = (iso: string, style: DateStyle) =>
  new Date(iso).toLocaleTimeString(style.locale, { timeStyle: 'short', timeZone: style.timeZone });

/** Why the server refused a sync, by its error code (server/routes/sync.ts records 400s and 413s). */
function refusedPush(details: Details): string {
  const code = text(details, 'code');
  const field = text(details, 'field');
  switch (code) {
    case 'VALIDATION':
      return `Sync refused: a change was not valid${field ? ` (${field})` : ''}`;
    case 'MALFORMED_JSON':
      return 'Sync refused: the request was garbled';
    case 'PAYLOAD_TOO_LARGE':
      return 'Sync refused: the changes were too large';
    default:
      return code ? `Sync refused (${code})` : 'Sync refused';
  }
}

/** What happened, in a short sentence without a full stop (e.g. "Signed in"). */
export function describeActivity(
  event: Pick<ActivityEvent, 'type' | 'details'>,
  style: DateStyle = {},
): string {
  const d = event.details;
  switch (event.type) {
    case 'account.created':
      return 'Account created';
    case 'account.deleted': {
      const ended = count(d, 'sessionsEnded');
      return ended === null ? 'Account deleted' : `Account deleted; ${plural(ended, 'device session')} ended`;
    }
    case 'account.locked': {
      const attempts = count(d, 'failedAttempts');
      const until = text(d, 'until');
      const after = attempts === null ? '' : ` after ${plural(attempts, 'failed attempt')}`;
      const upTo =
        until !== null && !Number.isNaN(Date.parse(until)) ? ` until ${formatClock(until, style)}` : '';
      return `Account locked${after}${upTo}`;
    }
    case 'login.succeeded':
      return 'Signed in';
    case 'login.failed':
      return text(d, 'reason') === 'wrong-key' ? 'Wrong master password entered' : 'Sign-in failed';
    case 'rate.limited': {
      const wait = count(d, 'retryAfterSeconds');
      const lasting = wait === null ? '' : ` for ${formatWait(wait)}`;
      return text(d, 'reason') === 'account-locked'
        ? `Sign-in refused: account locked${wait === null ? '' : ` for another ${formatWait(wait)}`}`
        : `Too many requests: refused${lasting}`;
    }
    case 'refresh.reused':
      return 'A refresh token was used a second time: someone may hold a copy of it';
    case 'session.revoked':
      switch (text(d, 'reason')) {
        case 'logout':
          return 'Signed out';
        case 'refresh-reuse':
          return 'Session ended: a refresh token was used twice';
        default:
          return 'Session ended';
      }
    case 'token.expired':
      return text(d, 'kind') === 'refresh'
        ? 'An expired refresh token was refused'
        : 'An expired access token was refused';
    case 'push.refused':
      return refusedPush(d);
    case 'push.conflict-storm': {
      const conflicts = count(d, 'conflicts');
      const changes = count(d, 'changes');
      return conflicts === null || changes === null
        ? 'Sync sent many out-of-date changes at once'
        : `Sync sent ${conflicts} of ${plural(changes, 'change')} based on out-of-date copies`;
    }
    case 'recovery.key-created':
      return d.replaced === true
        ? 'New recovery key created; the previous one no longer works'
        : 'Recovery key created';
    case 'recovery.failed':
      switch (text(d, 'reason')) {
        case 'wrong-key':
          return 'Wrong recovery key entered';
        case 'no-recovery-key':
          return 'Account recovery tried, but no recovery key is set';
        default:
          return 'Account recovery failed';
      }
    case 'account.recovered': {
      const ended = count(d, 'sessionsEnded');
      return `Master password reset with the recovery key${ended === null ? '' : `; ${plural(ended, 'device session')} ended`}`;
    }
    case 'password.changed': {
      const ended = count(d, 'otherSessionsEnded');
      return `Master password changed${ended === null ? '' : `; ${plural(ended, 'other device session')} ended`}`;
    }
    case 'kdf.upgraded': {
      const alg = KDF_NAMES[text(d, 'alg') ?? ''];
      return `Master password protection strengthened${alg ? ` (${alg})` : ''}`;
    }
    case 'key.rotation-started': {
      const version = count(d, 'keyVersion');
      return `Encryption key replacement started${version === null ? '' : ` (key version ${version})`}`;
    }
    case 'key.rotated': {
      const version = count(d, 'keyVersion');
      const ended = count(d, 'otherSessionsEnded');
      return `Encryption key replaced${version === null ? '' : ` (key version ${version})`}${ended === null ? '' : `; ${plural(ended, 'other device session')} ended`}`;
    }
    case 'vault.reset': {
      const deleted = count(d, 'itemsDeleted');
      return `Vault reset under a new master password${deleted === null ? '' : `; ${plural(deleted, 'item')} deleted`}`;
    }
    default:
      return `Security event: ${event.type}`;
  }
}

/** The key derivation functions' names as a user may know them. */
const KDF_NAMES: Record<string, string> = { argon2id: 'Argon2id', 'pbkdf2-sha256': 'PBKDF2-SHA-256' };

/**
 * A device session's stable short name: the first 8 hex digits of its id (a random UUID), the
 * same on every event of that session, so the entries of one device read as one.
 */
export const shortSessionId = (sessionId: string) => sessionId.replaceAll('-', '').slice(0, 8).toLowerCase();

/**
 * Which device: "This device" for the session this extension is signed in with, otherwise the
 * name the device gave at sign-in; "(signed out)" once its session ended. Null for events that
 * belong to no session (account created, a failed sign-in).
 */
export function describeDevice(device: ActivityEvent['device']): string | null {
  if (!device) return null;
  const name = device.current ? 'This device' : (device.name ?? 'A device no longer known');
  return `${name} · session ${shortSessionId(device.sessionId)}${device.ended ? ' (signed out)' : ''}`;
}

/** From where: the address the server saw (an IPv4 address as such, not IPv4-mapped IPv6). */
export function describeAddress(ip: string | null): string | null {
  if (!ip) return null;
  return `from ${ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')}`;
}
