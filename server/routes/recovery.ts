import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  type AccountRow,
  assertCurrentKey,
  credentialsChanged,
  existingAccount,
  keyVersionStale,
  lockAccount,
  recoveryCleared,
  rotationOf,
} from '../account-keys.ts';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { dummyAuthHash, hashAuthKey, verifyAuthKey } from '../auth-hash.ts';
import { accounts } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { acceptDpopProof, bindSessionKey } from '../dpop.ts';
import { issueDeviceToken } from '../limits/keys.ts';
import { guessSucceeded, proveMasterPassword, recordWrongGuess, reserveGuess } from '../lockout.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import { assertKdfFloor } from '../policy.ts';
import { createSession, settleSignIn } from '../session-lifecycle.ts';
import { absoluteEnd } from '../session-limits.ts';
import { issueTokens, scopes } from '../tokens.ts';
import {
  completeRecoveryRequest,
  type RecoveryResponse,
  recoveryRequest,
  recoveryResponse,
  setRecoveryKeyRequest,
} from './recovery-schema.ts';
import { revokeSessionsOf } from './sessions.ts';
import { type LoginResponse, loginResponse } from './sessions-schema.ts';

export * from './recovery-schema.ts';

/**
 * The recovery key (docs/protocol.md, "Recovery key"): set by a signed-in device after the master
 * password was entered again; used, by email and recovery key alone, to choose a new master
 * password. Every guess at it counts toward the login lockout.
 */

const invalidRecoveryKey = () =>
  new ApiError(401, 'INVALID_RECOVERY_KEY', 'The email or recovery key is incorrect.');

type Recoverable = AccountRow & { recoveryAuthHash: string; recoveryWrappedVaultKey: string };

/**
 * Checks a recovery key's auth key like a login checks a password: counted before the check (429
 * while locked), the same scrypt cost and the same 401 for an unknown email, an account without a
 * recovery key and a wrong key (recorded as `recovery.failed` with which it was).
 */
async function proveRecoveryKey(c: Context<AppEnv>, email: string, recoveryAuthKey: string) {
  const { db } = c.var.deps;
  const meta = auditMeta(c);
  const [account] = await inScope(db, { email }, (tx) =>
    tx.select().from(accounts).where(eq(accounts.email, email)).limit(1),
  );
  const guess = await reserveGuess(c, meta, { email, accountId: account?.id ?? null });
  const stored = account?.recoveryAuthHash ?? null;
  const ok = await verifyAuthKey(
    Buffer.from(recoveryAuthKey, 'base64url'),
    stored ?? (await dummyAuthHash()),
  );
  if (account && stored !== null && account.recoveryWrappedVaultKey !== null && ok) {
    return { account: { ...account, recoveryAuthHash: stored } as Recoverable, guess };
  }
  const reason = !account ? 'unknown-account' : stored === null ? 'no-recovery-key' : 'wrong-key';
  await recordWrongGuess(
    c,
    meta,
    { type: 'recovery.failed', accountId: account?.id ?? null, payload: { reason } },
    guess,
  );
  throw invalidRecoveryKey();
}

