import { storage } from 'wxt/utils/storage';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import type { PasswordReminder } from '../messaging/protocol.ts';

/**
 * The optional reminder to change an old master password (never a forced expiry: NIST SP 800-63B
 * §5.1.1.2, docs/accounts.md). Only when the server's policy sets `passwordReminderDays`: once the
 * password is older than that, the items screen shows a banner; dismissing it silences it for another
 * period. What it needs is kept locally so the banner shows without asking the server.
 */

interface ReminderRecord {
  accountId: string;
  /** When the server says the master password was last set. */
  passwordChangedAt: string;
  /** The policy's period; null: no reminder. */
  days: number | null;
  dismissedAt: string | null;
}

const reminderItem = storage.defineItem<ReminderRecord | null>('local:password-reminder', {
  fallback: null,
  version: 1,
});

const DAY_MS = 86_400_000;

/** After an unlock or a password change: what the server said, keeping a dismissal of the same password. */
export async function recordPasswordAge(
  accountId: string,
  passwordChangedAt: string,
  policy: Pick<PasswordPolicy, 'passwordReminderDays'>,
): Promise<void> {
  const before = await reminderItem.getValue();
  const samePassword = before?.accountId === accountId && before.passwordChangedAt === passwordChangedAt;
  await reminderItem.setValue({
    accountId,
    passwordChangedAt,
    days: policy.passwordReminderDays,
    dismissedAt: samePassword ? before.dismissedAt : null,
  });
}

/** A change made here: the reminder starts over (the period stays what the policy said). */
export async function recordPasswordChanged(accountId: string, passwordChangedAt: string): Promise<void> {
  const before = await reminderItem.getValue();
  await reminderItem.setValue({
    accountId,
    passwordChangedAt,
    days: before?.accountId === accountId ? before.days : null,
    dismissedAt: null,
  });
}

export async function passwordReminder(accountId: string, now: Date): Promise<PasswordReminder> {
  const r = await reminderItem.getValue();
  if (!r || r.accountId !== accountId || r.days === null)
    return {
      due: false,
      passwordChangedAt: r?.accountId === accountId ? r.passwordChangedAt : null,
      days: null,
    };
  const age = now.getTime() - Date.parse(r.passwordChangedAt);
  const quiet = r.dismissedAt !== null && now.getTime() - Date.parse(r.dismissedAt) < r.days * DAY_MS;
  return { due: age >= r.days * DAY_MS && !quiet, passwordChangedAt: r.passwordChangedAt, days: r.days };
}

export async function dismissPasswordReminder(accountId: string, now: Date): Promise<void> {
  const r = await reminderItem.getValue();
  if (r?.accountId === accountId) await reminderItem.setValue({ ...r, dismissedAt: now.toISOString() });
}

export const forgetPasswordReminder = () => reminderItem.removeValue();
