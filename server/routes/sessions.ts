import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { lockAccount, rotationOf } from '../account-keys.ts';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { dummyAuthHash, verifyAuthKey } from '../auth-hash.ts';
import { accounts } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import {
  acceptDpopProof,
  bindSessionKey,
  invalidDpopProof,
  rememberProof,
  verifyDpopProof,
} from '../dpop.ts';
import { issueDeviceToken } from '../limits/keys.ts';
import { guessSucceeded, recordWrongGuess, reserveGuess } from '../lockout.ts';
import { recordTokenExpired, requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import { rotateRefreshToken } from '../refresh-rotation.ts';
import {
  createSession,
  endSession,
  sessionEnded,
  sessionEndedError,
  sessionInUse,
  settleSignIn,
} from '../session-lifecycle.ts';
import { absoluteEnd } from '../session-limits.ts';
import { issueTokens, lookupToken, type Scope, scopes } from '../tokens.ts';
import {
  type LoginResponse,
  loginRequest,
  loginResponse,
  refreshRequest,
  refreshResponse,
} from './sessions-schema.ts';

export { revokeSession, revokeSessionsOf } from '../session-lifecycle.ts';
export * from './sessions-schema.ts';

const invalidCredentials = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'The email or master password is incorrect.');
const invalidRefresh = () =>
  new ApiError(401, 'INVALID_TOKEN', 'The refresh token is invalid or has expired.');

export const sessionRoutes = new Hono<AppEnv>()
  .post(
    '/',
    describe({
      summary: 'Sign in: a new device session bound to the DPoP proof’s key',
      tag: 'sessions',
      proofOnly: true,
      answers: {
        200: { description: 'The session’s tokens and the account’s keys.', schema: loginResponse },
      },
    }),
    jsonBody(loginRequest),
    async (c) => {
      const body = c.req.valid('json');
      // The new session's tokens are bound to the key that signed this proof.
      const proof = await acceptDpopProof(c, { tokenEndpoint: true });
      const { db, now, accessTokenTtlSeconds, sessionLimits } = c.var.deps;
      const at = now();
      const meta = auditMeta(c, at);
      // 1. As the email: find the account, if there is one.
      const [account] = await inScope(db, { email: body.email }, (tx) =>
        tx.select().from(accounts).where(eq(accounts.email, body.email)).limit(1),
      );
      // 2. Count the guess on the email's limit key (or a valid device token's), known or not; 429 if locked.
      const guess = await reserveGuess(c, meta, {
        email: body.email,
        accountId: account?.id ?? null,
        deviceToken: body.deviceToken,
      });
      // 3. An unknown email pays for the same scrypt as a wrong password, and gets the same answer.
      const ok = await verifyAuthKey(
        Buffer.from(body.authKey, 'base64url'),
        account?.authHash ?? (await dummyAuthHash()),
      );
      if (!account || !ok) {
        await recordWrongGuess(
          c,
          meta,
          {
            type: 'login.failed',
            accountId: account?.id ?? null,
            payload: { reason: account ? 'wrong-key' : 'unknown-account' },
          },
          guess,
        );
        throw invalidCredentials();
      }
      const { issued, current, sessionId } = await inScope(db, { account: account.id }, async (tx) => {
        // The password may have changed (or the account gone) while the key was being checked.
        const current = await lockAccount(tx, account.id);
        if (current.authHash !== account.authHash) throw invalidCredentials();
        const sessionId = await createSession(tx, meta, account.id);
        await bindSessionKey(tx, sessionId, proof.jkt);
        const issued = await issueTokens(tx, {
          hasher: c.var.deps.tokenHasher,
          accountId: account.id,
          sessionId,
          scopes,
          now: at,
          accessTtlSeconds: accessTokenTtlSeconds,
          refreshNotAfter: absoluteEnd(sessionLimits, at),
        });
        await recordAudit(tx, meta, { type: 'login.succeeded', accountId: account.id, sessionId });
        await settleSignIn(tx, meta, sessionLimits, { accountId: account.id, sessionId });
        return { issued, current, sessionId };
      });
      await guessSucceeded(c, guess);
      const reply: LoginResponse = {
        accountId: account.id,
        sessionId,
        ...issued,
        wrappedVaultKey: current.wrappedVaultKey,
        kdf: current.kdf,
        salt: current.salt,
        keyVersion: current.keyVersion,
        rotation: rotationOf(current),
        deviceToken: issueDeviceToken(c.var.deps.keyring, body.email),
      };
      return c.json(reply, 200);
    },
  )
  .post(
    '/refresh',
    describe({
      summary: 'Refresh: new tokens for the session (the refresh token rotates)',
      tag: 'sessions',
      proofOnly: true,
      answers: { 200: { description: 'New tokens.', schema: refreshResponse } },
    }),
    jsonBody(refreshRequest),
    async (c) => {
      const { refreshToken } = c.req.valid('json');
      const proof = await verifyDpopProof(c, { tokenEndpoint: true });
      const { db, now, accessTokenTtlSeconds, sessionLimits } = c.var.deps;
      const at = now();
      const { hash, row } = await lookupToken(db, c.var.deps.tokenHasher, refreshToken, 'refresh');
      // A session from before DPoP (no key) signs in again.
      if (!row?.jkt) throw invalidRefresh();
      // Only the session's own key renews it: a copied refresh token is worth nothing.
      if (row.jkt !== proof.jkt)
        throw invalidDpopProof('it is not signed by the key this token is bound to.');
      if (row.sessionRevokedAt) throw await sessionEndedError(db, row);
      if (row.revokedAt) throw invalidRefresh();
      await rememberProof(c, proof);
      // Idle and absolute limits first: a session past them says so rather than "token expired".
      await sessionInUse(c, row, at, { touch: false });
      if (row.expiresAt <= at) {
        await recordTokenExpired(c, row, 'refresh', at);
        throw invalidRefresh();
      }
      const outcome = await inScope(db, { account: row.accountId }, (tx) =>
        rotateRefreshToken(tx, auditMeta(c, at), {
          hash,
          hasher: c.var.deps.tokenHasher,
          accountId: row.accountId,
          sessionId: row.sessionId,
          scopes: row.scopes as Scope[],
          accessTtlSeconds: accessTokenTtlSeconds,
          limits: sessionLimits,
        }),
      );
      if ('invalid' in outcome) throw invalidRefresh();
      if ('ended' in outcome) throw sessionEnded(outcome.ended);
      return c.json(outcome.issued, 200);
    },
  )
  .delete(
    '/current',
    describe({
      summary: 'Sign out: end this device’s session',
      tag: 'sessions',
      answers: { 204: { description: 'The session ended.' } },
    }),
    requireScope('account'),
    async (c) => {
      const { db, now } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      const at = now();
      await inScope(db, { account: accountId }, (tx) =>
        endSession(tx, auditMeta(c, at), { accountId, sessionId, reason: 'logout' }),
      );
      return c.body(null, 204);
    },
  );
