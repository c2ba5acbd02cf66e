import { and, eq, gt, isNotNull, isNull, ne } from 'drizzle-orm';
import { type AuditMeta, recordAudit } from './audit/record.ts';
import type { Db } from './db/client.ts';
import { deviceSessions, tokens } from './db/schema.ts';
import type { TokenHasher } from './secrets/keyring.ts';
import { endSession, touchSession } from './session-lifecycle.ts';
import {
  absoluteEnd,
  REFRESH_GRACE_MS,
  type SessionEndReason,
  type SessionLimits,
} from './session-limits.ts';
import { type IssuedTokens, issueTokens, type Scope } from './tokens.ts';

export type RotationOutcome =
  | { issued: IssuedTokens }
  /** The token is revoked or unknown by now: INVALID_TOKEN. */
  | { invalid: true }
  /** The session has ended (now, on reuse, or meanwhile): SESSION_ENDED with the reason. */
  | { ended: SessionEndReason | null };

/**
 * One refresh, in one transaction acting as the account (docs/sessions.md, "Devices and expiry").
 *
 * Refreshes of one session are serialised on its row. Invariant: the session's unused, unrevoked
 * refresh tokens are all children of its most recently used refresh token (one "fork").
 * - An unused token is claimed; its unused siblings are revoked, so only its own child lives on.
 * - The most recently used token, presented again within REFRESH_GRACE_MS of its use, gets one
 *   more child and revokes nothing: the retry of a refresh whose answer was lost, or the second of
 *   two sent at once, both succeed, and whichever answer the device stored refreshes next.
 * - Any other used token is a replayed copy: the whole session ends (refresh-reuse).
 */
export async function rotateRefreshToken(
  tx: Db,
  meta: AuditMeta,
  options: {
    hash: string;
    hasher: TokenHasher;
    accountId: string;
    sessionId: string;
    scopes: Scope[];
    accessTtlSeconds: number;
    limits: SessionLimits;
  },
): Promise<RotationOutcome> {
  const { hash, accountId, sessionId } = options;
  const at = meta.at;
  const [session] = await tx
    .select({
      createdAt: deviceSessions.createdAt,
      revokedAt: deviceSessions.revokedAt,
      revokedReason: deviceSessions.revokedReason,
    })
    .from(deviceSessions)
    .where(eq(deviceSessions.id, sessionId))
    .for('update');
  if (!session) return { invalid: true };
  if (session.revokedAt) return { ended: (session.revokedReason as SessionEndReason | null) ?? null };
  const [token] = await tx
    .select({ usedAt: tokens.usedAt, revokedAt: tokens.revokedAt, createdAt: tokens.createdAt })
    .from(tokens)
    .where(eq(tokens.hash, hash));
  if (!token || token.revokedAt) return { invalid: true };

  const sessionTokens = and(
    eq(tokens.sessionId, sessionId),
    eq(tokens.kind, 'refresh'),
    ne(tokens.hash, hash),
  );
  if (token.usedAt === null) {
    await tx.update(tokens).set({ usedAt: at }).where(eq(tokens.hash, hash));
    await tx
      .update(tokens)
      .set({ revokedAt: at })
      .where(and(sessionTokens, isNull(tokens.usedAt), isNull(tokens.revokedAt)));
  } else {
    const [later] = await tx
      .select({ hash: tokens.hash })
      .from(tokens)
      .where(and(sessionTokens, isNotNull(tokens.usedAt), gt(tokens.createdAt, token.createdAt)))
      .limit(1);
    const withinGrace = at.getTime() - token.usedAt.getTime() <= REFRESH_GRACE_MS;
    if (later || !withinGrace) {
      // A rotated token came back: someone holds a copy. End the whole device session.
      await recordAudit(tx, meta, { type: 'refresh.reused', accountId, sessionId });
      await endSession(tx, meta, { accountId, sessionId, reason: 'refresh-reuse' });
      return { ended: 'refresh-reuse' };
    }
  }
  const issued = await issueTokens(tx, {
    hasher: options.hasher,
    accountId,
    sessionId,
    scopes: options.scopes,
    now: at,
    accessTtlSeconds: options.accessTtlSeconds,
    refreshNotAfter: absoluteEnd(options.limits, session.createdAt),
  });
  await touchSession(tx, sessionId, at, meta.ip);
  return { issued };
}
