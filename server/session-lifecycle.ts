import { and, asc, eq, isNull, lt, ne } from 'drizzle-orm';
import type { Context } from 'hono';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './app-env.ts';
import { type AuditMeta, auditMeta, recordAudit } from './audit/record.ts';
import type { Db } from './db/client.ts';
import { deviceSessions, tokens } from './db/schema.ts';
import { inScope } from './db/scope.ts';
import { notifyRevocation, notifySession } from './push/notifier.ts';
import {
  isSessionEndReason,
  lastSeenStale,
  limitExceeded,
  type SessionEndReason,
  type SessionLimits,
} from './session-limits.ts';

/**
 * How a device session begins, is seen and ends (docs/sessions.md, "Devices and expiry"): every
 * ending stores its reason, closes the session's push streams on commit, and — except the bulk
 * endings of a security event, recorded by that event — records `session.revoked`.
 */

const WHY: Record<SessionEndReason, string> = {
  logout: 'This device signed out.',
  'remote-logout': 'This device was signed out from another device.',
  'others-logged-out': 'This device was signed out from another device (all other devices).',
  idle: 'This device session ended after a long time unused. Sign in again.',
  absolute: 'This device session reached its maximum age. Sign in again.',
  'session-cap': 'This device session ended because too many devices signed in. Sign in again.',
  'password-change': 'The master password was changed on another device. Sign in again.',
  recovery: 'The account was recovered with its recovery key. Sign in again.',
  'key-rotation': "The vault's encryption key was replaced on another device. Sign in again.",
  'vault-reset': 'The vault was reset on another device. Sign in again.',
  'refresh-reuse': 'A sign-in token of this device was used twice, so the session was ended. Sign in again.',
  'account-deleted': 'The account was deleted.',
  operator: "The server's operator signed out this account's devices. Sign in again.",
};

/** 401 SESSION_ENDED: the token's session has ended, and why (null for sessions ended before reasons were kept). */
export const sessionEnded = (reason: SessionEndReason | null) =>
  new ApiError(401, 'SESSION_ENDED', reason ? WHY[reason] : 'This device session has ended. Sign in again.', {
    headers: { 'WWW-Authenticate': 'Bearer' },
    ...(reason ? { reason } : {}),
  });

/** The error for a token whose session is found revoked: reads the stored reason (a rare path). */
export async function sessionEndedError(db: Db, row: { accountId: string; sessionId: string }) {
  const [session] = await inScope(db, { account: row.accountId }, (tx) =>
    tx
      .select({ reason: deviceSessions.revokedReason })
      .from(deviceSessions)
      .where(eq(deviceSessions.id, row.sessionId)),
  );
  return sessionEnded(isSessionEndReason(session?.reason) ? session.reason : null);
}

/**
 * Ends a device session and its tokens, storing why; on commit every process closes its event
 * streams (bye with the reason). Answers whether this call ended it (false if it had already ended).
 */
export async function revokeSession(
  tx: Db,
  sessionId: string,
  at: Date,
  reason: SessionEndReason,
): Promise<boolean> {
  const ended = await tx
    .update(deviceSessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(eq(deviceSessions.id, sessionId), isNull(deviceSessions.revokedAt)))
    .returning({ id: deviceSessions.id });
  await tx
    .update(tokens)
    .set({ revokedAt: at })
    .where(and(eq(tokens.sessionId, sessionId), isNull(tokens.revokedAt)));
  if (ended.length > 0) await notifyRevocation(tx, { sessionId, reason });
  return ended.length > 0;
}

/** The account's live sessions but `except` (null: all), least recently seen first. */
export function liveSessions(tx: Db, accountId: string, except: string | null = null) {
  return tx
    .select({
      id: deviceSessions.id,
      createdAt: deviceSessions.createdAt,
      lastSeenAt: deviceSessions.lastSeenAt,
    })
    .from(deviceSessions)
    .where(
      and(
        eq(deviceSessions.accountId, accountId),
        isNull(deviceSessions.revokedAt),
        except === null ? undefined : ne(deviceSessions.id, except),
      ),
    )
    .orderBy(asc(deviceSessions.lastSeenAt), asc(deviceSessions.createdAt));
}

/**
 * Ends every live device session of the account but `except` (the caller's own, or null for all):
 * a password change, recovery, key rotation or vault reset, which records the count itself.
 */
export async function revokeSessionsOf(
  tx: Db,
  accountId: string,
  except: string | null,
  at: Date,
  reason: SessionEndReason,
): Promise<number> {
  let ended = 0;
  for (const session of await liveSessions(tx, accountId, except)) {
    if (await revokeSession(tx, session.id, at, reason)) ended += 1;
  }
  return ended;
}

