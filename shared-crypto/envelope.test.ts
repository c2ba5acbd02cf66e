import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, utf8Encode } from './encoding.ts';
import {
  type AssociatedData,
  encodeAssociatedData,
  open,
  openBinary,
  openJson,
  seal,
  sealBinary,
  sealJson,
  unwrapKey,
  wrapKey,
} from './envelope.ts';
import { CryptoError, type CryptoErrorCode } from './errors.ts';
import { generateKeyBytes, importSymmetricKey, type SymmetricKey } from './keys.ts';
import { GCM_AES256_VECTORS } from './test/gcm-mcgrew-viega.ts';
import { bytesToHex, hexToBytes } from './test/hex.ts';

const OWNER = '0b9f2f7e-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const ITEM = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const AD: AssociatedData = { purpose: 'item', owner: OWNER, id: ITEM, keyVersion: 1 };
const HEADER_BYTES = 29;

let key: SymmetricKey;
let otherKey: SymmetricKey;
beforeAll(async () => {
  key = await importSymmetricKey(generateKeyBytes());
  otherKey = await importSymmetricKey(generateKeyBytes());
});

async function expectCode(promise: Promise<unknown>, code: CryptoErrorCode): Promise<void> {
  const err = await promise.then(
    () => expect.unreachable('expected a CryptoError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CryptoError);
  expect((err as CryptoError).code).toBe(code);
}

/** Decodes an envelope body, lets `edit` change it, re-encodes. */
function mutate(envelope: string, edit: (bytes: Uint8Array) => Uint8Array): string {
  return `k1.${toBase64Url(edit(fromBase64Url(envelope.slice(3))))}`;
}

describe('AES-256-GCM on this platform (McGrew–Viega test cases 13–16)', () => {
  it.each(GCM_AES256_VECTORS)('$name', async (v) => {
    const aes = await crypto.subtle.importKey(
      'raw',
      hexToBytes(v.key) as Uint8Array<ArrayBuffer>,
      'AES-GCM',
      false,
      ['encrypt', 'decrypt'],
    );
    const params = {
      name: 'AES-GCM',
      iv: hexToBytes(v.iv) as Uint8Array<ArrayBuffer>,
      additionalData: hexToBytes(v.aad) as Uint8Array<ArrayBuffer>,
      tagLength: 128,
    };
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(params, aes, hexToBytes(v.pt) as Uint8Array<ArrayBuffer>),
    );
    expect(bytesToHex(sealed)).toBe(v.ct + v.tag);
    expect(bytesToHex(new Uint8Array(await crypto.subtle.decrypt(params, aes, sealed)))).toBe(v.pt);
  });
});

describe('encodeAssociatedData', () => {
  it('is length-prefixed and labelled, so shifting characters between fields changes it', () => {
    const a = encodeAssociatedData({ purpose: 'item', owner: 'ab', id: 'c', keyVersion: 1 });
    const b = encodeAssociatedData({ purpose: 'item', owner: 'a', id: 'bc', keyVersion: 1 });
    expect(a).not.toEqual(b);
    expect(bytesToHex(a)).toBe(
      `0000000d${bytesToHex(utf8Encode('keyhold/v1/ad'))}` +
        `00000004${bytesToHex(utf8Encode('item'))}` +
        `00000002${bytesToHex(utf8Encode('ab'))}` +
        `00000001${bytesToHex(utf8Encode('c'))}` +
        '00000001',
    );
  });

  it('encodes a field with non-ASCII characters by its UTF-8 bytes and their count', () => {
    const owner = 'Zoë 😀';
    const bytes = utf8Encode(owner);
    expect(bytes.length).toBe(9);
    expect(
      bytesToHex(encodeAssociatedData({ purpose: 'item', owner, id: 'é', keyVersion: 0x01020304 })),
    ).toBe(
      `0000000d${bytesToHex(utf8Encode('keyhold/v1/ad'))}` +
        `00000004${bytesToHex(utf8Encode('item'))}` +
        `00000009${bytesToHex(bytes)}` +
        `00000002${bytesToHex(utf8Encode('é'))}` +
        '01020304',
    );
  });

  it.each([
    ['an unknown purpose', { ...AD, purpose: 'other' }, RangeError],
    ['an empty owner', { ...AD, owner: '' }, RangeError],
    ['a non-string id', { ...AD, id: 7 }, TypeError],
    ['keyVersion 0', { ...AD, keyVersion: 0 }, RangeError],
    ['a fractional keyVersion', { ...AD, keyVersion: 1.5 }, TypeError],
  ])('rejects %s', (_, ad, type) => {
    expect(() => encodeAssociatedData(ad as AssociatedData)).toThrow(type);
  });
});

describe('seal / open', () => {
  it('round-trips, including an empty plaintext', async () => {
    for (const pt of [new Uint8Array(0), utf8Encode('hunter2'), generateKeyBytes()]) {
      expect(await open(key, await seal(key, pt, AD), AD)).toEqual(pt);
    }
  });

  it('has the protocol layout: "k1." + b64u(version | keyId | adDigest | nonce | ct | tag)', async () => {
    const pt = utf8Encode('hello');
    const env = await seal(key, pt, AD);
    expect(env.startsWith('k1.')).toBe(true);
    const bytes = fromBase64Url(env.slice(3));
    expect(bytes).toHaveLength(HEADER_BYTES + pt.length + 16);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 9)).toEqual(key.id);
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', encodeAssociatedData(AD) as Uint8Array<ArrayBuffer>),
    );
    expect(bytes.subarray(9, 17)).toEqual(digest.slice(0, 8));
  });

  it('uses a fresh nonce: sealing the same plaintext twice gives different envelopes', async () => {
    const pt = utf8Encode('same');
    const [a, b] = [await seal(key, pt, AD), await seal(key, pt, AD)];
    expect(a).not.toBe(b);
    expect(fromBase64Url(a.slice(3)).subarray(17, 29)).not.toEqual(
      fromBase64Url(b.slice(3)).subarray(17, 29),
    );
  });

  it('reports a flipped ciphertext byte as TAMPERED', async () => {
    const env = await seal(key, utf8Encode('secret'), AD);
    const flipped = mutate(env, (b) => {
      b[HEADER_BYTES] = (b[HEADER_BYTES] as number) ^ 1;
      return b;
    });
    await expectCode(open(key, flipped, AD), 'TAMPERED');
  });

  it('reports a flipped tag or nonce byte as TAMPERED', async () => {
    const env = await seal(key, utf8Encode('secret'), AD);
    for (const at of [-1, 20]) {
      const flipped = mutate(env, (b) => {
        const i = at < 0 ? b.length + at : at;
        b[i] = (b[i] as number) ^ 0x80;
        return b;
      });
      await expectCode(open(key, flipped, AD), 'TAMPERED');
    }
  });

  it('reports short or undecodable envelopes as TRUNCATED', async () => {
    const env = await seal(key, new Uint8Array(0), AD);
    await expectCode(
      open(
        key,
        mutate(env, (b) => b.subarray(0, b.length - 1)),
        AD,
      ),
      'TRUNCATED',
    );
    for (const bad of ['', 'k1', 'k1.', 'k1.AQ', 'k1.!!!!', `${env}=`, env.slice(0, 20)]) {
      await expectCode(open(key, bad, AD), 'TRUNCATED');
    }
  });

  it('reports an unknown prefix or version byte as UNKNOWN_VERSION', async () => {
    const env = await seal(key, utf8Encode('x'), AD);
    await expectCode(open(key, `k2.${env.slice(3)}`, AD), 'UNKNOWN_VERSION');
    await expectCode(open(key, 'v1.abc', AD), 'UNKNOWN_VERSION');
    const v2 = mutate(env, (b) => {
      b[0] = 2;
      return b;
    });
    await expectCode(open(key, v2, AD), 'UNKNOWN_VERSION');
  });

  it('reports another key as WRONG_KEY', async () => {
    await expectCode(open(otherKey, await seal(key, utf8Encode('x'), AD), AD), 'WRONG_KEY');
  });

  it.each([
    ['id', { ...AD, id: 'another-item' }],
    ['owner', { ...AD, owner: 'another-account' }],
    ['keyVersion', { ...AD, keyVersion: 2 }],
    ['purpose', { ...AD, purpose: 'vault-cache' }],
  ] as const)('reports a different %s as WRONG_CONTEXT', async (_, other) => {
    await expectCode(open(key, await seal(key, utf8Encode('x'), AD), other), 'WRONG_CONTEXT');
  });

  it('still fails (TAMPERED) when the adDigest in the header is rewritten to match other AD', async () => {
    const env = await seal(key, utf8Encode('x'), AD);
    const other = { ...AD, id: 'another-item' };
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', encodeAssociatedData(other) as Uint8Array<ArrayBuffer>),
    );
    const moved = mutate(env, (b) => {
      b.set(digest.subarray(0, 8), 9);
      return b;
    });
    await expectCode(open(key, moved, other), 'TAMPERED');
  });

  it('validates its arguments with TypeError', async () => {
    await expect(seal({} as SymmetricKey, new Uint8Array(1), AD)).rejects.toThrow(TypeError);
    await expect(seal(key, 'text' as unknown as Uint8Array, AD)).rejects.toThrow(TypeError);
    await expect(open(key, 42 as unknown as string, AD)).rejects.toThrow(TypeError);
  });
});

