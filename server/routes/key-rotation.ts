import { and, count, eq, lt } from 'drizzle-orm';
import { Hono } from 'hono';
import {
  keyVersionStale,
  lockAccount,
  recoveryCleared,
  rotationCleared,
  rotationOf,
  rotationPending,
} from '../account-keys.ts';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { accounts, items } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import {
  completeRotationRequest,
  type RotationResponse,
  rotationResponse,
  startRotationRequest,
} from './key-rotation-schema.ts';
import { revokeSessionsOf } from './sessions.ts';

export * from './key-rotation-schema.ts';

/**
 * Vault key rotation (docs/protocol.md, "Key lifecycle"): started with the new key wrapped twice,
 * then every live item's key is re-wrapped and pushed at the new version (pushes at either version
 * are taken meanwhile), then completed — after which the old version is refused.
 */

const noRotation = (keyVersion: number) =>
  new ApiError(409, 'NO_ROTATION', `No encryption key rotation to version ${keyVersion} is in progress.`);

const rotationIncomplete = (remaining: number) =>
  new ApiError(
    409,
    'ROTATION_INCOMPLETE',
    `${remaining} ${remaining === 1 ? 'item is' : 'items are'} still encrypted under the previous key: re-wrap ${remaining === 1 ? 'it' : 'them'} first.`,
  );

export const keyRotationRoutes = new Hono<AppEnv>()
  .post(
    '/current/rotation',
    describe({
      summary: 'Start a vault key rotation',
      tag: 'keys',
      answers: {
        201: { description: 'The rotation started.', schema: rotationResponse },
        200: { description: 'This rotation was already started (a retry).', schema: rotationResponse },
      },
    }),
    requireScope('account'),
    jsonBody(startRotationRequest),
    async (c) => {
      const body = c.req.valid('json');
      const { db, now } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      const at = now();
      const started = await inScope(db, { account: accountId }, async (tx) => {
        const account = await lockAccount(tx, accountId);
        const next = account.keyVersion + 1;
        const pending = rotationOf(account);
        if (
          pending &&
          pending.keyVersion === body.keyVersion &&
          pending.wrappedVaultKey === body.wrappedVaultKey &&
          pending.wrappedByPrevious === body.wrappedByPrevious
        ) {
          return false; // A retry of the request that started it (its answer was lost).
        }
        if (body.keyVersion !== next) {
          throw keyVersionStale(
            `A rotation must create key version ${next}: this vault's key is at version ${account.keyVersion}.`,
          );
        }
        if (pending) throw rotationPending();
        await tx
          .update(accounts)
          .set({
            rotationKeyVersion: body.keyVersion,
            rotationWrappedVaultKey: body.wrappedVaultKey,
            rotationWrappedByPrevious: body.wrappedByPrevious,
          })
          .where(eq(accounts.id, accountId));
        await recordAudit(tx, auditMeta(c, at), {
          type: 'key.rotation-started',
          accountId,
          sessionId,
          payload: { keyVersion: body.keyVersion },
        });
        return true;
      });
      const reply: RotationResponse = { keyVersion: body.keyVersion };
      return c.json(reply, started ? 201 : 200);
    },
  )
  .post(
    '/current/rotation/complete',
    describe({
      summary: 'Complete the vault key rotation once every item is re-wrapped',
      tag: 'keys',
      answers: { 200: { description: 'The new key version is the account’s.', schema: rotationResponse } },
    }),
    requireScope('account'),
    jsonBody(completeRotationRequest),
    async (c) => {
      const body = c.req.valid('json');
      const { db, now } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      const at = now();
      await inScope(db, { account: accountId }, async (tx) => {
        // Pushes lock the same row: no item can be written at the old version while this counts.
        const account = await lockAccount(tx, accountId);
        if (account.keyVersion === body.keyVersion) return; // Completed already (a retry).
        const pending = rotationOf(account);
        if (!pending || pending.keyVersion !== body.keyVersion) throw noRotation(body.keyVersion);
        const [left] = await tx
          .select({ remaining: count() })
          .from(items)
          .where(
            and(
              eq(items.accountId, accountId),
              eq(items.deleted, false),
              lt(items.keyVersion, body.keyVersion),
            ),
          );
        const remaining = Number(left?.remaining ?? 0);
        if (remaining > 0) throw rotationIncomplete(remaining);
        await tx
          .update(accounts)
          .set({
            keyVersion: pending.keyVersion,
            wrappedVaultKey: pending.wrappedVaultKey,
            passwordHistory: body.passwordHistory ?? null,
            ...rotationCleared,
            // It wrapped the previous vault key: the extension issues a new one.
            ...recoveryCleared,
          })
          .where(eq(accounts.id, accountId));
        const otherSessionsEnded = await revokeSessionsOf(tx, accountId, sessionId, at, 'key-rotation');
        await recordAudit(tx, auditMeta(c, at), {
          type: 'key.rotated',
          accountId,
          sessionId,
          payload: { keyVersion: pending.keyVersion, otherSessionsEnded },
        });
      });
      const reply: RotationResponse = { keyVersion: body.keyVersion };
      return c.json(reply, 200);
    },
  );
