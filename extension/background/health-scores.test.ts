import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { generateKeyBytes, importSymmetricKey, toBase64Url } from '../../shared-crypto/index.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord } from '../storage/items.ts';
import {
  forgetHealthScores,
  healthScoresItem,
  openScores,
  type ScoresVault,
  sealedScoreStore,
  sealScores,
} from './health-scores.ts';
import { VaultError } from './vault-error.ts';
import type { OpenVault } from './vault-service.ts';

const H1 = `${'A'.repeat(43)}=`;
const H2 = `${'B'.repeat(43)}=`;

class FakeVault implements ScoresVault {
  unlocked = true;
  account = { accountId: 'acct-1', keyVersion: 1 } as AccountRecord;
  vaultKey = toBase64Url(generateKeyBytes());
  async withOpenVault<T>(work: (v: OpenVault) => Promise<T>): Promise<T> {
    if (!this.unlocked) throw new VaultError(ErrorCode.Locked);
    return work({ account: this.account, vaultKey: this.vaultKey } as OpenVault);
  }
}

let vault: FakeVault;
beforeEach(() => {
  fakeBrowser.reset();
  vault = new FakeVault();
});

describe('sealed health scores', () => {
  it('reads back what it wrote, sealed: no hash or score in storage in the clear', async () => {
    const store = sealedScoreStore(vault);
    await store.write(new Map([[H1, 1]]));
    const record = await healthScoresItem.getValue();
    expect(record?.accountId).toBe('acct-1');
    expect(record?.keyVersion).toBe(1);
    expect(JSON.stringify(record)).not.toContain('AAAA');
    expect(await store.read()).toEqual(new Map([[H1, 1]]));
  });

  it('drops scores sealed for another key version or account, and reads nothing', async () => {
    const store = sealedScoreStore(vault);
    await store.write(new Map([[H1, 1]]));
    vault.account = { accountId: 'acct-1', keyVersion: 2 } as AccountRecord;
    expect(await store.read()).toEqual(new Map());
    expect(await healthScoresItem.getValue()).toBeNull();

    await store.write(new Map([[H2, 4]]));
    vault.account = { accountId: 'acct-2', keyVersion: 2 } as AccountRecord;
    expect(await store.read()).toEqual(new Map());
    expect(await healthScoresItem.getValue()).toBeNull();
  });

  it('drops scores it cannot open (another vault key, tampered), and reads nothing', async () => {
    const store = sealedScoreStore(vault);
    await store.write(new Map([[H1, 1]]));
    vault.vaultKey = toBase64Url(generateKeyBytes());
    expect(await store.read()).toEqual(new Map());
    expect(await healthScoresItem.getValue()).toBeNull();

    await store.write(new Map([[H1, 1]]));
    const record = await healthScoresItem.getValue();
    if (!record) throw new Error('not written');
    const flipped =
      record.sealed.slice(0, -6) + (record.sealed.at(-6) === 'A' ? 'B' : 'A') + record.sealed.slice(-5);
    await healthScoresItem.setValue({ ...record, sealed: flipped });
    expect(await store.read()).toEqual(new Map());
  });

  it('refuses authentic contents of an unknown shape (a score out of range)', async () => {
    const raw = generateKeyBytes();
    const key = await importSymmetricKey(raw);
    const record = await sealScores(new Map([[H1, 7]]), key, 'acct-1', 1);
    await expect(openScores(record, key, 'acct-1')).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('is LOCKED while the vault is locked, and forgotten at logout', async () => {
    const store = sealedScoreStore(vault);
    await store.write(new Map([[H1, 1]]));
    vault.unlocked = false;
    await expect(store.read()).rejects.toMatchObject({ code: ErrorCode.Locked });
    await forgetHealthScores();
    expect(await healthScoresItem.getValue()).toBeNull();
  });
});