describe('sealBinary / openBinary', () => {
  it('is the envelope without its text form: "k1." + its base64url opens with open(), and back', async () => {
    const pt = utf8Encode('a vault part');
    const bytes = await sealBinary(key, pt, AD);
    expect(bytes[0]).toBe(1);
    expect(await open(key, `k1.${toBase64Url(bytes)}`, AD)).toEqual(pt);
    expect(await openBinary(key, bytes, AD)).toEqual(pt);
    const text = await seal(key, pt, AD);
    expect(await openBinary(key, fromBase64Url(text.slice(3)), AD)).toEqual(pt);
  });

  it('reports failures with the same codes as open()', async () => {
    const bytes = await sealBinary(key, utf8Encode('x'), AD);
    const flipped = bytes.slice();
    flipped[HEADER_BYTES] = (flipped[HEADER_BYTES] as number) ^ 1;
    await expectCode(openBinary(key, flipped, AD), 'TAMPERED');
    await expectCode(openBinary(otherKey, bytes, AD), 'WRONG_KEY');
    await expectCode(openBinary(key, bytes, { ...AD, id: OWNER }), 'WRONG_CONTEXT');
    await expectCode(openBinary(key, bytes.subarray(0, HEADER_BYTES + 15), AD), 'TRUNCATED');
    await expectCode(openBinary(key, new Uint8Array(0), AD), 'TRUNCATED');
    const version = bytes.slice();
    version[0] = 2;
    await expectCode(openBinary(key, version, AD), 'UNKNOWN_VERSION');
    await expect(openBinary(key, 'k1.' as unknown as Uint8Array, AD)).rejects.toThrow(TypeError);
  });
});

