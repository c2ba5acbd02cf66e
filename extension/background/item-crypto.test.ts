import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  fromBase64Url,
  generateKeyBytes,
  importSymmetricKey,
  open,
  unwrapKey,
} from '../../shared-crypto/index.ts';
import { loginFields, normalizeFields } from '../messaging/item-schema.ts';
import {
  decryptItem,
  encryptItem,
  MIN_PADDED_BODY,
  nextVaultKeyAd,
  openVault,
  paddedLength,
  rewrapItemCiphertext,
  sealVault,
  vaultKeyAd,
} from './item-crypto.ts';
import { emptyVault } from './vault-data.ts';

const OWNER = '7d3b3f5e-3a8e-4c55-9d1b-2a1f1a9b0c11';
const ID = 'f0a3c2de-1111-4222-8333-944455556666';
const body = {
  v: 2,
  fields: loginFields({
    title: 'Bank',
    username: 'ada',
    password: 's3cret',
    uris: [{ url: 'https://bank.example', match: 'domain' as const }],
    notes: '',
    totp: '',
  }),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  conflictOf: null,
};
const withNotes = (notes: string) => ({ ...body, fields: { ...body.fields, notes } });

/**
 * Made by encryptItem as it was before keyVersion and padding existed (commit e0866c4), under
 * the vault key 01 02 … 20: an unpadded body, item key and body both at keyVersion 1.
 */
const OLD_VAULT_KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const OLD_CIPHERTEXT =
  'k1.AS3EqTLd38F-4gE-4_HQPgQC4Y6eUG5-1QVIa9XDHx1gn5jv0lVFZeKKuPqKpf0ETuQI9Wc0uHGZG2jH-bXsx_JEmnQ4NlycBkFbWSU' +
  '~k1.AVMa5cmgPdIRRcX37ZM50IvGX4UQWc9iuqNoCBfyF42ptx66GLCVDrec1BlE8ZYwQPiiQYVX56XL9hLcyxEf5_9R9Ms5Oz2azL6y9sRX' +
  'b_4hoOUHFnTmPZCSvwhsSkGouMo0fZgctVdf1IGk-tdgcG0SK20QzJQmjA6dtRBSzo1wbnUAVrQF-Mp5mLcyDK0VZuqHU-Jn3Wor6JxFX4C2' +
  'NO8Ycpi5mWoojtydWEaMi9eq6BQvJ-QyQvQ69RkOBZ7mgTpxnk4SVlYsAvLY9tMhguFw0Dr8hgc0Be7XzbtILv0YNmyC6CavF5AqZZbVn8bZ' +
  'CzddsvvZosJPKj_JGyo8mpMFv4bFQBS1k1BRukbhiJKGIYCDP2GEoWu7pWOr47U';
const OLD_BODY = {
  fields: {
    title: 'Old bank',
    username: 'ada',
    password: 's3cret',
    uris: [{ url: 'https://bank.example', match: 'domain' }],
    notes: '',
    totp: '',
  },
  createdAt: '2025-06-01T00:00:00.000Z',
  updatedAt: '2025-06-01T00:00:00.000Z',
  conflictOf: null,
};

/** Bytes of the sealed body's plaintext: envelope bytes minus header (29) and tag (16). */
const bodyBytes = (ct: string) => fromBase64Url((ct.split('~')[1] as string).slice(3)).length - 29 - 16;

