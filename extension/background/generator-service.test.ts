import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { generateKeyBytes, toBase64Url } from '../../shared-crypto/index.ts';
import { generatorHistoryItem } from '../generator/history.ts';
import { DEFAULT_GENERATOR_OPTIONS, type GeneratorOptions } from '../generator/options.ts';
import { generatorOptionsItem } from '../generator/saved-options.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord } from '../storage/items.ts';
import { GeneratorService, type GeneratorVault } from './generator-service.ts';
import { VaultError } from './vault-error.ts';
import type { OpenVault } from './vault-service.ts';

/** The open vault as far as the generator uses it: the account and its current key. */
class FakeVault implements GeneratorVault {
  unlocked = true;
  account = { accountId: 'acct-1', keyVersion: 1 } as AccountRecord;
  vaultKey = toBase64Url(generateKeyBytes());
  async withOpenVault<T>(work: (v: OpenVault) => Promise<T>): Promise<T> {
    if (!this.unlocked) throw new VaultError(ErrorCode.Locked);
    return work({ account: this.account, vaultKey: this.vaultKey } as OpenVault);
  }
}

const passphrase: GeneratorOptions = {
  ...DEFAULT_GENERATOR_OPTIONS,
  kind: 'passphrase',
  passphrase: { words: 6, separator: ' ', capitalize: false, includeNumber: false },
};

let vault: FakeVault;
let service: GeneratorService;
let clock: number;

beforeEach(() => {
  fakeBrowser.reset();
  vault = new FakeVault();
  clock = Date.UTC(2026, 11, 1, 3, 0, 0);
  service = new GeneratorService(vault, () => new Date(clock));
});

describe('GeneratorService', () => {
  it('starts from the defaults and remembers the last options used', async () => {
    expect(await service.options()).toEqual(DEFAULT_GENERATOR_OPTIONS);
    const g = await service.generate(passphrase);
    expect(g.kind).toBe('passphrase');
    expect(g.value.split(' ')).toHaveLength(6);
    expect(g.entropyBits).toBeCloseTo(77.55, 2);
    expect(await service.options()).toEqual(passphrase);
    expect((await service.generateForField()).value.split(' ')).toHaveLength(6);
  });

  it('falls back to the defaults for a saved part that no longer passes, keeping the rest', async () => {
    await generatorOptionsItem.setValue({
      ...passphrase,
      password: { ...DEFAULT_GENERATOR_OPTIONS.password, length: 4 },
    });
    expect(await service.options()).toEqual({ ...passphrase, password: DEFAULT_GENERATOR_OPTIONS.password });
  });

  it('records values newest first, sealed: the stored blob holds no value in plaintext', async () => {
    await service.record('First-Generated-1!', 'password');
    clock += 60_000;
    await service.record('second generated phrase', 'passphrase');
    expect(await service.history()).toEqual([
      { value: 'second generated phrase', kind: 'passphrase', at: '2026-12-01T03:01:00.000Z' },
      { value: 'First-Generated-1!', kind: 'password', at: '2026-12-01T03:00:00.000Z' },
    ]);
    const stored = JSON.stringify(await fakeBrowser.storage.local.get(null));
    expect(stored).not.toContain('First-Generated');
    expect(stored).not.toContain('second generated');
  });

  it('is readable only while unlocked', async () => {
    await service.record('Value-While-Unlocked-1', 'password');
    vault.unlocked = false;
    await expect(service.history()).rejects.toMatchObject({ code: ErrorCode.Locked });
    await expect(service.record('x', 'password')).rejects.toMatchObject({ code: ErrorCode.Locked });
    vault.unlocked = true;
    expect((await service.history()).map((e) => e.value)).toEqual(['Value-While-Unlocked-1']);
  });

  it('shows nothing from a history sealed under another vault key, and replaces it on the next record', async () => {
    await service.record('Under-The-Old-Key-1', 'password');
    vault.vaultKey = toBase64Url(generateKeyBytes());
    expect(await service.history()).toEqual([]);
    await service.record('Under-The-New-Key-2', 'password');
    expect((await service.history()).map((e) => e.value)).toEqual(['Under-The-New-Key-2']);
  });

  it('clear empties it', async () => {
    await service.record('Soon-Cleared-1', 'password');
    await service.clear();
    expect(await generatorHistoryItem.getValue()).toBeNull();
    expect(await service.history()).toEqual([]);
  });
});
