import { asBufferSource, assertBytes, assertInteger, assertString } from './assert.ts';
import { fromBase64Url, randomBytes, toBase64Url, utf8Decode, utf8Encode } from './encoding.ts';
import { CryptoError } from './errors.ts';
import { assertSymmetricKey, importSymmetricKey, KEY_BYTES, type SymmetricKey, sha256 } from './keys.ts';

/**
 * What a ciphertext is bound to (DESIGN §3): purpose, owner, object id and key version. The server
 * can store and return envelopes but cannot swap, move or replay them between these contexts.
 */
export type AssociatedData = {
  purpose:
    | 'vault-key'
    | 'item-key'
    | 'item'
    | 'vault-cache'
    | 'recovery'
    | 'password-history'
    | 'device-name'
    | 'generator-history'
    | 'health-scores';
  owner: string;
  id: string;
  keyVersion: number;
};

const PURPOSES: readonly string[] = [
  'vault-key',
  'item-key',
  'item',
  'vault-cache',
  'recovery',
  'password-history',
  'device-name',
  'generator-history',
  'health-scores',
];
/** Purposes whose plaintext is a 32-byte key; wrapKey refuses the others. */
const KEY_PURPOSES: readonly string[] = ['vault-key', 'item-key', 'recovery'];

const AD_LABEL = utf8Encode('keyhold/v1/ad');
const MAX_AD_FIELD_CHARS = 1024;

const PREFIX = 'k1.';
const VERSION = 1;
const ID_BYTES = 8;
const DIGEST_BYTES = 8;
/**
 * 96-bit IVs are GCM's native length (NIST SP 800-38D §5.2.1.1). With random IVs (§8.2.2) one key
 * may seal at most 2^32 messages (§8.3), far beyond any vault's lifetime.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** version(1) | keyId(8) | adDigest(8) | nonce(12) — protocol.md "Envelope". */
const HEADER_BYTES = 1 + ID_BYTES + DIGEST_BYTES + NONCE_BYTES;
const ID_AT = 1;
const DIGEST_AT = ID_AT + ID_BYTES;
const NONCE_AT = DIGEST_AT + DIGEST_BYTES;

/**
 * The UTF-8 bytes of an AD field, or its character count when it is all ASCII (ids, purposes and
 * UUIDs always are): then its bytes are its char codes and no encoder call or allocation is needed.
 */
function adFieldBytes(value: unknown, name: string): Uint8Array | number {
  assertString(value, name);
  if (value.length === 0 || value.length > MAX_AD_FIELD_CHARS) {
    throw new RangeError(`${name} must be 1..${MAX_AD_FIELD_CHARS} characters`);
  }
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return utf8Encode(value);
  return value.length;
}

/** Writes u32be(length of the field) then its bytes at `at`; returns the offset after them. */
function putField(out: Uint8Array, view: DataView, at: number, value: string, bytes: Uint8Array | number) {
  if (typeof bytes === 'number') {
    view.setUint32(at, bytes);
    for (let i = 0; i < bytes; i++) out[at + 4 + i] = value.charCodeAt(i);
    return at + 4 + bytes;
  }
  view.setUint32(at, bytes.length);
  out.set(bytes, at + 4);
  return at + 4 + bytes.length;
}

const fieldLength = (bytes: Uint8Array | number) => 4 + (typeof bytes === 'number' ? bytes : bytes.length);

/**
 * Canonical, injective encoding of the associated data:
 * lp("keyhold/v1/ad") | lp(purpose) | lp(owner) | lp(id) | u32be(keyVersion), lp = u32be length || UTF-8.
 * The label versions the format so a future encoding cannot collide with this one. Written into
 * one buffer: it runs twice per item of a sync, where small allocations were a third of the cost.
 */