describe('item ciphertexts', async () => {
  const vaultKey = await importSymmetricKey(generateKeyBytes());
  const newVaultKey = await importSymmetricKey(generateKeyBytes());

  it('round-trips and hides the plaintext', async () => {
    const ct = await encryptItem(vaultKey, OWNER, ID, 1, body);
    expect(ct).not.toContain('s3cret');
    expect(await decryptItem(vaultKey, OWNER, ID, 1, ct)).toEqual(body);
  });

  it('wraps the item key at the item keyVersion; the body stays at keyVersion 1', async () => {
    const ct = await encryptItem(newVaultKey, OWNER, ID, 2, body);
    expect(await decryptItem(newVaultKey, OWNER, ID, 2, ct)).toEqual(body);
    await expect(decryptItem(newVaultKey, OWNER, ID, 1, ct)).rejects.toMatchObject({ code: 'WRONG_CONTEXT' });
    await expect(decryptItem(vaultKey, OWNER, ID, 2, ct)).rejects.toMatchObject({ code: 'WRONG_KEY' });
    const [wrapped, sealed] = ct.split('~') as [string, string];
    const itemKey = await unwrapKey(newVaultKey, wrapped, {
      purpose: 'item-key',
      owner: OWNER,
      id: ID,
      keyVersion: 2,
    });
    const ad = { purpose: 'item', owner: OWNER, id: ID } as const;
    expect(await open(itemKey.key, sealed, { ...ad, keyVersion: 1 })).toBeInstanceOf(Uint8Array);
    await expect(open(itemKey.key, sealed, { ...ad, keyVersion: 2 })).rejects.toMatchObject({
      code: 'WRONG_CONTEXT',
    });
  });

  it('still opens an item written before padding and key versions (unpadded, keyVersion 1)', async () => {
    const oldKey = await importSymmetricKey(OLD_VAULT_KEY);
    expect(bodyBytes(OLD_CIPHERTEXT)).toBe(JSON.stringify(OLD_BODY).length);
    // A body from before item types opens as a login of today's shape (body format 2).
    const today = { ...OLD_BODY, v: 2, fields: normalizeFields(OLD_BODY.fields) };
    expect(await decryptItem(oldKey, OWNER, ID, 1, OLD_CIPHERTEXT)).toEqual(today);
    // …and a rotation carries it to version 2 without touching its (unpadded) body.
    const rotated = await rewrapItemCiphertext(oldKey, newVaultKey, OWNER, ID, 1, 2, OLD_CIPHERTEXT);
    expect(rotated.split('~')[1]).toBe(OLD_CIPHERTEXT.split('~')[1]);
    expect(await decryptItem(newVaultKey, OWNER, ID, 2, rotated)).toEqual(today);
  });

  it('refuses a ciphertext moved to another item or owner (the server cannot swap them)', async () => {
    const ct = await encryptItem(vaultKey, OWNER, ID, 1, body);
    const otherId = 'a0a3c2de-1111-4222-8333-944455556666';
    await expect(decryptItem(vaultKey, OWNER, otherId, 1, ct)).rejects.toMatchObject({
      code: 'WRONG_CONTEXT',
    });
    await expect(decryptItem(vaultKey, otherId, ID, 1, ct)).rejects.toBeInstanceOf(CryptoError);
    await expect(decryptItem(vaultKey, OWNER, ID, 2, ct)).rejects.toBeInstanceOf(CryptoError);
    // A body spliced onto another item's key of the same account fails too.
    const other = await encryptItem(vaultKey, OWNER, otherId, 1, body);
    const spliced = `${other.split('~')[0]}~${ct.split('~')[1]}`;
    await expect(decryptItem(vaultKey, OWNER, otherId, 1, spliced)).rejects.toBeInstanceOf(CryptoError);
  });

  it('refuses a tampered body and malformed ciphertext', async () => {
    const ct = await encryptItem(vaultKey, OWNER, ID, 1, body);
    const flipped = `${ct.slice(0, -3)}${ct.at(-3) === 'A' ? 'B' : 'A'}${ct.slice(-2)}`;
    await expect(decryptItem(vaultKey, OWNER, ID, 1, flipped)).rejects.toMatchObject({ code: 'TAMPERED' });
    await expect(decryptItem(vaultKey, OWNER, ID, 1, 'garbage')).rejects.toThrow(TypeError);
  });

  it('seals the whole vault cache as one envelope bound to the account', async () => {
    const data = emptyVault();
    data.revision = 7;
    const sealed = await sealVault(vaultKey, OWNER, data);
    expect(await openVault(vaultKey, OWNER, sealed)).toEqual(data);
    await expect(openVault(vaultKey, ID, sealed)).rejects.toMatchObject({ code: 'WRONG_CONTEXT' });
  });
});

