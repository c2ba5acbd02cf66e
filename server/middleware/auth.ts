import { createMiddleware } from 'hono/factory';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
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
    const row = await findToken(db, hashToken(token), 'access');
    if (!row || row.revokedAt || row.sessionRevokedAt || row.expiresAt.getTime() <= now().getTime()) {
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
