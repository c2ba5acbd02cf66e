import { desc, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import type { Db } from '../db/client.ts';
import { auditEvents, auditHead } from '../db/schema.ts';
import { onCommit } from '../db/scope.ts';
import { requestIp } from '../middleware/client-ip.ts';
import { type AuditPayload, type ChainedEvent, chainEvent } from './chain.ts';
import type { AuditEventType } from './event-types.ts';

export { type AuditEventType, auditEventTypes } from './event-types.ts';

/**
 * The one way to record a security event: inside the transaction of the action it records
 * (docs/audit.md). If the event cannot be written the whole action fails with 503
 * AUDIT_UNAVAILABLE and, being one transaction, leaves nothing behind (fail closed).
 */

/** What the request knows about itself (never a secret: no token, key, body or ciphertext). */
export interface AuditMeta {
  at: Date;
  requestId: string | null;
  /** The client's address: the socket's, or the one a trusted proxy forwarded (TRUST_PROXY). */
  ip: string | null;
  logger: Logger;
  /** Told after each committed event (the checkpoint writer counts them). */
  onRecorded?: (() => void) | undefined;
  /** Told when an event could not be written (the metrics count it). */
  onWriteFailed?: ((type: AuditEventType) => void) | undefined;
}

/** The request's side of its audit events: its id, the client's address, the server's clock. */
export function auditMeta(c: Context<AppEnv>, at: Date = c.var.deps.now()): AuditMeta {
  return {
    at,
    requestId: c.var.requestId ?? null,
    ip: requestIp(c),
    logger: c.var.deps.logger,
    onRecorded: c.var.deps.onAuditEvent,
    onWriteFailed: c.var.deps.metrics?.auditWriteFailed,
  };
}

export interface AuditEvent {
  type: AuditEventType;
  accountId?: string | null;
  sessionId?: string | null;
  /** Small and typed: ids, counts, codes, reasons. Never a secret, token, auth key or ciphertext. */
  payload?: AuditPayload;
}

export const auditUnavailable = () =>
  new ApiError(
    503,
    'AUDIT_UNAVAILABLE',
    'The audit log cannot be written, so nothing was changed. Try again later.',
    {
      headers: { 'Retry-After': '5' },
    },
  );

/**
 * Appends `event` to both chains in transaction `tx` (from inScope, acting as the event's account
 * or as the server for events without one). The head row's lock serialises the chain; it is
 * taken last in every transaction that records, so it never waits on a lock held by a writer.
 */
export async function recordAudit(tx: Db, meta: AuditMeta, event: AuditEvent): Promise<ChainedEvent> {
  const accountId = event.accountId ?? null;
  let chained: ChainedEvent;
  try {
    const [head] = await tx.select().from(auditHead).for('update');
    if (!head) throw new Error('audit head row missing');
    let accountLast: { accountSeq: number; hash: string } | null = null;
    if (accountId) {
      const [last] = await tx
        .select({ accountSeq: auditEvents.accountSeq, hash: auditEvents.hash })
        .from(auditEvents)
        .where(eq(auditEvents.accountId, accountId))
        .orderBy(desc(auditEvents.accountSeq))
        .limit(1);
      if (last?.accountSeq) accountLast = { accountSeq: last.accountSeq, hash: last.hash };
    }
    chained = chainEvent(
      {
        at: meta.at,
        type: event.type,
        accountId,
        sessionId: event.sessionId ?? null,
        requestId: meta.requestId,
        ip: meta.ip,
        payload: event.payload ?? {},
      },
      { seq: head.lastEventSeq, hash: head.hash },
      accountLast,
    );
    await tx.insert(auditEvents).values(chained);
    await tx.update(auditHead).set({ lastEventSeq: chained.seq, hash: chained.hash });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    meta.logger.error({ event: 'audit_write_failed', type: event.type, reqId: meta.requestId }, 'audit');
    meta.onWriteFailed?.(event.type);
    throw auditUnavailable();
  }
  onCommit(tx, () => {
    // One JSON line per committed event, with its own log type, for shipping to a separate store.
    meta.logger.info(
      {
        logType: 'audit',
        seq: chained.seq,
        at: chained.at.toISOString(),
        type: chained.type,
        accountId: chained.accountId,
        sessionId: chained.sessionId,
        reqId: chained.requestId,
        ip: chained.ip,
        payload: chained.payload,
        hash: chained.hash,
      },
      'audit',
    );
    meta.onRecorded?.();
  });
  return chained;
}
