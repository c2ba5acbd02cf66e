import {
  CryptoError,
  fromBase64Url,
  importSymmetricKey,
  type SymmetricKey,
  toBase64Url,
  unwrapKey,
} from '../../shared-crypto/index.ts';
import type { AccountRecord, PendingRotation } from '../storage/items.ts';
import { nextVaultKeyAd, vaultKeyAd } from './item-crypto.ts';

/**
 * The vault keys an unlocked device holds, by key version: the account's current one and, while a
 * rotation is pending, the next one. Items of either version stay readable until the rotation
 * completes. New writes (and the local cache) use `writeVersion`: the pending key once the server
 * has recorded the rotation (before that, another device could not read them), else the current.
 */
export class VaultKeys {
  private constructor(
    private readonly byVersion: ReadonlyMap<number, SymmetricKey>,
    readonly current: number,
    readonly pending: number | null,
    readonly writeVersion: number,
  ) {}

  /**
   * The keyring the account record describes, from keys already opened. The account's current
   * version must be among them; a pending version that is not is simply not held (yet).
   */
  static of(account: AccountRecord, keys: ReadonlyMap<number, SymmetricKey>): VaultKeys {
    const current = currentVersion(account);
    if (!keys.has(current)) throw new RangeError(`no vault key of the current version ${current}`);
    const rotation = account.rotation ?? null;
    const pending = rotation && keys.has(rotation.keyVersion) ? rotation.keyVersion : null;
    const writeVersion = pending !== null && rotation?.recorded ? pending : current;
    const held = new Map<number, SymmetricKey>();
    for (const v of [current, pending]) {
      const key = v === null ? undefined : keys.get(v);
      if (v !== null && key) held.set(v, key);
    }
    return new VaultKeys(held, current, pending, writeVersion);
  }

  /** A keyring of one key (tools and tests that bring their own vault key). */
  static only(key: SymmetricKey, version = 1): VaultKeys {
    return new VaultKeys(new Map([[version, key]]), version, null, version);
  }

  get(version: number): SymmetricKey | undefined {
    return this.byVersion.get(version);
  }

  has(version: number): boolean {
    return this.byVersion.has(version);
  }

  get writeKey(): SymmetricKey {
    return this.byVersion.get(this.writeVersion) as SymmetricKey;
  }

  /** Every key held, newest first (to try on a cache whose version is not recorded). */
  all(): SymmetricKey[] {
    return [...this.byVersion.entries()].sort(([a], [b]) => b - a).map(([, k]) => k);
  }
}

/** The account's current vault key version; records written before versions existed are at 1. */
export const currentVersion = (account: AccountRecord): number => account.keyVersion ?? 1;

/** Raw keys kept in session storage while unlocked, by version (b64u). */
export type RawVaultKeys = Record<string, string>;

/** Imports the raw session keys. */
export async function importVaultKeys(raw: RawVaultKeys): Promise<Map<number, SymmetricKey>> {
  const out = new Map<number, SymmetricKey>();
  for (const [version, b64] of Object.entries(raw)) {
    const bytes = fromBase64Url(b64);
    out.set(Number(version), await importSymmetricKey(bytes));
    bytes.fill(0);
  }
  return out;
}

/**
 * Opens a pending rotation's key: with the password's wrapping key, or — when that cannot (the
 * rotation was re-wrapped by a recovery elsewhere) — through the chain, with the current key.
 * Returns null when neither opens it. The caller wipes `raw`.
 */
export async function openPendingKey(
  accountId: string,
  rotation: Pick<PendingRotation, 'keyVersion' | 'wrappedVaultKey' | 'wrappedByPrevious'>,
  wrappingKey: SymmetricKey,
  currentKey: SymmetricKey | undefined,
): Promise<{ key: SymmetricKey; raw: Uint8Array; via: 'password' | 'chain' } | null> {
  try {
    const opened = await unwrapKey(
      wrappingKey,
      rotation.wrappedVaultKey,
      vaultKeyAd(accountId, rotation.keyVersion),
    );
    return { ...opened, via: 'password' };
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
  }
  if (!currentKey) return null;
  try {
    const opened = await unwrapKey(
      currentKey,
      rotation.wrappedByPrevious,
      nextVaultKeyAd(accountId, rotation.keyVersion),
    );
    return { ...opened, via: 'chain' };
  } catch (e) {
    if (e instanceof CryptoError) return null;
    throw e;
  }
}

/** b64u of raw key bytes, wiping them. */
export function encodeRaw(raw: Uint8Array): string {
  const text = toBase64Url(raw);
  raw.fill(0);
  return text;
}
