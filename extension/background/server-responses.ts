/**
 * The schemas the worker checks the sync server's answers with (the server owns them, in
 * server/routes). api-client.ts loads this module on its first request, not when the worker starts:
 * building ~170 zod schemas (and zod's first use) cost a cold worker ~30 ms before it could answer
 * the popup from the stored vault, which needs none of them (docs/performance.md).
 */
export {
  accountKeysResponse,
  preloginResponse,
  registerResponse,
} from '../../server/routes/accounts-schema.ts';
export { activityResponse } from '../../server/routes/activity-schema.ts';
export { errorResponse } from '../../server/routes/common-schema.ts';
export { deviceSessionsResponse, revokeOthersResponse } from '../../server/routes/devices-schema.ts';
export { rotationResponse } from '../../server/routes/key-rotation-schema.ts';
export { metaResponse } from '../../server/routes/meta-schema.ts';
export { changePasswordResponse } from '../../server/routes/password-schema.ts';
export { recoveryResponse } from '../../server/routes/recovery-schema.ts';
export { loginResponse, refreshResponse } from '../../server/routes/sessions-schema.ts';
export { changesResponse, pushResponse } from '../../server/routes/sync-schema.ts';
export { recordExportResponse } from '../../server/routes/vault-export-schema.ts';
export { vaultResetResponse } from '../../server/routes/vault-reset-schema.ts';
