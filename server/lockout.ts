import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './app-env.ts';
import { type AuditEvent, type AuditMeta, auditMeta, recordAudit } from './audit/record.ts';
import { verifyAuthKey } from './auth-hash.ts';
import type { Db } from './db/client.ts';
import { accounts } from './db/schema.ts';
import { inScope } from './db/scope.ts';

/**
 * The per-account lockout (docs/protocol.md, "Login lockout"): every guess at one of the account's
 * secrets — the master password's auth key at login or when an action asks for it again, the
 * recovery key — is counted on the account row before it is checked, and a success resets the count.
 */

export const LOCKOUT_THRESHOLD = 5;
/** 1 min after the 5th consecutive failure, doubling with each further failure, capped at 1 h. */
const LOCKOUT_BASE_MS = 60_000;
const LOCKOUT_MAX_MS = 60 * 60_000;

export interface Attempt {
  failedAttempts: number;
  lockedUntil: Date | null;
}

/**
 * Counts an attempt *before* the secret is checked, in one atomic UPDATE that also sets the lock
 * when the count reaches the threshold. Parallel guesses serialize on the account row, so at most
 * LOCKOUT_THRESHOLD of them are ever checked per window. Returns null when the account is locked
 * (the attempt is then not checked at all).
 */
export async function reserveAttempt(tx: Db, accountId: string, at: Date): Promise<Attempt | null> {
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

/** What a successful check writes back on the account row (with the rest of its update). */
export const attemptsReset = { failedAttempts: 0, lockedUntil: null } as const;

export const lockedOut = (retryAfter: number) =>
  new ApiError(429, 'RATE_LIMITED', 'Too many failed attempts. Try again later.', {
    headers: { 'Retry-After': String(retryAfter) },
  });

export type Reservation = { attempt: Attempt } | { retryAfter: number };

/**
 * In the caller's transaction, acting as the account (or its email): counts the guess, or — when
 * the account is locked — records the refusal (`rate.limited`) and says how long it lasts. The
 * caller throws `lockedOut` after its transaction committed, so the record stays.
 */
export async function reserveGuess(
  tx: Db,
  meta: AuditMeta,
  account: { id: string; lockedUntil: Date | null },
): Promise<Reservation> {
  const attempt = await reserveAttempt(tx, account.id, meta.at);
  if (attempt) return { attempt };
  const until = account.lockedUntil ?? meta.at;
  const retryAfter = Math.max(1, Math.ceil((until.getTime() - meta.at.getTime()) / 1000));
  await recordAudit(tx, meta, {
    type: 'rate.limited',
    accountId: account.id,
    payload: { reason: 'account-locked', retryAfterSeconds: retryAfter },
  });
  return { retryAfter };
}

/** Records a wrong guess (`event`), and `account.locked` when this guess started a lockout. */
export async function recordWrongGuess(
  tx: Db,
  meta: AuditMeta,
  event: AuditEvent,
  attempt: Attempt | undefined,
): Promise<void> {
  await recordAudit(tx, meta, event);
  const lockedUntil = attempt?.lockedUntil;
  if (event.accountId && attempt && lockedUntil && lockedUntil > meta.at) {
    await recordAudit(tx, meta, {
      type: 'account.locked',
      accountId: event.accountId,
      payload: { failedAttempts: attempt.failedAttempts, until: lockedUntil.toISOString() },
    });
  }
}

export const wrongMasterPassword = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'The master password is incorrect.');
export const accountGone = () => new ApiError(401, 'INVALID_TOKEN', 'The account no longer exists.');

/**
 * A signed-in device proves the master password again (its auth key) before an action that needs
 * it — deleting the account, changing the password, setting a recovery key. The guess counts
 * toward the lockout like a login: 429 RATE_LIMITED while locked, 401 INVALID_CREDENTIALS (recorded
 * as `login.failed` with the action) when wrong. Returns the hash it verified against: the caller
 * checks under its row lock that it is still the stored one (else the password changed meanwhile).
 */
export async function proveMasterPassword(
  c: Context<AppEnv>,
  authKey: string,
  action: string,
): Promise<{ authHash: string }> {
  const { db } = c.var.deps;
  const { accountId, sessionId } = c.var.auth;
  const meta = auditMeta(c);
  const found = await inScope(db, { account: accountId }, async (tx) => {
    const [account] = await tx
      .select({ id: accounts.id, authHash: accounts.authHash, lockedUntil: accounts.lockedUntil })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    if (!account) return null;
    return { account, reservation: await reserveGuess(tx, meta, account) };
  });
  if (!found) throw accountGone();
  const { account, reservation } = found;
  if ('retryAfter' in reservation) throw lockedOut(reservation.retryAfter);
  if (await verifyAuthKey(Buffer.from(authKey, 'base64url'), account.authHash)) {
    return { authHash: account.authHash };
  }
  await inScope(db, { account: accountId }, (tx) =>
    recordWrongGuess(
      tx,
      meta,
      { type: 'login.failed', accountId, sessionId, payload: { reason: 'wrong-key', action } },
      reservation.attempt,
    ),
  );
  throw wrongMasterPassword();
}
