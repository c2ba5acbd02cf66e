import { and, desc, eq, lt } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { auditEvents, deviceSessions } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { requireScope } from '../middleware/auth.ts';
import { query } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import { type ActivityResponse, activityQuery, activityResponse } from './activity-schema.ts';

export * from './activity-schema.ts';

/** GET /v1/activity: the account's own audit events, newest first, paged (docs/protocol.md). */
export const activityRoutes = new Hono<AppEnv>().get(
  '/',
  describe({
    summary: 'The account’s own audit events, newest first, paged',
    tag: 'activity',
    answers: { 200: { description: 'A page of events.', schema: activityResponse } },
  }),
  requireScope('account'),
  query(activityQuery),
  async (c) => {
    const { before, limit } = c.req.valid('query');
    const { accountId, sessionId } = c.var.auth;
    const rows = await inScope(c.var.deps.db, { account: accountId }, (tx) =>
      tx
        .select({
          accountSeq: auditEvents.accountSeq,
          at: auditEvents.at,
          type: auditEvents.type,
          sessionId: auditEvents.sessionId,
          ip: auditEvents.ip,
          payload: auditEvents.payload,
          deviceName: deviceSessions.nameCiphertext,
          sessionFound: deviceSessions.id,
          revokedAt: deviceSessions.revokedAt,
        })
        .from(auditEvents)
        .leftJoin(deviceSessions, eq(deviceSessions.id, auditEvents.sessionId))
        .where(
          and(
            eq(auditEvents.accountId, accountId),
            before === undefined ? undefined : lt(auditEvents.accountSeq, before),
          ),
        )
        .orderBy(desc(auditEvents.accountSeq))
        .limit(limit),
    );
    const reply: ActivityResponse = {
      events: rows.map((row) => ({
        seq: row.accountSeq ?? 0,
        at: row.at.toISOString(),
        type: row.type,
        device: row.sessionId
          ? {
              sessionId: row.sessionId,
              name: row.deviceName,
              current: row.sessionId === sessionId,
              ended: row.sessionFound === null || row.revokedAt !== null,
            }
          : null,
        ip: row.ip,
        details: row.payload,
      })),
      next:
        rows.length === limit && (rows.at(-1)?.accountSeq ?? 1) > 1
          ? (rows.at(-1)?.accountSeq ?? null)
          : null,
    };
    return c.json(reply, 200);
  },
);
