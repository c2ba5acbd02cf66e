import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { describe, expect, it, vi } from 'vitest';
import { scorerDataAsPackaged } from '../../scripts/scorer-data.ts';
import { type ItemFields, loginFields, normalizeFields } from '../messaging/item-schema.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { requestSchemas } from '../messaging/protocol-schemas.ts';
import { ScorerDataError } from './scorer-data.ts';
import type { LocalItem, VaultData } from './vault-data.ts';
import {
  ESTIMATE_MAX_LENGTH,
  healthReport,
  L33T_SUBSTITUTIONS,
  loadScorer,
  passwordSetAt,
  type ScoreStore,
  sessionOnly,
  VaultHealth,
} from './vault-health.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function vaultOf(entries: { fields: ItemFields; createdAt?: string; deleted?: boolean }[]): VaultData {
  const items: Record<string, LocalItem> = {};
  entries.forEach((e, n) => {
    const id = uuid(n);
    const at = e.createdAt ?? '2026-11-01T00:00:00Z';
    items[id] = {
      id,
      revision: 1,
      fields: e.fields,
      createdAt: at,
      updatedAt: at,
      conflictOf: null,
      dirty: false,
      deleted: e.deleted ?? false,
    };
  });
  return { version: 1, revision: 1, lastSyncAt: null, items };
}

const login = (title: string, password: string, url = `https://${title}.example`, extra = {}) =>
  loginFields({ title, username: `${title}-user`, password, uris: [{ url, match: 'domain' }], ...extra });

/** A stand-in estimator: "weak…" passwords score 1, the rest 4. */
const fakeScore = (p: string) => (p.startsWith('weak') ? 1 : 4);
const report = (data: VaultData, oldAfterDays = 365) =>
  healthReport(data, { now: NOW, oldAfterDays, scoreOf: fakeScore });
const ids = (list: { itemId: string }[]) => list.map((e) => e.itemId);
/** The estimator's data as the build packages it: the JSON text written into the extension. */
const packagedData = scorerDataAsPackaged;

