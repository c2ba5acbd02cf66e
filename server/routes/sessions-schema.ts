import { z } from 'zod';
import { authKey, deviceName, email, kdfParams, keyVersion, pendingRotation } from './common-schema.ts';

export const loginRequest = z.object({
  email,
  authKey,
  /** Ignored since issue 10: a device seals its own name (PUT /v1/sessions/current/name). */
  deviceName: deviceName.optional(),
  /** The device token an earlier login on this device received for this email (lockout bypass). */
  deviceToken: z.string().min(1).max(200).optional(),
});
export type LoginRequest = z.input<typeof loginRequest>;

const sessionTokens = z.object({
  /** Sender-constrained (RFC 9449): send `Authorization: DPoP <token>` with a proof by the login's key. */
  tokenType: z.literal('DPoP'),
  accessToken: z.string(),
  refreshToken: z.string(),
  accessExpiresAt: z.iso.datetime(),
});

/** A new device session: also the reply of POST /v1/accounts/recovery/complete. */
export const loginResponse = sessionTokens.extend({
  accountId: z.uuid(),
  /** The new device session (GET /v1/sessions marks it `current` for this device). */
  sessionId: z.uuid(),
  wrappedVaultKey: z.string(),
  kdf: kdfParams,
  salt: z.string(),
  /** The version of the vault key in `wrappedVaultKey`. */
  keyVersion,
  /** A rotation in progress (finish it before anything else), or null. */
  rotation: pendingRotation,
  /**
   * Present it at this email's next login from this device: that login is counted on the token's
   * own limit key, so an account lock triggered elsewhere does not keep this device out.
   */
  deviceToken: z.string(),
});
export type LoginResponse = z.infer<typeof loginResponse>;

export const refreshRequest = z.object({ refreshToken: z.string().min(1).max(200) });
export type RefreshRequest = z.input<typeof refreshRequest>;

export const refreshResponse = sessionTokens;
export type RefreshResponse = z.infer<typeof refreshResponse>;
