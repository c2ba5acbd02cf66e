import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { keyVersionStale } from '../account-keys.ts';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { changesSince, type ItemRow, lockForPush, writePush } from '../db/hot-path.ts';
import { lineageOf } from '../db/lineage.ts';
import { inScope, inScopeOpenedBy } from '../db/scope.ts';
import { accountGone } from '../lockout.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody, query } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import {
  type ChangesResponse,
  changesQuery,
  changesResponse,
  type Item,
  LINEAGE_HEADER,
  NO_LINEAGE,
  type PushResult,
  pushRequest,
  pushResponse,
} from './sync-schema.ts';

export * from './sync-schema.ts';

const toItem = (row: ItemRow): Item => ({
  id: row.id,
  revision: row.revision,
  deleted: row.deleted,
  keyVersion: row.keyVersion,
  ciphertext: row.ciphertext,
  updatedAt: row.updatedAt.toISOString(),
});

/** A push with at least this many conflicting changes is recorded in the audit log. */
export const CONFLICT_STORM = 100;

/**
 * A push refused for its content (400 malformed or invalid, 413 too large) is recorded as
 * `push.refused` with the error code and field — never the body — and then answered as before.
 */
const auditRefusedPush = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // Hono has already turned the error into its answer; c.error says what it was.
  const error = c.error;
  if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 413)) return;
  const { accountId, sessionId } = c.var.auth;
  await inScope(c.var.deps.db, { account: accountId }, (tx) =>
    recordAudit(tx, auditMeta(c), {
      type: 'push.refused',
      accountId,
      sessionId,
      payload: { code: error.code, field: error.extra.field ?? null },
    }),
  );
});

export const syncRoutes = new Hono<AppEnv>()
  .get(
    '/changes',
    describe({
      summary: 'Pull: the items changed since a revision',
      tag: 'sync',
      answers: { 200: { description: 'Changed items in revision order.', schema: changesResponse } },
    }),
    requireScope('vault:read'),
    query(changesQuery),
    async (c) => {
      const { since, limit } = c.req.valid('query');
      const { accountId, accountRevision } = c.var.auth;
      const { db, metrics } = c.var.deps;
      // Read once per process: no query of its own after the first poll.
      const restored = await lineageOf(db);
      const lineage = restored ? { lineage: restored } : {};
      // "Nothing changed" is answered from the revision the token check read: one prepared
      // statement per poll, no item rows.
      if (since >= accountRevision) {
        metrics?.pullItems.observe(0);
        const reply: ChangesResponse = { revision: accountRevision, items: [], hasMore: false, ...lineage };
        return c.json(reply, 200);
      }
      // One statement (keyhold_changes): declares the account and reads the page, under row-level security.
      const rows = await changesSince(db, accountId, since, limit + 1);
      const hasMore = rows.length > limit;
      const page = hasMore ? rows.slice(0, limit) : rows;
      metrics?.pullItems.observe(page.length);
      // A push may have committed between the two reads; never report a revision below what we return.
      const last = page.at(-1)?.revision ?? 0;
      const reply: ChangesResponse = {
        revision: Math.max(accountRevision, last),
        items: page.map(toItem),
        hasMore,
        ...lineage,
      };
      return c.json(reply, 200);
    },
  )
  .post(
    '/push',
    describe({
      summary: 'Push: item changes, each applied or answered with a conflict',
      tag: 'sync',
      answers: { 200: { description: 'One result per change.', schema: pushResponse } },
    }),
    requireScope('vault:write'),
    auditRefusedPush,
    jsonBody(pushRequest),
    async (c) => {
      const { changes } = c.req.valid('json');
      const { accountId } = c.var.auth;
      const { db, now } = c.var.deps;
      // Base revisions from before a restore are not comparable with the restored ones: the device
      // reconciles first (docs/sync.md, "After a restore"). Devices that send no header are not checked.
      const claimed = c.req.header(LINEAGE_HEADER);
      if (claimed !== undefined && claimed !== ((await lineageOf(db))?.id ?? NO_LINEAGE)) {
        throw new ApiError(
          409,
          'LINEAGE_CHANGED',
          'the database was restored from a backup: pull from 0 and reconcile',
        );
      }
      const at = now();
      const ids = changes.map((change) => change.id);
      // Four round trips: begin, lock and read (keyhold_push_lock), one write, commit; the account row
      // stays locked for the two in between only.
      const reply = await inScopeOpenedBy(
        db,
        (tx) => lockForPush(tx, accountId, ids),
        async (tx, account) => {
          if (!account) throw accountGone();
          // Items are written under the current vault key or, while a rotation runs, the new one;
          // anything else was made with a key another device has replaced. Tombstones carry no key.
          const stale = changes.some(
            (change) =>
              !change.deleted &&
              change.keyVersion !== account.keyVersion &&
              change.keyVersion !== account.rotationKeyVersion,
          );
          if (stale) throw keyVersionStale();
          // Ids are lower case (as PostgreSQL returns them) and distinct (pushRequest), so each change
          // finds its stored row by its own spelling and each item is written at most once.
          const { stored } = account;
          let revision = account.revision;
          const writes: ItemRow[] = [];
          const results: PushResult[] = [];
          for (const change of changes) {
            const current = stored.get(change.id);
            // Idempotent retry: the stored copy already is this change (e.g. the ack was lost in a crash).
            if (
              current &&
              current.ciphertext === change.ciphertext &&
              current.deleted === change.deleted &&
              current.keyVersion === change.keyVersion
            ) {
              results.push({ id: change.id, status: 'applied', revision: current.revision });
              continue;
            }
            if (change.baseRevision !== (current?.revision ?? 0)) {
              results.push({ id: change.id, status: 'conflict', current: current ? toItem(current) : null });
              continue;
            }
            revision += 1;
            const row: ItemRow = {
              accountId,
              id: change.id,
              revision,
              deleted: change.deleted,
              keyVersion: change.keyVersion,
              ciphertext: change.ciphertext,
              createdAt: current?.createdAt ?? at,
              updatedAt: at,
            };
            writes.push(row);
            results.push({ id: change.id, status: 'applied', revision });
          }
          // Items, revision and the notification every server process hears on commit: one statement.
          if (writes.length > 0) await writePush(tx, accountId, revision, at, writes);
          const conflicts = results.filter((r) => r.status === 'conflict').length;
          if (conflicts >= CONFLICT_STORM) {
            // Applied as usual (the client resolves each conflict), but worth a security reviewer's look:
            // a device pushing stale copies of many items at once.
            await recordAudit(tx, auditMeta(c, at), {
              type: 'push.conflict-storm',
              accountId,
              sessionId: c.var.auth.sessionId,
              payload: { changes: changes.length, conflicts },
            });
          }
          return { revision, results, conflicts };
        },
      );
      // Counted once committed: a push that failed changed nothing.
      const { revision, results, conflicts } = reply;
      const { metrics } = c.var.deps;
      if (metrics) {
        metrics.pushSize.observe(results.length);
        metrics.pushedChanges.inc({ outcome: 'applied' }, results.length - conflicts);
        metrics.pushedChanges.inc({ outcome: 'conflict' }, conflicts);
      }
      return c.json({ revision, results }, 200);
    },
  );