export function encodeAssociatedData(ad: AssociatedData): Uint8Array {
  if (typeof ad !== 'object' || ad === null) throw new TypeError('ad must be an object');
  if (!PURPOSES.includes(ad.purpose)) throw new RangeError('ad.purpose is not a known purpose');
  assertInteger(ad.keyVersion, 'ad.keyVersion', 1, 0xffff_ffff);
  const purpose = adFieldBytes(ad.purpose, 'ad.purpose');
  const owner = adFieldBytes(ad.owner, 'ad.owner');
  const id = adFieldBytes(ad.id, 'ad.id');
  const out = new Uint8Array(
    4 + AD_LABEL.length + fieldLength(purpose) + fieldLength(owner) + fieldLength(id) + 4,
  );
  const view = new DataView(out.buffer);
  view.setUint32(0, AD_LABEL.length);
  out.set(AD_LABEL, 4);
  let at = putField(out, view, 4 + AD_LABEL.length, ad.purpose, purpose);
  at = putField(out, view, at, ad.owner, owner);
  at = putField(out, view, at, ad.id, id);
  view.setUint32(at, ad.keyVersion);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  // keyId and adDigest are public values, so an early-exit comparison leaks nothing secret.
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function adDigestOf(adBytes: Uint8Array): Promise<Uint8Array> {
  return (await sha256(adBytes)).subarray(0, DIGEST_BYTES);
}

/** GCM's additional data, header || encoded AD, in one buffer whose first bytes are the header. */
function gcmAdditionalData(header: Uint8Array, adBytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HEADER_BYTES + adBytes.length);
  out.set(header.subarray(0, HEADER_BYTES));
  out.set(adBytes, HEADER_BYTES);
  return out;
}

/**
 * AES-256-GCM with a fresh random 96-bit nonce per call. The header is authenticated too
 * (GCM additional data = header || encoded AD), so keyId/adDigest/version cannot be edited
 * without failing the tag.
 */
export async function seal(key: SymmetricKey, plaintext: Uint8Array, ad: AssociatedData): Promise<string> {
  return PREFIX + toBase64Url(await sealBinary(key, plaintext, ad));
}

/**
 * seal() without the text form: the envelope's bytes (version | keyId | adDigest | nonce | ct | tag),
 * whose base64url after "k1." is what seal() returns. For storage that holds bytes (IndexedDB).
 */
export async function sealBinary(
  key: SymmetricKey,
  plaintext: Uint8Array,
  ad: AssociatedData,
): Promise<Uint8Array> {
  assertSymmetricKey(key, 'key');
  assertBytes(plaintext, 'plaintext');
  const adBytes = encodeAssociatedData(ad);
  const header = new Uint8Array(HEADER_BYTES);
  header[0] = VERSION;
  header.set(key.id, ID_AT);
  header.set(await adDigestOf(adBytes), DIGEST_AT);
  header.set(randomBytes(NONCE_BYTES), NONCE_AT);
  const ct = await globalThis.crypto.subtle.encrypt(
    {
      name: 'AES-GCM',
      iv: header.subarray(NONCE_AT),
      additionalData: gcmAdditionalData(header, adBytes),
      tagLength: TAG_BYTES * 8,
    },
    key.aes,
    asBufferSource(plaintext),
  );
  const out = new Uint8Array(HEADER_BYTES + ct.byteLength);
  out.set(header);
  out.set(new Uint8Array(ct), HEADER_BYTES);
  return out;
}

/**
 * Verifies and decrypts, or throws CryptoError — never returns partial plaintext (WebCrypto's GCM
 * decrypt checks the tag before releasing any byte). Each failure gets its own code: version,
 * length, keyId (WRONG_KEY), then the tag; a tag that fails is WRONG_CONTEXT when the adDigest
 * differs from the AD's, else TAMPERED.
 */
export async function open(key: SymmetricKey, envelope: string, ad: AssociatedData): Promise<Uint8Array> {
  assertSymmetricKey(key, 'key');
  assertString(envelope, 'envelope');
  const adBytes = encodeAssociatedData(ad);
  if (!envelope.startsWith(PREFIX)) {
    // "", "k", "k1" are cut-off k1 envelopes; anything else is a format we do not know.
    if (PREFIX.startsWith(envelope)) throw new CryptoError('TRUNCATED', 'envelope is truncated');
    throw new CryptoError('UNKNOWN_VERSION', 'envelope has an unknown prefix');
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(envelope.slice(PREFIX.length));
  } catch {
    throw new CryptoError('TRUNCATED', 'envelope is not valid base64url');
  }
  return openEnvelopeBytes(key, bytes, adBytes);
}

/** open() of sealBinary()'s bytes, with the same checks and errors. */
export async function openBinary(
  key: SymmetricKey,
  envelope: Uint8Array,
  ad: AssociatedData,
): Promise<Uint8Array> {
  assertSymmetricKey(key, 'key');
  assertBytes(envelope, 'envelope');
  return openEnvelopeBytes(key, envelope, encodeAssociatedData(ad));
}

