import { z } from 'zod';
import { authKey, email, kdfParams } from './common-schema.ts';

export const loginRequest = z.object({
  email,
  authKey,
  deviceName: z.string().trim().min(1).max(100),
});
export type LoginRequest = z.input<typeof loginRequest>;

const sessionTokens = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessExpiresAt: z.iso.datetime(),
});

export const loginResponse = sessionTokens.extend({
  accountId: z.uuid(),
  wrappedVaultKey: z.string(),
  kdf: kdfParams,
  salt: z.string(),
});
export type LoginResponse = z.infer<typeof loginResponse>;

export const refreshRequest = z.object({ refreshToken: z.string().min(1).max(200) });
export type RefreshRequest = z.input<typeof refreshRequest>;

export const refreshResponse = sessionTokens;
export type RefreshResponse = z.infer<typeof refreshResponse>;
