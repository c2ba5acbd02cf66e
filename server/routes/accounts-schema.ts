import { z } from 'zod';
import {
  authKey,
  clientId,
  email,
  kdfParams,
  keyVersion,
  passwordHistory,
  pendingRotation,
  salt,
  wrappedKey,
} from './common-schema.ts';

export const registerRequest = z.object({
  accountId: clientId,
  email,
  kdf: kdfParams,
  salt,
  authKey,
  wrappedVaultKey: wrappedKey,
  /** The first password's keyed hash, sealed by the vault key (version 1). */
  passwordHistory: passwordHistory.nullable().optional(),
});
export type RegisterRequest = z.input<typeof registerRequest>;

export const registerResponse = z.object({ accountId: z.uuid() });
export type RegisterResponse = z.infer<typeof registerResponse>;

export const preloginRequest = z.object({ email });
export type PreloginRequest = z.input<typeof preloginRequest>;

export const preloginResponse = z.object({ kdf: kdfParams, salt: z.string() });
export type PreloginResponse = z.infer<typeof preloginResponse>;

/**
 * `GET /v1/accounts/current`: everything a signed-in device needs to follow the account's keys
 * (a rotation or password change made elsewhere) without logging in again.
 */
export const accountKeysResponse = z.object({
  accountId: z.uuid(),
  email: z.string(),
  kdf: kdfParams,
  salt: z.string(),
  keyVersion,
  wrappedVaultKey: z.string(),
  rotation: pendingRotation,
  recovery: z.object({ createdAt: z.iso.datetime() }).nullable(),
  passwordChangedAt: z.iso.datetime(),
  passwordHistory: z.string().nullable(),
});
export type AccountKeys = z.infer<typeof accountKeysResponse>;

/** Deleting the account proves the master password again (its auth key), not just a token. */
export const deleteAccountRequest = z.object({ authKey });
export type DeleteAccountRequest = z.input<typeof deleteAccountRequest>;
