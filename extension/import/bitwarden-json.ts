import { argon2id } from 'hash-wasm';
import { ensureTitle, isEmptyCandidate } from './entry-rules.ts';
import {
  arr,
  fieldName,
  humanize,
  isObj,
  type Json,
  pushField,
  readJson,
  str,
  timeAsExported,
} from './json-mapping.ts';
import { decodeText } from './text.ts';
import {
  type Candidate,
  type CandidateField,
  ImportError,
  type ImportFile,
  type ImportIssue,
  MAX_IMPORT_ITEMS,
  type Parser,
} from './types.ts';

/**
 * Bitwarden's JSON export (docs/import-formats/bitwarden-json.md): the individual vault
 * (`{encrypted:false, folders, items}`), an organization's (`{encrypted:false, collections, items}`)
 * and the password-protected export (`{encrypted:true, passwordProtected:true, salt, kdf…, data}`,
 * whose `data` is the plain export encrypted with a key made from the file password). An
 * "account restricted" export (`encrypted:true` without `passwordProtected`) is sealed with the
 * Bitwarden account's own key, which only Bitwarden has: ImportError('accountEncrypted').
 */

// Bitwarden's cipher types.
const LOGIN = 1;
const SECURE_NOTE = 2;
const CARD = 3;
const IDENTITY = 4;
const SSH_KEY = 5;
/** Newer types Keyhold has none for: imported as notes whose custom fields hold the values. */
const OTHER_TYPES: Record<number, string> = { 6: 'bankAccount', 7: 'driversLicense', 8: 'passport' };

// Custom field types.
const FIELD_TEXT = 0;
const FIELD_HIDDEN = 1;
const FIELD_BOOLEAN = 2;
const FIELD_LINKED = 3;

/** What a linked field (type 3) points at: Bitwarden's LinkedIdType values. */
const LINKED_TARGETS: Record<number, string> = {
  100: 'username',
  101: 'password',
  300: 'cardholder name',
  301: 'expiration month',
  302: 'expiration year',
  303: 'security code',
  304: 'brand',
  305: 'number',
  400: 'title',
  401: 'middle name',
  402: 'address 1',
  403: 'address 2',
  404: 'address 3',
  405: 'city',
  406: 'state',
  407: 'postal code',
  408: 'country',
  409: 'company',
  410: 'email',
  411: 'phone',
  412: 'social security number',
  413: 'username',
  414: 'passport number',
  415: 'license number',
  416: 'first name',
  417: 'last name',
  418: 'full name',
};

/** Bitwarden's UriMatchStrategy; 0 (base domain) and null are the default and need no field. */
const URI_MATCH: Record<number, string> = {
  1: 'host',
  2: 'starts with',
  3: 'exact',
  4: 'regular expression',
  5: 'never',
};

/** Values of the bank account / licence / passport types that are better hidden. */
const SECRET_KEY = /number|pin|iban|ssn|password|secret|code/i;

/**
 * KDF parameters a Bitwarden client accepts on import (Bitwarden's own bounds: PBKDF2 5,000 to
 * 2,000,000 iterations; Argon2id 2–10 iterations, 16–1024 MiB, 1–16 lanes). The file says which to
 * use, so an unbounded value would let a crafted file make this page hash for hours or allocate
 * gigabytes: out of bounds is 'malformed' before anything is derived.
 */
const PBKDF2_ITERATIONS = { min: 5_000, max: 2_000_000 };
const ARGON2_ITERATIONS = { min: 2, max: 10 };
const ARGON2_MEMORY_MIB = { min: 16, max: 1024 };
const ARGON2_PARALLELISM = { min: 1, max: 16 };

const inRange = (v: unknown, r: { min: number; max: number }): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= r.min && v <= r.max;

/** The first 4 KiB: enough for the keys Bitwarden writes first, whatever the vault's size. */
const HEAD = 4096;

/**
 * A Bitwarden JSON export: an object that says whether it is `encrypted` and has `items` (or is
 * the password-protected kind), and is not Proton Pass's (which has `encrypted` and `vaults`).
 */
