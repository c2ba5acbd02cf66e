import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { inScope } from '../db/scope.ts';
import { findToken, hashToken, type Scope } from '../tokens.ts';

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,200})$/;
const challenge = { 'WWW-Authenticate': 'Bearer' };

/**
 * Every protected route declares its scope with this. The token is looked up on every request (no cache),
 * so logout, refresh-token reuse and expiry take effect on the very next request.
 */
export const requireScope = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new ApiError(401, 'UNAUTHENTICATED', 'Sign in first.', { headers: challenge });
    const token = BEARER.exec(header)?.[1];
    const invalid = new ApiError(401, 'INVALID_TOKEN', 'The access token is invalid or has expired.', {
      headers: challenge,
    });
    if (!token) throw invalid;
    const { db, now } = c.var.deps;
    const at = now();
    const row = await findToken(db, hashToken(token), 'access');
    if (!row || row.revokedAt || row.sessionRevokedAt) throw invalid;
    if (row.expiresAt.getTime() <= at.getTime()) {
      await recordTokenExpired(c, row, 'access', at);
      throw invalid;
    }
    if (!row.scopes.includes(scope)) {
      throw new ApiError(403, 'FORBIDDEN_SCOPE', `This token lacks the "${scope}" scope.`);
    }
    c.set('auth', {
      accountId: row.accountId,
      sessionId: row.sessionId,
      scopes: row.scopes as Scope[],
      expiresAt: row.expiresAt,
      accountRevision: row.accountRevision,
    });
    await next();
  });

/** Expired tokens already recorded by this process: a client retrying one is one event, not a flood. */
const expiredSeen = new Set<string>();
const EXPIRED_SEEN_MAX = 10_000;

/**
 * Records that a real (known, unrevoked) token was presented after it expired: once per token and
 * process. Unknown tokens record nothing, so guessing cannot fill the log.
 */
export async function recordTokenExpired(
  c: Context<AppEnv>,
  row: { accountId: string; sessionId: string; expiresAt: Date },
  kind: 'access' | 'refresh',
  at: Date,
): Promise<void> {
  const key = `${row.sessionId}/${kind}/${row.expiresAt.getTime()}`;
  if (expiredSeen.has(key)) return;
  await inScope(c.var.deps.db, { account: row.accountId }, (tx) =>
    recordAudit(tx, auditMeta(c, at), {
      type: 'token.expired',
      accountId: row.accountId,
      sessionId: row.sessionId,
      payload: { kind, expiredAt: row.expiresAt.toISOString() },
    }),
  );
  if (expiredSeen.size >= EXPIRED_SEEN_MAX) expiredSeen.clear();
  expiredSeen.add(key);
}
