import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicJwk, publicRecord } from './signing.ts';
import { parseTrustedKeys, TrustedKeysError } from './trusted-keys.ts';

const refusal = (text: string) => {
  try {
    parseTrustedKeys(text);
    return 'accepted';
  } catch (error) {
    return error instanceof TrustedKeysError ? error.message : `other: ${String(error)}`;
  }
};

describe('trusted audit keys (a JWK Set)', () => {
  it('reads the set the server publishes', () => {
    const keys = [generateSigningKey(), generateSigningKey()].map(publicRecord);
    expect(parseTrustedKeys(JSON.stringify({ keys: keys.map(publicJwk) }))).toEqual(keys);
    expect(parseTrustedKeys('{"keys":[]}')).toEqual([]);
  });

  it('refuses a set that is not one, or a key that is not Ed25519 or not the one its kid names', () => {
    const record = publicRecord(generateSigningKey());
    const other = publicRecord(generateSigningKey());
    const jwk = publicJwk(record);
    const set = (...keys: unknown[]) => JSON.stringify({ keys });
    expect(refusal('{')).toBe('not JSON');
    expect(refusal('[]')).toBe('not a JWK Set: expected {"keys": [...]}');
    expect(refusal(set(jwk, { ...jwk, kid: other.keyId }))).toBe(
      `key 2: kid ${other.keyId} is not this key's id (${record.keyId})`,
    );
    expect(refusal(set({ ...jwk, crv: 'X25519' }))).toBe('key 1: crv must be "Ed25519"');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(refusal(set({ ...rsa, kid: 'k' }))).toBe('key 1: kty must be "OKP"');
    expect(refusal(set({ ...jwk, x: 'AAAA' }))).toBe('key 1: x must be a 32-byte key in base64url');
    expect(refusal(set({ ...jwk, kid: undefined }))).toMatch(/^key 1: kid /);
  });
});
