import { z } from 'zod';
import { kdfParams } from '../../server/routes/common-schema.ts';
import { loginResponse } from '../../server/routes/sessions-schema.ts';

/**
 * The replies of the issue-9 account routes the recovery flow calls (contract routes 3, 5, 6),
 * checked as every reply is (a reply that does not match is NOT_KEYHOLD). Unknown keys are
 * ignored, so the server may add some.
 */

const rotation = z.object({
  keyVersion: z.number().int().min(2),
  wrappedVaultKey: z.string(),
  wrappedByPrevious: z.string(),
});

/** `GET /v1/accounts/current`. */
export const accountKeysResponse = z.object({
  accountId: z.uuid(),
  email: z.string(),
  kdf: kdfParams,
  salt: z.string(),
  keyVersion: z.number().int().min(1),
  wrappedVaultKey: z.string(),
  rotation: rotation.nullable(),
  recovery: z.object({ createdAt: z.iso.datetime({ offset: true }) }).nullable(),
  passwordChangedAt: z.iso.datetime({ offset: true }),
  passwordHistory: z.string().nullable(),
});
export type AccountKeys = z.infer<typeof accountKeysResponse>;

/** `POST /v1/accounts/recovery`. */
export const recoveryResponse = z.object({
  accountId: z.uuid(),
  keyVersion: z.number().int().min(1),
  recoveryWrappedVaultKey: z.string(),
  rotation: z.object({ keyVersion: z.number().int().min(2), wrappedByPrevious: z.string() }).nullable(),
  passwordHistory: z.string().nullable(),
});
export type RecoveryResponse = z.infer<typeof recoveryResponse>;

/** `POST /v1/accounts/recovery/complete`: a login reply (a new device session). */
export const recoveryCompleteResponse = loginResponse;

export interface SetRecoveryRequest {
  authKey: string;
  recoveryAuthKey: string;
  recoveryWrappedVaultKey: string;
  keyVersion: number;
}

export interface RecoverRequest {
  email: string;
  recoveryAuthKey: string;
}

export interface CompleteRecoveryRequest {
  email: string;
  recoveryAuthKey: string;
  kdf: z.input<typeof kdfParams>;
  salt: string;
  authKey: string;
  wrappedVaultKey: string;
  keyVersion: number;
  rotationWrappedVaultKey?: string;
  passwordHistory: string;
  deviceName: string;
}
