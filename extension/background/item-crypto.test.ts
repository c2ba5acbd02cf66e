import { describe, expect, it } from 'vitest';
import { CryptoError, generateKeyBytes, importSymmetricKey } from '../../shared-crypto/index.ts';
import { decryptItem, encryptItem, openVault, sealVault } from './item-crypto.ts';
import { emptyVault } from './vault-data.ts';

const OWNER = '7d3b3f5e-3a8e-4c55-9d1b-2a1f1a9b0c11';
const ID = 'f0a3c2de-1111-4222-8333-944455556666';
const body = {
  fields: {
    title: 'Bank',
    username: 'ada',
    password: 's3cret',
    uris: [{ url: 'https://bank.example', match: 'domain' as const }],
    notes: '',
    totp: '',
  },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  conflictOf: null,
};

describe('item ciphertexts', async () => {
  const vaultKey = await importSymmetricKey(generateKeyBytes());

  it('round-trips and hides the plaintext', async () => {
    const ct = await encryptItem(vaultKey, OWNER, ID, body);
    expect(ct).not.toContain('s3cret');
    expect(await decryptItem(vaultKey, OWNER, ID, 1, ct)).toEqual(body);
  });

  it('refuses a ciphertext moved to another item or owner (the server cannot swap them)', async () => {
    const ct = await encryptItem(vaultKey, OWNER, ID, body);
    const otherId = 'a0a3c2de-1111-4222-8333-944455556666';
    await expect(decryptItem(vaultKey, OWNER, otherId, 1, ct)).rejects.toMatchObject({
      code: 'WRONG_CONTEXT',
    });
    await expect(decryptItem(vaultKey, otherId, ID, 1, ct)).rejects.toBeInstanceOf(CryptoError);
    await expect(decryptItem(vaultKey, OWNER, ID, 2, ct)).rejects.toBeInstanceOf(CryptoError);
  });

  it('refuses a tampered body and malformed ciphertext', async () => {
    const ct = await encryptItem(vaultKey, OWNER, ID, body);
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
