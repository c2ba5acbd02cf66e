import {
  type AssociatedData,
  generateKeyBytes,
  importSymmetricKey,
  openJson,
  type SymmetricKey,
  sealJson,
  unwrapKey,
  wrapKey,
} from '../../shared-crypto/index.ts';
import type { ItemBody, VaultData } from './vault-data.ts';

/**
 * Item ciphertext on the server: `<item key wrapped by the vault key>~<body sealed by the item key>`.
 * Both envelopes bind owner, item id and key version, so the server cannot swap or move them.
 */
export const ITEM_KEY_VERSION = 1;
const SEPARATOR = '~';

const ad = (purpose: AssociatedData['purpose'], owner: string, id: string, keyVersion: number) => ({
  purpose,
  owner,
  id,
  keyVersion,
});

export async function encryptItem(
  vaultKey: SymmetricKey,
  owner: string,
  id: string,
  body: ItemBody,
  keyVersion = ITEM_KEY_VERSION,
): Promise<string> {
  const raw = generateKeyBytes();
  try {
    const itemKey = await importSymmetricKey(raw);
    const wrapped = await wrapKey(vaultKey, raw, ad('item-key', owner, id, keyVersion));
    // The body is bound to its own random item key; the item key carries the vault key version.
    const sealed = await sealJson(itemKey, body, ad('item', owner, id, ITEM_KEY_VERSION));
    return `${wrapped}${SEPARATOR}${sealed}`;
  } finally {
    raw.fill(0);
  }
}

export async function decryptItem(
  vaultKey: SymmetricKey,
  owner: string,
  id: string,
  keyVersion: number,
  ciphertext: string,
): Promise<ItemBody> {
  const [wrapped, sealed, extra] = ciphertext.split(SEPARATOR);
  if (!wrapped || !sealed || extra !== undefined) throw new TypeError('Malformed item ciphertext');
  const { key, raw } = await unwrapKey(vaultKey, wrapped, ad('item-key', owner, id, keyVersion));
  raw.fill(0);
  return openJson<ItemBody>(key, sealed, ad('item', owner, id, ITEM_KEY_VERSION));
}

const cacheAd = (accountId: string) => ad('vault-cache', accountId, accountId, 1);

export const sealVault = (vaultKey: SymmetricKey, accountId: string, data: VaultData) =>
  sealJson(vaultKey, data, cacheAd(accountId));

export const openVault = (vaultKey: SymmetricKey, accountId: string, sealed: string) =>
  openJson<VaultData>(vaultKey, sealed, cacheAd(accountId));

/** The vault key of version `keyVersion`, wrapped by the password's wrapping key. */
export const vaultKeyAd = (accountId: string, keyVersion = 1) =>
  ad('vault-key', accountId, accountId, keyVersion);
