import { describe, expect, it } from 'vitest';
import { generateKeyBytes, importSymmetricKey, openJson, sealJson } from '../../shared-crypto/index.ts';
import {
  isReused,
  newPasswordHistory,
  openPasswordHistory,
  reseal,
  sealPasswordHistory,
  withPassword,
} from './password-history.ts';

const ACCOUNT = '6f1c3a52-0d7e-4b8e-9a1f-2c3d4e5f6a7b';
const OTHER = '0a1b2c3d-0d7e-4b8e-9a1f-2c3d4e5f6a7b';
const ad = (keyVersion: number) =>
  ({ purpose: 'password-history', owner: ACCOUNT, id: ACCOUNT, keyVersion }) as const;

describe('password history', async () => {
  const vaultKey = await importSymmetricKey(generateKeyBytes());
  const newKey = await importSymmetricKey(generateKeyBytes());

  it('remembers the last five passwords, newest first, and no more', async () => {
    let h = newPasswordHistory(ACCOUNT);
    expect(await isReused(h, 'first password 1')).toBe(false);
    for (let n = 1; n <= 6; n++) h = await withPassword(h, `first password ${n}`);
    expect(h.hashes).toHaveLength(5);
    expect(await isReused(h, 'first password 1')).toBe(false);
    for (let n = 2; n <= 6; n++) expect(await isReused(h, `first password ${n}`)).toBe(true);
    // Newest first.
    expect(h.hashes[0]).toBe((await withPassword({ ...h, hashes: [] }, 'first password 6')).hashes[0]);
    // Used again: moved to the front, not listed twice.
    const again = await withPassword(h, 'first password 3');
    expect(again.hashes).toHaveLength(5);
    expect(again.hashes[0]).toBe(h.hashes[3]);
    expect(new Set(again.hashes).size).toBe(5);
  });

  it('compares passwords after NFKC, as the KDF does', async () => {
    const h = await withPassword(newPasswordHistory(ACCOUNT), 'ﬁsh-and-chips-2024');
    expect(await isReused(h, 'fish-and-chips-2024')).toBe(true);
    expect(await isReused(h, 'Fish-and-chips-2024')).toBe(false);
  });

  it('keys the hashes per account: the same password hashes differently elsewhere', async () => {
    const a = await withPassword(newPasswordHistory(ACCOUNT), 'shared secret phrase');
    const b = await withPassword(newPasswordHistory(ACCOUNT), 'shared secret phrase');
    expect(a.hashes[0]).not.toBe(b.hashes[0]);
  });

  it('seals as the contract says, and opens only with its key, account and version', async () => {
    const h = await withPassword(newPasswordHistory(ACCOUNT), 'correct horse battery');
    const sealed = await sealPasswordHistory(h, vaultKey, 3);
    expect(sealed).not.toContain(h.key);
    expect(await openJson(vaultKey, sealed, ad(3))).toEqual({ v: 1, key: h.key, hashes: h.hashes });
    expect(await openPasswordHistory(sealed, vaultKey, ACCOUNT, 3)).toEqual(h);
    await expect(openPasswordHistory(sealed, newKey, ACCOUNT, 3)).rejects.toMatchObject({
      code: 'WRONG_KEY',
    });
    await expect(openPasswordHistory(sealed, vaultKey, ACCOUNT, 2)).rejects.toMatchObject({
      code: 'WRONG_CONTEXT',
    });
    await expect(openPasswordHistory(sealed, vaultKey, OTHER, 3)).rejects.toMatchObject({
      code: 'WRONG_CONTEXT',
    });
    expect(sealed.length).toBeLessThan(4096);
  });

  it.each([
    ['another version', { v: 2, key: 'A'.repeat(43), hashes: [] }],
    ['a short key', { v: 1, key: 'AAAA', hashes: [] }],
    ['six hashes', { v: 1, key: 'A'.repeat(43), hashes: Array(6).fill('A'.repeat(43)) }],
    ['a hash that is not b64u', { v: 1, key: 'A'.repeat(43), hashes: ['not a hash'] }],
    ['no object', null],
  ])('refuses authentic contents of an unknown shape (%s)', async (_, blob) => {
    const sealed = await sealJson(vaultKey, blob, ad(1));
    await expect(openPasswordHistory(sealed, vaultKey, ACCOUNT, 1)).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  it('re-seals under a rotated vault key with the same contents', async () => {
    const h = await withPassword(newPasswordHistory(ACCOUNT), 'correct horse battery');
    const old = await sealPasswordHistory(h, vaultKey, 1);
    const next = await reseal(old, ACCOUNT, { key: vaultKey, version: 1 }, { key: newKey, version: 2 });
    expect(await openPasswordHistory(next, newKey, ACCOUNT, 2)).toEqual(h);
    await expect(openPasswordHistory(next, vaultKey, ACCOUNT, 1)).rejects.toMatchObject({
      code: 'WRONG_KEY',
    });
    expect(await isReused(await openPasswordHistory(next, newKey, ACCOUNT, 2), 'correct horse battery')).toBe(
      true,
    );
  });
});
