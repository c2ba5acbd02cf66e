import { asc } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { publicJwk } from '../audit/signing.ts';
import { auditSigningKeys } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';
import { describe } from '../openapi/describe.ts';
import { type AuditKeysResponse, auditKeysResponse } from './audit-keys-schema.ts';

/**
 * GET /.well-known/keyhold-audit-keys: every public key that ever signed an audit checkpoint, as a
 * JWK Set (RFC 7517; Ed25519 as OKP, RFC 8037), so anyone can verify an exported log.
 */
export const auditKeyRoutes = new Hono<AppEnv>().get(
  '/keyhold-audit-keys',
  describe({
    summary: 'Every public key that ever signed an audit checkpoint (JWK Set)',
    tag: 'audit',
    answers: { 200: { description: 'The keys, oldest first.', schema: auditKeysResponse } },
  }),
  async (c) => {
    const rows = await inScope(c.var.deps.db, 'server', (tx) =>
      tx.select().from(auditSigningKeys).orderBy(asc(auditSigningKeys.createdAt)),
    );
    const reply: AuditKeysResponse = { keys: rows.map((row) => publicJwk(row)) };
    return c.json(reply, 200);
  },
);