export function looksBitwardenJson(file: ImportFile, text?: string): boolean {
  try {
    const t = text ?? decodeText(file.bytes.subarray(0, 1_000_000));
    const head = t.slice(0, HEAD).trimStart();
    if (!head.startsWith('{')) return false;
    if (!/"encrypted"\s*:\s*(true|false)/.test(head)) return false;
    if (/"vaults"\s*:\s*\{/.test(head)) return false;
    return /"items"\s*:\s*\[/.test(t) || /"encKeyValidation_DO_NOT_EDIT"\s*:/.test(t);
  } catch {
    return false;
  }
}

export const parseBitwardenJson: Parser = async (file, options) => {
  let doc = readJson(decodeText(file.bytes));
  if (!isObj(doc)) throw new ImportError('unrecognized');
  if (doc.encrypted === true) {
    if (doc.passwordProtected !== true) throw new ImportError('accountEncrypted');
    doc = await decryptExport(doc, options.password);
    if (!isObj(doc)) throw new ImportError('malformed');
  }
  if (!Array.isArray(doc.items)) throw new ImportError('unrecognized');
  if (doc.items.length === 0) throw new ImportError('empty');
  const maxItems = options.maxItems ?? MAX_IMPORT_ITEMS;
  if (doc.items.length > maxItems) throw new ImportError('tooManyItems', String(maxItems));

  const groups = new Map<string, string>();
  const collections = new Map<string, string>();
  for (const f of arr(doc.folders))
    if (isObj(f) && str(f.id) !== '' && str(f.name) !== '') groups.set(str(f.id), str(f.name));
  for (const c of arr(doc.collections))
    if (isObj(c) && str(c.id) !== '' && str(c.name) !== '') collections.set(str(c.id), str(c.name));

  const candidates: Candidate[] = [];
  const issues: ImportIssue[] = [];
  doc.items.forEach((item, i) => {
    const source = i + 1;
    if (!isObj(item)) {
      issues.push({ source, title: '', outcome: 'skipped', code: 'unreadable' });
      return;
    }
    const folder =
      groups.get(str(item.folderId)) ??
      arr(item.collectionIds)
        .map((id) => collections.get(str(id)))
        .find((name) => name !== undefined);
    const c = mapItem(item, source, folder, issues);
    if (isEmptyCandidate(c)) {
      issues.push({ source, title: '', outcome: 'skipped', code: 'empty' });
      return;
    }
    ensureTitle(c, issues);
    candidates.push(c);
  });
  return { format: 'bitwarden-json', candidates, issues };
};

/** The item's type; a hand-made item without one is typed by the object it carries. */
function itemType(item: Json): number {
  if (/^\d+$/.test(str(item.type))) return Number(str(item.type));
  if (item.type !== undefined && item.type !== null) return Number.NaN;
  if (isObj(item.login)) return LOGIN;
  if (isObj(item.card)) return CARD;
  if (isObj(item.identity)) return IDENTITY;
  if (isObj(item.sshKey)) return SSH_KEY;
  for (const [n, key] of Object.entries(OTHER_TYPES)) if (isObj(item[key])) return Number(n);
  return SECURE_NOTE;
}

function mapItem(item: Json, source: number, folder: string | undefined, issues: ImportIssue[]): Candidate {
  const title = str(item.name);
  const type = itemType(item);
  const fields: CandidateField[] = [];
  const c: Candidate = { source, type: 'note', title };
  const notes = str(item.notes);
  if (notes !== '') c.notes = notes;
  if (folder !== undefined) c.folder = folder;
  if (item.favorite === true) c.favorite = true;
  const createdAt = timeAsExported(item.creationDate);
  const updatedAt = timeAsExported(item.revisionDate);
  if (createdAt) c.createdAt = createdAt;
  if (updatedAt) c.updatedAt = updatedAt;
  if (timeAsExported(item.deletedDate)) c.trashed = true;

  const issue = (outcome: ImportIssue['outcome'], code: ImportIssue['code'], detail?: string) =>
    issues.push(
      detail === undefined ? { source, title, outcome, code } : { source, title, outcome, code, detail },
    );

  switch (type) {
    case LOGIN: {
      c.type = 'login';
      const login = isObj(item.login) ? item.login : {};
      c.username = str(login.username);
      c.password = str(login.password);
      c.totp = str(login.totp);
      const urls: string[] = [];
      for (const u of arr(login.uris)) {
        const uri = isObj(u) ? str(u.uri) : str(u);
        if (uri.trim() === '') continue;
        urls.push(uri);
        const match = isObj(u) && typeof u.match === 'number' ? URI_MATCH[u.match] : undefined;
        if (match) fields.push({ name: `Website ${urls.length} match`, value: match, kind: 'text' });
      }
      c.urls = urls;
      const passkeys = arr(login.fido2Credentials).length;
      if (passkeys > 0) issue('changed', 'passkey', String(passkeys));
      break;
    }
    case SECURE_NOTE:
      break;
    case CARD: {
      c.type = 'card';
      const card = isObj(item.card) ? item.card : {};
      c.cardholder = str(card.cardholderName);
      c.brand = str(card.brand);
      c.number = str(card.number);
      c.expMonth = str(card.expMonth);
      c.expYear = str(card.expYear);
      c.code = str(card.code);
      break;
    }
    case IDENTITY: {
      c.type = 'identity';
      const id = isObj(item.identity) ? item.identity : {};
      c.honorific = str(id.title);
      c.firstName = str(id.firstName);
      c.middleName = str(id.middleName);
      c.lastName = str(id.lastName);
      c.company = str(id.company);
      c.email = str(id.email);
      c.phone = str(id.phone);
      c.address1 = str(id.address1);
      c.address2 = str(id.address2);
      c.city = str(id.city);
      c.region = str(id.state);
      c.postalCode = str(id.postalCode);
      c.country = str(id.country);
      pushField(fields, 'Address 3', str(id.address3));
      pushField(fields, 'Username', str(id.username));
      pushField(fields, 'Social security number', str(id.ssn), 'hidden');
      pushField(fields, 'Passport number', str(id.passportNumber), 'hidden');
      pushField(fields, 'License number', str(id.licenseNumber), 'hidden');
      break;
    }
    case SSH_KEY: {
      c.type = 'sshKey';
      const key = isObj(item.sshKey) ? item.sshKey : {};
      c.privateKey = str(key.privateKey);
      c.publicKey = str(key.publicKey);
      // keyFingerprint: Keyhold computes the fingerprint from the public key itself.
      break;
    }
    default: {
      // A type Keyhold has none for (bank account, driver's licence, passport, or one newer than
      // this code): a note whose custom fields hold every value of the type's object.
      const key = OTHER_TYPES[type];
      const content = key !== undefined ? item[key] : undefined;
      if (isObj(content))
        for (const [k, v] of Object.entries(content))
          pushField(fields, humanize(k), str(v), SECRET_KEY.test(k) ? 'hidden' : 'text');
      issue('changed', 'unsupportedType', key ?? `type ${str(item.type)}`);
    }
  }

  for (const f of arr(item.fields)) {
    if (!isObj(f)) continue;
    const name = fieldName(str(f.name), fields.length);
    const value = str(f.value);
    const ftype = /^\d+$/.test(str(f.type)) ? Number(str(f.type)) : FIELD_TEXT;
    if (ftype === FIELD_TEXT) fields.push({ name, value, kind: 'text' });
    else if (ftype === FIELD_HIDDEN) fields.push({ name, value, kind: 'hidden' });
    else if (ftype === FIELD_BOOLEAN)
      fields.push({ name, value: value === '' ? 'false' : value, kind: 'boolean' });
    else if (ftype === FIELD_LINKED) {
      // Keyhold's candidates carry no linked fields: the link is kept as words.
      const target = typeof f.linkedId === 'number' ? LINKED_TARGETS[f.linkedId] : undefined;
      fields.push({ name, value: `(linked to ${target ?? 'another field'})`, kind: 'text' });
      issue('changed', 'unknownField', 'linked');
    } else {
      fields.push({ name, value, kind: 'text' });
      issue('changed', 'unknownField', `type ${ftype}`);
    }
  }

  const history = arr(item.passwordHistory)
    .filter(isObj)
    .map((h) => ({ password: str(h.password), replacedAt: str(h.lastUsedDate) }))
    .filter((h) => h.password !== '');
  if (history.length > 0) {
    const time = (s: string) => {
      const t = Date.parse(s);
      return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
    };
    history.sort((a, b) => time(b.replacedAt) - time(a.replacedAt));
    if (c.type === 'login') c.passwordHistory = history;
    // Keyhold keeps a password history on logins only; elsewhere (Bitwarden records changed hidden
    // fields on any type) each earlier value is a hidden field.
    else
      for (const [n, h] of history.entries())
        fields.push({
          name: h.replacedAt ? `Previous password (${h.replacedAt})` : `Previous password ${n + 1}`,
          value: h.password,
          kind: 'hidden',
        });
  }

  if (fields.length > 0) c.fields = fields;
  return c;
}

// ——— The password-protected export ———

const utf8 = (s: string) => new TextEncoder().encode(s);

function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  try {
    return Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
  } catch {
    throw new ImportError('malformed');
  }
}

interface EncString {
  iv: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
  mac: Uint8Array<ArrayBuffer>;
}

/** Bitwarden's type 2 string: "2.<iv>|<ciphertext>|<mac>" (AES-256-CBC, HMAC-SHA256 of iv‖ciphertext). */
function parseEncString(v: unknown): EncString {
  const m = /^2\.([^|]+)\|([^|]+)\|([^|]+)$/.exec(str(v).trim());
  if (!m?.[1] || !m[2] || !m[3]) throw new ImportError('malformed');
  const iv = fromBase64(m[1]);
  const data = fromBase64(m[2]);
  const mac = fromBase64(m[3]);
  if (iv.length !== 16 || mac.length !== 32 || data.length === 0 || data.length % 16 !== 0)
    throw new ImportError('malformed');
  return { iv, data, mac };
}

interface ExportKeys {
  enc: CryptoKey;
  mac: CryptoKey;
}

/** The 32-byte key from the file password, as Bitwarden's KeyGenerationService derives it. */
async function deriveKey(password: string, doc: Json): Promise<Uint8Array<ArrayBuffer>> {
  const salt = str(doc.salt);
  if (doc.kdfType === 0) {
    const base = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: utf8(salt), iterations: doc.kdfIterations as number },
      base,
      256,
    );
    return new Uint8Array(bits);
  }
  // Argon2id: the salt is SHA-256 of the salt string; memory is given in MiB.
  const saltHash = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(salt)));
  const key = await argon2id({
    password: utf8(password),
    salt: saltHash,
    iterations: doc.kdfIterations as number,
    memorySize: (doc.kdfMemory as number) * 1024,
    parallelism: doc.kdfParallelism as number,
    hashLength: 32,
    outputType: 'binary',
  });
  return new Uint8Array(key);
}

