/**
 * The worker's own request checks, for the popup forms that mark every wrong field at once before
 * anything is sent (create account and log in, forgot password, key rotation, the item editor).
 * zod comes with them, so this module is only ever loaded on demand (`loadFormChecks` in
 * use-form-checks.ts): it is not part of what the popup loads to paint its first screen.
 */
export { itemInputSchema } from '../messaging/item-input-schemas.ts';
export { requestSchemas } from '../messaging/protocol-schemas.ts';
