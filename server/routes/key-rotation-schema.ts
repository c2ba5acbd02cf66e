import { z } from 'zod';
import { keyVersion, passwordHistory, wrappedKey } from './common-schema.ts';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

/**
 * `POST /v1/accounts/current/rotation`: a new vault key of version `keyVersion` (the account's + 1),
 * wrapped by the password wrapping key and by the current vault key (`wrappedByPrevious`).
 */
export const startRotationRequest = z.object({
  keyVersion,
  wrappedVaultKey: wrappedKey,
  wrappedByPrevious: wrappedKey,
});
export type StartRotationRequest = z.input<typeof startRotationRequest>;

/**
 * `POST /v1/accounts/current/rotation/complete`, once every live item's key is wrapped by the new
 * vault key: `passwordHistory` re-sealed under it (omitted or null: the account keeps none).
 */
export const completeRotationRequest = z.object({
  keyVersion,
  passwordHistory: passwordHistory.nullable().optional(),
});
export type CompleteRotationRequest = z.input<typeof completeRotationRequest>;

/** Both routes answer the version they are about. */
export const rotationResponse = z.object({ keyVersion });
export type RotationResponse = z.infer<typeof rotationResponse>;
