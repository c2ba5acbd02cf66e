import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { inScope } from '../db/scope.ts';
import { requireScope } from '../middleware/auth.ts';
import { jsonBody } from '../middleware/validate.ts';
import { describe } from '../openapi/describe.ts';
import {
  type RecordExportResponse,
  recordExportRequest,
  recordExportResponse,
} from './vault-export-schema.ts';

export * from './vault-export-schema.ts';

/**
 * Vault exports in the account's activity (docs/protocol.md, "Routes"; docs/audit.md). The device
 * exports on its own and then records it here; the server keeps the event `vault.exported` with the
 * format and item count and nothing else (the body's other fields are dropped by the schema). Only a
 * valid device session may record one, and only in its own account's chain.
 */
export const vaultExportRoutes = new Hono<AppEnv>().post(
  '/current/exports',
  describe({
    summary: 'Record that this device exported the vault (format and item count only)',
    tag: 'accounts',
    answers: {
      201: { description: 'The export is in the account’s activity.', schema: recordExportResponse },
    },
  }),
  requireScope('account'),
  jsonBody(recordExportRequest),
  async (c) => {
    const { format, items } = c.req.valid('json');
    const { db, now } = c.var.deps;
    const { accountId, sessionId } = c.var.auth;
    const at = now();
    const event = await inScope(db, { account: accountId }, (tx) =>
      recordAudit(tx, auditMeta(c, at), {
        type: 'vault.exported',
        accountId,
        sessionId,
        payload: { format, items },
      }),
    );
    const reply: RecordExportResponse = { recordedAt: event.at.toISOString() };
    return c.json(reply, 201);
  },
);
