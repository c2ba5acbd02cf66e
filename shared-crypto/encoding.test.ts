import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  fromBase32,
  fromBase64Url,
  randomBytes,
  toBase32,
  toBase64Url,
  utf8Decode,
  utf8Encode,
} from './encoding.ts';

describe('base64url', () => {
  // RFC 4648 §10 test vectors, in the url-safe alphabet and without padding.
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as %j and back', (text, b64) => {
    expect(toBase64Url(utf8Encode(text))).toBe(b64);
    expect(utf8Decode(fromBase64Url(b64))).toBe(text);
  });

  it('uses - and _ instead of + and /', () => {
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_');
    expect(fromBase64Url('-_-_')).toEqual(Uint8Array.of(0xfb, 0xff, 0xbf));
  });

  it('round-trips every length up to 64 with random bytes', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = randomBytes(n);
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'Zg=='],
    ['standard alphabet', 'ab+/'],
    ['whitespace', 'Zm9v Yg'],
    ['impossible length', 'Zm9vY'],
    ['non-canonical trailing bits', 'Zh'],
    ['non-ASCII', 'Zm9v\u00e9'],
  ])('rejects %s with a TypeError', (_, input) => {
    expect(() => fromBase64Url(input)).toThrow(TypeError);
  });

  it('rejects non-bytes and non-strings', () => {
    expect(() => toBase64Url([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => fromBase64Url(1 as unknown as string)).toThrow(TypeError);
  });
});

describe('base32', () => {
  // RFC 4648 §10 test vectors, without padding.
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('encodes %j as %j and back', (text, b32) => {
    expect(toBase32(utf8Encode(text))).toBe(b32);
    expect(utf8Decode(fromBase32(b32))).toBe(text);
  });

  it('round-trips every length up to 64 with random bytes', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = randomBytes(n);
      expect(fromBase32(toBase32(bytes))).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'MY======'],
    ['lower case', 'mzxq'],
    ['a digit outside 2–7', 'MZX0'],
    ['impossible length', 'MZX'],
    ['non-canonical trailing bits', 'MZ'],
    ['non-ASCII', 'MZXQ\u00c9'],
  ])('rejects %s with a TypeError', (_, input) => {
    expect(() => fromBase32(input)).toThrow(TypeError);
  });
});

describe('utf8', () => {
  it('round-trips non-ASCII text', () => {
    expect(utf8Decode(utf8Encode('pässwörd 🔑'))).toBe('pässwörd 🔑');
  });

  it('refuses malformed UTF-8 instead of substituting U+FFFD', () => {
    expect(() => utf8Decode(Uint8Array.of(0xc3, 0x28))).toThrow(TypeError);
  });
});

describe('concatBytes and randomBytes', () => {
  it('concatenates in order', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(
      Uint8Array.of(1, 2, 3),
    );
  });

  it('returns the requested length, beyond the 64 KiB getRandomValues limit', () => {
    expect(randomBytes(0)).toHaveLength(0);
    const big = randomBytes(100_000);
    expect(big).toHaveLength(100_000);
    expect(big.subarray(65_536).some((b) => b !== 0)).toBe(true);
  });

  it('validates n', () => {
    expect(() => randomBytes(-1)).toThrow(RangeError);
    expect(() => randomBytes(1.5)).toThrow(TypeError);
  });
});
