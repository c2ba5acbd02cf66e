import { describe, expect, it } from 'vitest';
import { utf8Encode } from './encoding.ts';
import { hkdf } from './hkdf.ts';
import { HKDF_SHA256_VECTORS } from './test/rfc5869-hkdf.ts';

describe('hkdf (RFC 5869, SHA-256)', () => {
  it.each(HKDF_SHA256_VECTORS)('matches test case $name', async (v) => {
    expect(await hkdf(v.ikm, v.salt, v.info, v.length)).toEqual(v.okm);
  });

  it('treats a string info as its UTF-8 bytes', async () => {
    const ikm = new Uint8Array(32).fill(7);
    const salt = new Uint8Array(0);
    expect(await hkdf(ikm, salt, 'keyhold/v1/auth', 32)).toEqual(
      await hkdf(ikm, salt, utf8Encode('keyhold/v1/auth'), 32),
    );
  });

  it('validates its inputs', async () => {
    const ikm = new Uint8Array(32);
    await expect(hkdf(ikm, ikm, 'x', 0)).rejects.toThrow(RangeError);
    await expect(hkdf(ikm, ikm, 'x', 255 * 32 + 1)).rejects.toThrow(RangeError);
    await expect(hkdf('k' as unknown as Uint8Array, ikm, 'x', 32)).rejects.toThrow(TypeError);
    await expect(hkdf(ikm, ikm, 5 as unknown as string, 32)).rejects.toThrow(TypeError);
  });
});