/** HKDF-Expand (RFC 5869) with SHA-256 for one 32-byte block: HMAC(prk, info ‖ 0x01). */
async function hkdfExpand32(prk: Uint8Array<ArrayBuffer>, info: string): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', prk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const input = new Uint8Array([...utf8(info), 1]);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, input));
}

/** Bitwarden's stretchKey: the KDF output expanded into an encryption key and a MAC key. */
async function exportKeys(master: Uint8Array<ArrayBuffer>): Promise<ExportKeys> {
  const [encRaw, macRaw] = await Promise.all([hkdfExpand32(master, 'enc'), hkdfExpand32(master, 'mac')]);
  const [enc, mac] = await Promise.all([
    crypto.subtle.importKey('raw', encRaw, 'AES-CBC', false, ['decrypt']),
    crypto.subtle.importKey('raw', macRaw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']),
  ]);
  return { enc, mac };
}

const macVerifies = (s: EncString, keys: ExportKeys): Promise<boolean> =>
  crypto.subtle.verify('HMAC', keys.mac, s.mac, new Uint8Array([...s.iv, ...s.data]));

async function decryptText(s: EncString, keys: ExportKeys): Promise<string> {
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-CBC', iv: s.iv }, keys.enc, s.data);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new ImportError('malformed');
  }
}

