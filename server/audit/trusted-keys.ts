import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { keyIdOf, type PublicKeyRecord } from './signing.ts';

/** A key set the verifier cannot use; the message says which key and why. */
export class TrustedKeysError extends Error {
  override readonly name = 'TrustedKeysError';
  readonly code = 'BAD_KEYS';
}

const jwk = z.object({
  kty: z.literal('OKP', 'must be "OKP"'),
  crv: z.literal('Ed25519', 'must be "Ed25519"'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a 32-byte key in base64url'),
  kid: z.string().min(1),
});

const jwkSet = z.object({ keys: z.array(z.unknown()) });

/**
 * The keys to trust, from a JWK Set (RFC 7517) as GET /.well-known/keyhold-audit-keys serves it.
 * Every key must be Ed25519 and its `kid` must be its key id (the first 16 hex digits of the
 * SHA-256 of the raw key), so a set cannot name a key it does not hold.
 */
export function parseTrustedKeys(text: string): PublicKeyRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TrustedKeysError('not JSON');
  }
  const set = jwkSet.safeParse(json);
  if (!set.success) throw new TrustedKeysError('not a JWK Set: expected {"keys": [...]}');
  return set.data.keys.map((entry, index) => {
    const parsed = jwk.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TrustedKeysError(
        `key ${index + 1}: ${issue?.path.join('.') || 'key'} ${issue?.message ?? 'is invalid'}`,
      );
    }
    const { x, kid } = parsed.data;
    let keyId: string;
    try {
      keyId = keyIdOf(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }));
    } catch {
      throw new TrustedKeysError(`key ${index + 1}: x is not an Ed25519 public key`);
    }
    if (keyId !== kid)
      throw new TrustedKeysError(`key ${index + 1}: kid ${kid} is not this key's id (${keyId})`);
    return { keyId, publicKey: x };
  });
}
