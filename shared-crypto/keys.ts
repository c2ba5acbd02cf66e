import { createSHA256, type IHasher } from 'hash-wasm';
import { asBufferSource, assertBytes, isBytes } from './assert.ts';
import { randomBytes, utf8Encode } from './encoding.ts';
import { hkdf } from './hkdf.ts';
import { deriveMasterKey, type KdfParams } from './kdf.ts';

/** An AES-256-GCM key plus its public 8-byte identifier (protocol.md "Envelope": keyId). */
export type SymmetricKey = {
  /** Non-extractable: the raw bytes cannot be read back out of the CryptoKey. */
  readonly aes: CryptoKey;
  /** First 8 bytes of SHA-256("keyhold/v1/key-id" || rawKey). Lets open() tell WRONG_KEY from TAMPERED. */
  readonly id: Uint8Array;
};

export const KEY_BYTES = 32;
const KEY_ID_BYTES = 8;
const KEY_ID_LABEL = utf8Encode('keyhold/v1/key-id');
const AUTH_LABEL = 'keyhold/v1/auth';
const WRAP_LABEL = 'keyhold/v1/wrap';
const EMPTY = new Uint8Array(0);

let sha256Hasher: Promise<IHasher> | null = null;

/**
 * SHA-256 of a few bytes (key ids, associated-data digests): hash-wasm's synchronous hasher
 * rather than WebCrypto, whose per-call overhead (~100 µs) was half the cost of decrypting an
 * item — three of the six WebCrypto calls per item were these digests. init/update/digest run
 * without an await between them, so concurrent callers cannot interleave on the shared hasher.
 * Several `parts` are hashed as their concatenation.
 */
export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  sha256Hasher ??= createSHA256();
  const hasher = await sha256Hasher;
  hasher.init();
  for (const data of parts) hasher.update(data);
  return hasher.digest('binary');
}

/** Keys already found well-formed (frozen, so they cannot change since): checked once, not per call. */
const checked = new WeakSet<object>();

/** Imports 32 raw bytes as a non-extractable AES-256-GCM key. The caller still owns (and wipes) `raw`. */
export async function importSymmetricKey(raw: Uint8Array): Promise<SymmetricKey> {
  assertBytes(raw, 'raw', KEY_BYTES);
  const aes = await globalThis.crypto.subtle.importKey(
    'raw',
    asBufferSource(raw),
    { name: 'AES-GCM' },
    false,
    ['encrypt', 'decrypt'],
  );
  // The domain label keeps the id from equalling any other hash of the key we might publish later.
  const id = (await sha256(KEY_ID_LABEL, raw)).slice(0, KEY_ID_BYTES);
  const key = Object.freeze({ aes, id });
  checked.add(key);
  return key;
}

export function assertSymmetricKey(key: unknown, name: string): asserts key is SymmetricKey {
  // Reading `aes.algorithm` builds a new object each time in browsers: a sync asks tens of thousands of times.
  if (typeof key === 'object' && key !== null && checked.has(key)) return;
  // Duck-typed rather than `instanceof CryptoKey`, which breaks across realms (DOM test environments).
  const k = key as { aes?: Partial<CryptoKey>; id?: unknown } | null;
  const aes = typeof k === 'object' && k !== null ? k.aes : undefined;
  if (typeof aes !== 'object' || aes === null || aes.type !== 'secret' || aes.algorithm?.name !== 'AES-GCM') {
    throw new TypeError(`${name} must be a SymmetricKey (AES-GCM CryptoKey and id)`);
  }
  if (!isBytes(k?.id) || k.id.length !== KEY_ID_BYTES)
    throw new TypeError(`${name}.id must be ${KEY_ID_BYTES} bytes`);
  if (Object.isFrozen(key)) checked.add(key as object);
}

/** 32 fresh random bytes for a vault key or an item key (DESIGN §3: random 256-bit keys). */
export function generateKeyBytes(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

/**
 * Splits the master key with HKDF-SHA-256 (RFC 5869) under distinct, versioned labels:
 * authKey is sent to the server (which stores only a slow hash of it); wrappingKey never leaves the
 * device. Knowing authKey reveals nothing about wrappingKey (independent HKDF outputs), so a
 * server database dump cannot unwrap the vault key. The master key is wiped before returning.
 *
 * `wrappingKeyRaw` is returned (like unwrapKey's `raw`) because the service worker keeps it in
 * chrome.storage.session while unlocked, to open a vault key re-wrapped on another device (a key
 * rotation) without asking for the password again; the caller wipes it (fill(0)) when done.
 */
export async function deriveAccountKeys(
  password: string,
  salt: Uint8Array,
  params: KdfParams,
): Promise<{ authKey: Uint8Array; wrappingKey: SymmetricKey; wrappingKeyRaw: Uint8Array }> {
  const masterKey = await deriveMasterKey(password, salt, params);
  try {
    const authKey = await hkdf(masterKey, EMPTY, AUTH_LABEL, KEY_BYTES);
    const wrappingKeyRaw = await hkdf(masterKey, EMPTY, WRAP_LABEL, KEY_BYTES);
    return { authKey, wrappingKey: await importSymmetricKey(wrappingKeyRaw), wrappingKeyRaw };
  } finally {
    masterKey.fill(0);
  }
}
