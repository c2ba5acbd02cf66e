import {
  type AssociatedData,
  CryptoError,
  generateKeyBytes,
  importSymmetricKey,
  open,
  openJson,
  type SymmetricKey,
  seal,
  sealJson,
  unwrapKey,
  utf8Encode,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { normalizeFields } from '../messaging/item-schema.ts';
import { ITEM_BODY_VERSION, type ItemBody, itemsOf, type VaultData } from './vault-data.ts';

/**
 * Item ciphertext on the server: `<item key wrapped by the vault key>~<body sealed by the item key>`.
 * Both envelopes bind owner and item id, so the server cannot swap or move them. The item key's
 * AD carries the item's keyVersion (the version of the vault key that wraps it); the body's AD
 * keyVersion is always 1 — the body is bound to its own random item key, so a key rotation
 * re-wraps only the item key and leaves the body bytes as they are (docs/protocol.md).
 */
export const BODY_KEY_VERSION = 1;
const SEPARATOR = '~';

/** Bodies are padded to at least this many bytes: a short login and a long one (with its item type's empty fields, ~350 bytes) look alike. */
export const MIN_PADDED_BODY = 512;

const ad = (
  purpose: AssociatedData['purpose'],
  owner: string,
  id: string,
  keyVersion: number,
): AssociatedData => ({ purpose, owner, id, keyVersion });

/**
 * The size bucket of a body of `length` bytes: max(512, Padmé(length)). Padmé (Nikitin et al.,
 * "Reducing Metadata Leakage from Encrypted Files and Communication with PURBs", PETS 2019, §4)
 * rounds L up so that only its top ⌊log2 ⌊log2 L⌋⌋ + 1 bits may be non-zero: O(log log L) bits leak,
 * at most ~12 % overhead.
 */
export function paddedLength(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('length must be a byte count');
  if (length <= MIN_PADDED_BODY) return MIN_PADDED_BODY;
  const e = 31 - Math.clz32(length); // ⌊log2 L⌋ (L < 2^31: bodies are at most a few hundred KiB)
  const s = 31 - Math.clz32(e) + 1; // ⌊log2 E⌋ + 1
  const step = 2 ** (e - s);
  return Math.ceil(length / step) * step;
}

/** The body as UTF-8 JSON followed by ASCII spaces up to its bucket; JSON.parse ignores them. */
function paddedBody(body: ItemBody): Uint8Array {
  const json = utf8Encode(JSON.stringify({ ...body, v: ITEM_BODY_VERSION }));
  const out = new Uint8Array(paddedLength(json.length)).fill(0x20);
  out.set(json);
  json.fill(0);
  return out;
}

/** A new ciphertext: a fresh item key wrapped by the vault key of `keyVersion`, the padded body sealed by it. */
export async function encryptItem(
  vaultKey: SymmetricKey,
  owner: string,
  id: string,
  keyVersion: number,
  body: ItemBody,
): Promise<string> {
  const raw = generateKeyBytes();
  const plaintext = paddedBody(body);
  try {
    const itemKey = await importSymmetricKey(raw);
    const wrapped = await wrapKey(vaultKey, raw, ad('item-key', owner, id, keyVersion));
    const sealed = await seal(itemKey, plaintext, ad('item', owner, id, BODY_KEY_VERSION));
    return `${wrapped}${SEPARATOR}${sealed}`;
  } finally {
    raw.fill(0);
    plaintext.fill(0);
  }
}

function splitCiphertext(ciphertext: string): [wrapped: string, sealed: string] {
  const [wrapped, sealed, extra] = ciphertext.split(SEPARATOR);
  if (!wrapped || !sealed || extra !== undefined) throw new TypeError('Malformed item ciphertext');
  return [wrapped, sealed];
}

/** Opens an item whose key is wrapped by `vaultKey` at `keyVersion`; padded and unpadded bodies alike. */
export async function decryptItem(
  vaultKey: SymmetricKey,
  owner: string,
  id: string,
  keyVersion: number,
  ciphertext: string,
): Promise<ItemBody> {
  const [wrapped, sealed] = splitCiphertext(ciphertext);
  const { key, raw } = await unwrapKey(vaultKey, wrapped, ad('item-key', owner, id, keyVersion));
  raw.fill(0);
  const body = await openJson<ItemBody>(key, sealed, ad('item', owner, id, BODY_KEY_VERSION));
  return { ...body, v: ITEM_BODY_VERSION, fields: normalizeFields(body.fields) };
}

/**
 * Key rotation's unit of work: the item key is unwrapped with the old vault key and wrapped again
 * with the new one; the sealed body is returned byte for byte as it was (no body is decrypted).
 * Throws CryptoError when the item key does not open (wrong key, moved or tampered ciphertext).
 */
export async function rewrapItemCiphertext(
  oldVaultKey: SymmetricKey,
  newVaultKey: SymmetricKey,
  owner: string,
  id: string,
  oldVersion: number,
  newVersion: number,
  ciphertext: string,
): Promise<string> {
  const [wrapped, sealed] = splitCiphertext(ciphertext);
  // open() rather than unwrapKey(): the item key is only carried across, never imported for use.
  const raw = await open(oldVaultKey, wrapped, ad('item-key', owner, id, oldVersion));
  try {
    if (raw.length !== 32) throw new CryptoError('BAD_INPUT', 'wrapped value is not a 32-byte key');
    return `${await wrapKey(newVaultKey, raw, ad('item-key', owner, id, newVersion))}${SEPARATOR}${sealed}`;
  } finally {
    raw.fill(0);
  }
}

const cacheAd = (accountId: string) => ad('vault-cache', accountId, accountId, 1);

export const sealVault = (vaultKey: SymmetricKey, accountId: string, data: VaultData) =>
  sealJson(vaultKey, data, cacheAd(accountId));

/** The sealed cache, its items brought to today's field shape (a cache written before item types). */
export async function openVault(
  vaultKey: SymmetricKey,
  accountId: string,
  sealed: string,
): Promise<VaultData> {
  const data = await openJson<VaultData>(vaultKey, sealed, cacheAd(accountId));
  for (const item of itemsOf(data)) {
    item.fields = normalizeFields(item.fields);
    if (item.base) item.base = normalizeFields(item.base);
  }
  return data;
}

/** The vault key of version `keyVersion`, wrapped by the password's wrapping key. */
export const vaultKeyAd = (accountId: string, keyVersion = 1) =>
  ad('vault-key', accountId, accountId, keyVersion);

/**
 * The rotation chain: a pending rotation's new vault key (version `keyVersion`) wrapped by the
 * previous vault key, so whoever holds the old key (another device, a recovery) can read items
 * already re-wrapped. The id suffix keeps it from ever opening as a password-wrapped vault key.
 */
export const nextVaultKeyAd = (accountId: string, keyVersion: number) =>
  ad('vault-key', accountId, `${accountId}:next`, keyVersion);
