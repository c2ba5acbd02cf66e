import { calculateJwkThumbprint, exportJWK, type JWK, SignJWT } from 'jose';
import { storage } from 'wxt/utils/storage';
import { idbKeyStore } from './idb-key-store.ts';

/**
 * This device's DPoP key (RFC 9449, docs/sessions.md "DPoP"): a P-256 key pair made at each sign-in
 * with a NON-EXTRACTABLE private key, so no script, debugger dump of storage or backup can copy it
 * out — only use it while the worker runs. CryptoKey objects cannot go in chrome.storage, so the
 * pair lives in IndexedDB (structured clone keeps it non-extractable); chrome.storage names which
 * one is current. Every request with a token carries a fresh proof signed by it.
 */

export interface DpopKeyStore {
  get(id: string): Promise<CryptoKeyPair | undefined>;
  put(id: string, pair: CryptoKeyPair): Promise<void>;
  delete(id: string): Promise<void>;
}

/** The worker's store: one IndexedDB object store of key pairs by thumbprint. */
export function indexedDbKeyStore(): DpopKeyStore {
  return idbKeyStore<CryptoKeyPair>('keyhold-dpop');
}

let keyStore: DpopKeyStore | undefined;
/** The store in use: IndexedDB unless one was given (an in-memory one in unit tests). */
const store = () => {
  keyStore ??= indexedDbKeyStore();
  return keyStore;
};
export function useDpopKeyStore(given: DpopKeyStore): void {
  keyStore = given;
  publicJwks.clear();
}

/** Which key is this device session's (its thumbprint): swapped with the rest of the session state. */
const currentKeyItem = storage.defineItem<string | null>('local:dpop-key', { fallback: null, version: 1 });

export interface DpopKey {
  pair: CryptoKeyPair;
  jwk: JWK;
  /** RFC 7638 thumbprint: the server's `jkt` for the session. */
  jkt: string;
}

const publicJwks = new Map<string, JWK>();

async function describe(pair: CryptoKeyPair): Promise<DpopKey> {
  const { kty, crv, x, y } = await exportJWK(pair.publicKey);
  const jwk: JWK = { kty, crv, x, y };
  return { pair, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** A new key pair for a sign-in; not stored until the server accepted it (adoptDpopKey). */
export async function createDpopKey(): Promise<DpopKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  return describe(pair);
}

/** The signed-in session's key from now on; the previous session's key is deleted. */
export async function adoptDpopKey(key: DpopKey): Promise<void> {
  await store().put(key.jkt, key.pair);
  const previous = await currentKeyItem.getValue();
  await currentKeyItem.setValue(key.jkt);
  publicJwks.set(key.jkt, key.jwk);
  if (previous && previous !== key.jkt) await store().delete(previous);
}

/** This device session's key, or null (signed out, or a session from before DPoP). */
export async function currentDpopKey(): Promise<DpopKey | null> {
  const id = await currentKeyItem.getValue();
  if (!id) return null;
  const pair = await store().get(id);
  if (!pair) return null;
  const jwk = publicJwks.get(id);
  if (jwk) return { pair, jwk, jkt: id };
  const key = await describe(pair);
  publicJwks.set(id, key.jwk);
  return key;
}

/** Logout or a forgotten session: the key goes with it. */
export async function forgetDpopKey(): Promise<void> {
  const id = await currentKeyItem.getValue();
  await currentKeyItem.removeValue();
  if (id) {
    publicJwks.delete(id);
    await store().delete(id);
  }
}

/** Where a client keeps its session's key: the extension's storage, or memory (benches, scripts). */
export interface DpopKeys {
  current(): Promise<DpopKey | null>;
  adopt(key: DpopKey): Promise<void>;
}

export const sessionDpopKeys: DpopKeys = { current: currentDpopKey, adopt: adoptDpopKey };

/** A key held only in memory, by a client without extension storage (the benches). */
export function memoryDpopKeys(): DpopKeys {
  let key: DpopKey | null = null;
  return {
    current: async () => key,
    adopt: async (next) => {
      key = next;
    },
  };
}

const sha256 = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/** The latest DPoP-Nonce each server origin handed out (RFC 9449 §8). */
const nonces = new Map<string, string>();

export function rememberDpopNonce(url: string, response: Response): void {
  const nonce = response.headers.get('dpop-nonce');
  if (nonce) nonces.set(new URL(url).origin, nonce);
}

/** A nonce challenge (`use_dpop_nonce`): the request is signed again once with the new nonce. */
export function isNonceChallenge(response: Response): boolean {
  return (
    (response.status === 400 || response.status === 401) &&
    response.headers.has('dpop-nonce') &&
    (response.headers.get('www-authenticate') ?? '').includes('use_dpop_nonce')
  );
}

/**
 * A proof for one request: method, URL without query and fragment, now, a random id, the access
 * token's hash when one is sent, and the server's latest nonce when it gave one.
 */
export async function dpopProof(
  key: DpopKey,
  method: string,
  url: string,
  accessToken?: string,
): Promise<string> {
  const u = new URL(url);
  const nonce = nonces.get(u.origin);
  return new SignJWT({
    htm: method,
    htu: `${u.origin}${u.pathname}`,
    ...(accessToken ? { ath: base64url(await sha256(accessToken)) } : {}),
    ...(nonce ? { nonce } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .sign(key.pair.privateKey);
}

/** `Authorization: DPoP <token>` and a proof by this session's key (none without a key). */
export async function dpopAuthHeaders(method: string, url: string, accessToken: string) {
  const key = await currentDpopKey();
  const headers: Record<string, string> = { authorization: `DPoP ${accessToken}` };
  if (key) headers.dpop = await dpopProof(key, method, url, accessToken);
  return headers;
}
