import { describe, expect, it } from 'vitest';
import { concatBytes, utf8Encode } from './encoding.ts';
import { unwrapKey, wrapKey } from './envelope.ts';
import { hkdf } from './hkdf.ts';
import { DEFAULT_KDF, deriveMasterKey } from './kdf.ts';
import { deriveAccountKeys, generateKeyBytes, importSymmetricKey } from './keys.ts';

describe('importSymmetricKey', () => {
  it('makes a non-extractable AES-GCM key with the protocol keyId', async () => {
    const raw = generateKeyBytes();
    const key = await importSymmetricKey(raw);
    expect(key.aes.extractable).toBe(false);
    expect(key.aes.algorithm.name).toBe('AES-GCM');
    expect(key.aes.usages.sort()).toEqual(['decrypt', 'encrypt']);
    const digest = new Uint8Array(
      await crypto.subtle.digest(
        'SHA-256',
        concatBytes(utf8Encode('keyhold/v1/key-id'), raw) as Uint8Array<ArrayBuffer>,
      ),
    );
    expect(key.id).toEqual(digest.slice(0, 8));
  });

  it('accepts only 32 bytes', async () => {
    await expect(importSymmetricKey(new Uint8Array(16))).rejects.toThrow(RangeError);
    await expect(importSymmetricKey('k' as unknown as Uint8Array)).rejects.toThrow(TypeError);
  });

  it('generates fresh random keys', () => {
    expect(generateKeyBytes()).toHaveLength(32);
    expect(generateKeyBytes()).not.toEqual(generateKeyBytes());
  });
});

describe('deriveAccountKeys', () => {
  const salt = new Uint8Array(16).fill(1);
  const accountId = '6f1c3a52-0d7e-4b8e-9a1f-2c3d4e5f6a7b';
  const ad = { purpose: 'vault-key', owner: accountId, id: accountId, keyVersion: 1 } as const;

  // Slow: three Argon2id runs at the default 64 MiB, t=3, p=4 (~0.4 s each).
  it('splits the master key by label, and a wrong password cannot unwrap the vault key', async () => {
    const right = await deriveAccountKeys('correct horse', salt, DEFAULT_KDF);
    const masterKey = await deriveMasterKey('correct horse', salt, DEFAULT_KDF);
    expect(right.authKey).toEqual(await hkdf(masterKey, new Uint8Array(0), 'keyhold/v1/auth', 32));
    const wrapRaw = await hkdf(masterKey, new Uint8Array(0), 'keyhold/v1/wrap', 32);
    expect(right.wrappingKey.id).toEqual((await importSymmetricKey(wrapRaw)).id);
    expect(right.wrappingKeyRaw).toEqual(wrapRaw);
    expect(right.authKey).not.toEqual(wrapRaw);

    const vaultKey = generateKeyBytes();
    const wrapped = await wrapKey(right.wrappingKey, vaultKey, ad);
    expect((await unwrapKey(right.wrappingKey, wrapped, ad)).raw).toEqual(vaultKey);

    const wrong = await deriveAccountKeys('correct h0rse', salt, DEFAULT_KDF);
    expect(wrong.authKey).not.toEqual(right.authKey);
    await expect(unwrapKey(wrong.wrappingKey, wrapped, ad)).rejects.toMatchObject({ code: 'WRONG_KEY' });
  });
});
