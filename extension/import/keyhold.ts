import { z } from 'zod';
import {
  bytesOrNull,
  CHECK_BYTES,
  CIPHER_NAME,
  deriveExportKeys,
  ENCRYPTED_FORMAT,
  EXPORT_VERSION,
  headerAd,
  KDF_NAME,
  kdfInBounds,
  NONCE_BYTES,
  PLAIN_FORMAT,
  SALT_BYTES,
} from '../export/vault-export.ts';
import { cardExpiryProblem } from '../messaging/card-checks.ts';
import { itemInputSchema } from '../messaging/item-input-schemas.ts';
import { type ItemFields, normalizeFields, PASSWORD_HISTORY_SIZE } from '../messaging/item-schema.ts';
import { isObj, type Json, readJson, str } from './json-mapping.ts';
import { decodeText } from './text.ts';
import {
  type ExactItem,
  ImportError,
  type ImportFile,
  type ImportIssue,
  MAX_IMPORT_ITEMS,
  type Parser,
} from './types.ts';

/**
 * Keyhold's own export, plain (`keyhold-vault`) or encrypted (`keyhold-export`), written by
 * extension/export/vault-export.ts (docs/export.md). Its items are Keyhold's own: they come back as
 * `exact` items, as they were, not as candidates through finalize. Each is still checked as an edit
 * would be (a file can be edited by hand): an entry the item schema refuses is skipped as
 * 'unreadable' and the rest go on. An expired card keeps its date, as finalize keeps it.
 *
 * Whole-file errors: `wrongPassword` when the password check fails; `malformed` for a file cut
 * short, a damaged or altered one (the AES-GCM tag covers the data and, as associated data, the
 * whole header) and Argon2id parameters outside the bounds (detail 'kdf'); `unsupportedVersion`
 * for a version this Keyhold does not know.
 */

const HEAD = 4096;
const FORMAT_IN_HEAD = new RegExp(`"format"\\s*:\\s*"(${PLAIN_FORMAT}|${ENCRYPTED_FORMAT})"`);

export function looksKeyhold(file: ImportFile, text?: string): boolean {
  try {
    const head = (text ?? decodeText(file.bytes.subarray(0, HEAD))).slice(0, HEAD).trimStart();
    return head.startsWith('{') && FORMAT_IN_HEAD.test(head);
  } catch {
    return false;
  }
}

/** Version 1 is read; another integer is a newer (or unknown) file; anything else is not ours. */
function checkVersion(v: unknown): void {
  if (v === EXPORT_VERSION) return;
  if (typeof v === 'number' && Number.isSafeInteger(v))
    throw new ImportError('unsupportedVersion', String(v));
  throw new ImportError('malformed', 'version');
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
};

/** The plain export's text inside an encrypted one. */
async function decryptExport(doc: Json, password: string | undefined): Promise<string> {
  const kdf = isObj(doc.kdf) ? doc.kdf : {};
  const cipher = isObj(doc.cipher) ? doc.cipher : {};
  if (kdf.name !== KDF_NAME || !kdfInBounds(kdf)) throw new ImportError('malformed', 'kdf');
  if (cipher.name !== CIPHER_NAME) throw new ImportError('malformed', 'cipher');
  const salt = bytesOrNull(kdf.salt);
  const nonce = bytesOrNull(cipher.nonce);
  const check = bytesOrNull(doc.check);
  const data = bytesOrNull(doc.data);
  if (salt?.length !== SALT_BYTES) throw new ImportError('malformed', 'salt');
  if (nonce?.length !== NONCE_BYTES) throw new ImportError('malformed', 'nonce');
  if (check?.length !== CHECK_BYTES) throw new ImportError('malformed', 'check');
  if (data === null || data.length < 16) throw new ImportError('malformed', 'data');
  if (password === undefined || password === '') throw new ImportError('passwordNeeded');

  const derived = await deriveExportKeys(password, salt, {
    memoryKiB: kdf.memoryKiB as number,
    iterations: kdf.iterations as number,
    parallelism: kdf.parallelism as number,
  });
  if (!sameBytes(derived.check, check)) throw new ImportError('wrongPassword');
  const { data: _data, ...header } = doc;
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce as Uint8Array<ArrayBuffer>, additionalData: headerAd(header) },
      derived.key,
      data as Uint8Array<ArrayBuffer>,
    );
  } catch {
    // The password is right (the check matched): the data or the header was changed.
    throw new ImportError('malformed', 'data');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new ImportError('malformed', 'data');
  } finally {
    new Uint8Array(plain).fill(0);
  }
}

