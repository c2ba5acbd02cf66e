import { asc } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { publicJwk } from '../audit/signing.ts';
import { auditSigningKeys } from '../db/schema.ts';
import { inScope } from '../db/scope.ts';

/**
 * GET /.well-known/keyhold-audit-keys: every public key that ever signed an audit checkpoint, as a
 * JWK Set (RFC 7517; Ed25519 as OKP, RFC 8037), so anyone can verify an exported log.
 */
export const auditKeyRoutes = new Hono<AppEnv>().get('/keyhold-audit-keys', async (c) => {
  const rows = await inScope(c.var.deps.db, 'server', (tx) =>
    tx.select().from(auditSigningKeys).orderBy(asc(auditSigningKeys.createdAt)),
  );
  return c.json({ keys: rows.map((row) => publicJwk(row)) }, 200);
});
