import type { ExportFormat } from '../../server/routes/vault-export-schema.ts';
import { currentLanguage, t } from '../i18n/index.ts';
import { formatWait } from '../messaging/error-messages.ts';
import type { ActivityEvent } from '../messaging/protocol.ts';

/**
 * Account activity in words a user reads: what happened, when, on which device, from where. The
 * event types and their details are the server's (server/audit/event-types.ts and the places that
 * record them); a type this extension does not know yet is still shown, by its name.
 */

/** How dates are written: the language shown now and the browser's time zone unless told otherwise. */
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
/** A moment as the list shows it: date and time to the second, in the language shown now. */
export function formatWhen(iso: string, style: DateStyle = {}): string {
  return new Date(iso).toLocaleString(style.locale ?? currentLanguage(), {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: style.timeZone,
  });
}

const formatClock = (iso: string, style: DateStyle) =>
  new Date(iso).toLocaleTimeString(style.locale ?? currentLanguage(), {
    timeStyle: 'short',
    timeZone: style.timeZone,
  });

/** Why the server refused a sync, by its error code (server/routes/sync.ts records 400s and 413s). */
function refusedPush(details: Details): string {
  const code = text(details, 'code');
  const field = text(details, 'field');
  switch (code) {
    case 'VALIDATION':
      return field ? t('activity.pushInvalidField', { field }) : t('activity.pushInvalid');
    case 'MALFORMED_JSON':
      return t('activity.pushGarbled');
    case 'PAYLOAD_TOO_LARGE':
      return t('activity.pushTooLarge');
    default:
      return code ? t('activity.pushRefusedCode', { code }) : t('activity.pushRefused');
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
      return t('activity.accountCreated');
    case 'account.deleted': {
      const ended = count(d, 'sessionsEnded');
      return ended === null ? t('activity.accountDeleted') : t('activity.accountDeletedEnded', ended);
    }
    case 'account.locked': {
      const attempts = count(d, 'failedAttempts');
      const until = text(d, 'until');
      const time = until !== null && !Number.isNaN(Date.parse(until)) ? formatClock(until, style) : null;
      if (attempts === null)
        return time === null ? t('activity.accountLocked') : t('activity.accountLockedUntil', { time });
      return time === null
        ? t('activity.accountLockedAfter', attempts)
        : t('activity.accountLockedAfterUntil', attempts, [attempts], { time });
    }
    case 'login.succeeded':
      return t('activity.signedIn');
    case 'login.failed':
      return text(d, 'reason') === 'wrong-key' ? t('activity.wrongPassword') : t('activity.signInFailed');
    case 'rate.limited': {
      const wait = count(d, 'retryAfterSeconds');
      if (text(d, 'reason') === 'account-locked')
        return wait === null
          ? t('activity.lockedRefused')
          : t('activity.lockedRefusedFor', { wait: formatWait(wait) });
      return wait === null
        ? t('activity.tooManyRequests')
        : t('activity.tooManyRequestsFor', { wait: formatWait(wait) });
    }
    case 'refresh.reused':
      return t('activity.refreshReused');
    case 'session.revoked':
      switch (text(d, 'reason')) {
        case 'logout':
          return t('activity.revoked.logout');
        case 'remote-logout':
          return t('activity.revoked.remoteLogout');
        case 'others-logged-out':
          return t('activity.revoked.othersLoggedOut');
        case 'idle':
          return t('activity.revoked.idle');
        case 'absolute':
          return t('activity.revoked.absolute');
        case 'session-cap':
          return t('activity.revoked.sessionCap');
        case 'refresh-reuse':
          return t('activity.revoked.refreshReuse');
        case 'password-change':
          return t('activity.revoked.passwordChange');
        case 'recovery':
          return t('activity.revoked.recovery');
        case 'key-rotation':
          return t('activity.revoked.keyRotation');
        case 'vault-reset':
          return t('activity.revoked.vaultReset');
        case 'operator':
          return t('activity.revoked.operator');
        default:
          return t('activity.revoked.other');
      }
    case 'token.expired':
      return text(d, 'kind') === 'refresh' ? t('activity.refreshExpired') : t('activity.accessExpired');
    case 'push.refused':
      return refusedPush(d);
    case 'push.conflict-storm': {
      const conflicts = count(d, 'conflicts');
      const changes = count(d, 'changes');
      return conflicts === null || changes === null
        ? t('activity.conflictStorm')
        : t('activity.conflictStormCounted', changes, [changes], { conflicts });
    }
    case 'recovery.key-created':
      return d.replaced === true ? t('activity.recoveryKeyReplaced') : t('activity.recoveryKeyCreated');
    case 'recovery.failed':
      switch (text(d, 'reason')) {
        case 'wrong-key':
          return t('activity.wrongRecoveryKey');
        case 'no-recovery-key':
          return t('activity.noRecoveryKey');
        default:
          return t('activity.recoveryFailed');
      }
    case 'account.recovered': {
      const ended = count(d, 'sessionsEnded');
      return ended === null ? t('activity.recovered') : t('activity.recoveredEnded', ended);
    }
    case 'password.changed': {
      const ended = count(d, 'otherSessionsEnded');
      return ended === null ? t('activity.passwordChanged') : t('activity.passwordChangedEnded', ended);
    }
    case 'kdf.upgraded': {
      const alg = KDF_NAMES[text(d, 'alg') ?? ''];
      return alg ? t('activity.kdfUpgradedTo', { alg }) : t('activity.kdfUpgraded');
    }
    case 'key.rotation-started': {
      const version = count(d, 'keyVersion');
      return version === null
        ? t('activity.rotationStarted')
        : t('activity.rotationStartedVersion', { version });
    }
    case 'key.rotated': {
      const version = count(d, 'keyVersion');
      const ended = count(d, 'otherSessionsEnded');
      if (version === null) return ended === null ? t('activity.rotated') : t('activity.rotatedEnded', ended);
      return ended === null
        ? t('activity.rotatedVersion', { version })
        : t('activity.rotatedVersionEnded', ended, [ended], { version });
    }
    case 'vault.reset': {
      const deleted = count(d, 'itemsDeleted');
      return deleted === null ? t('activity.vaultReset') : t('activity.vaultResetDeleted', deleted);
    }
    case 'vault.exported': {
      const format = exportFormatName(text(d, 'format'));
      const items = count(d, 'items');
      if (items === null)
        return format === null ? t('activity.vaultExported') : t('activity.vaultExportedAs', { format });
      return format === null
        ? t('activity.vaultExportedItems', items)
        : t('activity.vaultExportedAsItems', items, [items], { format });
    }
    case 'database.restored':
      return t('activity.databaseRestored');
    default:
      return t('activity.unknown', { type: event.type });
  }
}