export const recoveryRoutes = new Hono<AppEnv>()
  /** A new recovery key, replacing any earlier one (which stops working). */
  .put(
    '/current/recovery',
    describe({
      summary: 'Set a new recovery key (replacing any earlier one)',
      tag: 'keys',
      answers: { 204: { description: 'The new recovery key is in place.' } },
    }),
    requireScope('account'),
    jsonBody(setRecoveryKeyRequest),
    async (c) => {
      const body = c.req.valid('json');
      const { db, now } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      // A stale or rotating vault key is refused before the password is checked (and counted).
      await inScope(db, { account: accountId }, async (tx) => {
        const [account] = await tx.select().from(accounts).where(eq(accounts.id, accountId));
        assertCurrentKey(existingAccount(account), body.keyVersion);
      });
      const proven = await proveMasterPassword(c, body.authKey, 'recovery-key');
      const recoveryAuthHash = await hashAuthKey(Buffer.from(body.recoveryAuthKey, 'base64url'));
      const at = now();
      await inScope(db, { account: accountId }, async (tx) => {
        const account = await lockAccount(tx, accountId);
        if (account.authHash !== proven.authHash) throw credentialsChanged();
        assertCurrentKey(account, body.keyVersion);
        await tx
          .update(accounts)
          .set({
            recoveryAuthHash,
            recoveryWrappedVaultKey: body.recoveryWrappedVaultKey,
            recoveryCreatedAt: at,
          })
          .where(eq(accounts.id, accountId));
        await recordAudit(tx, auditMeta(c, at), {
          type: 'recovery.key-created',
          accountId,
          sessionId,
          payload: { replaced: account.recoveryAuthHash !== null },
        });
      });
      return c.body(null, 204);
    },
  )
  /** Step 1 of "forgot master password": what the recovery key opens. Changes nothing but the count. */
  .post(
    '/recovery',
    describe({
      summary: 'Forgot master password, step 1: what the recovery key opens',
      tag: 'keys',
      answers: {
        200: {
          description: 'The vault key wrapped by the recovery key, and the password history.',
          schema: recoveryResponse,
        },
      },
    }),
    jsonBody(recoveryRequest),
    async (c) => {
      const body = c.req.valid('json');
      const { account, guess } = await proveRecoveryKey(c, body.email, body.recoveryAuthKey);
      // A proven key is a success like a login: the count starts again.
      await guessSucceeded(c, guess);
      const rotation = rotationOf(account);
      const reply: RecoveryResponse = {
        accountId: account.id,
        keyVersion: account.keyVersion,
        recoveryWrappedVaultKey: account.recoveryWrappedVaultKey,
        rotation: rotation && {
          keyVersion: rotation.keyVersion,
          wrappedByPrevious: rotation.wrappedByPrevious,
        },
        passwordHistory: account.passwordHistory,
      };
      return c.json(reply, 200);
    },
  )
  /**
   * Step 2: the new master password, proven by the recovery key again. Atomically swaps the
   * credentials, forgets the recovery key, ends every device session and opens a new one.
   */
  .post(
    '/recovery/complete',
    describe({
      summary: 'Forgot master password, step 2: a new master password; signs in',
      tag: 'keys',
      proofOnly: true,
      answers: { 200: { description: 'A new device session, as at sign-in.', schema: loginResponse } },
    }),
    jsonBody(completeRecoveryRequest),
    async (c) => {
      const body = c.req.valid('json');
      const { db, now, policy, accessTokenTtlSeconds, sessionLimits } = c.var.deps;
      assertKdfFloor(body.kdf, policy);
      // The new session's tokens are bound to the key that signed this proof.
      const proof = await acceptDpopProof(c, { tokenEndpoint: true });
      const { account: proven, guess } = await proveRecoveryKey(c, body.email, body.recoveryAuthKey);
      const authHash = await hashAuthKey(Buffer.from(body.authKey, 'base64url'));
      const at = now();
      const meta = auditMeta(c, at);
      const usedMeanwhile = invalidRecoveryKey();
      const outcome = await inScope(db, { account: proven.id }, async (tx) => {
        const [account] = await tx.select().from(accounts).where(eq(accounts.id, proven.id)).for('update');
        // Used (or replaced) by another request while this one was checked: it no longer works.
        if (!account || account.recoveryAuthHash !== proven.recoveryAuthHash)
          return { refused: usedMeanwhile };
        const rotation = rotationOf(account);
        const rotationKey = body.rotationWrappedVaultKey;
        const refused =
          body.keyVersion !== account.keyVersion
            ? keyVersionStale()
            : rotation && rotationKey === undefined
              ? rotationKeyRequired()
              : !rotation && rotationKey !== undefined
                ? rotationKeyUnexpected()
                : null;
        // Refused or not, the key was proven: its guess does not count against the email (below).
        if (refused) return { refused };
        await tx
          .update(accounts)
          .set({
            authHash,
            salt: body.salt,
            kdf: body.kdf,
            wrappedVaultKey: body.wrappedVaultKey,
            passwordHistory: body.passwordHistory,
            passwordChangedAt: at,
            ...(rotation ? { rotationWrappedVaultKey: rotationKey } : {}),
            ...recoveryCleared,
          })
          .where(eq(accounts.id, account.id));
        const sessionsEnded = await revokeSessionsOf(tx, account.id, null, at, 'recovery');
        const sessionId = await createSession(tx, meta, account.id);
        await bindSessionKey(tx, sessionId, proof.jkt);
        const issued = await issueTokens(tx, {
          hasher: c.var.deps.tokenHasher,
          accountId: account.id,
          sessionId,
          scopes,
          now: at,
          accessTtlSeconds: accessTokenTtlSeconds,
          refreshNotAfter: absoluteEnd(sessionLimits, at),
        });
        await recordAudit(tx, meta, {
          type: 'account.recovered',
          accountId: account.id,
          sessionId,
          payload: { sessionsEnded },
        });
        await settleSignIn(tx, meta, sessionLimits, { accountId: account.id, sessionId });
        const reply: LoginResponse = {
          accountId: account.id,
          sessionId,
          ...issued,
          wrappedVaultKey: body.wrappedVaultKey,
          kdf: body.kdf,
          salt: body.salt,
          keyVersion: account.keyVersion,
          rotation:
            rotation && rotationKey !== undefined ? { ...rotation, wrappedVaultKey: rotationKey } : null,
          deviceToken: issueDeviceToken(c.var.deps.keyring, body.email),
        };
        return { reply };
      });
      // Used by another request meanwhile: neither a success nor a wrong guess.
      if (!('refused' in outcome) || outcome.refused !== usedMeanwhile) await guessSucceeded(c, guess);
      if ('refused' in outcome) throw outcome.refused;
      return c.json(outcome.reply, 200);
    },
  );

const rotationKeyRequired = () =>
  new ApiError(
    400,
    'VALIDATION',
    'rotationWrappedVaultKey: required while an encryption key rotation is in progress',
    { field: 'rotationWrappedVaultKey' },
  );
const rotationKeyUnexpected = () =>
  new ApiError(400, 'VALIDATION', 'rotationWrappedVaultKey: no encryption key rotation is in progress', {
    field: 'rotationWrappedVaultKey',
  });