describe('body padding', async () => {
  const vaultKey = await importSymmetricKey(generateKeyBytes());

  it('pads to max(512, Padmé(length)): known buckets', () => {
    expect([0, 1, 256, 511, 512].map(paddedLength)).toEqual([512, 512, 512, 512, 512]);
    // L = 513: E = 9, S = 4, so the low 5 bits are zero.
    expect(paddedLength(513)).toBe(544);
    expect(paddedLength(544)).toBe(544);
    expect(paddedLength(545)).toBe(576);
    // L = 1000: E = 9, S = 4 → multiples of 32.
    expect(paddedLength(1000)).toBe(1024);
    // L = 100,000: E = 16, S = 5 → multiples of 2048.
    expect(paddedLength(100_000)).toBe(100_352);
    expect(() => paddedLength(-1)).toThrow(RangeError);
  });

  it('never shrinks, costs at most 12 % above 512 bytes, and leaves few sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
        const p = paddedLength(n);
        expect(p).toBeGreaterThanOrEqual(Math.max(n, MIN_PADDED_BODY));
        if (n > MIN_PADDED_BODY) expect((p - n) / n).toBeLessThanOrEqual(0.12);
        // Only the top ⌊log2 E⌋ + 1 bits of the bucket may be set.
        const e = Math.floor(Math.log2(Math.max(n, 2)));
        const s = Math.floor(Math.log2(e)) + 1;
        if (n > MIN_PADDED_BODY) expect(p % 2 ** (e - s)).toBe(0);
      }),
    );
  });

  it('hides the length of short passwords and notes: they share a bucket', async () => {
    const short = await encryptItem(vaultKey, OWNER, ID, 1, {
      ...body,
      fields: { ...body.fields, password: 'a' },
    });
    const long = await encryptItem(vaultKey, OWNER, ID, 1, {
      ...body,
      fields: { ...body.fields, password: 'pw-of-20-chars-xyz!' },
    });
    expect(short.length).toBe(long.length);
    expect(bodyBytes(short)).toBe(MIN_PADDED_BODY);
    const notes = await encryptItem(vaultKey, OWNER, ID, 1, withNotes('n'.repeat(700)));
    expect(bodyBytes(notes)).toBe(paddedLength(JSON.stringify(withNotes('n'.repeat(700))).length));
  });

  it('pads with trailing spaces that the reader ignores, also around multi-byte text', async () => {
    const unicode = withNotes('pässwörd 🔑 '.repeat(40));
    const ct = await encryptItem(vaultKey, OWNER, ID, 1, unicode);
    expect(await decryptItem(vaultKey, OWNER, ID, 1, ct)).toEqual(unicode);
    const json = new TextEncoder().encode(JSON.stringify(unicode));
    expect(bodyBytes(ct)).toBe(paddedLength(json.length));
  });
});

describe('rewrapItemCiphertext', async () => {
  const oldKey = await importSymmetricKey(generateKeyBytes());
  const newKey = await importSymmetricKey(generateKeyBytes());

  it('re-wraps only the item key: the sealed body is byte for byte the same', async () => {
    const ct = await encryptItem(oldKey, OWNER, ID, 1, body);
    const rotated = await rewrapItemCiphertext(oldKey, newKey, OWNER, ID, 1, 2, ct);
    const [oldWrapped, oldSealed] = ct.split('~');
    const [newWrapped, newSealed] = rotated.split('~');
    expect(newSealed).toBe(oldSealed);
    expect(newWrapped).not.toBe(oldWrapped);
    expect(await decryptItem(newKey, OWNER, ID, 2, rotated)).toEqual(body);
    await expect(decryptItem(oldKey, OWNER, ID, 2, rotated)).rejects.toMatchObject({ code: 'WRONG_KEY' });
    await expect(decryptItem(newKey, OWNER, ID, 1, rotated)).rejects.toMatchObject({ code: 'WRONG_CONTEXT' });
  });

  it('refuses the wrong old key, version or item, and a malformed ciphertext', async () => {
    const ct = await encryptItem(oldKey, OWNER, ID, 1, body);
    await expect(rewrapItemCiphertext(newKey, newKey, OWNER, ID, 1, 2, ct)).rejects.toMatchObject({
      code: 'WRONG_KEY',
    });
    await expect(rewrapItemCiphertext(oldKey, newKey, OWNER, ID, 3, 4, ct)).rejects.toMatchObject({
      code: 'WRONG_CONTEXT',
    });
    await expect(rewrapItemCiphertext(oldKey, newKey, OWNER, OWNER, 1, 2, ct)).rejects.toMatchObject({
      code: 'WRONG_CONTEXT',
    });
    await expect(rewrapItemCiphertext(oldKey, newKey, OWNER, ID, 1, 2, 'k1.x')).rejects.toThrow(TypeError);
  });
});

describe('vault key envelopes', () => {
  it('bind the key version, and the rotation chain cannot pass for a password-wrapped key', () => {
    expect(vaultKeyAd(OWNER)).toEqual({ purpose: 'vault-key', owner: OWNER, id: OWNER, keyVersion: 1 });
    expect(vaultKeyAd(OWNER, 3).keyVersion).toBe(3);
    expect(nextVaultKeyAd(OWNER, 3)).toEqual({
      purpose: 'vault-key',
      owner: OWNER,
      id: `${OWNER}:next`,
      keyVersion: 3,
    });
  });
});
