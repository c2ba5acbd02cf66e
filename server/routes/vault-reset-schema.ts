import { z } from 'zod';
import { authKey, kdfParams, keyVersion, passwordHistory, salt, wrappedKey } from './common-schema.ts';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

/**
 * `POST /v1/accounts/current/reset`: a fresh, empty vault under a new master password, for a user who
 * lost both the master password and the recovery key. A valid device session is the only proof.
 * `keyVersion` is one above every version in use, so devices still holding the old keys are refused.
 */
export const vaultResetRequest = z.object({
  kdf: kdfParams,
  salt,
  authKey,
  wrappedVaultKey: wrappedKey,
  keyVersion,
  passwordHistory: passwordHistory.nullable(),
});
export type VaultResetRequest = z.input<typeof vaultResetRequest>;

export const vaultResetResponse = z.object({ keyVersion });
export type VaultResetResponse = z.infer<typeof vaultResetResponse>;
