import { z } from 'zod';
import { authKey, clientId, email, envelope, kdfParams, salt } from './common-schema.ts';

export const registerRequest = z.object({
  accountId: clientId,
  email,
  kdf: kdfParams,
  salt,
  authKey,
  wrappedVaultKey: envelope(4096),
});
export type RegisterRequest = z.input<typeof registerRequest>;

export const registerResponse = z.object({ accountId: z.uuid() });
export type RegisterResponse = z.infer<typeof registerResponse>;

export const preloginRequest = z.object({ email });
export type PreloginRequest = z.input<typeof preloginRequest>;

export const preloginResponse = z.object({ kdf: kdfParams, salt: z.string() });
export type PreloginResponse = z.infer<typeof preloginResponse>;

/** Deleting the account proves the master password again (its auth key), not just a token. */
export const deleteAccountRequest = z.object({ authKey });
export type DeleteAccountRequest = z.input<typeof deleteAccountRequest>;
