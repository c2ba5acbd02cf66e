import {
  type AssociatedData,
  CryptoError,
  open,
  openBinary,
  type SymmetricKey,
  sealBinary,
  utf8Decode,
  utf8Encode,
} from '../../shared-crypto/index.ts';
import { normalizeFields } from '../messaging/item-schema.ts';
import type { ItemPage, ItemSummary } from '../messaging/protocol.ts';
import { vaultCacheItem, vaultCommitItem } from '../storage/items.ts';
import { openVault } from './item-crypto.ts';
import { itemsOf, type LocalItem, type VaultData } from './vault-data.ts';
import { buildSummaries, firstPageOf } from './vault-list.ts';

/**
 * The sealed vault on this device (docs/vault-store.md). IndexedDB, one object store, in parts:
 *
 * - `head` (not secret): account, key version, unsynced-change count, the commit number — what a
 *   locked vault may read;
 * - `meta`: revision, last sync, unreadable ids, last-used times, and the commit of every part;
 * - `first`: the first page of the popup's list with its counts, which opens first (a few rows);
 * - `index`: the popup list's summaries (no secrets), which opens next;
 * - `items/0`…`items/15`: the items, by a hash of their id.
 *
 * Every part is sealed with the vault key (stored as the envelope's bytes; earlier releases stored
 * its text form, which still opens); its associated data binds the account, the part's name
 * and the commit that wrote it, and `meta` (bound to the head's commit) names each part's commit.
 * So a part from another account, another part, or an older write does not open, and the vault is
 * refused rather than read mixed. A write puts every changed part, `meta` and `head` in one
 * IndexedDB transaction: a crash or a full disk leaves the previous commit whole.
 */

const DB_NAME = 'keyhold-vault';
const STORE = 'vault';
const FORMAT = 2;
export const VAULT_SHARDS = 16;
const HEAD = 'head';
const META = 'meta';
const INDEX = 'index';
const FIRST = 'first';
const shardName = (n: number) => `items/${n}`;

export interface VaultHead {
  format: typeof FORMAT;
  accountId: string;
  /** The vault key version that sealed the parts. */
  keyVersion: number;
  /** That vault key wrapped by the password (a crash between a key change and a re-seal still opens). */
  wrappedVaultKey?: string;
  /** Local changes the server has not acknowledged: readable while locked. */
  pending: number;
  /** This write's random tag: parts name the commit that sealed them, never a guessable counter. */
  commit: string;
  shards: number;
}

interface VaultMeta {
  revision: number;
  lastSyncAt: string | null;
  unreadable?: Record<string, number>;
  lastUsed?: Record<string, string>;
  /** Part name → the commit that last wrote it. */
  parts: Record<string, string>;
}

/** The head as a locked device may read it, from the store or (before the first write) the old cache. */
export type StoredHead = Pick<VaultHead, 'accountId' | 'keyVersion' | 'wrappedVaultKey'> & {
  pending: number | null;
};

/** What the vault's state needs (head and meta), open before the items are. */
export interface OpenMeta {
  head: VaultHead;
  revision: number;
  lastSyncAt: string | null;
  unreadable: number;
}

/** The list part of the vault, open: what the popup list needs before the items are open. */
export interface OpenIndex extends OpenMeta {
  summaries: ItemSummary[];
}

/** The first page of the list (vault-list.ts `firstPageOf`), open: a few rows and the counts. */
export interface OpenFirstPage extends OpenMeta {
  page: ItemPage;
}

// ---- IndexedDB ----------------------------------------------------------------------------------

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let opened: Promise<IDBDatabase> | undefined;
/** The open database once `opened` has settled, for reads that must be asked without waiting. */
let openDb: IDBDatabase | undefined;
function db(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => {
      // Another context deleting or upgrading the database: let it, and open afresh next time.
      req.result.onversionchange = () => {
        req.result.close();
        opened = undefined;
        openDb = undefined;
      };
      openDb = req.result;
      resolve(req.result);
    };
    req.onerror = () => reject(req.error);
  }).catch((e) => {
    opened = undefined;
    throw e;
  });
  return opened;
}

async function readRecords(keys: string[]): Promise<unknown[]> {
  const store = (await db()).transaction(STORE, 'readonly').objectStore(STORE);
  return Promise.all(keys.map((k) => request(store.get(k))));
}

/** The head is no longer the commit a write was based on: another write committed meanwhile. */
class HeadMoved extends Error {}

/**
 * All puts and deletes in one transaction: committed whole, or not at all. `basedOn`: only while
 * the head still names that commit (checked in the same transaction), else HeadMoved.
 */
