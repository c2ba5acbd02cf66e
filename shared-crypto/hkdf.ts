import { asBufferSource, assertBytes, assertInteger, isBytes } from './assert.ts';
import { utf8Encode } from './encoding.ts';

/** RFC 5869 §2.3: L <= 255 * HashLen. */
const MAX_LENGTH = 255 * 32;

/**
 * HKDF-SHA-256 (RFC 5869 §2) through WebCrypto. An empty salt is the RFC's "not provided" case
 * (§2.2: HashLen zero bytes), which HMAC treats identically; protocol.md uses it on purpose because
 * the master key is already uniformly random and salted by the password KDF.
 */
export async function hkdf(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array | string,
  length: number,
): Promise<Uint8Array> {
  assertBytes(ikm, 'ikm');
  assertBytes(salt, 'salt');
  const infoBytes = typeof info === 'string' ? utf8Encode(info) : info;
  if (!isBytes(infoBytes)) throw new TypeError('info must be a Uint8Array or a string');
  assertInteger(length, 'length', 1, MAX_LENGTH);
  const key = await globalThis.crypto.subtle.importKey('raw', asBufferSource(ikm), 'HKDF', false, [
    'deriveBits',
  ]);
  const bits = await globalThis.crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: asBufferSource(salt), info: asBufferSource(infoBytes) },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}
