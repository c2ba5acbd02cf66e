import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { assertCurrentKey, credentialsChanged, existingAccount, lockAccount } from '../account-keys.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { hashAuthKey } from '../auth-hash.ts';
import { accounts, deviceSessions } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { proveMasterPassword } from '../lockout.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import { assertKdfFloor } from '../policy.ts';
import {
  type ChangePasswordResponse,
  changePasswordRequest,
  changePasswordResponse,
} from './password-schema.ts';
import { revokeSessionsOf } from './sessions.ts';

export * from './password-schema.ts';

/**
 * Changing the master password (or only its KDF parameters) while knowing the current one
 * (docs/protocol.md, "Key lifecycle"). Of two devices changing it at once, exactly one wins: the
 * other finds its session ended or the stored hash no longer the one it proved, and is told so.
 */
export const passwordRoutes = new Hono<AppEnv>().post(
  '/current/password',
  describe({
    summary: 'Change the master password (or only its KDF parameters)',
    tag: 'keys',
    answers: { 200: { description: 'The credentials changed.', schema: changePasswordResponse } },
  }),
  requireScope('account'),
  jsonBody(changePasswordRequest),
  async (c) => {
    const body = c.req.valid('json');
    const { db, now, policy } = c.var.deps;
    const { accountId, sessionId } = c.var.auth;
    assertKdfFloor(body.kdf, policy);
    // A stale or rotating vault key is refused before the password is checked (and counted).
    await inScope(db, { account: accountId }, async (tx) => {
      const [account] = await tx.select().from(accounts).where(eq(accounts.id, accountId));
      assertCurrentKey(existingAccount(account), body.keyVersion);
    });
    const proven = await proveMasterPassword(c, body.currentAuthKey, `password-${body.reason}`);
    const authHash = await hashAuthKey(Buffer.from(body.authKey, 'base64url'));
    const at = now();
    const passwordChangedAt = await inScope(db, { account: accountId }, async (tx) => {
      const account = await lockAccount(tx, accountId);
      // Another device changed the password first: it ended this session, or the hash moved on.
      const [session] = await tx
        .select({ revokedAt: deviceSessions.revokedAt })
        .from(deviceSessions)
        .where(eq(deviceSessions.id, sessionId));
      if (!session || session.revokedAt || account.authHash !== proven.authHash) throw credentialsChanged();
      assertCurrentKey(account, body.keyVersion);
      const change = body.reason === 'change';
      const changedAt = change ? at : account.passwordChangedAt;
      await tx
        .update(accounts)
        .set({
          authHash,
          salt: body.salt,
          kdf: body.kdf,
          wrappedVaultKey: body.wrappedVaultKey,
          passwordHistory: body.passwordHistory,
          passwordChangedAt: changedAt,
        })
        .where(eq(accounts.id, accountId));
      const meta = auditMeta(c, at);
      if (change) {
        const otherSessionsEnded = await revokeSessionsOf(tx, accountId, sessionId, at, 'password-change');
        await recordAudit(tx, meta, {
          type: 'password.changed',
          accountId,
          sessionId,
          payload: { otherSessionsEnded },
        });
      } else {
        await recordAudit(tx, meta, {
          type: 'kdf.upgraded',
          accountId,
          sessionId,
          payload: { alg: body.kdf.alg, previousAlg: account.kdf.alg },
        });
      }
      return changedAt;
    });
    const reply: ChangePasswordResponse = { passwordChangedAt: passwordChangedAt.toISOString() };
    return c.json(reply, 200);
  },
);