async function commitRecords(puts: [string, unknown][], deletes: string[], basedOn?: string): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite', { durability: 'strict' });
  const store = tx.objectStore(STORE);
  let failure: unknown = null;
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(failure ?? tx.error ?? new DOMException('aborted', 'AbortError'));
    tx.onerror = () => undefined; // onabort follows with the cause
  });
  const write = () => {
    try {
      for (const key of deletes) store.delete(key);
      for (const [key, value] of puts) store.put(value, key);
    } catch (e) {
      failure = e;
      tx.abort();
    }
  };
  if (basedOn === undefined) write();
  else {
    const current = store.get(HEAD);
    current.onsuccess = () => {
      const h: unknown = current.result;
      if (isHead(h) && h.commit === basedOn) write();
      else {
        failure = new HeadMoved();
        tx.abort();
      }
    };
  }
  await done;
}

async function commitClear(): Promise<void> {
  const tx = (await db()).transaction(STORE, 'readwrite', { durability: 'strict' });
  tx.objectStore(STORE).clear();
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('aborted', 'AbortError'));
  });
}

// ---- sealing ------------------------------------------------------------------------------------

const partAd = (accountId: string, name: string, commit: string, keyVersion: number): AssociatedData => ({
  purpose: 'vault-cache',
  owner: accountId,
  id: `v${FORMAT}/${name}@${commit}`,
  keyVersion,
});

