import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { generateKeyBytes, importSymmetricKey, type SymmetricKey } from '../../shared-crypto/index.ts';
import {
  forgetHistory,
  generatorHistoryItem,
  HISTORY_LIMIT,
  type HistoryEntry,
  openHistory,
  resealHistory,
  sealHistory,
  withEntry,
} from './history.ts';

const ACCOUNT = 'acct-1';
const newKey = () => importSymmetricKey(generateKeyBytes());
const entry = (value: string, at = '2026-12-01T00:00:00.000Z'): HistoryEntry => ({
  value,
  kind: 'password',
  at,
});
const SECRET = 'Gen-9Zq!secret-VALUE-xy';

let key: SymmetricKey;
beforeEach(async () => {
  fakeBrowser.reset();
  key = await newKey();
});

describe('withEntry', () => {
  it('puts the newest first, moves a repeated value up and keeps at most 50', () => {
    let h: HistoryEntry[] = [];
    for (let i = 0; i < 60; i++) h = withEntry(h, entry(`v${i}`));
    expect(h).toHaveLength(HISTORY_LIMIT);
    expect(h[0]?.value).toBe('v59');
    expect(h.at(-1)?.value).toBe('v10');
    h = withEntry(h, entry('v30', '2026-12-02T00:00:00.000Z'));
    expect(h[0]).toEqual(entry('v30', '2026-12-02T00:00:00.000Z'));
    expect(h.filter((e) => e.value === 'v30')).toHaveLength(1);
  });
});

describe('sealed history', () => {
  it('round-trips and stores no generated value in plaintext', async () => {
    const entries = [
      entry(SECRET),
      { value: 'correct-Horse-battery7', kind: 'passphrase' as const, at: '2026-12-01T01:00:00.000Z' },
    ];
    const record = await sealHistory(entries, key, ACCOUNT, 3);
    expect(record.keyVersion).toBe(3);
    const stored = JSON.stringify(record);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain('Horse');
    expect(await openHistory(record, key, ACCOUNT)).toEqual(entries);
  });

  it('refuses a wrong key, another account, another version or a tampered blob', async () => {
    const record = await sealHistory([entry(SECRET)], key, ACCOUNT, 1);
    await expect(openHistory(record, await newKey(), ACCOUNT)).rejects.toMatchObject({ name: 'CryptoError' });
    await expect(openHistory(record, key, 'acct-2')).rejects.toMatchObject({ name: 'CryptoError' });
    await expect(openHistory({ ...record, keyVersion: 2 }, key, ACCOUNT)).rejects.toMatchObject({
      name: 'CryptoError',
    });
    const flipped = `${record.sealed.slice(0, -3)}${record.sealed.slice(-3) === 'AAA' ? 'BBB' : 'AAA'}`;
    await expect(openHistory({ ...record, sealed: flipped }, key, ACCOUNT)).rejects.toMatchObject({
      name: 'CryptoError',
    });
  });

  it('refuses authentic contents of an unknown shape', async () => {
    const bad = await sealHistory([{ value: '', kind: 'password', at: 'x' }], key, ACCOUNT, 1);
    await expect(openHistory(bad, key, ACCOUNT)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('resealHistory', () => {
  it('re-seals under the new current version while the old key is held', async () => {
    const next = await newKey();
    await generatorHistoryItem.setValue(await sealHistory([entry(SECRET)], key, ACCOUNT, 1));
    await resealHistory(
      ACCOUNT,
      new Map([
        [1, key],
        [2, next],
      ]),
      2,
    );
    const record = await generatorHistoryItem.getValue();
    expect(record?.keyVersion).toBe(2);
    expect(await openHistory(record as NonNullable<typeof record>, next, ACCOUNT)).toEqual([entry(SECRET)]);
    await expect(openHistory(record as NonNullable<typeof record>, key, ACCOUNT)).rejects.toThrow();
  });

  it('leaves a history already at the current version alone', async () => {
    const record = await sealHistory([entry(SECRET)], key, ACCOUNT, 2);
    await generatorHistoryItem.setValue(record);
    await resealHistory(ACCOUNT, new Map([[2, key]]), 2);
    expect(await generatorHistoryItem.getValue()).toEqual(record);
  });

  it('drops a history no held key opens (another vault key, another account)', async () => {
    await generatorHistoryItem.setValue(await sealHistory([entry(SECRET)], key, ACCOUNT, 1));
    await resealHistory(ACCOUNT, new Map([[2, await newKey()]]), 2);
    expect(await generatorHistoryItem.getValue()).toBeNull();

    await generatorHistoryItem.setValue(await sealHistory([entry(SECRET)], key, 'acct-2', 1));
    await resealHistory(
      ACCOUNT,
      new Map([
        [1, key],
        [2, await newKey()],
      ]),
      2,
    );
    expect(await generatorHistoryItem.getValue()).toBeNull();
  });

  it('forgetHistory removes it', async () => {
    await generatorHistoryItem.setValue(await sealHistory([entry(SECRET)], key, ACCOUNT, 1));
    await forgetHistory();
    expect(await generatorHistoryItem.getValue()).toBeNull();
  });
});
