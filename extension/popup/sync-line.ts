import { currentLanguage, t } from '../i18n/index.ts';
import { errorMessage, errorMessages } from '../messaging/error-messages.ts';
import { ErrorCode, type VaultState } from '../messaging/protocol.ts';

/** Sync errors that are about the server's address: the line names it, as the sign-in form does. */
const ADDRESS_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.NotKeyhold,
  ErrorCode.TlsError,
  ErrorCode.ServerTooOld,
  ErrorCode.ServerTooNew,
]);

/** The list's one-line sync status. */
export function syncLine(s: VaultState): string {
  const error = s.sync.error;
  if (error && ADDRESS_ERRORS.has(error))
    return t('list.syncFailedAddress', [errorMessage(error, { serverUrl: s.serverUrl })]);
  if (error === ErrorCode.ServerUnreachable) return t('list.offline');
  if (error === ErrorCode.StorageFailed) return t('list.storageFull');
  if (error === ErrorCode.SessionExpired) return t('list.sessionExpired');
  if (error === ErrorCode.PasswordChangedElsewhere) return t('list.passwordChangedElsewhere');
  if (error === ErrorCode.RotationIncomplete) return errorMessages[error];
  if (error) return t('list.syncFailed');
  if (s.sync.unreadable > 0) return t('list.unreadable', [String(s.sync.unreadable)]);
  if (s.sync.pending > 0) return t('list.pendingChanges', [String(s.sync.pending)]);
  return s.sync.lastSyncAt
    ? t('list.synced', [new Date(s.sync.lastSyncAt).toLocaleTimeString(currentLanguage())])
    : t('list.notSynced');
}