/** FNV-1a of the id: which shard an item lives in. Stable across releases (it is in the format). */
export function shardOf(id: string, shards = VAULT_SHARDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

async function digest(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  let s = '';
  for (const b of d) s += b.toString(16).padStart(2, '0');
  return s;
}

/** A part's plaintext bytes (throws CryptoError when it is missing or does not open as `name`@`commit`). */
async function openBytes(
  key: SymmetricKey,
  head: VaultHead,
  name: string,
  commit: string | undefined,
  sealed: unknown,
): Promise<Uint8Array> {
  if (commit === undefined) throw new CryptoError('BAD_INPUT', `vault part ${name} missing`);
  const ad = partAd(head.accountId, name, commit, head.keyVersion);
  if (sealed instanceof Uint8Array) return openBinary(key, sealed, ad);
  // The text form ("k1." + base64url) written before parts were stored as bytes.
  if (typeof sealed === 'string') return open(key, sealed, ad);
  throw new CryptoError('BAD_INPUT', `vault part ${name} missing`);
}

async function openPart<T>(
  key: SymmetricKey,
  head: VaultHead,
  name: string,
  commit: string | undefined,
  sealed: unknown,
): Promise<{ value: T; bytes: Uint8Array }> {
  const bytes = await openBytes(key, head, name, commit, sealed);
  return { value: JSON.parse(utf8Decode(bytes)) as T, bytes };
}

/**
 * What this worker last wrote or read for each part (the digest of its plaintext), so a write
 * seals and stores only the parts whose content changed. Null: unknown, write every part.
 */
let written: {
  accountId: string;
  commit: string;
  parts: Map<string, { digest: string; commit: string }>;
} | null = null;

// ---- reading ------------------------------------------------------------------------------------

function isHead(v: unknown): v is VaultHead {
  const h = v as VaultHead | undefined;
  return (
    typeof h === 'object' &&
    h !== null &&
    h.format === FORMAT &&
    typeof h.accountId === 'string' &&
    Number.isSafeInteger(h.keyVersion) &&
    typeof h.commit === 'string' &&
    Number.isSafeInteger(h.shards) &&
    h.shards > 0 &&
    h.shards <= 256
  );
}

export async function readHead(): Promise<VaultHead | null> {
  const [head] = await readRecords([HEAD]);
  return isHead(head) ? head : null;
}

/** Which account's vault this device holds and how many changes wait: readable while locked. */
export async function storedHead(): Promise<StoredHead | null> {
  const head = await readHead();
  if (head) return head;
  const legacy = await vaultCacheItem.getValue();
  if (!legacy) return null;
  return {
    accountId: legacy.accountId,
    keyVersion: legacy.keyVersion ?? 1,
    ...(legacy.wrappedVaultKey ? { wrappedVaultKey: legacy.wrappedVaultKey } : {}),
    pending: typeof legacy.pending === 'number' ? legacy.pending : null,
  };
}

const openMeta = (head: VaultHead, m: VaultMeta): OpenMeta => ({
  head,
  revision: m.revision,
  lastSyncAt: m.lastSyncAt,
  unreadable: Object.keys(m.unreadable ?? {}).length,
});

/**
 * Opens the list: head, meta and index only (a fraction of the bytes). Throws CryptoError when a
 * part does not open.
 */
export async function openIndex(key: SymmetricKey, head: VaultHead): Promise<OpenIndex> {
  const [meta, index] = await readRecords([META, INDEX]);
  const m = (await openPart<VaultMeta>(key, head, META, head.commit, meta)).value;
  const summaries = (await openPart<ItemSummary[]>(key, head, INDEX, m.parts[INDEX], index)).value;
  return { ...openMeta(head, m), summaries };
}

/**
 * Opens the first page of the list: head, meta and a few rows (a few kilobytes whatever the vault's
 * size). Null when the store was written before it held that part; throws CryptoError when a part
 * does not open.
 */
export async function openFirstPage(key: SymmetricKey, head: VaultHead): Promise<OpenFirstPage | null> {
  const [meta, first] = await readRecords([META, FIRST]);
  const m = (await openPart<VaultMeta>(key, head, META, head.commit, meta)).value;
  if (m.parts[FIRST] === undefined) return null;
  const page = (await openPart<ItemPage>(key, head, FIRST, m.parts[FIRST], first)).value;
  return { ...openMeta(head, m), page };
}

/**
 * The sealed records of the whole stored vault (ciphertext, never a key) as one transaction saw
 * them: head, meta and every item part. An unlock reads them while the key derivation runs, whose
 * half second hides the read (about 100 ms for 10,000 items); the open then uses them if the head
 * has not moved since.
 */
export interface SealedVault {
  head: VaultHead;
  records: unknown[];
}

const itemPartNames = (shards: number) => Array.from({ length: shards }, (_, n) => shardName(n));

/**
 * Reads the sealed vault ahead of its open (see SealedVault); null when the store holds none, or
 * not in the usual number of parts. With the database open (it is, once the locked popup has asked
 * for the state), every read is asked before this returns, in one transaction: the reads go on
 * while this thread is busy deriving the key, whose callbacks could not run until it is done.
 */
export function readSealedVault(): Promise<SealedVault | null> {
  const read = (database: IDBDatabase) => {
    const store = database.transaction(STORE, 'readonly').objectStore(STORE);
    const names = [HEAD, META, ...itemPartNames(VAULT_SHARDS)];
    return Promise.all(names.map((k) => request(store.get(k)))).then(([head, ...records]) =>
      isHead(head) && head.shards === VAULT_SHARDS ? { head, records } : null,
    );
  };
  try {
    return openDb ? read(openDb) : db().then(read);
  } catch (e) {
    // A database closing under us (another context upgrading it): the open reads for itself.
    return Promise.reject(e);
  }
}

/**
 * Opens the whole vault of `head` (throws CryptoError when any part does not open). `ahead`: the
 * records read ahead, used when they are of this very commit.
 */
export async function openAll(
  key: SymmetricKey,
  head: VaultHead,
  ahead?: SealedVault | null,
): Promise<VaultData> {
  const names = itemPartNames(head.shards);
  // The list parts are not opened again here (openIndex did, or nobody needs them): their digests
  // stay unknown, so the next write seals them afresh.
  const records =
    ahead && ahead.head.commit === head.commit && ahead.head.accountId === head.accountId
      ? ahead.records
      : await readRecords([META, ...names]);
  const m = await openPart<VaultMeta>(key, head, META, head.commit, records[0]);
  const parts = new Map<string, { digest: string; commit: string }>();
  const data: VaultData = {
    version: 1,
    revision: m.value.revision,
    lastSyncAt: m.value.lastSyncAt,
    items: {},
    ...(m.value.unreadable ? { unreadable: m.value.unreadable } : {}),
    ...(m.value.lastUsed ? { lastUsed: m.value.lastUsed } : {}),
  };
  // Every part is decrypted and digested at once (WebCrypto works off this thread), then parsed here.
  const opened = await Promise.all(
    names.map(async (name, n) => {
      const bytes = await openBytes(key, head, name, m.value.parts[name], records[n + 1]);
      return { bytes, digest: await digest(bytes) };
    }),
  );
  for (let n = 0; n < names.length; n++) {
    const name = names[n] as string;
    const shard = opened[n] as { bytes: Uint8Array; digest: string };
    parts.set(name, { digest: shard.digest, commit: m.value.parts[name] as string });
    const items = JSON.parse(utf8Decode(shard.bytes)) as LocalItem[];
    shard.bytes.fill(0);
    for (const item of items) {
      // An item in the wrong shard was put there by someone else: the format never does.
      if (shardOf(item.id, head.shards) !== n) throw new CryptoError('BAD_INPUT', 'item in the wrong part');
      item.fields = normalizeFields(item.fields);
      if (item.base) item.base = normalizeFields(item.base);
      data.items[item.id] = item;
    }
  }
  written = { accountId: head.accountId, commit: head.commit, parts };
  return data;
}

// ---- writing ------------------------------------------------------------------------------------

export interface WriteOptions {
  accountId: string;
  keyVersion: number;
  wrappedVaultKey?: string | undefined;
  pending: number;
}

/**
 * Seals `data` and commits every part whose content changed, with `meta` and `head`, in one
 * transaction. Throws the storage error (quota, a full disk) with the previous commit intact.
 */
export async function writeVault(
  key: SymmetricKey,
  data: VaultData,
  o: WriteOptions,
  summaries: readonly ItemSummary[] = buildSummaries(data).map((e) => e.summary),
): Promise<void> {
  let commit: string;
  try {
    commit = await commitVault(key, data, o, summaries, true);
  } catch (e) {
    if (!(e instanceof HeadMoved)) throw e;
    // Another write committed after this one read the head: a part this one would have kept may
    // have been replaced since. Sealing every part relies on nothing that is on disk.
    commit = await commitVault(key, data, o, summaries, false);
  }
  // Pages refresh on this (a few bytes); the vault is committed whether or not it is written.
  await vaultCommitItem
    .setValue({ accountId: o.accountId, pending: o.pending, commit })
    .catch(() => undefined);
  // The vault now lives here: the single-blob cache of earlier releases goes (once per worker).
  if (!legacyGone) {
    await vaultCacheItem.removeValue().catch(() => undefined);
    legacyGone = true;
  }
}

let legacyGone = false;

/**
 * One attempt of writeVault; returns the commit tag. `reuse`: parts whose content this worker
 * knows to be on disk unchanged are kept, provided the head is still the commit read here when
 * the transaction runs (HeadMoved otherwise, with nothing written).
 */
async function commitVault(
  key: SymmetricKey,
  data: VaultData,
  o: WriteOptions,
  summaries: readonly ItemSummary[],
  reuse: boolean,
): Promise<string> {
  const head = await readHead();
  const commit = newCommitTag();
  // What is on disk is known only while nobody else wrote since (same account, key and commit).
  const known =
    reuse &&
    head &&
    written &&
    head.accountId === o.accountId &&
    head.keyVersion === o.keyVersion &&
    written.accountId === o.accountId &&
    written.commit === head.commit
      ? written.parts
      : null;

  const shards: LocalItem[][] = Array.from({ length: VAULT_SHARDS }, () => []);
  for (const item of itemsOf(data)) shards[shardOf(item.id)]?.push(item);
  const contents: [string, unknown][] = [
    [FIRST, firstPageOf(summaries)],
    [INDEX, summaries],
    ...shards.map((items, n): [string, unknown] => [shardName(n), items]),
  ];

  // Each part is serialised here while the previous ones are digested and sealed off this thread
  // (WebCrypto); the plaintext bytes are wiped once sealed.
  const sealed = await Promise.all(
    contents.map(([name, value]) => sealPart(key, o, commit, name, jsonBytes(value), known?.get(name))),
  );
  const puts: [string, unknown][] = [];
  const next = new Map<string, { digest: string; commit: string }>();
  let kept = false;
  for (const [n, part] of sealed.entries()) {
    const name = (contents[n] as [string, unknown])[0];
    next.set(name, part.written);
    if (part.sealed) puts.push([name, part.sealed]);
    else kept = true;
  }
  const meta: VaultMeta = {
    revision: data.revision,
    lastSyncAt: data.lastSyncAt,
    ...(data.unreadable ? { unreadable: data.unreadable } : {}),
    ...(data.lastUsed ? { lastUsed: data.lastUsed } : {}),
    parts: Object.fromEntries([...next].map(([name, p]) => [name, p.commit])),
  };
  const metaBytes = utf8Encode(JSON.stringify(meta));
  puts.push([META, await sealBinary(key, metaBytes, partAd(o.accountId, META, commit, o.keyVersion))]);
  metaBytes.fill(0);
  const nextHead: VaultHead = {
    format: FORMAT,
    accountId: o.accountId,
    keyVersion: o.keyVersion,
    ...(o.wrappedVaultKey ? { wrappedVaultKey: o.wrappedVaultKey } : {}),
    pending: o.pending,
    commit,
    shards: VAULT_SHARDS,
  };
  puts.push([HEAD, nextHead]);
  // Shards past the count (a head written by another release) would be stale: drop them.
  const stale = head && head.shards > VAULT_SHARDS ? range(VAULT_SHARDS, head.shards).map(shardName) : [];
  try {
    // Kept parts are those of head.commit: meta may name them only while it is still the head.
    await commitRecords(puts, stale, kept && head ? head.commit : undefined);
  } catch (e) {
    written = null;
    throw e;
  }
  written = { accountId: o.accountId, commit, parts: next };
  return commit;
}

/**
 * The stored vault of `accountId`, opened with the key `keyFor` finds for the version (and the
 * password-wrapped copy kept beside it) that sealed it: from this store, or from the single-blob
 * cache of earlier releases (`legacy`: the caller writes it here). Null when the device holds no
 * vault of that account. Throws CryptoError when the vault does not open. `ahead`: its records as
 * `readSealedVault` read them earlier, used if the head is still that commit.
 */
export async function openStoredVault(
  accountId: string,
  keyFor: (version: number, wrappedVaultKey: string | undefined) => Promise<SymmetricKey | undefined>,
  ahead?: Promise<SealedVault | null>,
): Promise<{ data: VaultData; legacy: boolean; keyVersion: number; commit?: string } | null> {
  const head = await readHead();
  if (head) {
    if (head.accountId !== accountId) return null;
    const key = await keyFor(head.keyVersion, head.wrappedVaultKey);
    if (!key) throw new CryptoError('WRONG_KEY', 'no key for the stored vault');
    return {
      // A failed read ahead is no failure of the open: it reads for itself.
      data: await openAll(key, head, await ahead?.catch(() => null)),
      legacy: false,
      keyVersion: head.keyVersion,
      commit: head.commit,
    };
  }
  const cache = await vaultCacheItem.getValue();
  if (!cache || cache.accountId !== accountId) return null;
  const version = cache.keyVersion ?? 1;
  const key = await keyFor(version, cache.wrappedVaultKey);
  if (!key) throw new CryptoError('WRONG_KEY', 'no key for the stored vault');
  return { data: await openVault(key, accountId, cache.sealed), legacy: true, keyVersion: version };
}

const encoder = new TextEncoder();

/**
 * The UTF-8 bytes of JSON.stringify(value), byte for byte. An array is stringified and encoded
 * element by element into one buffer: one non-ASCII character (a card's "•••• 1234" in the list)
 * makes V8 build the whole string two bytes per character, which stringifies and encodes several
 * times slower (the list part of 10,000 items: 300 ms → 110 ms in Chromium); element by element,
 * only the elements that have one pay.
 */
function jsonBytes(value: unknown): Uint8Array {
  if (!Array.isArray(value)) return utf8Encode(JSON.stringify(value));
  // In an array, what has no JSON form (undefined, a function) is written as null.
  const parts = value.map((v: unknown) => (JSON.stringify(v) as string | undefined) ?? 'null');
  let chars = 2 + parts.length;
  for (const part of parts) chars += part.length;
  const out = new Uint8Array(chars * 3); // a UTF-16 code unit is at most 3 bytes of UTF-8
  out[0] = 0x5b; // [
  let at = 1;
  for (const [i, part] of parts.entries()) {
    if (i > 0) out[at++] = 0x2c; // ,
    at += encoder.encodeInto(part, out.subarray(at)).written;
  }
  out[at++] = 0x5d; // ]
  const bytes = out.slice(0, at);
  out.fill(0);
  return bytes;
}

/**
 * One part of a write: kept when its plaintext is what `known` says is on disk already, else
 * sealed (as bytes: IndexedDB stores them as they are, where a text form costs a base64 pass and
 * a third more to clone and keep).
 */
async function sealPart(
  key: SymmetricKey,
  o: WriteOptions,
  commit: string,
  name: string,
  bytes: Uint8Array,
  known: { digest: string; commit: string } | undefined,
): Promise<{ written: { digest: string; commit: string }; sealed?: Uint8Array }> {
  try {
    const d = await digest(bytes);
    if (known && known.digest === d) return { written: known };
    const sealed = await sealBinary(key, bytes, partAd(o.accountId, name, commit, o.keyVersion));
    return { written: { digest: d, commit }, sealed };
  } finally {
    bytes.fill(0);
  }
}

function newCommitTag(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Forgets the sealed vault (logout, another account, a new vault key). */
export async function clearVault(): Promise<void> {
  written = null;
  legacyGone = false;
  await commitClear();
  await Promise.all([vaultCacheItem.removeValue(), vaultCommitItem.removeValue()]);
}
