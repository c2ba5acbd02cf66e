import { eq } from 'drizzle-orm';
import { ApiError } from './api-error.ts';
import type { Db } from './db/client.ts';
import { accounts } from './db/schema.ts';
import { accountGone } from './lockout.ts';
import type { AccountKeys } from './routes/accounts-schema.ts';
import type { PendingRotation } from './routes/common-schema.ts';

/**
 * The account's key state as the routes of the key lifecycle read and answer it (docs/protocol.md,
 * "Key lifecycle"): its vault key version, a rotation in progress, the recovery key.
 */

export type AccountRow = typeof accounts.$inferSelect;

/** The rotation in progress, or null (the columns are all set or all null: a CHECK says so). */
export function rotationOf(account: AccountRow): PendingRotation {
  const { rotationKeyVersion, rotationWrappedVaultKey, rotationWrappedByPrevious } = account;
  if (rotationKeyVersion === null || rotationWrappedVaultKey === null || rotationWrappedByPrevious === null)
    return null;
  return {
    keyVersion: rotationKeyVersion,
    wrappedVaultKey: rotationWrappedVaultKey,
    wrappedByPrevious: rotationWrappedByPrevious,
  };
}

export function accountKeysOf(account: AccountRow): AccountKeys {
  return {
    accountId: account.id,
    email: account.email,
    kdf: account.kdf,
    salt: account.salt,
    keyVersion: account.keyVersion,
    wrappedVaultKey: account.wrappedVaultKey,
    rotation: rotationOf(account),
    recovery: account.recoveryCreatedAt ? { createdAt: account.recoveryCreatedAt.toISOString() } : null,
    passwordChangedAt: account.passwordChangedAt.toISOString(),
    passwordHistory: account.passwordHistory,
  };
}

/** The columns that forget a recovery key (it stops working). */
export const recoveryCleared = {
  recoveryAuthHash: null,
  recoveryWrappedVaultKey: null,
  recoveryCreatedAt: null,
} as const;

/** The columns that forget a rotation in progress. */
export const rotationCleared = {
  rotationKeyVersion: null,
  rotationWrappedVaultKey: null,
  rotationWrappedByPrevious: null,
} as const;

/** The row a query found for the signed-in account; none means it was deleted (401 INVALID_TOKEN). */
export function existingAccount(account: AccountRow | undefined): AccountRow {
  if (!account) throw accountGone();
  return account;
}

/**
 * Reads the account row and locks it for the rest of the transaction: every change of keys or
 * credentials (and every push) serialises on it. A deleted account is 401 INVALID_TOKEN.
 */
export async function lockAccount(tx: Db, accountId: string): Promise<AccountRow> {
  const [account] = await tx.select().from(accounts).where(eq(accounts.id, accountId)).for('update');
  return existingAccount(account);
}

export const keyVersionStale = (message = "This vault's encryption key was replaced on another device.") =>
  new ApiError(409, 'KEY_VERSION_STALE', message);

export const rotationPending = () =>
  new ApiError(
    409,
    'ROTATION_PENDING',
    'An encryption key rotation is in progress: finish it before changing the keys again.',
  );

export const credentialsChanged = () =>
  new ApiError(
    409,
    'CREDENTIALS_CHANGED',
    'The master password was changed on another device meanwhile. Log in again with the new one.',
  );

/** An action made for the vault key of `keyVersion` while another one is current (or a rotation runs). */
export function assertCurrentKey(account: AccountRow, keyVersion: number): void {
  if (keyVersion !== account.keyVersion) throw keyVersionStale();
  if (account.rotationKeyVersion !== null) throw rotationPending();
}
