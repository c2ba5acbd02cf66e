import { z } from 'zod';

/** One audit checkpoint signing key as a public JWK (Ed25519 as OKP, RFC 8037). */
export const auditKeyJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  /** The public key, base64url. */
  x: z.string(),
  /** The key id checkpoints name. */
  kid: z.string(),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});

/** GET /.well-known/keyhold-audit-keys: a JWK Set (RFC 7517) of every key that ever signed a checkpoint. */
export const auditKeysResponse = z.object({ keys: z.array(auditKeyJwk) });
export type AuditKeysResponse = z.infer<typeof auditKeysResponse>;
