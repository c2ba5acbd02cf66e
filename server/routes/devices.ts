import { and, desc, eq, isNull } from 'drizzle-orm';
import { Hono } from 'hono';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta } from '../audit/record.ts';
import { deviceSessions } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import { notifySession } from '../push/notifier.ts';
import { endSession, endSessionsOf } from '../session-lifecycle.ts';
import { sessionExpiresAt } from '../session-limits.ts';
import {
  type DeviceSessionsResponse,
  deviceSessionsResponse,
  nameSessionRequest,
  type RevokeOthersResponse,
  revokeOthersResponse,
} from './devices-schema.ts';

export * from './devices-schema.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const noSuchSession = () => new ApiError(404, 'NOT_FOUND', 'No such signed-in device.');

/**
 * The account's device sessions (docs/sessions.md, "Devices and expiry"), mounted at /v1/sessions
 * next to sign-in, refresh and logout (routes/sessions.ts).
 */
export const deviceRoutes = new Hono<AppEnv>()
  /** Every live session, most recently seen first; sessions already past a limit are not shown. */
  .get(
    '/',
    describe({
      summary: 'The account’s live device sessions, most recently seen first',
      tag: 'sessions',
      answers: { 200: { description: 'The sessions.', schema: deviceSessionsResponse } },
    }),
    requireScope('account'),
    async (c) => {
      const { db, now, sessionLimits } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      const at = now();
      const rows = await inScope(db, { account: accountId }, (tx) =>
        tx
          .select()
          .from(deviceSessions)
          .where(and(eq(deviceSessions.accountId, accountId), isNull(deviceSessions.revokedAt)))
          .orderBy(desc(deviceSessions.lastSeenAt), desc(deviceSessions.createdAt)),
      );
      const reply: DeviceSessionsResponse = {
        sessions: rows.flatMap((row) => {
          const expiresAt = sessionExpiresAt(sessionLimits, row);
          if (expiresAt <= at) return [];
          return [
            {
              id: row.id,
              name: row.nameCiphertext,
              createdAt: row.createdAt.toISOString(),
              lastSeenAt: row.lastSeenAt.toISOString(),
              createdIp: row.createdIp,
              lastIp: row.lastIp,
              current: row.id === sessionId,
              expiresAt: expiresAt.toISOString(),
            },
          ];
        }),
      };
      return c.json(reply, 200);
    },
  )
  /**
   * The calling device stores its own name, sealed with the vault key. Not a security event (no
   * audit record); the account's other open devices are told, so their Devices lists refresh.
   */
  .put(
    '/current/name',
    describe({
      summary: 'Set this device’s sealed name',
      tag: 'sessions',
      answers: { 204: { description: 'The name is stored.' } },
    }),
    requireScope('account'),
    jsonBody(nameSessionRequest),
    async (c) => {
      const { name } = c.req.valid('json');
      const { accountId, sessionId } = c.var.auth;
      await inScope(c.var.deps.db, { account: accountId }, async (tx) => {
        await tx.update(deviceSessions).set({ nameCiphertext: name }).where(eq(deviceSessions.id, sessionId));
        await notifySession(tx, { accountId, sessionId, kind: 'named' });
      });
      return c.body(null, 204);
    },
  )
  /** Ends every other live session of the account: "Log out all other devices". */
  .post(
    '/revoke-others',
    describe({
      summary: 'Sign out every other device',
      tag: 'sessions',
      answers: { 200: { description: 'How many sessions ended.', schema: revokeOthersResponse } },
    }),
    requireScope('account'),
    async (c) => {
      const { db, now } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      const meta = auditMeta(c, now());
      const ended = await inScope(db, { account: accountId }, (tx) =>
        endSessionsOf(tx, meta, { accountId, except: sessionId, reason: 'others-logged-out', by: sessionId }),
      );
      const reply: RevokeOthersResponse = { ended };
      return c.json(reply, 200);
    },
  )
  /** Ends another device's session ("Log out" on it); the caller's own ends with DELETE /current. */
  .delete(
    '/:id',
    describe({
      summary: 'Sign out another device (its session id)',
      tag: 'sessions',
      answers: { 204: { description: 'That session ended.' } },
    }),
    requireScope('account'),
    async (c) => {
      const id = c.req.param('id');
      const { db, now } = c.var.deps;
      const { accountId, sessionId } = c.var.auth;
      if (!UUID.test(id)) throw noSuchSession();
      if (id.toLowerCase() === sessionId) {
        throw new ApiError(
          400,
          'VALIDATION',
          'id: this is the current session; sign out with DELETE /v1/sessions/current',
          {
            field: 'id',
          },
        );
      }
      const meta = auditMeta(c, now());
      const ended = await inScope(db, { account: accountId }, async (tx) => {
        const [target] = await tx
          .select({ id: deviceSessions.id })
          .from(deviceSessions)
          .where(and(eq(deviceSessions.id, id), eq(deviceSessions.accountId, accountId)))
          .for('update');
        if (!target) return false;
        return endSession(tx, meta, {
          accountId,
          sessionId: target.id,
          reason: 'remote-logout',
          by: sessionId,
        });
      });
      if (!ended) throw noSuchSession();
      return c.body(null, 204);
    },
  );
