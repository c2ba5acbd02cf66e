import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { dummyAuthHash, verifyAuthKey } from '../auth-hash.ts';
import type { Db } from '../db/client.ts';
import { accounts, deviceSessions, tokens } from '../db/schema.ts';
import { declare, inScope } from '../db/scope.ts';
import { recordTokenExpired, requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { notifyRevocation } from '../push/notifier.ts';
import { createDeviceSession, findToken, hashToken, issueTokens, type Scope, scopes } from '../tokens.ts';
import { type LoginResponse, loginRequest, refreshRequest } from './sessions-schema.ts';

export * from './sessions-schema.ts';

export const LOCKOUT_THRESHOLD = 5;
/** 1 min after the 5th consecutive failure, doubling with each further failure, capped at 1 h. */
const LOCKOUT_BASE_MS = 60_000;
const LOCKOUT_MAX_MS = 60 * 60_000;

/**
 * Counts a login attempt *before* the key is checked, in one atomic UPDATE that also sets the lock
 * when the count reaches the threshold. Parallel guesses serialize on the account row, so at most
 * LOCKOUT_THRESHOLD of them are ever checked per window. A success resets the counter. Returns
 * null when the account is locked (the attempt is then not checked at all).
 */
async function reserveAttempt(
  tx: Db,
  accountId: string,
  at: Date,
): Promise<{ failedAttempts: number; lockedUntil: Date | null } | null> {
  const atIso = at.toISOString();
  const [row] = await tx
    .update(accounts)
    .set({
      failedAttempts: sql`${accounts.failedAttempts} + 1`,
      lockedUntil: sql`case when ${accounts.failedAttempts} + 1 >= ${LOCKOUT_THRESHOLD}
        then ${atIso}::timestamptz + least(${LOCKOUT_MAX_MS}::float8,
          ${LOCKOUT_BASE_MS}::float8 * power(2, ${accounts.failedAttempts} + 1 - ${LOCKOUT_THRESHOLD}))
          * interval '1 millisecond'
        else ${accounts.lockedUntil} end`,
    })
    .where(and(eq(accounts.id, accountId), or(isNull(accounts.lockedUntil), lte(accounts.lockedUntil, at))))
    .returning({ failedAttempts: accounts.failedAttempts, lockedUntil: accounts.lockedUntil });
  return row ?? null;
}

const invalidCredentials = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'The email or master password is incorrect.');
const invalidRefresh = () =>
  new ApiError(401, 'INVALID_TOKEN', 'The refresh token is invalid or has expired.');
const lockedOut = (retryAfter: number) =>
  new ApiError(429, 'RATE_LIMITED', 'Too many failed attempts. Try again later.', {
    headers: { 'Retry-After': String(retryAfter) },
  });

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
      const attempt = await reserveAttempt(tx, account.id, at);
      if (attempt) return { account, attempt, retryAfter: 0 };
      const until = account.lockedUntil ?? at;
      const retryAfter = Math.max(1, Math.ceil((until.getTime() - at.getTime()) / 1000));
      await declare(tx, { account: account.id });
      await recordAudit(tx, meta, {
        type: 'rate.limited',
        accountId: account.id,
        payload: { reason: 'account-locked', retryAfterSeconds: retryAfter },
      });
      return { account, attempt: null, retryAfter };
    });
    if (found && !found.attempt) throw lockedOut(found.retryAfter);
    // 2. An unknown email pays for the same scrypt as a wrong password, and gets the same answer.
    const account = found?.account;
    const ok = await verifyAuthKey(
      Buffer.from(body.authKey, 'base64url'),
      account?.authHash ?? (await dummyAuthHash()),
    );
    // 3. Record the outcome (and act on it) in one transaction, as the account when there is one.
    if (!account || !ok) {
      await inScope(db, account ? { account: account.id } : 'server', async (tx) => {
        await recordAudit(tx, meta, {
          type: 'login.failed',
          accountId: account?.id ?? null,
          payload: { reason: account ? 'wrong-key' : 'unknown-account' },
        });
        const lockedUntil = found?.attempt?.lockedUntil;
        if (account && lockedUntil && lockedUntil > at) {
          await recordAudit(tx, meta, {
            type: 'account.locked',
            accountId: account.id,
            payload: { failedAttempts: found.attempt?.failedAttempts ?? 0, until: lockedUntil.toISOString() },
          });
        }
      });
      throw invalidCredentials();
    }
    const issued = await inScope(db, { account: account.id }, async (tx) => {
      await tx
        .update(accounts)
        .set({ failedAttempts: 0, lockedUntil: null })
        .where(eq(accounts.id, account.id));
      const sessionId = await createDeviceSession(tx, account.id, body.deviceName, at);
      const issued = await issueTokens(tx, {
        accountId: account.id,
        sessionId,
        scopes,
        now: at,
        accessTtlSeconds: accessTokenTtlSeconds,
      });
      await recordAudit(tx, meta, { type: 'login.succeeded', accountId: account.id, sessionId });
      return issued;
    });
    const reply: LoginResponse = {
      accountId: account.id,
      ...issued,
      wrappedVaultKey: account.wrappedVaultKey,
      kdf: account.kdf,
      salt: account.salt,
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
