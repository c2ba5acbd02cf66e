import { type SessionEndedRecord, sessionEndedItem } from '../storage/items.ts';
import { storedPendingChanges } from './unsynced-changes.ts';

/**
 * The server ended this device's session (401 SESSION_ENDED with a `reason`, or the push stream's
 * last `bye`; docs/sessions.md "In the extension"). What the device does depends on why:
 *
 * - `follow`: the end only hands over something new the next sign-in carries (a key rotation made
 *   elsewhere: the auth key still works and nobody asked to sign this device out). Signs in again
 *   with the auth key it holds, as before.
 * - `new-password`: the master password changed (password change, recovery, vault reset, or the
 *   account is gone): the auth key it holds is out of date, so it is never sent (the lockout rule of
 *   device-tokens.ts); the vault stays open and asks for the new password ("Log in again").
 * - `sign-out`: the user or a limit signed this device out (remote logout, "log out all other
 *   devices", idle, absolute, the session cap, a reused refresh token…): the device forgets the
 *   session, locks (keys wiped) and does not sign itself in again — only the master password typed
 *   by the user does. The sealed cache and its unsynced edits stay for after that login.
 */
export type EndPolicy = 'follow' | 'new-password' | 'sign-out';

const NEW_PASSWORD: ReadonlySet<string> = new Set([
  'password-change',
  'recovery',
  'vault-reset',
  'account-deleted',
]);

/** An unknown (newer) reason signs out: the safe side of a remote logout. */
export function endPolicy(reason: string | undefined): EndPolicy {
  if (reason === 'key-rotation') return 'follow';
  if (reason !== undefined && NEW_PASSWORD.has(reason)) return 'new-password';
  return 'sign-out';
}

/** Records why this account's session ended, with the unsynced changes that wait for the next login. */
export async function recordSessionEnded(accountId: string, reason: string, now: Date): Promise<void> {
  await sessionEndedItem.setValue({
    accountId,
    reason,
    at: now.toISOString(),
    pending: await storedPendingChanges(),
  });
}

export const sessionEndedNotice = (): Promise<SessionEndedRecord | null> => sessionEndedItem.getValue();

/**
 * Forgets the notice once the user logged in again: all of it, or — `seen` — only the one that was
 * shown before (a notice recorded during that very login is about it and stays to be read).
 */
export async function clearSessionEnded(seen?: SessionEndedRecord): Promise<void> {
  const current = await sessionEndedItem.getValue();
  if (!current) return;
  if (seen && (current.at !== seen.at || current.reason !== seen.reason)) return;
  await sessionEndedItem.removeValue();
}
