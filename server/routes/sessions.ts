import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { dummyAuthHash, verifyAuthKey } from '../auth-hash.ts';
import type { Db } from '../db/client.ts';
import { accounts, deviceSessions, tokens } from '../db/schema.ts';
import { requireScope } from '../middleware/auth.ts';
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
 * false when the account is locked (the attempt is then not checked at all).
 */
async function reserveAttempt(db: Db, accountId: string, at: Date): Promise<boolean> {
  const atIso = at.toISOString();
  const rows = await db
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
    .returning({ failedAttempts: accounts.failedAttempts });
  return rows.length > 0;
}

const invalidCredentials = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'The email or master password is incorrect.');
const invalidRefresh = () =>
  new ApiError(401, 'INVALID_TOKEN', 'The refresh token is invalid or has expired.');

async function revokeSession(db: Db, sessionId: string, at: Date) {
  await db.transaction(async (tx) => {
    await tx
      .update(deviceSessions)
      .set({ revokedAt: at })
      .where(and(eq(deviceSessions.id, sessionId), isNull(deviceSessions.revokedAt)));
    await tx
      .update(tokens)
      .set({ revokedAt: at })
      .where(and(eq(tokens.sessionId, sessionId), isNull(tokens.revokedAt)));
    // On commit, every process closes this session's open event streams.
    await notifyRevocation(tx, { sessionId });
  });
}

export const sessionRoutes = new Hono<AppEnv>()
  .post('/', jsonBody(loginRequest), async (c) => {
    const body = c.req.valid('json');
    const { db, now, accessTokenTtlSeconds, logger } = c.var.deps;
    const at = now();
    const [account] = await db.select().from(accounts).where(eq(accounts.email, body.email)).limit(1);
    if (account && !(await reserveAttempt(db, account.id, at))) {
      const [row] = await db
        .select({ lockedUntil: accounts.lockedUntil })
        .from(accounts)
        .where(eq(accounts.id, account.id));
      const until = row?.lockedUntil ?? at;
      const retryAfter = Math.max(1, Math.ceil((until.getTime() - at.getTime()) / 1000));
      throw new ApiError(429, 'RATE_LIMITED', 'Too many failed attempts. Try again later.', {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    // An unknown email pays for the same scrypt as a wrong password, and gets the same answer.
    const ok = await verifyAuthKey(
      Buffer.from(body.authKey, 'base64url'),
      account?.authHash ?? (await dummyAuthHash()),
    );
    if (!account || !ok) {
      if (account) logger.warn({ event: 'login_failed', accountId: account.id }, 'security');
      throw invalidCredentials();
    }
    await db
      .update(accounts)
      .set({ failedAttempts: 0, lockedUntil: null })
      .where(eq(accounts.id, account.id));
    const sessionId = await createDeviceSession(db, account.id, body.deviceName, at);
    const issued = await issueTokens(db, {
      accountId: account.id,
      sessionId,
      scopes,
      now: at,
      accessTtlSeconds: accessTokenTtlSeconds,
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
    const { db, now, accessTokenTtlSeconds, logger } = c.var.deps;
    const at = now();
    const hash = hashToken(refreshToken);
    const row = await findToken(db, hash, 'refresh');
    if (!row || row.revokedAt || row.sessionRevokedAt || row.expiresAt <= at) throw invalidRefresh();
    // Claim the token atomically: of two concurrent presentations exactly one wins.
    const claimed = await db
      .update(tokens)
      .set({ usedAt: at })
      .where(and(eq(tokens.hash, hash), isNull(tokens.usedAt)))
      .returning({ hash: tokens.hash });
    if (claimed.length === 0) {
      // A rotated token came back: someone holds a copy. End the whole device session.
      await revokeSession(db, row.sessionId, at);
      logger.warn({ event: 'refresh_token_reuse', sessionId: row.sessionId }, 'security');
      throw invalidRefresh();
    }
    const issued = await issueTokens(db, {
      accountId: row.accountId,
      sessionId: row.sessionId,
      scopes: row.scopes as Scope[],
      now: at,
      accessTtlSeconds: accessTokenTtlSeconds,
    });
    return c.json(issued, 200);
  })
  .delete('/current', requireScope('account'), async (c) => {
    const { db, now } = c.var.deps;
    await revokeSession(db, c.var.auth.sessionId, now());
    return c.body(null, 204);
  });
