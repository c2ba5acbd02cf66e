import { meetsKdfFloor } from '../messaging/kdf-levels.ts';
import type { ServerFacts } from './api-client.ts';
import { upgradeKdfIfBelowFloor } from './kdf-upgrade.ts';
import { serverKeys } from './password-change.ts';
import { recordPasswordAge } from './password-reminder.ts';
import type { OpenVault } from './vault-service.ts';

/**
 * What an unlock does once the vault is open and the server answers, while the password is at hand:
 * the server's policy (one `GET /v1/meta`), a transparent KDF upgrade when the account is below the
 * floor, and the password's age for the optional reminder. Best effort: when any of it fails, the
 * next unlock tries again; the vault is open either way.
 */
export async function unlockUpkeep(
  v: OpenVault,
  password: string,
  /** The server's facts when asked for already (an unlock asks while its KDF runs). */
  facts: Promise<ServerFacts> = v.api.checkServer(),
): Promise<void> {
  const { policy } = await facts;
  if (!meetsKdfFloor(v.account.kdf, policy.kdfFloor)) await upgradeKdfIfBelowFloor(v, password, policy);
  if (policy.passwordReminderDays === null) return;
  const keys = await serverKeys(v);
  await recordPasswordAge(v.account.accountId, keys.passwordChangedAt, policy);
}
