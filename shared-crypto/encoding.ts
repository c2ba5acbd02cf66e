import { assertBytes, assertInteger, assertString } from './assert.ts';

/** RFC 4648 §5 "base64url" alphabet; we never emit or accept padding (protocol.md: b64u). */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CODES = new Uint8Array(64).map((_, i) => ALPHABET.charCodeAt(i));
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

const textEncoder = new TextEncoder();
/** `fatal`: invalid UTF-8 is an error, never silently replaced by U+FFFD. */
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const asciiDecoder = new TextDecoder('utf-8');

/** Encodes to base64url without padding (RFC 4648 §5, §3.2). */
export function toBase64Url(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  const out = new Uint8Array(Math.ceil((bytes.length * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = CODES[(n >>> 18) & 63] as number;
    out[o++] = CODES[(n >>> 12) & 63] as number;
    out[o++] = CODES[(n >>> 6) & 63] as number;
    out[o++] = CODES[n & 63] as number;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out[o++] = CODES[(n >>> 18) & 63] as number;
    out[o++] = CODES[(n >>> 12) & 63] as number;
    if (rest === 2) out[o++] = CODES[(n >>> 6) & 63] as number;
  }
  return asciiDecoder.decode(out);
}

/**
 * Strict base64url decoding: no padding, no whitespace, no `+`/`/`, and the unused low bits of the
 * last character must be zero (RFC 4648 §3.5), so every byte string has exactly one encoding.
 * Throws TypeError on anything else.
 */
export function fromBase64Url(s: string): Uint8Array {
  assertString(s, 's');
  const rest = s.length % 4;
  if (rest === 1) throw new TypeError('invalid base64url: impossible length');
  const out = new Uint8Array(((s.length - rest) / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (VALUES[c] as number) : -1;
    if (v < 0) throw new TypeError('invalid base64url: unexpected character');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new TypeError('invalid base64url: non-canonical trailing bits');
  return out;
}

/** RFC 4648 §6 "base32" alphabet (A–Z, 2–7). */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE32_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) BASE32_VALUES[BASE32.charCodeAt(i)] = i;

/** Encodes to RFC 4648 §6 base32 without padding (upper case). */
export function toBase32(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Strict base32 decoding: upper-case alphabet only, no padding, no separators, and the unused low
 * bits of the last character must be zero (RFC 4648 §3.5), so every byte string has exactly one
 * encoding. Throws TypeError on anything else. Callers that accept human input (the recovery key)
 * normalise it and name the offending character first.
 */
export function fromBase32(s: string): Uint8Array {
  assertString(s, 's');
  // 8 characters carry 5 bytes; a final group of 1, 3 or 6 characters cannot end on a byte boundary.
  if ([1, 3, 6].includes(s.length % 8)) throw new TypeError('invalid base32: impossible length');
  const out = new Uint8Array(Math.floor((s.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (BASE32_VALUES[c] as number) : -1;
    if (v < 0) throw new TypeError('invalid base32: unexpected character');
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new TypeError('invalid base32: non-canonical trailing bits');
  return out;
}

export function utf8Encode(s: string): Uint8Array {
  assertString(s, 's');
  return textEncoder.encode(s);
}

/** Throws TypeError on malformed UTF-8 (WHATWG Encoding, fatal mode). */
export function utf8Decode(b: Uint8Array): string {
  assertBytes(b, 'b');
  return textDecoder.decode(b);
}

export function concatBytes(...arrs: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const [i, a] of arrs.entries()) {
    assertBytes(a, `arrs[${i}]`);
    total += a.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const a of arrs) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** getRandomValues throws QuotaExceededError above 65,536 bytes per call (W3C Web Crypto API), so fill in chunks. */
const RANDOM_CHUNK = 65_536;

/** CSPRNG bytes from WebCrypto; the only randomness source in shared-crypto. */
export function randomBytes(n: number): Uint8Array {
  assertInteger(n, 'n', 0, 2 ** 31 - 1);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + RANDOM_CHUNK)));
  }
  return out;
}