describe('vault health report', () => {
  it('lists weak passwords with their score, weakest first', () => {
    const r = report(vaultOf([{ fields: login('a', 'weak-1') }, { fields: login('b', 'Strong-Unique-9') }]));
    expect(r.weak).toEqual([{ itemId: uuid(0), title: 'a', subtitle: 'a-user', detail: 1 }]);
    expect(r.checked).toBe(2);
  });

  it('lists every login sharing a password, with how many share it', () => {
    const r = report(
      vaultOf([
        { fields: login('a', 'shared-pw') },
        { fields: login('b', 'shared-pw') },
        { fields: login('c', 'shared-pw') },
        { fields: login('d', 'own-pw') },
        { fields: login('e', '') },
        { fields: login('f', '') },
      ]),
    );
    expect(ids(r.reused)).toEqual([uuid(0), uuid(1), uuid(2)]);
    expect(r.reused.map((e) => e.detail)).toEqual([3, 3, 3]);
  });

  it('counts an old password from its last change, else from the item creation', () => {
    const changed = login('changed', 'p1', undefined, {
      passwordHistory: [
        { password: 'older', replacedAt: '2025-01-01T00:00:00Z' },
        { password: 'old', replacedAt: '2026-10-01T00:00:00Z' },
      ],
    });
    const data = vaultOf([
      { fields: changed, createdAt: '2020-01-01T00:00:00Z' },
      { fields: login('ancient', 'p2'), createdAt: '2024-12-01T00:00:00Z' },
      { fields: login('recent', 'p3'), createdAt: '2026-11-30T00:00:00Z' },
    ]);
    expect(report(data, 365).old).toEqual([
      { itemId: uuid(1), title: 'ancient', subtitle: 'ancient-user', detail: 730 },
    ]);
    expect(ids(report(data, 60).old)).toEqual([uuid(1), uuid(0)]);
    expect(report(data, 60).old[1]?.detail).toBe(61);
    expect(passwordSetAt({ id: uuid(0), fields: changed, createdAt: '2020-01-01T00:00:00Z' })).toBe(
      '2026-10-01T00:00:00Z',
    );
  });

  it('lists logins saved for plain http (loopback and https are fine)', () => {
    const r = report(
      vaultOf([
        { fields: login('plain', 'p1', 'http://shop.example/login') },
        { fields: login('tls', 'p2', 'https://shop.example') },
        { fields: login('local', 'p3', 'http://localhost:3000') },
      ]),
    );
    expect(r.insecure).toEqual([
      { itemId: uuid(0), title: 'plain', subtitle: 'plain-user', detail: 'shop.example' },
    ]);
  });

  it('lists logins on a TOTP-capable site without a TOTP secret, by registrable domain', () => {
    const r = report(
      vaultOf([
        { fields: login('gh', 'p1', 'https://github.com/login') },
        { fields: login('google', 'p2', 'https://accounts.google.com') },
        { fields: login('gh-totp', 'p3', 'https://github.com', { totp: 'JBSWY3DPEHPK3PXP' }) },
        { fields: login('other', 'p4', 'https://nowhere.example') },
        { fields: login('pages', 'p5', 'https://someone.github.io') },
      ]),
    );
    expect(r.inactiveTotp.map((e) => [e.title, e.detail])).toEqual([
      ['gh', 'github.com'],
      ['google', 'google.com'],
    ]);
  });

  it('ignores trashed and deleted items and other item types', () => {
    const trashed = {
      ...login('trashed', 'weak-shared', 'http://github.com'),
      trashedAt: '2026-11-20T00:00:00Z',
    };
    const note = normalizeFields({ type: 'note', title: 'note', notes: 'weak-shared http://github.com' });
    const r = report(
      vaultOf([
        { fields: trashed, createdAt: '2000-01-01T00:00:00Z' },
        { fields: login('gone', 'weak-shared', 'http://github.com'), deleted: true },
        { fields: note, createdAt: '2000-01-01T00:00:00Z' },
        { fields: login('live', 'weak-shared', 'https://live.example') },
      ]),
    );
    expect(r.checked).toBe(1);
    expect(ids(r.weak)).toEqual([uuid(3)]);
    expect(r.reused).toEqual([]);
    expect(r.old).toEqual([]);
    expect(r.insecure).toEqual([]);
    expect(r.inactiveTotp).toEqual([]);
  });

  it('never carries a password', () => {
    const passwords = ['weak-aaaa', 'reused-bbbb', 'old-cccc', 'http-dddd', 'totp-eeee', 'history-ffff'];
    const data = vaultOf([
      { fields: login('w', passwords[0] as string) },
      { fields: login('r1', passwords[1] as string) },
      { fields: login('r2', passwords[1] as string) },
      { fields: login('o', passwords[2] as string), createdAt: '2019-01-01T00:00:00Z' },
      { fields: login('h', passwords[3] as string, 'http://h.example') },
      {
        fields: login('t', passwords[4] as string, 'https://github.com', {
          passwordHistory: [{ password: passwords[5], replacedAt: '2020-01-01T00:00:00Z' }],
        }),
      },
    ]);
    const json = JSON.stringify(report(data, 90));
    for (const p of passwords) expect(json).not.toContain(p);
  });
});

