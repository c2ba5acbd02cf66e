import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './app-env.ts';
import { type AuditEvent, type AuditMeta, auditMeta, recordAudit } from './audit/record.ts';
import { verifyAuthKey } from './auth-hash.ts';
import { accounts } from './db/schema.ts';
import { inScope } from './db/scope.ts';
import type { Guess } from './limits/auth-limits.ts';
import { deviceLimitKey, emailLimitKey, verifyDeviceToken } from './limits/keys.ts';

/**
 * The lockout (docs/sessions.md, "Rate limits and lockout"): every guess at one of an email's
 * secrets — the master password's auth key at login or when an action asks for it again, the
 * recovery key — is counted in the shared limit store *before* it is checked, on a key derived from
 * the email whether or not it has an account; a success clears the count. A login presenting a
 * valid device token for the email is counted on that token's own key instead, so a lock triggered
 * elsewhere does not keep the owner's devices out. The account row's failed_attempts/locked_until
 * columns are no longer used.
 */

export const lockedOut = (retryAfter: number) =>
  new ApiError(429, 'RATE_LIMITED', 'Too many failed attempts. Try again later.', {
    headers: { 'Retry-After': String(retryAfter) },
  });

/** Who is guessing at what: the email (normalised), its account if any, and a device token if one came. */
export interface GuessTarget {
  email: string;
  accountId: string | null;
  deviceToken?: string | undefined;
}

/**
 * Counts a guess before it is checked, waiting first when the key has failed often (progressive
 * delay). While the key is locked: records the refusal (`rate.limited`) and throws 429 RATE_LIMITED
 * with Retry-After. A valid device token counts on its own key — unless that key is itself locked:
 * the token is then distrusted and the guess counts on the email's key like any other.
 */
export async function reserveGuess(c: Context<AppEnv>, meta: AuditMeta, target: GuessTarget): Promise<Guess> {
  const { limits, keyring, db } = c.var.deps;
  const nonce = target.deviceToken ? verifyDeviceToken(keyring, target.email, target.deviceToken) : null;
  if (nonce) {
    const reserved = await limits.reserve(deviceLimitKey(nonce));
    if ('attempt' in reserved) return reserved;
  }
  const reserved = await limits.reserve(emailLimitKey(target.email));
  if ('attempt' in reserved) return reserved;
  const { accountId } = target;
  c.var.deps.metrics?.rateLimited.inc({ reason: 'account-locked' });
  await inScope(db, accountId ? { account: accountId } : 'server', (tx) =>
    recordAudit(tx, meta, {
      type: 'rate.limited',
      accountId,
      payload: { reason: 'account-locked', retryAfterSeconds: reserved.retryAfterSeconds },
    }),
  );
  throw lockedOut(reserved.retryAfterSeconds);
}

/**
 * Records a wrong guess (`event`, on the account when there is one) and `account.locked` when it
 * started a lock, in one transaction, after telling the limit store. Unknown emails lock alike.
 */
export async function recordWrongGuess(
  c: Context<AppEnv>,
  meta: AuditMeta,
  event: AuditEvent,
  guess: Guess,
): Promise<void> {
  const { limits, db } = c.var.deps;
  let lock: Awaited<ReturnType<typeof limits.failed>> = null;
  let storeError: unknown = null;
  try {
    lock = await limits.failed(guess);
    if (lock)
      c.var.deps.metrics?.lockouts.inc({ key: guess.key.startsWith('device:') ? 'device-token' : 'email' });
  } catch (error) {
    storeError = error;
  }
  const accountId = event.accountId ?? null;
  await inScope(db, accountId ? { account: accountId } : 'server', async (tx) => {
    await recordAudit(tx, meta, event);
    if (lock) {
      await recordAudit(tx, meta, {
        type: 'account.locked',
        accountId,
        payload: {
          failedAttempts: lock.failures,
          until: new Date(meta.at.getTime() + lock.seconds * 1000).toISOString(),
          ...(guess.key.startsWith('device:') && { key: 'device-token' }),
        },
      });
    }
  });
  if (storeError) throw storeError;
}

/** A right guess: the failures counted on its key are forgotten. */
export const guessSucceeded = (c: Context<AppEnv>, guess: Guess) => c.var.deps.limits.succeeded(guess.key);

export const wrongMasterPassword = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'The master password is incorrect.');
export const accountGone = () => new ApiError(401, 'INVALID_TOKEN', 'The account no longer exists.');

/**
 * A signed-in device proves the master password again (its auth key) before an action that needs
 * it — deleting the account, changing the password, setting a recovery key. The guess counts on the
 * email's key like a login: 429 RATE_LIMITED while locked, 401 INVALID_CREDENTIALS (recorded as
 * `login.failed` with the action) when wrong. Returns the hash it verified against: the caller
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
  const [account] = await inScope(db, { account: accountId }, (tx) =>
    tx
      .select({ id: accounts.id, email: accounts.email, authHash: accounts.authHash })
      .from(accounts)
      .where(eq(accounts.id, accountId)),
  );
  if (!account) throw accountGone();
  const guess = await reserveGuess(c, meta, { email: account.email, accountId });
  if (await verifyAuthKey(Buffer.from(authKey, 'base64url'), account.authHash)) {
    await guessSucceeded(c, guess);
    return { authHash: account.authHash };
  }
  await recordWrongGuess(
    c,
    meta,
    { type: 'login.failed', accountId, sessionId, payload: { reason: 'wrong-key', action } },
    guess,
  );
  throw wrongMasterPassword();
}
