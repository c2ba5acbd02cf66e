import { storage } from 'wxt/utils/storage';
import {
  CryptoError,
  fromBase64Url,
  importSymmetricKey,
  openJson,
  type SymmetricKey,
  sealJson,
} from '../../shared-crypto/index.ts';
import type { ScoreStore } from './vault-health.ts';
import { currentVersion } from './vault-keys.ts';
import type { OpenVault } from './vault-service.ts';

/**
 * The health report's strength scores, kept across unlocks (docs/health.md): one envelope in
 * storage.local sealed by the vault key (AD purpose `health-scores`, owner = id = accountId,
 * keyVersion = the version that sealed it), mapping a SHA-256 of each password to its 0–4 zxcvbn
 * score. Never a password; unreadable while locked; never sent to the server. It is a cache: one
 * that cannot be opened (another account, an older key version, tampered) is dropped and the
 * passwords are scored again.
 */

export interface HealthScoresRecord {
  accountId: string;
  keyVersion: number;
  sealed: string;
}

export const healthScoresItem = storage.defineItem<HealthScoresRecord | null>('local:healthScores', {
  fallback: null,
  version: 1,
});

interface Blob {
  v: 1;
  /** [SHA-256 of a password (base64), score 0–4] */
  scores: [string, number][];
}

const scoresAd = (accountId: string, keyVersion: number) =>
  ({ purpose: 'health-scores', owner: accountId, id: accountId, keyVersion }) as const;

const HASH = /^[A-Za-z0-9+/]{43}=$/;
const isPair = (p: unknown): p is [string, number] =>
  Array.isArray(p) &&
  p.length === 2 &&
  typeof p[0] === 'string' &&
  HASH.test(p[0]) &&
  Number.isInteger(p[1]) &&
  (p[1] as number) >= 0 &&
  (p[1] as number) <= 4;

export async function sealScores(
  scores: ReadonlyMap<string, number>,
  vaultKey: SymmetricKey,
  accountId: string,
  keyVersion: number,
): Promise<HealthScoresRecord> {
  const blob: Blob = { v: 1, scores: [...scores] };
  return { accountId, keyVersion, sealed: await sealJson(vaultKey, blob, scoresAd(accountId, keyVersion)) };
}

/** CryptoError for a wrong key or context, BAD_INPUT for authentic contents of an unknown shape. */
export async function openScores(
  record: HealthScoresRecord,
  vaultKey: SymmetricKey,
  accountId: string,
): Promise<Map<string, number>> {
  const b = (await openJson<unknown>(
    vaultKey,
    record.sealed,
    scoresAd(accountId, record.keyVersion),
  )) as Partial<Blob> | null;
  if (typeof b !== 'object' || b === null || b.v !== 1 || !Array.isArray(b.scores) || !b.scores.every(isPair))
    throw new CryptoError('BAD_INPUT', 'health scores have an unknown shape');
  return new Map(b.scores);
}

/** Logout, account deletion, vault reset: the scores go with the account's keys. */
export function forgetHealthScores(): Promise<void> {
  return healthScoresItem.removeValue();
}

export interface ScoresVault {
  withOpenVault<T>(work: (v: OpenVault) => Promise<T>): Promise<T>;
}

async function keyOf(v: OpenVault): Promise<SymmetricKey> {
  const raw = fromBase64Url(v.vaultKey);
  try {
    return await importSymmetricKey(raw);
  } finally {
    raw.fill(0);
  }
}

/** The worker's store: sealed under the open vault's current key; LOCKED when the vault is not open. */
export function sealedScoreStore(vault: ScoresVault): ScoreStore {
  return {
    read: () =>
      vault.withOpenVault(async (v) => {
        const record = await healthScoresItem.getValue();
        const accountId = v.account.accountId;
        if (!record) return new Map();
        if (record.accountId !== accountId || record.keyVersion !== currentVersion(v.account)) {
          await healthScoresItem.removeValue();
          return new Map();
        }
        try {
          return await openScores(record, await keyOf(v), accountId);
        } catch (e) {
          if (!(e instanceof CryptoError)) throw e;
          await healthScoresItem.removeValue();
          return new Map();
        }
      }),
    write: (scores) =>
      vault.withOpenVault(async (v) => {
        const record = await sealScores(
          scores,
          await keyOf(v),
          v.account.accountId,
          currentVersion(v.account),
        );
        await healthScoresItem.setValue(record);
      }),
  };
}