describe('VaultHealth (worker cache)', () => {
  const data = vaultOf([
    { fields: login('a', 'weak-1') },
    { fields: login('b', 'weak-1') },
    { fields: login('c', 'fine-2') },
  ]);

  it('scores each distinct password once per unlocked session, and again after clear()', async () => {
    const score = vi.fn(fakeScore);
    const load = vi.fn(async () => score);
    const health = new VaultHealth(load);
    const first = await health.report(data, 365, NOW);
    expect(ids(first.weak)).toEqual([uuid(0), uuid(1)]);
    expect(score).toHaveBeenCalledTimes(2);
    await health.report(data, 365, NOW);
    expect(score).toHaveBeenCalledTimes(2);
    health.clear();
    await health.report(data, 365, NOW);
    expect(score).toHaveBeenCalledTimes(4);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('starts afresh for another vault object (a new unlock)', async () => {
    const score = vi.fn(fakeScore);
    const health = new VaultHealth(async () => score);
    await health.report(data, 365, NOW);
    await health.report(structuredClone(data), 365, NOW);
    expect(score).toHaveBeenCalledTimes(4);
  });

  it('answers LOCKED when the vault locks while scoring', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const health = new VaultHealth(async () => {
      await gate;
      return fakeScore;
    });
    const pending = health.report(data, 365, NOW);
    health.clear();
    release();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.Locked });
  });

  it('says how many distinct passwords are scored, all of them once scoring is done', async () => {
    const health = new VaultHealth(async () => fakeScore);
    expect((await health.report(data, 365, NOW)).strength).toEqual({ scored: 2, total: 2 });
  });

  it('answers with what is scored so far when scoring takes longer than the wait, then completes', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const health = new VaultHealth(
      async () => {
        await gate;
        return fakeScore;
      },
      sessionOnly,
      10,
    );
    const partial = await health.report(data, 365, NOW);
    expect(partial.strength).toEqual({ scored: 0, total: 2 });
    expect(partial.weak).toEqual([]);
    // The other categories do not wait for the estimator.
    expect(partial.reused.map((e) => e.detail)).toEqual([2, 2]);
    release();
    await vi.waitFor(async () => expect((await health.report(data, 365, NOW)).strength.scored).toBe(2));
    expect(ids((await health.report(data, 365, NOW)).weak)).toEqual([uuid(0), uuid(1)]);
  });

  it('keeps scores across unlocks in its store: the next unlock scores only new passwords', async () => {
    const kept: Map<string, number>[] = [];
    const store: ScoreStore = {
      read: async () => new Map(kept.at(-1) ?? []),
      write: async (scores) => void kept.push(new Map(scores)),
    };
    const score = vi.fn(fakeScore);
    await new VaultHealth(async () => score, store).report(data, 365, NOW);
    expect(score).toHaveBeenCalledTimes(2);
    expect(kept.at(-1)?.size).toBe(2);
    expect([...(kept.at(-1)?.keys() ?? [])].join()).not.toContain('weak');

    // A new unlock (another health object, another vault object), one password changed.
    const changed = structuredClone(data);
    (changed.items[uuid(2)] as LocalItem).fields = login('c', 'weak-new');
    const after = await new VaultHealth(async () => score, store).report(changed, 365, NOW);
    expect(score).toHaveBeenCalledTimes(3);
    expect(score).toHaveBeenLastCalledWith('weak-new');
    expect(ids(after.weak)).toEqual([uuid(0), uuid(1), uuid(2)]);
    // The replaced password's score is not kept.
    expect(kept.at(-1)?.size).toBe(2);
  });

  it('scores in the background after an unlock, and stops when the vault locks', async () => {
    vi.useFakeTimers();
    try {
      const score = vi.fn(fakeScore);
      const health = new VaultHealth(async () => score);
      health.warmLater(async () => data, 1000);
      await vi.advanceTimersByTimeAsync(999);
      expect(score).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(10);
      // Hashing (crypto.subtle) settles outside the fake clock: wait for the outcome, not a tick count.
      await vi.waitFor(() => expect(score).toHaveBeenCalledTimes(2));

      const other = new VaultHealth(async () => score);
      other.warmLater(async () => data, 1000);
      other.clear();
      await vi.advanceTimersByTimeAsync(2000);
      expect(score).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers without strengths when the estimator’s data cannot be read, and tries again at the next report', async () => {
    let reads = 0;
    const health = new VaultHealth(() =>
      loadScorer(async () => {
        reads++;
        if (reads === 1)
          throw new ScorerDataError('The password-strength data could not be read (HTTP 404).');
        return packagedData();
      }),
    );
    const failed = await health.report(data, 365, NOW);
    expect(failed.strength).toEqual({ scored: 0, total: 2 });
    expect(failed.weak).toEqual([]);
    expect(failed.reused.map((e) => e.detail)).toEqual([2, 2]);
    expect(reads).toBe(1);
    // The popup asks again while strengths are missing: the data is read again, and scoring completes.
    await vi.waitFor(async () => expect((await health.report(data, 365, NOW)).strength.scored).toBe(2));
    expect(reads).toBe(2);
  });
});

