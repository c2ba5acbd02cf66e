import { storage } from 'wxt/utils/storage';
import { CryptoError, openJson, type SymmetricKey, sealJson } from '../../shared-crypto/index.ts';
import { type GeneratorKind, MAX_GENERATED_VALUE } from './options.ts';

/**
 * The generator history (docs/generator.md): every generated value the user copied or filled, so a
 * password used on a page that then failed to save is not lost. One envelope in storage.local,
 * sealed by the vault key (AD purpose `generator-history`, owner = id = accountId, keyVersion = the
 * vault key version that sealed it): readable only while unlocked, never sent to the server. Newest
 * first, at most HISTORY_LIMIT entries.
 */

export const HISTORY_LIMIT = 50;

export interface HistoryEntry {
  value: string;
  kind: GeneratorKind;
  /** When it was copied or filled (ISO 8601). */
  at: string;
}

export interface GeneratorHistoryRecord {
  accountId: string;
  keyVersion: number;
  sealed: string;
}

export const generatorHistoryItem = storage.defineItem<GeneratorHistoryRecord | null>(
  'local:generatorHistory',
  {
    fallback: null,
    version: 1,
  },
);

interface Blob {
  v: 1;
  entries: HistoryEntry[];
}

const historyAd = (accountId: string, keyVersion: number) =>
  ({ purpose: 'generator-history', owner: accountId, id: accountId, keyVersion }) as const;

/** The history with `entry` first; an equal value already in it moves up instead of repeating. */
export function withEntry(entries: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  return [entry, ...entries.filter((e) => e.value !== entry.value)].slice(0, HISTORY_LIMIT);
}

export async function sealHistory(
  entries: readonly HistoryEntry[],
  vaultKey: SymmetricKey,
  accountId: string,
  keyVersion: number,
): Promise<GeneratorHistoryRecord> {
  const blob: Blob = { v: 1, entries: [...entries] };
  return { accountId, keyVersion, sealed: await sealJson(vaultKey, blob, historyAd(accountId, keyVersion)) };
}

const isEntry = (e: unknown): e is HistoryEntry => {
  const x = e as Partial<HistoryEntry> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.value === 'string' &&
    x.value.length > 0 &&
    x.value.length <= MAX_GENERATED_VALUE &&
    (x.kind === 'password' || x.kind === 'passphrase') &&
    typeof x.at === 'string' &&
    !Number.isNaN(Date.parse(x.at))
  );
};

/**
 * Opens a stored history with the vault key of its version. CryptoError for a wrong key, account or
 * version (WRONG_KEY, WRONG_CONTEXT, TAMPERED…) and BAD_INPUT for authentic contents of an unknown
 * shape: never a partial history.
 */
export async function openHistory(
  record: GeneratorHistoryRecord,
  vaultKey: SymmetricKey,
  accountId: string,
): Promise<HistoryEntry[]> {
  const blob = await openJson<unknown>(vaultKey, record.sealed, historyAd(accountId, record.keyVersion));
  const b = blob as Partial<Blob> | null;
  const valid =
    typeof b === 'object' &&
    b !== null &&
    b.v === 1 &&
    Array.isArray(b.entries) &&
    b.entries.length <= HISTORY_LIMIT &&
    b.entries.every(isEntry);
  if (!valid) throw new CryptoError('BAD_INPUT', 'generator history has an unknown shape');
  return (b.entries as HistoryEntry[]).map(({ value, kind, at }) => ({ value, kind, at }));
}

/**
 * After the vault keys changed (vault-service.ts `setKeys`): the stored history sealed again under
 * the account's current key version, while `keys` still holds the version that sealed it. A history
 * that no held key opens can never be read again and is dropped.
 */
export async function resealHistory(
  accountId: string,
  keys: ReadonlyMap<number, SymmetricKey>,
  currentVersion: number,
): Promise<void> {
  const record = await generatorHistoryItem.getValue();
  if (!record || (record.accountId === accountId && record.keyVersion === currentVersion)) return;
  const from = keys.get(record.keyVersion);
  const to = keys.get(currentVersion);
  if (!to) return;
  try {
    if (!from || record.accountId !== accountId)
      throw new CryptoError('WRONG_KEY', 'no key for this history');
    const entries = await openHistory(record, from, accountId);
    await generatorHistoryItem.setValue(await sealHistory(entries, to, accountId, currentVersion));
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
    await generatorHistoryItem.removeValue();
  }
}

/** Logout, account deletion, vault reset: the history goes with the account's keys. */
export function forgetHistory(): Promise<void> {
  return generatorHistoryItem.removeValue();
}