/** What kind of file an export wrote (server/routes/vault-export-schema.ts): every format has words. */
const EXPORT_FORMAT_NAMES: Record<ExportFormat, () => string> = {
  keyhold: () => t('activity.exportFormat.keyhold'),
  json: () => t('activity.exportFormat.json'),
  csv: () => t('activity.exportFormat.csv'),
};
const exportFormatName = (format: string | null): string | null =>
  format !== null && Object.hasOwn(EXPORT_FORMAT_NAMES, format)
    ? EXPORT_FORMAT_NAMES[format as ExportFormat]()
    : null;

/** The key derivation functions' names as a user may know them. */
const KDF_NAMES: Record<string, string> = { argon2id: 'Argon2id', 'pbkdf2-sha256': 'PBKDF2-SHA-256' };

/**
 * A device session's stable short name: the first 8 hex digits of its id (a random UUID), the
 * same on every event of that session, so the entries of one device read as one.
 */
export const shortSessionId = (sessionId: string) => sessionId.replaceAll('-', '').slice(0, 8).toLowerCase();

/**
 * Which device: "This device" for the session this extension is signed in with, otherwise the
 * name the device sealed for its session (opened by the worker, or "Unnamed device"); "(signed
 * out)" once its session ended. Null for events that
 * belong to no session (account created, a failed sign-in).
 */
export function describeDevice(device: ActivityEvent['device']): string | null {
  if (!device) return null;
  const name = device.current ? t('activity.thisDevice') : (device.name ?? t('activity.unnamedDevice'));
  const session = shortSessionId(device.sessionId);
  return device.ended
    ? t('activity.deviceEnded', { name, session })
    : t('activity.device', { name, session });
}

/** From where: the address the server saw (an IPv4 address as such, not IPv4-mapped IPv6). */
export function describeAddress(ip: string | null): string | null {
  if (!ip) return null;
  return t('activity.from', { ip: ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') });
}
