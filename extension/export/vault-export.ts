import canonicalize from 'canonicalize';
import Papa from 'papaparse';
import { fromBase64Url, hkdf, randomBytes, toBase64Url, utf8Encode } from '../../shared-crypto/index.ts';
import { argon2idHash } from '../../shared-crypto/kdf.ts';
import type { CustomField, ItemFields } from '../messaging/item-schema.ts';
import type { ExportItem } from './export-items.ts';

/**
 * Keyhold's own vault export (docs/export.md), as pure functions: the worker hands in the unlocked
 * vault and gets back the text of the file.
 *
 * - `exportItems`: every item that is not a tombstone, trash and conflict copies included, as
 *   `{fields, createdAt, updatedAt}` — nothing about sync (ids, revisions, merge bases) leaves.
 * - `plainJsonExport`: `{format:'keyhold-vault', version:1, exportedAt, items}`, lossless.
 * - `encryptedExport`: the same text sealed with AES-256-GCM under a key stretched from a file
 *   password by Argon2id; the header (everything but `data`, as RFC 8785 canonical JSON) is the
 *   associated data, so a header changed by a byte fails to open. Also lossless.
 * - `csvExport`: Bitwarden's individual-vault CSV, which most managers import. Lossy by nature
 *   (see the doc); trashed items are left out.
 *
 * The reader is extension/import/keyhold.ts; the format constants and key derivation below are
 * shared with it so that writing and reading cannot drift apart.
 */

export { type ExportItem, exportItems } from './export-items.ts';

export const PLAIN_FORMAT = 'keyhold-vault';
export const ENCRYPTED_FORMAT = 'keyhold-export';
export const EXPORT_VERSION = 1;
export const KDF_NAME = 'argon2id';
export const CIPHER_NAME = 'AES-256-GCM';

/** Argon2id parameters of an encrypted export. */
export interface ExportKdf {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** What an export is written with unless told otherwise: 64 MiB, t=3, p=1. */
export const DEFAULT_EXPORT_KDF: Readonly<ExportKdf> = Object.freeze({
  memoryKiB: 65_536,
  iterations: 3,
  parallelism: 1,
});

/**
 * What a file may ask for, checked before anything is derived. Below: OWASP's Argon2id floor
 * (19 MiB, t=2), so a file cannot be made cheap to guess. Above: a crafted file must not make the
 * page allocate more than 1 GiB or hash for minutes.
 */
export const EXPORT_KDF_BOUNDS = {
  memoryKiB: { min: 19_456, max: 1_048_576 },
  iterations: { min: 2, max: 10 },
  parallelism: { min: 1, max: 4 },
} as const;

export const SALT_BYTES = 16;
export const NONCE_BYTES = 12;
export const CHECK_BYTES = 32;
const KEY_LABEL = 'keyhold-export/v1/aes-256-gcm-key';
const CHECK_LABEL = 'keyhold-export/v1/password-check';

export function kdfInBounds(kdf: Record<string, unknown>): boolean {
  return (Object.keys(EXPORT_KDF_BOUNDS) as (keyof ExportKdf)[]).every((k) => {
    const v = kdf[k];
    const { min, max } = EXPORT_KDF_BOUNDS[k];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
  });
}

// ——— Keyhold JSON ———

/** The plain export: readable by anyone who has the file. Pretty-printed (two spaces). */
export function plainJsonExport(items: readonly ExportItem[], now: Date): string {
  return JSON.stringify(
    { format: PLAIN_FORMAT, version: EXPORT_VERSION, exportedAt: now.toISOString(), items },
    null,
    2,
  );
}

/** The header of an encrypted export: the file without `data`. */
export interface EncryptedHeader {
  format: typeof ENCRYPTED_FORMAT;
  version: typeof EXPORT_VERSION;
  kdf: { name: typeof KDF_NAME; salt: string } & ExportKdf;
  cipher: { name: typeof CIPHER_NAME; nonce: string };
  /** HKDF of the stretched password (another label than the key's): tells a wrong password from a damaged file. */
  check: string;
}

/** The header's bytes as associated data: RFC 8785 canonical JSON of whatever the header holds. */
export function headerAd(header: Record<string, unknown>): Uint8Array<ArrayBuffer> {
  const text = canonicalize(header);
  if (text === undefined) throw new TypeError('header cannot be canonicalized');
  return utf8Encode(text) as Uint8Array<ArrayBuffer>;
}

/**
 * Argon2id(NFKC(password), salt) → HKDF-SHA-256 → the AES-256-GCM key (non-extractable) and the
 * password check. NFKC as for the master password: the same password typed elsewhere opens the file.
 */
export async function deriveExportKeys(
  password: string,
  salt: Uint8Array,
  kdf: ExportKdf,
): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const pw = utf8Encode(password.normalize('NFKC'));
  let stretched: Uint8Array | undefined;
  let raw: Uint8Array | undefined;
  try {
    stretched = await argon2idHash(pw, salt, kdf.memoryKiB, kdf.iterations, kdf.parallelism, 32);
    raw = await hkdf(stretched, new Uint8Array(0), KEY_LABEL, 32);
    const check = await hkdf(stretched, new Uint8Array(0), CHECK_LABEL, CHECK_BYTES);
    const key = await crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    return { key, check };
  } finally {
    pw.fill(0);
    stretched?.fill(0);
    raw?.fill(0);
  }
}