/** What the worker maintains beside the fields the item schema checks. */
const metaSchema = z.object({
  passwordHistory: z
    .array(z.object({ password: z.string().max(10_000), replacedAt: z.string().max(100) }))
    .max(PASSWORD_HISTORY_SIZE),
  trashedAt: z.string().max(100).nullable(),
});

const isTime = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 100 && !Number.isNaN(Date.parse(v));

/** One entry of `items`, checked; null when it cannot be kept as it is. */
function readItem(entry: unknown, source: number): ExactItem | null {
  if (!isObj(entry) || !isObj(entry.fields)) return null;
  const raw = normalizeFields(entry.fields);
  const meta = metaSchema.safeParse(raw);
  if (!meta.success) return null;
  if (meta.data.trashedAt !== null && !isTime(meta.data.trashedAt)) return null;
  if (meta.data.passwordHistory.some((h) => !isTime(h.replacedAt))) return null;
  // The schema refuses a card already expired (a typing check in the editor); an exported card
  // keeps its date: checked without it, then given it back.
  const input = { ...raw } as Record<string, unknown>;
  let expiry: { expMonth: string; expYear: string } | null = null;
  if (raw.type === 'card' && typeof raw.expMonth === 'string' && typeof raw.expYear === 'string') {
    const problem = cardExpiryProblem(raw.expMonth.trim(), raw.expYear.trim(), new Date());
    if (problem?.message === 'itemCheck.expPast') {
      expiry = { expMonth: raw.expMonth.trim(), expYear: raw.expYear.trim() };
      input.expMonth = '';
      input.expYear = '';
    }
  }
  const parsed = itemInputSchema().safeParse(input);
  if (!parsed.success) return null;
  const fields = {
    ...parsed.data,
    ...(expiry && parsed.data.type === 'card' ? expiry : {}),
    passwordHistory: meta.data.passwordHistory,
    trashedAt: meta.data.trashedAt,
  } as ItemFields;
  return {
    source,
    fields,
    ...(isTime(entry.createdAt) ? { createdAt: entry.createdAt } : {}),
    ...(isTime(entry.updatedAt) ? { updatedAt: entry.updatedAt } : {}),
  };
}

export const parseKeyhold: Parser = async (file, options) => {
  let doc = readJson(decodeText(file.bytes));
  if (!isObj(doc)) throw new ImportError('unrecognized');
  if (doc.format === ENCRYPTED_FORMAT) {
    checkVersion(doc.version);
    doc = readJson(await decryptExport(doc, options.password));
    if (!isObj(doc) || doc.format !== PLAIN_FORMAT) throw new ImportError('malformed', 'data');
  } else if (doc.format !== PLAIN_FORMAT) {
    throw new ImportError('unrecognized');
  }
  checkVersion(doc.version);
  if (!Array.isArray(doc.items)) throw new ImportError('malformed', 'items');
  if (doc.items.length === 0) throw new ImportError('empty');
  const maxItems = options.maxItems ?? MAX_IMPORT_ITEMS;
  if (doc.items.length > maxItems) throw new ImportError('tooManyItems', String(maxItems));

  const exact: ExactItem[] = [];
  const issues: ImportIssue[] = [];
  doc.items.forEach((entry: unknown, i) => {
    const source = i + 1;
    const item = readItem(entry, source);
    if (item) exact.push(item);
    else {
      const title = isObj(entry) && isObj(entry.fields) ? str(entry.fields.title).slice(0, 500) : '';
      issues.push({ source, title, outcome: 'skipped', code: 'unreadable' });
    }
  });
  return { format: 'keyhold', candidates: [], exact, issues };
};
