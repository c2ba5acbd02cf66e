import { z } from 'zod';
import {
  authKey,
  deviceName,
  email,
  kdfParams,
  keyVersion,
  passwordHistory,
  salt,
  wrappedKey,
} from './common-schema.ts';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

/**
 * `PUT /v1/accounts/current/recovery`: a new recovery key (replacing any earlier one), after the
 * master password was entered again. `recoveryAuthKey` proves the recovery key later (the server
 * keeps a slow hash); `recoveryWrappedVaultKey` is the vault key of `keyVersion` wrapped by it.
 */
export const setRecoveryKeyRequest = z.object({
  authKey,
  recoveryAuthKey: authKey,
  recoveryWrappedVaultKey: wrappedKey,
  keyVersion,
});
export type SetRecoveryKeyRequest = z.input<typeof setRecoveryKeyRequest>;

/** `POST /v1/accounts/recovery`: "forgot master password", step 1 — prove the recovery key. */
export const recoveryRequest = z.object({ email, recoveryAuthKey: authKey });
export type RecoveryRequest = z.input<typeof recoveryRequest>;

/** What the recovery key opens: the vault key (and the one a pending rotation brings) and the history. */
export const recoveryResponse = z.object({
  accountId: z.uuid(),
  keyVersion,
  recoveryWrappedVaultKey: z.string(),
  rotation: z.object({ keyVersion, wrappedByPrevious: z.string() }).nullable(),
  passwordHistory: z.string().nullable(),
});
export type RecoveryResponse = z.infer<typeof recoveryResponse>;

/**
 * `POST /v1/accounts/recovery/complete`: step 2 — the new master password's credentials, proven by
 * the recovery key again. `rotationWrappedVaultKey` (the pending rotation's vault key wrapped by the
 * new password) is required exactly when a rotation is pending. Answered like a login.
 */
export const completeRecoveryRequest = z.object({
  email,
  recoveryAuthKey: authKey,
  kdf: kdfParams,
  salt,
  authKey,
  wrappedVaultKey: wrappedKey,
  keyVersion,
  rotationWrappedVaultKey: wrappedKey.optional(),
  passwordHistory: passwordHistory.nullable(),
  /** Ignored since issue 10, as at login (a device seals its own name). */
  deviceName: deviceName.optional(),
});
export type CompleteRecoveryRequest = z.input<typeof completeRecoveryRequest>;