describe('sealJson / openJson', () => {
  it('round-trips a JSON value', async () => {
    const value = { title: 'Bank', username: 'ana', password: 'p4ss', tags: ['x'], n: 1 };
    expect(await openJson(key, await sealJson(key, value, AD), AD)).toEqual(value);
  });

  it('refuses values without a JSON form', async () => {
    await expect(sealJson(key, undefined, AD)).rejects.toThrow(TypeError);
  });

  it('reports authentic non-JSON contents as BAD_INPUT', async () => {
    await expectCode(openJson(key, await seal(key, utf8Encode('{nope'), AD), AD), 'BAD_INPUT');
  });
});

describe('wrapKey / unwrapKey', () => {
  const vaultAd: AssociatedData = { purpose: 'vault-key', owner: OWNER, id: OWNER, keyVersion: 1 };

  it('round-trips a key and returns a usable SymmetricKey plus its raw bytes', async () => {
    const raw = generateKeyBytes();
    const unwrapped = await unwrapKey(key, await wrapKey(key, raw, vaultAd), vaultAd);
    expect(unwrapped.raw).toEqual(raw);
    expect(unwrapped.key.id).toEqual((await importSymmetricKey(raw)).id);
    expect(unwrapped.key.aes.extractable).toBe(false);
    const env = await seal(unwrapped.key, utf8Encode('item body'), AD);
    expect(await open(await importSymmetricKey(raw), env, AD)).toEqual(utf8Encode('item body'));
  });

  it('wraps only 32-byte keys, and only for key purposes', async () => {
    await expect(wrapKey(key, new Uint8Array(31), vaultAd)).rejects.toThrow(RangeError);
    await expect(wrapKey(key, generateKeyBytes(), AD)).rejects.toThrow(RangeError);
    const historyAd = { ...vaultAd, purpose: 'password-history' } as const;
    await expect(wrapKey(key, generateKeyBytes(), historyAd)).rejects.toThrow(RangeError);
    // …but a password-history blob is sealed like any other value, and bound to its purpose.
    const blob = await seal(key, utf8Encode('{"v":1}'), historyAd);
    expect(await open(key, blob, historyAd)).toEqual(utf8Encode('{"v":1}'));
    await expectCode(open(key, blob, { ...historyAd, purpose: 'vault-cache' }), 'WRONG_CONTEXT');
  });

  it('refuses an authentic envelope that does not hold a 32-byte key', async () => {
    await expectCode(unwrapKey(key, await seal(key, new Uint8Array(16), vaultAd), vaultAd), 'BAD_INPUT');
  });

  it('maps errors like open()', async () => {
    const env = await wrapKey(key, generateKeyBytes(), vaultAd);
    await expectCode(unwrapKey(otherKey, env, vaultAd), 'WRONG_KEY');
    await expectCode(unwrapKey(key, env, { ...vaultAd, keyVersion: 2 }), 'WRONG_CONTEXT');
  });
});
