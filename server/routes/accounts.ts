import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { hashAuthKey, verifyAuthKey } from '../auth-hash.ts';
import { accounts, deviceSessions } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { notifyRevocation } from '../push/notifier.ts';
import {
  deleteAccountRequest,
  type PreloginResponse,
  preloginRequest,
  registerRequest,
} from './accounts-schema.ts';
import type { KdfParamsWire } from './common-schema.ts';

export * from './accounts-schema.ts';

/** What an unknown email is told: the client's default KDF and a salt stable per (server, email). */
export const FAKE_KDF: KdfParamsWire = { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 };
export const FAKE_SALT_BYTES = 16;

export const fakeSalt = (secret: string, email: string): string =>
  createHmac('sha256', secret)
    .update(`keyhold/v1/prelogin-salt\0${email}`)
    .digest()
    .subarray(0, FAKE_SALT_BYTES)
    .toString('base64url');

const wrongKey = () => new ApiError(401, 'INVALID_CREDENTIALS', 'The master password is incorrect.');

export const accountRoutes = new Hono<AppEnv>()
  .post('/', jsonBody(registerRequest), async (c) => {
    const body = c.req.valid('json');
    const { db, now } = c.var.deps;
    const authHash = await hashAuthKey(Buffer.from(body.authKey, 'base64url'));
    const at = now();
    // The new account's own scope: it may insert its row and nothing else.
    const created = await inScope(db, { account: body.accountId }, async (tx) => {
      // Conflict on either the client-chosen id or the email: both mean "this account exists".
      const inserted = await tx
        .insert(accounts)
        .values({
          id: body.accountId,
          email: body.email,
          kdf: body.kdf,
          salt: body.salt,
          authHash,
          wrappedVaultKey: body.wrappedVaultKey,
          createdAt: at,
        })
        .onConflictDoNothing()
        .returning({ id: accounts.id });
      if (inserted.length === 0) return false;
      await recordAudit(tx, auditMeta(c, at), { type: 'account.created', accountId: body.accountId });
      return true;
    });
    if (!created) {
      throw new ApiError(409, 'ACCOUNT_EXISTS', 'An account with this email or id already exists.');
    }
    return c.json({ accountId: body.accountId }, 201);
  })
  .post('/prelogin', jsonBody(preloginRequest), async (c) => {
    const { email } = c.req.valid('json');
    const { db, secret } = c.var.deps;
    const [account] = await inScope(db, { email }, (tx) =>
      tx
        .select({ kdf: accounts.kdf, salt: accounts.salt })
        .from(accounts)
        .where(eq(accounts.email, email))
        .limit(1),
    );
    const reply: PreloginResponse = account ?? { kdf: FAKE_KDF, salt: fakeSalt(secret, email) };
    return c.json(reply, 200);
  })
  /**
   * Deletes the account with every item, session and token; its audit history stays (append-only).
   * Every device session ends on the next request and its push streams close.
   */
  .delete('/current', requireScope('account'), jsonBody(deleteAccountRequest), async (c) => {
    const { authKey } = c.req.valid('json');
    const { db, now } = c.var.deps;
    const { accountId, sessionId } = c.var.auth;
    const at = now();
    const outcome = await inScope(db, { account: accountId }, async (tx) => {
      const [account] = await tx
        .select({ authHash: accounts.authHash })
        .from(accounts)
        .where(eq(accounts.id, accountId))
        .for('update');
      if (!account) return 'gone' as const;
      if (!(await verifyAuthKey(Buffer.from(authKey, 'base64url'), account.authHash)))
        return 'wrong-key' as const;
      const sessions = await tx
        .select({ id: deviceSessions.id })
        .from(deviceSessions)
        .where(eq(deviceSessions.accountId, accountId));
      // Items, sessions and tokens go with the account (ON DELETE CASCADE).
      await tx.delete(accounts).where(eq(accounts.id, accountId));
      for (const session of sessions) await notifyRevocation(tx, { sessionId: session.id });
      await recordAudit(tx, auditMeta(c, at), {
        type: 'account.deleted',
        accountId,
        sessionId,
        payload: { sessionsEnded: sessions.length },
      });
      return 'deleted' as const;
    });
    if (outcome === 'wrong-key') throw wrongKey();
    if (outcome === 'gone') throw new ApiError(401, 'INVALID_TOKEN', 'The account no longer exists.');
    return c.body(null, 204);
  });
