import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { uniqueSymbol } from 'hono-openapi';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { inScope } from '../db/scope.ts';
import { DPOP_CHALLENGE, invalidDpopProof, pruneProofsSoon, verifyDpopProof } from '../dpop.ts';
import { scopeDescription } from '../openapi/describe.ts';
import { sessionEndedError, sessionInUse } from '../session-lifecycle.ts';
import { touchWindow } from '../session-limits.ts';
import { authorize, type Scope } from '../tokens.ts';
import { requestIp } from './client-ip.ts';

const DPOP = /^DPoP ([A-Za-z0-9_-]{16,200})$/;
const challenge = { 'WWW-Authenticate': DPOP_CHALLENGE };

/**
 * Every protected route declares its scope with this. The token is looked up on every request (no cache),
 * in one statement with the replay check (tokens.ts authorize), so logout, refresh-token reuse and
 * expiry take effect on the very next request. Tokens are
 * DPoP-bound (docs/sessions.md, "DPoP"): `Authorization: DPoP <token>` and a proof by the session's key.
 * It also gives the route its security requirement in docs/api/openapi.json.
 */
export const requireScope = (scope: Scope) =>
  Object.assign(requireToken(scope), { [uniqueSymbol]: scopeDescription(scope) });

function requireToken(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new ApiError(401, 'UNAUTHENTICATED', 'Sign in first.', { headers: challenge });
    const token = DPOP.exec(header)?.[1];
    if (!token) {
      if (/^Bearer /i.test(header)) {
        throw new ApiError(401, 'INVALID_TOKEN', 'Tokens are DPoP-bound: send Authorization: DPoP.', {
          headers: challenge,
        });
      }
      throw invalidToken();
    }
    // The proof costs no database work: checked first, so a bad one never reaches the database.
    const proof = await verifyDpopProof(c, { accessToken: token });
    const { db, now, tokenHasher, sessionLimits, logger } = c.var.deps;
    const at = now();
    // One statement (keyhold_authorize): the proof id into the replay store, the token with its
    // session and account revision, and the session's last use once a minute. An id recorded for a
    // request refused below only expires.
    const { fresh, row } = await authorize(db, {
      token,
      hasher: tokenHasher,
      proof,
      at,
      touch: touchWindow(sessionLimits, at),
      ip: requestIp(c),
    });
    pruneProofsSoon(db, at, logger);
    if (!row) throw invalidToken();
    // A session from before DPoP has no key: it signs in again (docs/sessions.md).
    if (!row.jkt) throw invalidToken();
    // Only the key's holder learns anything more about the token, even that its session ended.
    if (row.jkt !== proof.jkt) throw invalidDpopProof('it is not signed by the key this token is bound to.');
    if (row.sessionRevokedAt) throw await sessionEndedError(db, row);
    if (row.revokedAt) throw invalidToken();
    if (row.expiresAt.getTime() <= at.getTime()) {
      await recordTokenExpired(c, row, 'access', at);
      throw invalidToken();
    }
    if (!fresh) throw invalidDpopProof('it was already used (replay).');
    // Idle/absolute limits end the session here; keyhold_authorize wrote a due use already.
    await sessionInUse(c, row, at, { touch: false });
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
}

/** Made only when thrown: an error captures a stack trace, which every request would pay for. */
const invalidToken = () =>
  new ApiError(401, 'INVALID_TOKEN', 'The access token is invalid or has expired.', { headers: challenge });

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
