import { z } from 'zod';
import { authKey, kdfParams, keyVersion, passwordHistory, salt, wrappedKey } from './common-schema.ts';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

/**
 * Why the credentials change: `change` — a new master password (every other session ends);
 * `kdf-upgrade` — the same password under stronger KDF parameters (nothing else changes).
 */
export const passwordChangeReasons = ['change', 'kdf-upgrade'] as const;
export type PasswordChangeReason = (typeof passwordChangeReasons)[number];

/**
 * `POST /v1/accounts/current/password`: the current master password proven (`currentAuthKey`), the
 * new one's credentials and the vault key of `keyVersion` re-wrapped by its wrapping key.
 */
export const changePasswordRequest = z.object({
  currentAuthKey: authKey,
  authKey,
  kdf: kdfParams,
  salt,
  wrappedVaultKey: wrappedKey,
  keyVersion,
  passwordHistory: passwordHistory.nullable(),
  reason: z.enum(passwordChangeReasons),
});
export type ChangePasswordRequest = z.input<typeof changePasswordRequest>;

export const changePasswordResponse = z.object({ passwordChangedAt: z.iso.datetime() });
export type ChangePasswordResponse = z.infer<typeof changePasswordResponse>;
