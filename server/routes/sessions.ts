import { and, eq, isNull, ne } from 'drizzle-orm';
import { Hono } from 'hono';
import { lockAccount, rotationOf } from '../account-keys.ts';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { dummyAuthHash, verifyAuthKey } from '../auth-hash.ts';
import type { Db } from '../db/client.ts';
import { accounts, deviceSessions, tokens } from '../db/schema.ts';
import { declare, inScope } from '../db/scope.ts';
import { attemptsReset, lockedOut, recordWrongGuess, reserveGuess } from '../lockout.ts';
import { recordTokenExpired, requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { notifyRevocation } from '../push/notifier.ts';
import { createDeviceSession, findToken, hashToken, issueTokens, type Scope, scopes } from '../tokens.ts';
import { type LoginResponse, loginRequest, refreshRequest } from './sessions-schema.ts';

export * from './sessions-schema.ts';

const invalidCredentials = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'The email or master password is incorrect.');
const invalidRefresh = () =>
  new ApiError(401, 'INVALID_TOKEN', 'The refresh token is invalid or has expired.');

/** Ends a device session and its tokens; on commit every process closes its event streams. */
export async function revokeSession(tx: Db, sessionId: string, at: Date) {
  await tx
    .update(deviceSessions)
    .set({ revokedAt: at })
    .where(and(eq(deviceSessions.id, sessionId), isNull(deviceSessions.revokedAt)));
  await tx
    .update(tokens)
    .set({ revokedAt: at })
    .where(and(eq(tokens.sessionId, sessionId), isNull(tokens.revokedAt)));
  await notifyRevocation(tx, { sessionId });
}

/**
 * Ends every live device session of the account but `except` (the caller's own, or null for all):
 * a password change, recovery or key rotation. Returns how many ended.
 */
export async function revokeSessionsOf(tx: Db, accountId: string, except: string | null, at: Date) {
  const live = await tx
    .select({ id: deviceSessions.id })
    .from(deviceSessions)
    .where(
      and(
        eq(deviceSessions.accountId, accountId),
        isNull(deviceSessions.revokedAt),
        except === null ? undefined : ne(deviceSessions.id, except),
      ),
    );
  for (const session of live) await revokeSession(tx, session.id, at);
  return live.length;
}

export const sessionRoutes = new Hono<AppEnv>()
  .post('/', jsonBody(loginRequest), async (c) => {
    const body = c.req.valid('json');
    const { db, now, accessTokenTtlSeconds } = c.var.deps;
    const at = now();
    const meta = auditMeta(c, at);
    // 1. As the email: find the account and count the attempt, or find it locked.
    const found = await inScope(db, { email: body.email }, async (tx) => {
      const [account] = await tx.select().from(accounts).where(eq(accounts.email, body.email)).limit(1);
      if (!account) return null;
      await declare(tx, { account: account.id });
      return { account, reservation: await reserveGuess(tx, meta, account) };
    });
    if (found && 'retryAfter' in found.reservation) throw lockedOut(found.reservation.retryAfter);
    // 2. An unknown email pays for the same scrypt as a wrong password, and gets the same answer.
    const account = found?.account;
    const ok = await verifyAuthKey(
      Buffer.from(body.authKey, 'base64url'),
      account?.authHash ?? (await dummyAuthHash()),
    );
    // 3. Record the outcome (and act on it) in one transaction, as the account when there is one.
    if (!account || !ok) {
      await inScope(db, account ? { account: account.id } : 'server', (tx) =>
        recordWrongGuess(
          tx,
          meta,
          {
            type: 'login.failed',
            accountId: account?.id ?? null,
            payload: { reason: account ? 'wrong-key' : 'unknown-account' },
          },
          found && 'attempt' in found.reservation ? found.reservation.attempt : undefined,
        ),
      );
      throw invalidCredentials();
    }
    const { issued, current } = await inScope(db, { account: account.id }, async (tx) => {
      // The password may have changed (or the account gone) while the key was being checked.
      const current = await lockAccount(tx, account.id);
      if (current.authHash !== account.authHash) throw invalidCredentials();
      await tx.update(accounts).set(attemptsReset).where(eq(accounts.id, account.id));
      const sessionId = await createDeviceSession(tx, account.id, body.deviceName, at);
      const issued = await issueTokens(tx, {
        accountId: account.id,
        sessionId,
        scopes,
        now: at,
        accessTtlSeconds: accessTokenTtlSeconds,
      });
      await recordAudit(tx, meta, { type: 'login.succeeded', accountId: account.id, sessionId });
      return { issued, current };
    });
    const reply: LoginResponse = {
      accountId: account.id,
      ...issued,
      wrappedVaultKey: current.wrappedVaultKey,
      kdf: current.kdf,
      salt: current.salt,
      keyVersion: current.keyVersion,
      rotation: rotationOf(current),
    };
    return c.json(reply, 200);
  })
  .post('/refresh', jsonBody(refreshRequest), async (c) => {
    const { refreshToken } = c.req.valid('json');
    const { db, now, accessTokenTtlSeconds } = c.var.deps;
    const at = now();
    const hash = hashToken(refreshToken);
    const row = await findToken(db, hash, 'refresh');
    if (!row || row.revokedAt || row.sessionRevokedAt) throw invalidRefresh();
    if (row.expiresAt <= at) {
      await recordTokenExpired(c, row, 'refresh', at);
      throw invalidRefresh();
    }
    const outcome = await inScope(db, { account: row.accountId }, async (tx) => {
      // Claim the token atomically: of two concurrent presentations exactly one wins.
      const claimed = await tx
        .update(tokens)
        .set({ usedAt: at })
        .where(and(eq(tokens.hash, hash), isNull(tokens.usedAt)))
        .returning({ hash: tokens.hash });
      if (claimed.length === 0) {
        // A rotated token came back: someone holds a copy. End the whole device session.
        await revokeSession(tx, row.sessionId, at);
        const meta = auditMeta(c, at);
        const common = { accountId: row.accountId, sessionId: row.sessionId };
        await recordAudit(tx, meta, { type: 'refresh.reused', ...common });
        await recordAudit(tx, meta, {
          type: 'session.revoked',
          ...common,
          payload: { reason: 'refresh-reuse' },
        });
        return null;
      }
      return issueTokens(tx, {
        accountId: row.accountId,
        sessionId: row.sessionId,
        scopes: row.scopes as Scope[],
        now: at,
        accessTtlSeconds: accessTokenTtlSeconds,
      });
    });
    if (!outcome) throw invalidRefresh();
    return c.json(outcome, 200);
  })
  .delete('/current', requireScope('account'), async (c) => {
    const { db, now } = c.var.deps;
    const { accountId, sessionId } = c.var.auth;
    const at = now();
    await inScope(db, { account: accountId }, async (tx) => {
      await revokeSession(tx, sessionId, at);
      await recordAudit(tx, auditMeta(c, at), {
        type: 'session.revoked',
        accountId,
        sessionId,
        payload: { reason: 'logout' },
      });
    });
    return c.body(null, 204);
  });
