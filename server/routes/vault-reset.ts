import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { keyVersionStale, lockAccount, recoveryCleared, rotationCleared } from '../account-keys.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { hashAuthKey } from '../auth-hash.ts';
import { accounts, items } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import { assertKdfFloor } from '../policy.ts';
import { notifyChange } from '../push/notifier.ts';
import { revokeSessionsOf } from './sessions.ts';
import { type VaultResetResponse, vaultResetRequest, vaultResetResponse } from './vault-reset-schema.ts';

export * from './vault-reset-schema.ts';

/**
 * Vault reset (docs/protocol.md, "Key lifecycle"): the user lost the master password and the
 * recovery key. Only a device whose session is still valid may do it — never the email alone. Every
 * item is deleted (no tombstones: nothing of the old vault stays), the keys and credentials start
 * afresh at a key version above every one in use, and every other session ends.
 */
export const vaultResetRoutes = new Hono<AppEnv>().post(
  '/current/reset',
  describe({
    summary: 'Reset the vault: a fresh, empty vault under a new master password',
    tag: 'keys',
    answers: {
      200: {
        description: 'The vault is empty at the new key version; other sessions ended.',
        schema: vaultResetResponse,
      },
    },
  }),
  requireScope('account'),
  jsonBody(vaultResetRequest),
  async (c) => {
    const body = c.req.valid('json');
    const { db, now, policy } = c.var.deps;
    const { accountId, sessionId } = c.var.auth;
    assertKdfFloor(body.kdf, policy);
    const authHash = await hashAuthKey(Buffer.from(body.authKey, 'base64url'));
    const at = now();
    await inScope(db, { account: accountId }, async (tx) => {
      const account = await lockAccount(tx, accountId);
      // Above a pending rotation's version too: a device holding that key must not write either.
      const next = (account.rotationKeyVersion ?? account.keyVersion) + 1;
      if (body.keyVersion !== next) {
        throw keyVersionStale(`A vault reset must create key version ${next}.`);
      }
      const deleted = await tx
        .delete(items)
        .where(eq(items.accountId, accountId))
        .returning({ deleted: items.deleted });
      const itemsDeleted = deleted.filter((row) => !row.deleted).length;
      // Devices that pull next see the revision move on (and nothing of the old vault).
      const revision = account.revision + 1;
      await tx
        .update(accounts)
        .set({
          authHash,
          salt: body.salt,
          kdf: body.kdf,
          wrappedVaultKey: body.wrappedVaultKey,
          keyVersion: body.keyVersion,
          passwordHistory: body.passwordHistory,
          passwordChangedAt: at,
          revision,
          ...recoveryCleared,
          ...rotationCleared,
        })
        .where(eq(accounts.id, accountId));
      await notifyChange(tx, { accountId, revision });
      const otherSessionsEnded = await revokeSessionsOf(tx, accountId, sessionId, at, 'vault-reset');
      await recordAudit(tx, auditMeta(c, at), {
        type: 'vault.reset',
        accountId,
        sessionId,
        payload: { itemsDeleted, keyVersion: body.keyVersion, otherSessionsEnded },
      });
    });
    const reply: VaultResetResponse = { keyVersion: body.keyVersion };
    return c.json(reply, 200);
  },
);
