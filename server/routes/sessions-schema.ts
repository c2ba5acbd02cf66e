import { z } from 'zod';
import { authKey, deviceName, email, kdfParams, keyVersion, pendingRotation } from './common-schema.ts';

export const loginRequest = z.object({
  email,
  authKey,
  deviceName,
});
export type LoginRequest = z.input<typeof loginRequest>;

const sessionTokens = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessExpiresAt: z.iso.datetime(),
});

/** A new device session: also the reply of POST /v1/accounts/recovery/complete. */
export const loginResponse = sessionTokens.extend({
  accountId: z.uuid(),
  wrappedVaultKey: z.string(),
  kdf: kdfParams,
  salt: z.string(),
  /** The version of the vault key in `wrappedVaultKey`. */
  keyVersion,
  /** A rotation in progress (finish it before anything else), or null. */
  rotation: pendingRotation,
});
export type LoginResponse = z.infer<typeof loginResponse>;

export const refreshRequest = z.object({ refreshToken: z.string().min(1).max(200) });
export type RefreshRequest = z.input<typeof refreshRequest>;

export const refreshResponse = sessionTokens;
export type RefreshResponse = z.infer<typeof refreshResponse>;