/**
 * The plain export sealed with `password` (docs/export.md "Encrypted"). Throws RangeError for an
 * empty password or parameters a reader would refuse: a file that cannot be opened is never written.
 */
export async function encryptedExport(
  items: readonly ExportItem[],
  password: string,
  now: Date,
  kdf: ExportKdf = DEFAULT_EXPORT_KDF,
): Promise<string> {
  if (password === '') throw new RangeError('export password must not be empty');
  if (!kdfInBounds({ ...kdf })) throw new RangeError('export kdf parameters out of bounds');
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const { key, check } = await deriveExportKeys(password, salt, kdf);
  const header: EncryptedHeader = {
    format: ENCRYPTED_FORMAT,
    version: EXPORT_VERSION,
    kdf: {
      name: KDF_NAME,
      memoryKiB: kdf.memoryKiB,
      iterations: kdf.iterations,
      parallelism: kdf.parallelism,
      salt: toBase64Url(salt),
    },
    cipher: { name: CIPHER_NAME, nonce: toBase64Url(nonce) },
    check: toBase64Url(check),
  };
  const plaintext = utf8Encode(plainJsonExport(items, now)) as Uint8Array<ArrayBuffer>;
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce as Uint8Array<ArrayBuffer>, additionalData: headerAd({ ...header }) },
    key,
    plaintext,
  );
  plaintext.fill(0);
  return JSON.stringify({ ...header, data: toBase64Url(new Uint8Array(sealed)) }, null, 2);
}

/** Strict base64url to bytes, or null (the reader turns null into its own error). */
export function bytesOrNull(v: unknown): Uint8Array | null {
  if (typeof v !== 'string') return null;
  try {
    return fromBase64Url(v);
  } catch {
    return null;
  }
}

// ——— Bitwarden CSV ———

/** Bitwarden's individual-vault columns, in its order. */
export const CSV_COLUMNS = [
  'folder',
  'favorite',
  'type',
  'name',
  'notes',
  'fields',
  'reprompt',
  'login_uri',
  'login_username',
  'login_password',
  'login_totp',
] as const;

/** Custom fields as Bitwarden writes them: one `name: value` line each (a linked field says what it links). */
function fieldLines(fields: readonly CustomField[]): string {
  return fields
    .map(
      (f) => `${f.name}: ${f.kind === 'linked' ? `(linked to ${f.linkedTo ?? 'another field'})` : f.value}`,
    )
    .join('\n');
}

/** A type the CSV has no columns for: its values as "Label: value" lines (English labels). */
function typedLines(f: ItemFields): string[] {
  const pairs: [string, string][] = [];
  switch (f.type) {
    case 'card':
      pairs.push(
        ['Cardholder', f.cardholder],
        ['Brand', f.brand],
        ['Number', f.number],
        ['Expiry', f.expMonth && f.expYear ? `${f.expMonth}/${f.expYear}` : f.expMonth || f.expYear],
        ['Security code', f.code],
      );
      break;
    case 'identity':
      pairs.push(
        ['Honorific', f.honorific],
        ['First name', f.firstName],
        ['Middle name', f.middleName],
        ['Last name', f.lastName],
        ['Company', f.company],
        ['Email', f.email],
        ['Phone', f.phone],
        ['Address 1', f.address1],
        ['Address 2', f.address2],
        ['City', f.city],
        ['Region', f.region],
        ['Postal code', f.postalCode],
        ['Country', f.country],
      );
      break;
    case 'sshKey':
      pairs.push(['Private key', f.privateKey], ['Public key', f.publicKey], ['Fingerprint', f.fingerprint]);
      break;
    default:
      break;
  }
  // An older or partial body may lack a field: nothing to write.
  return pairs.filter(([, v]) => typeof v === 'string' && v !== '').map(([label, v]) => `${label}: ${v}`);
}

/**
 * The websites cell: comma-separated as Bitwarden writes it; an address holding a comma, quote or
 * line break is CSV-quoted inside the cell (Keyhold's reader, and papaparse-based ones, read that).
 */
function uriCell(urls: readonly string[]): string {
  if (urls.length === 0) return '';
  return Papa.unparse([urls as string[]], { header: false, newline: '\n' });
}

/**
 * Bitwarden's individual-vault CSV of every item not in the trash. Logins and notes map column by
 * column; cards, identities and SSH keys become notes whose text starts with their values, one
 * "Label: value" line each, followed by a blank line and the item's own notes. Values are written
 * as they are (no spreadsheet-formula escaping: it would change passwords that start with = + - @).
 */
export function csvExport(items: readonly ExportItem[]): string {
  const rows = items
    .filter((item) => item.fields.trashedAt === null)
    .map(({ fields: f }) => {
      const isLogin = f.type === 'login';
      const typed = typedLines(f);
      const notes =
        typed.length === 0 ? f.notes : [...typed, ...(f.notes === '' ? [] : ['', f.notes])].join('\n');
      return [
        f.folder,
        f.favorite ? '1' : '0',
        isLogin ? 'login' : 'note',
        f.title,
        notes,
        fieldLines(f.customFields),
        '0',
        isLogin ? uriCell(f.uris.map((u) => u.url)) : '',
        isLogin ? f.username : '',
        isLogin ? f.password : '',
        isLogin ? f.totp : '',
      ];
    });
  return Papa.unparse({ fields: [...CSV_COLUMNS], data: rows }, { newline: '\r\n' });
}