async function openEnvelopeBytes(
  key: SymmetricKey,
  bytes: Uint8Array,
  adBytes: Uint8Array,
): Promise<Uint8Array> {
  if (bytes.length >= 1 && bytes[0] !== VERSION) {
    throw new CryptoError('UNKNOWN_VERSION', 'envelope has an unknown version byte');
  }
  if (bytes.length < HEADER_BYTES + TAG_BYTES) throw new CryptoError('TRUNCATED', 'envelope is truncated');
  const header = bytes.subarray(0, HEADER_BYTES);
  if (!equalBytes(header.subarray(ID_AT, DIGEST_AT), key.id)) {
    throw new CryptoError('WRONG_KEY', 'envelope was sealed under a different key');
  }
  let pt: ArrayBuffer;
  try {
    // Views, not copies: WebCrypto copies its inputs when it is called.
    pt = await globalThis.crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: asBufferSource(header.subarray(NONCE_AT)),
        additionalData: gcmAdditionalData(header, adBytes),
        tagLength: TAG_BYTES * 8,
      },
      key.aes,
      asBufferSource(bytes.subarray(HEADER_BYTES)),
    );
  } catch {
    // The tag covers the header and the whole AD, so nothing opens for another context. The digest
    // only names why: it is hashed when the tag failed, not for every open (two hashes per item of
    // a sync, 20,000 for a first sync of 10,000 items).
    if (!equalBytes(header.subarray(DIGEST_AT, NONCE_AT), await adDigestOf(adBytes))) {
      throw new CryptoError('WRONG_CONTEXT', 'envelope was sealed for a different context');
    }
    throw new CryptoError('TAMPERED', 'envelope failed authentication');
  }
  return new Uint8Array(pt);
}

/** seal(JSON.stringify(value)). `undefined`, functions and symbols have no JSON form → TypeError. */
export async function sealJson(key: SymmetricKey, value: unknown, ad: AssociatedData): Promise<string> {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new TypeError('value has no JSON representation');
  const bytes = utf8Encode(json);
  try {
    return await seal(key, bytes, ad);
  } finally {
    bytes.fill(0);
  }
}

/**
 * open() then JSON.parse. The result is trusted to be what sealJson stored (it is authenticated),
 * not validated against T: callers that need a shape check do it themselves.
 */
export async function openJson<T>(key: SymmetricKey, envelope: string, ad: AssociatedData): Promise<T> {
  const bytes = await open(key, envelope, ad);
  try {
    return JSON.parse(utf8Decode(bytes)) as T;
  } catch {
    // Authentic but not JSON: it was sealed with seal(), not sealJson().
    throw new CryptoError('BAD_INPUT', 'envelope does not hold JSON');
  } finally {
    bytes.fill(0);
  }
}

function assertKeyPurpose(ad: AssociatedData): void {
  if (typeof ad === 'object' && ad !== null && !KEY_PURPOSES.includes(ad.purpose)) {
    throw new RangeError('ad.purpose must be vault-key, item-key or recovery to wrap a key');
  }
}

/** Seals a 32-byte key under another key (vault key under wrappingKey, item key under vault key). */
export async function wrapKey(wrapping: SymmetricKey, raw: Uint8Array, ad: AssociatedData): Promise<string> {
  assertBytes(raw, 'raw', KEY_BYTES);
  assertKeyPurpose(ad);
  return seal(wrapping, raw, ad);
}

/**
 * Opens a wrapped key and imports it. `raw` is returned because the service worker keeps the vault
 * key in chrome.storage.session while unlocked; the caller must wipe it (fill(0)) when done.
 */
export async function unwrapKey(
  wrapping: SymmetricKey,
  envelope: string,
  ad: AssociatedData,
): Promise<{ key: SymmetricKey; raw: Uint8Array }> {
  assertKeyPurpose(ad);
  const raw = await open(wrapping, envelope, ad);
  if (raw.length !== KEY_BYTES) {
    raw.fill(0);
    throw new CryptoError('BAD_INPUT', 'wrapped value is not a 32-byte key');
  }
  return { key: await importSymmetricKey(raw), raw };
}