/** Ends one session and records `session.revoked` with the reason (and `by`: the session that did it). */
export async function endSession(
  tx: Db,
  meta: AuditMeta,
  session: { accountId: string; sessionId: string; reason: SessionEndReason; by?: string },
): Promise<boolean> {
  const ended = await revokeSession(tx, session.sessionId, meta.at, session.reason);
  if (ended) {
    await recordAudit(tx, meta, {
      type: 'session.revoked',
      accountId: session.accountId,
      sessionId: session.sessionId,
      payload: { reason: session.reason, ...(session.by ? { by: session.by } : {}) },
    });
  }
  return ended;
}

/**
 * Ends every live session of the account but `except` (null: all) one by one, each recorded as
 * `session.revoked` with the reason (and `by`): "Log out all other devices", the operator's
 * sessions:end. Answers how many this call ended.
 */
export async function endSessionsOf(
  tx: Db,
  meta: AuditMeta,
  sessions: { accountId: string; except: string | null; reason: SessionEndReason; by?: string },
): Promise<number> {
  const { accountId, except, reason, by } = sessions;
  let ended = 0;
  for (const other of await liveSessions(tx, accountId, except)) {
    if (await endSession(tx, meta, { accountId, sessionId: other.id, reason, ...(by ? { by } : {}) }))
      ended += 1;
  }
  return ended;
}

/** A new device session, seen now from the request's address. */
export async function createSession(tx: Db, meta: AuditMeta, accountId: string): Promise<string> {
  const [session] = await tx
    .insert(deviceSessions)
    .values({ accountId, createdAt: meta.at, lastSeenAt: meta.at, createdIp: meta.ip, lastIp: meta.ip })
    .returning({ id: deviceSessions.id });
  if (!session) throw new Error('device session insert returned no row');
  return session.id;
}

/**
 * After a sign-in created `sessionId` (in the same transaction, the account row locked): ends the
 * account's sessions already past their idle or absolute limit, then, while more than the cap are
 * live, the least recently seen other one (`session-cap`), and tells the account's other devices.
 */
export async function settleSignIn(
  tx: Db,
  meta: AuditMeta,
  limits: SessionLimits,
  session: { accountId: string; sessionId: string },
): Promise<void> {
  const { accountId, sessionId } = session;
  const others = [];
  for (const other of await liveSessions(tx, accountId, sessionId)) {
    const exceeded = limitExceeded(limits, other, meta.at);
    if (exceeded) await endSession(tx, meta, { accountId, sessionId: other.id, reason: exceeded });
    else others.push(other);
  }
  const excess = others.length + 1 - limits.maxPerAccount;
  for (const evicted of others.slice(0, Math.max(0, excess))) {
    await endSession(tx, meta, { accountId, sessionId: evicted.id, reason: 'session-cap', by: sessionId });
  }
  await notifySession(tx, { accountId, sessionId, kind: 'signed-in' });
}

/** What a token lookup (keyhold_authenticate) tells about its session. */
export interface SessionUse {
  accountId: string;
  sessionId: string;
  sessionCreatedAt: Date;
  sessionLastSeenAt: Date;
}

/**
 * Every use of an access or refresh token: a session past its idle or absolute limit ends now
 * (recorded) and the request answers 401 SESSION_ENDED. Otherwise, at most once a minute per
 * session, the use is written to `last_seen_at`/`last_ip` (`touch`; a refresh writes it itself).
 */
export async function sessionInUse(
  c: Context<AppEnv>,
  row: SessionUse,
  at: Date,
  options: { touch: boolean },
): Promise<void> {
  const { db, sessionLimits } = c.var.deps;
  const session = { createdAt: row.sessionCreatedAt, lastSeenAt: row.sessionLastSeenAt };
  const exceeded = limitExceeded(sessionLimits, session, at);
  if (exceeded) {
    await inScope(db, { account: row.accountId }, (tx) =>
      endSession(tx, auditMeta(c, at), {
        accountId: row.accountId,
        sessionId: row.sessionId,
        reason: exceeded,
      }),
    );
    throw sessionEnded(exceeded);
  }
  if (options.touch && lastSeenStale(row.sessionLastSeenAt, at)) {
    const ip = auditMeta(c, at).ip;
    await inScope(db, { account: row.accountId }, (tx) => touchSession(tx, row.sessionId, at, ip));
  }
}

/** Records a use of the session (never moving backwards; the address only when one is known). */
export async function touchSession(tx: Db, sessionId: string, at: Date, ip: string | null): Promise<void> {
  await tx
    .update(deviceSessions)
    .set({ lastSeenAt: at, ...(ip ? { lastIp: ip } : {}) })
    .where(
      and(
        eq(deviceSessions.id, sessionId),
        isNull(deviceSessions.revokedAt),
        lt(deviceSessions.lastSeenAt, at),
      ),
    );
}