/** The plain export inside a password-protected one. */
async function decryptExport(doc: Json, password: string | undefined): Promise<unknown> {
  const kdfOk =
    (doc.kdfType === 0 && inRange(doc.kdfIterations, PBKDF2_ITERATIONS)) ||
    (doc.kdfType === 1 &&
      inRange(doc.kdfIterations, ARGON2_ITERATIONS) &&
      inRange(doc.kdfMemory, ARGON2_MEMORY_MIB) &&
      inRange(doc.kdfParallelism, ARGON2_PARALLELISM));
  if (!kdfOk) throw new ImportError('malformed', 'kdf');
  if (str(doc.salt) === '') throw new ImportError('malformed', 'salt');
  const validation = parseEncString(doc.encKeyValidation_DO_NOT_EDIT);
  const data = parseEncString(doc.data);
  if (password === undefined || password === '') throw new ImportError('passwordNeeded');

  const keys = await exportKeys(await deriveKey(password, doc));
  // The validation string is there to tell a wrong password from a damaged file.
  if (!(await macVerifies(validation, keys))) throw new ImportError('wrongPassword');
  await decryptText(validation, keys);
  if (!(await macVerifies(data, keys))) throw new ImportError('malformed', 'data');
  return readJson(await decryptText(data, keys));
}
