import { describe, expect, it } from 'vitest';
import { generateKeyBytes, importSymmetricKey, wrapKey } from '../../shared-crypto/index.ts';
import type { AccountRecord } from '../storage/items.ts';
import { nextVaultKeyAd, vaultKeyAd } from './item-crypto.ts';
import { openPendingKey, VaultKeys } from './vault-keys.ts';

const ID = '6f1c3a52-0d7e-4b8e-9a1f-2c3d4e5f6a7b';
const account = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  accountId: ID,
  email: 'ada@example.test',
  serverUrl: 'http://keyhold.test',
  kdf: { alg: 'pbkdf2-sha256', iterations: 600_000 },
  salt: 'AAAAAAAAAAAAAAAAAAAAAA',
  wrappedVaultKey: 'k1.x',
  ...over,
});

describe('VaultKeys', async () => {
  const k1 = await importSymmetricKey(generateKeyBytes());
  const k2 = await importSymmetricKey(generateKeyBytes());
  const rotation = { keyVersion: 2, wrappedVaultKey: 'k1.y', wrappedByPrevious: 'k1.z', drive: true };

  it('writes under the current key, and under the pending one once the server recorded it', () => {
    const held = new Map([
      [1, k1],
      [2, k2],
    ]);
    expect(VaultKeys.of(account(), held)).toMatchObject({ current: 1, pending: null, writeVersion: 1 });
    expect(VaultKeys.of(account(), held).has(2)).toBe(false);
    const unrecorded = VaultKeys.of(account({ rotation: { ...rotation, recorded: false } }), held);
    expect(unrecorded).toMatchObject({ current: 1, pending: 2, writeVersion: 1 });
    expect(unrecorded.writeKey).toBe(k1);
    const recorded = VaultKeys.of(account({ rotation: { ...rotation, recorded: true } }), held);
    expect(recorded).toMatchObject({ pending: 2, writeVersion: 2 });
    expect(recorded.writeKey).toBe(k2);
    expect(recorded.get(1)).toBe(k1);
  });

  it('needs the current key; a pending key it does not hold is simply not held', () => {
    expect(() => VaultKeys.of(account({ keyVersion: 2 }), new Map([[1, k1]]))).toThrow(RangeError);
    const keys = VaultKeys.of(account({ rotation: { ...rotation, recorded: true } }), new Map([[1, k1]]));
    expect(keys).toMatchObject({ pending: null, writeVersion: 1 });
  });
});

describe('openPendingKey', async () => {
  const wrapping = await importSymmetricKey(generateKeyBytes());
  const otherWrapping = await importSymmetricKey(generateKeyBytes());
  const currentRaw = generateKeyBytes();
  const current = await importSymmetricKey(currentRaw);
  const nextRaw = generateKeyBytes();
  const chain = await wrapKey(current, nextRaw, nextVaultKeyAd(ID, 2));

  it('opens with the password, or through the chain with the current key', async () => {
    const byPassword = await wrapKey(wrapping, nextRaw, vaultKeyAd(ID, 2));
    const r = { keyVersion: 2, wrappedVaultKey: byPassword, wrappedByPrevious: chain };
    expect(await openPendingKey(ID, r, wrapping, current)).toMatchObject({ raw: nextRaw, via: 'password' });
    // Re-wrapped for another password (a recovery elsewhere): the chain still opens it.
    const forOther = await wrapKey(otherWrapping, nextRaw, vaultKeyAd(ID, 2));
    const viaChain = await openPendingKey(ID, { ...r, wrappedVaultKey: forOther }, wrapping, current);
    expect(viaChain).toMatchObject({ raw: nextRaw, via: 'chain' });
    expect(await openPendingKey(ID, { ...r, wrappedVaultKey: forOther }, wrapping, undefined)).toBeNull();
  });

  it('never takes the chain envelope for a password-wrapped key, nor the reverse', async () => {
    const asChain = await wrapKey(current, nextRaw, vaultKeyAd(ID, 2));
    const r = { keyVersion: 2, wrappedVaultKey: chain, wrappedByPrevious: asChain };
    expect(await openPendingKey(ID, r, current, current)).toBeNull();
  });
});
