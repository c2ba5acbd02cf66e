import {
  CryptoError,
  fromBase64Url,
  importSymmetricKey,
  type SymmetricKey,
} from '../../shared-crypto/index.ts';
import { type Generated, generate } from '../generator/generate.ts';
import {
  generatorHistoryItem,
  type HistoryEntry,
  openHistory,
  sealHistory,
  withEntry,
} from '../generator/history.ts';
import type { GeneratorKind, GeneratorOptions } from '../generator/options.ts';
import { savedGeneratorOptions, saveGeneratorOptions } from '../generator/saved-options.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { VaultError } from './vault-error.ts';
import { currentVersion } from './vault-keys.ts';
import type { OpenVault } from './vault-service.ts';

/**
 * The generator as the worker runs it (docs/generator.md): values from the user's saved options,
 * and the sealed history of the values the user copied or filled. History work runs in the vault's
 * queue with the open vault (LOCKED otherwise), under the account's current key version; a key
 * change re-seals it (history.ts `resealHistory`, called from the vault's `setKeys`).
 */

export interface GeneratorVault {
  withOpenVault<T>(work: (v: OpenVault) => Promise<T>): Promise<T>;
}

async function currentKey(v: OpenVault): Promise<SymmetricKey> {
  const raw = fromBase64Url(v.vaultKey);
  try {
    return await importSymmetricKey(raw);
  } finally {
    raw.fill(0);
  }
}

/** The stored history of this account at its current key version; one it cannot open counts as empty. */
async function readHistory(v: OpenVault, key: SymmetricKey): Promise<HistoryEntry[]> {
  const record = await generatorHistoryItem.getValue();
  const accountId = v.account.accountId;
  if (!record || record.accountId !== accountId || record.keyVersion !== currentVersion(v.account)) return [];
  try {
    return await openHistory(record, key, accountId);
  } catch (e) {
    // Sealed under a vault key this account no longer has (or tampered): it can never be read.
    if (e instanceof CryptoError) return [];
    throw e;
  }
}

export class GeneratorService {
  constructor(
    private readonly vault: GeneratorVault,
    private readonly now: () => Date = () => new Date(),
  ) {}

  options(): Promise<GeneratorOptions> {
    return savedGeneratorOptions();
  }

  /** A value from `options` (already validated), which become the saved options. */
  async generate(options: GeneratorOptions): Promise<Generated> {
    const generated = generate(options);
    await saveGeneratorOptions(options);
    return generated;
  }

  /** For a page's new-password field: a value from the saved options. */
  async generateForField(): Promise<Generated> {
    return generate(await savedGeneratorOptions());
  }

  /** The user copied or filled `value`: it goes first in the sealed history. */
  record(value: string, kind: GeneratorKind): Promise<void> {
    return this.vault.withOpenVault(async (v) => {
      const key = await currentKey(v);
      const entries = withEntry(await readHistory(v, key), { value, kind, at: this.now().toISOString() });
      const record = await sealHistory(entries, key, v.account.accountId, currentVersion(v.account));
      try {
        await generatorHistoryItem.setValue(record);
      } catch {
        // Quota or a full disk: the previous history stays as it was.
        throw new VaultError(ErrorCode.StorageFailed);
      }
    });
  }

  history(): Promise<HistoryEntry[]> {
    return this.vault.withOpenVault(async (v) => readHistory(v, await currentKey(v)));
  }

  clear(): Promise<void> {
    return generatorHistoryItem.removeValue();
  }
}