describe('the estimator', () => {
  it('uses the master-password meter’s estimator (zxcvbn-ts), with the packaged data', async () => {
    const score = await loadScorer(packagedData);
    expect(score('password')).toBe(0);
    expect(score('qwerty123')).toBeLessThan(3);
    expect(score('vK8#pq2!Lz9@wR4t')).toBe(4);
  });

  it('scores exactly as zxcvbn-ts with the language packages imported directly', async () => {
    const score = await loadScorer(packagedData);
    const direct = new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
      useLevenshteinDistance: false,
      maxLength: ESTIMATE_MAX_LENGTH,
      l33tMaxSubstitutions: L33T_SUBSTITUTIONS,
    });
    // Words from each kind of list (common passwords, English words, names, Wikipedia, sequences),
    // l33t, keyboard walks on several layouts, dates, repeats, and random strings of each class.
    const passwords = [
      'password p@ssw0rd Tr0ub4dor&3 correcthorsebatterystaple jennifer1987 smithsonian mississippi',
      'wednesday thirteenth qwertyuiop zxcvbnm,./ azertyuiop 1qaz2wsx qwertzuiop 7410852963 aaaaaaaa',
      'abcabcabc 01/02/1990 19901231 ilovehogwarts! P4$$w0rd!2024 dragonball77 Vq7#shared-Mz2!kL9@pX',
      'ÄÖÜäöüß 汉字密码 monkeybusiness abc123abc123 letmein! zodiacgemini octobersunset alphabravo',
    ].flatMap((line) => line.split(' '));
    passwords.push('x'.repeat(40));
    // …and words from every list, early and late in its ranking, bare and with a suffix.
    const lists: Record<string, (string | number)[]> = { ...common.dictionary, ...en.dictionary };
    for (const list of Object.values(lists)) {
      for (const at of [0, 0.1, 0.5, 0.9, 1]) {
        const word = String(list[Math.min(list.length - 1, Math.floor(at * list.length))]);
        passwords.push(word, `${word}7`, `${word.toUpperCase()}!`);
      }
    }
    for (let n = 0; n < 100; n++) passwords.push(pseudoRandomPassword(n));
    for (const p of passwords) expect(score(p), p).toBe(direct.check(p.slice(0, ESTIMATE_MAX_LENGTH)).score);
  });
});

/** Deterministic passwords of 4–24 characters over mixed classes (no Math.random in tests). */
function pseudoRandomPassword(seed: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*-_';
  let x = seed + 1;
  // xorshift32
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const length = 4 + (next() % 21);
  let out = '';
  for (let i = 0; i < length; i++) out += chars[next() % chars.length];
  return out;
}

describe('vaultHealth request', () => {
  it('refuses a threshold that is not a whole number of days from 1 to 3,650, saying why', () => {
    const message = (v: unknown) =>
      requestSchemas.vaultHealth.safeParse({ oldAfterDays: v }).error?.issues[0]?.message;
    expect(message(0)).toBe('The password age must be at least 1 day.');
    expect(message(1.5)).toBe('The password age must be a whole number of days.');
    expect(message(5000)).toBe('The password age can be at most 3,650 days (10 years).');
    expect(message('90')).toBe('The password age must be a number of days.');
    expect(requestSchemas.vaultHealth.safeParse({ oldAfterDays: 180 }).success).toBe(true);
  });
});
