import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { accountKeysOf, credentialsChanged, lockAccount } from '../account-keys.ts';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { hashAuthKey } from '../auth-hash.ts';
import { accounts, deviceSessions } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { accountGone, proveMasterPassword } from '../lockout.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import { assertKdfFloor } from '../policy.ts';
import { notifyRevocation } from '../push/notifier.ts';
import {
  accountKeysResponse,
  deleteAccountRequest,
  type PreloginResponse,
  preloginRequest,
  preloginResponse,
  type RegisterResponse,
  registerRequest,
  registerResponse,
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

export const accountRoutes = new Hono<AppEnv>()
  .post(
    '/',
    describe({
      summary: 'Register an account',
      tag: 'accounts',
      answers: { 201: { description: 'The account exists.', schema: registerResponse } },
    }),
    jsonBody(registerRequest),
    async (c) => {
      const body = c.req.valid('json');
      const { db, now, policy } = c.var.deps;
      assertKdfFloor(body.kdf, policy);
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
            passwordHistory: body.passwordHistory ?? null,
            createdAt: at,
            passwordChangedAt: at,
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
      return c.json({ accountId: body.accountId } satisfies RegisterResponse, 201);
    },
  )
  .post(
    '/prelogin',
    describe({
      summary: "The KDF parameters and salt of an email's account (made up for an unknown email)",
      tag: 'accounts',
      answers: { 200: { description: 'What to derive the keys with.', schema: preloginResponse } },
    }),
    jsonBody(preloginRequest),
    async (c) => {
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
    },
  )
  /** The account's keys and credentials' state, for a signed-in device to follow changes made elsewhere. */
  .get(
    '/current',
    describe({
      summary: "The account's keys and the state of its credentials",
      tag: 'accounts',
      answers: {
        200: { description: 'The account as a signed-in device follows it.', schema: accountKeysResponse },
      },
    }),
    requireScope('account'),
    async (c) => {
      const { accountId } = c.var.auth;
      const [account] = await inScope(c.var.deps.db, { account: accountId }, (tx) =>
        tx.select().from(accounts).where(eq(accounts.id, accountId)),
      );
      if (!account) throw accountGone();
      return c.json(accountKeysOf(account), 200);
    },
  )
  /**
   * Deletes the account with every item, session and token; its audit history stays (append-only).
   * Every device session ends on the next request and its push streams close. The auth key is a
   * guess like any other: it counts toward the lockout.
   */
  .delete(
    '/current',
    describe({
      summary: 'Delete the account with its items and sessions (the master password proven again)',
      tag: 'accounts',
      answers: { 204: { description: 'The account is gone; every session ended.' } },
    }),
    requireScope('account'),
    jsonBody(deleteAccountRequest),
    async (c) => {
      const { authKey } = c.req.valid('json');
      const { db, now } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      const proven = await proveMasterPassword(c, authKey, 'account-delete');
      const at = now();
      await inScope(db, { account: accountId }, async (tx) => {
        const account = await lockAccount(tx, accountId);
        if (account.authHash !== proven.authHash) throw credentialsChanged();
        const sessions = await tx
          .select({ id: deviceSessions.id })
          .from(deviceSessions)
          .where(eq(deviceSessions.accountId, accountId));
        // Items, sessions and tokens go with the account (ON DELETE CASCADE).
        await tx.delete(accounts).where(eq(accounts.id, accountId));
        for (const session of sessions)
          await notifyRevocation(tx, { sessionId: session.id, reason: 'account-deleted' });
        await recordAudit(tx, auditMeta(c, at), {
          type: 'account.deleted',
          accountId,
          sessionId,
          payload: { sessionsEnded: sessions.length },
        });
      });
      return c.body(null, 204);
    },
  );
