import { type UnzipFileInfo, unzipSync } from 'fflate';
import { ensureTitle, isEmptyCandidate } from './entry-rules.ts';
import {
  arr,
  fieldName,
  humanize,
  isObj,
  isoFromSeconds,
  type Json,
  pushField,
  readJson,
  str,
} from './json-mapping.ts';
import { decodeText } from './text.ts';
import {
  type Candidate,
  type CandidateField,
  ImportError,
  type ImportFile,
  type ImportIssue,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ITEMS,
  type Parser,
} from './types.ts';

/**
 * Proton Pass's export (docs/import-formats/protonpass.md): a zip holding `Proton Pass/data.json`
 * (and `Proton Pass/files/…` when attachments were exported), or that data.json on its own:
 * `{version, userId, encrypted, vaults: {<shareId>: {name, description, folders?, items: [...]}}}`.
 * The PGP-encrypted export (`Proton Pass/data.pgp` in the zip, or an armored .pgp file) needs
 * OpenPGP, which this importer does not carry: ImportError('accountEncrypted'), and the docs say to
 * export without encryption.
 */

const DATA_JSON = 'Proton Pass/data.json';
const DATA_PGP = 'Proton Pass/data.pgp';
const PGP_ARMOR = '-----BEGIN PGP MESSAGE-----';

const TRASHED = 2;

/** Proton's CardType. */
const CARD_BRANDS: Record<number, string> = { 1: 'Other', 2: 'Visa', 3: 'Mastercard', 4: 'American Express' };
/** Proton's WifiSecurity. */
const WIFI_SECURITY: Record<number, string> = { 1: 'WPA', 2: 'WPA2', 3: 'WPA3', 4: 'WEP' };
/** Proton's AutofillUrl.Mode; 0 (default) needs no field. */
const URL_MODES: Record<number, string> = {
  1: 'exact',
  2: 'never',
  3: 'starts with',
  4: 'pattern',
  5: 'regular expression',
  6: 'exact path',
};

/** Identity keys Keyhold has a place for (handled one by one below). */
const IDENTITY_MAPPED = new Set([
  'fullName',
  'firstName',
  'middleName',
  'lastName',
  'email',
  'phoneNumber',
  'company',
  'organization',
  'streetAddress',
  'floor',
  'city',
  'stateOrProvince',
  'zipOrPostalCode',
  'countryOrRegion',
]);
/** Identity keys that are secrets: hidden custom fields. */
const IDENTITY_HIDDEN = new Set(['socialSecurityNumber', 'passportNumber', 'licenseNumber']);
/** Names for identity keys that become custom fields (any other key: humanize). */
const IDENTITY_NAMES: Record<string, string> = {
  socialSecurityNumber: 'Social security number',
  passportNumber: 'Passport number',
  licenseNumber: 'License number',
  xHandle: 'X handle',
  linkedin: 'LinkedIn',
  secondPhoneNumber: 'Second phone number',
  workPhoneNumber: 'Work phone number',
  workEmail: 'Work email',
  personalWebsite: 'Personal website',
  jobTitle: 'Job title',
  birthdate: 'Birth date',
};

const isZip = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5);

/** The zip's entry names (central directory only, nothing decompressed). */
function zipEntries(bytes: Uint8Array): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  unzipSync(bytes, {
    filter: (f) => {
      entries.push(f);
      return false;
    },
  });
  return entries;
}

const dataEntry = (entries: UnzipFileInfo[]) =>
  entries.find((e) => e.name === DATA_JSON) ?? entries.find((e) => /(^|\/)data\.json$/.test(e.name));
const pgpEntry = (entries: UnzipFileInfo[]) =>
  entries.find((e) => e.name === DATA_PGP) ?? entries.find((e) => /(^|\/)data\.pgp$/.test(e.name));

/**
 * A Proton Pass export: a zip with a `data.json` or `data.pgp` (under `Proton Pass/`), a JSON
 * object with `vaults` and `version`, or an armored PGP file named like one.
 */
export function looksProtonPass(file: ImportFile, text?: string): boolean {
  try {
    if (isZip(file.bytes)) {
      const entries = zipEntries(file.bytes);
      return entries.some((e) => e.name === DATA_JSON || e.name === DATA_PGP || e.name === 'data.json');
    }
    const t = (text ?? decodeText(file.bytes.subarray(0, 1_000_000))).trimStart();
    if (t.startsWith(PGP_ARMOR)) return /proton|\.pgp$/i.test(file.name);
    if (!t.startsWith('{')) return false;
    return /"vaults"\s*:\s*\{/.test(t) && /"version"\s*:/.test(t);
  } catch {
    return false;
  }
}

/** data.json's text from the zip or the file itself. */
function exportText(file: ImportFile): string {
  if (file.bytes.length === 0) throw new ImportError('empty');
  if (!isZip(file.bytes)) {
    const text = decodeText(file.bytes);
    if (text.trimStart().startsWith(PGP_ARMOR)) throw new ImportError('accountEncrypted');
    return text;
  }
  let entries: UnzipFileInfo[];
  try {
    entries = zipEntries(file.bytes);
  } catch {
    throw new ImportError('malformed');
  }
  const data = dataEntry(entries);
  if (!data) {
    if (pgpEntry(entries)) throw new ImportError('accountEncrypted');
    throw new ImportError(entries.length === 0 ? 'empty' : 'unrecognized');
  }
  // A zip says how large its entry becomes: refuse a zip bomb before inflating it.
  if (data.originalSize > MAX_IMPORT_BYTES) throw new ImportError('tooLarge');
  let out: Uint8Array | undefined;
  try {
    out = unzipSync(file.bytes, { filter: (f) => f.name === data.name })[data.name];
  } catch {
    throw new ImportError('malformed');
  }
  if (!out) throw new ImportError('malformed');
  return decodeText(out);
}

/** An item that can be read (its `data` an object): the file is not sealed item by item. */
const readable = (item: unknown) => isObj(item) && isObj(item.data);

export const parseProtonPass: Parser = async (file, options) => {
  const doc = readJson(exportText(file));
  if (!isObj(doc) || !isObj(doc.vaults)) throw new ImportError('unrecognized');
  const vaults = Object.values(doc.vaults).filter(isObj);
  const total = vaults.reduce((n, v) => n + arr(v.items).length, 0);
  if (total === 0) throw new ImportError('empty');
  // `encrypted: true` in a data.json whose items can be read is an export the user decrypted
  // (older Proton Pass versions wrote the flag inside the PGP-sealed zip): import it.
  if (doc.encrypted === true && !vaults.some((v) => arr(v.items).some(readable)))
    throw new ImportError('accountEncrypted');
  const maxItems = options.maxItems ?? MAX_IMPORT_ITEMS;
  if (total > maxItems) throw new ImportError('tooManyItems', String(maxItems));

  const candidates: Candidate[] = [];
  const issues: ImportIssue[] = [];
  let source = 0;
  for (const vault of vaults) {
    const folders = folderPaths(vault);
    for (const item of arr(vault.items)) {
      source++;
      if (!isObj(item) || !isObj(item.data)) {
        issues.push({ source, title: '', outcome: 'skipped', code: 'unreadable' });
        continue;
      }
      const own = folders.get(str(item.folderId)) ?? '';
      const folder = [str(vault.name), own].filter(Boolean).join('/');
      const c = mapItem(item, item.data, source, folder, issues);
      // Every item is in a vault: its name alone is no content, the item's own folder is.
      if (isEmptyCandidate({ ...c, folder: own })) {
        issues.push({ source, title: '', outcome: 'skipped', code: 'empty' });
        continue;
      }
      ensureTitle(c, issues);
      candidates.push(c);
    }
  }
  return { format: 'protonpass', candidates, issues };
};

/** Folder id → its name path inside the vault (newer exports: `folders: [{folderId, parentFolderId, name}]`). */
function folderPaths(vault: Json): Map<string, string> {
  const byId = new Map<string, Json>();
  for (const f of arr(vault.folders)) if (isObj(f) && str(f.folderId) !== '') byId.set(str(f.folderId), f);
  const paths = new Map<string, string>();
  for (const id of byId.keys()) {
    const names: string[] = [];
    const seen = new Set<string>();
    let at = byId.get(id);
    while (at && !seen.has(str(at.folderId))) {
      seen.add(str(at.folderId));
      names.unshift(str(at.name));
      at = byId.get(str(at.parentFolderId));
    }
    paths.set(id, names.filter(Boolean).join('/'));
  }
  return paths;
}

/** A timestamp extra field: a protobuf Timestamp ({seconds}), unix seconds, or text. */
function timestampText(v: unknown): string {
  if (isObj(v)) return isoFromSeconds(v.seconds) ?? '';
  if (typeof v === 'number') return isoFromSeconds(v) ?? '';
  return str(v);
}

type IssueFn = (outcome: ImportIssue['outcome'], code: ImportIssue['code'], detail?: string) => void;

/** One of Proton's extra fields (text, hidden, totp, timestamp) as a custom field. */
function extraField(f: unknown, prefix: string, fields: CandidateField[], issue: IssueFn): void {
  if (!isObj(f)) return;
  const data = isObj(f.data) ? f.data : {};
  const raw = str(f.fieldName);
  const name = fieldName(prefix && raw ? `${prefix}: ${raw}` : raw || prefix, fields.length);
  switch (f.type) {
    case 'text':
      fields.push({ name, value: str(data.content), kind: 'text' });
      return;
    case 'hidden':
      fields.push({ name, value: str(data.content), kind: 'hidden' });
      return;
    case 'totp':
      fields.push({ name, value: str(data.totpUri) || str(data.content), kind: 'hidden' });
      return;
    case 'timestamp':
      fields.push({ name, value: timestampText(data.timestamp), kind: 'text' });
      return;
    default: {
      const value = str(data.content) || Object.values(data).map(str).filter(Boolean).join(' ');
      fields.push({ name, value, kind: 'text' });
      issue('changed', 'unknownField', str(f.type) || 'unknown');
    }
  }
}

/** Custom sections (custom, SSH key, Wi-Fi and identity items): "Section: field" custom fields. */
function sections(v: unknown, fields: CandidateField[], issue: IssueFn): void {
  for (const s of arr(v)) {
    if (!isObj(s)) continue;
    for (const f of arr(s.sectionFields)) extraField(f, str(s.sectionName), fields, issue);
  }
}

function mapItem(item: Json, data: Json, source: number, folder: string, issues: ImportIssue[]): Candidate {
  const metadata = isObj(data.metadata) ? data.metadata : {};
  const content = isObj(data.content) ? data.content : {};
  const title = str(metadata.name);
  const c: Candidate = { source, type: 'note', title };
  const fields: CandidateField[] = [];
  const issue: IssueFn = (outcome, code, detail) =>
    issues.push(
      detail === undefined ? { source, title, outcome, code } : { source, title, outcome, code, detail },
    );

  const notes = str(metadata.note);
  if (notes !== '') c.notes = notes;
  if (folder !== '') c.folder = folder;
  if (item.pinned === true) c.favorite = true;
  if (item.state === TRASHED) c.trashed = true;
  const createdAt = isoFromSeconds(item.createTime);
  const updatedAt = isoFromSeconds(item.modifyTime);
  if (createdAt) c.createdAt = createdAt;
  if (updatedAt) c.updatedAt = updatedAt;

  const type = str(data.type);
  switch (type) {
    case 'login': {
      c.type = 'login';
      // Exports before 1.18 had `username` (what is now the email); later ones both.
      const username = str(content.itemUsername) || str(content.username);
      const email = str(content.itemEmail);
      c.username = username || email;
      if (username && email) fields.push({ name: 'Email', value: email, kind: 'text' });
      c.password = str(content.password);
      c.totp = str(content.totpUri);
      // Newer exports: `autofillUrls` [{url, mode}] is the full list; `urls` only the default ones.
      const autofill = arr(content.autofillUrls).filter(isObj);
      const urls: string[] = [];
      if (autofill.length > 0)
        for (const u of autofill) {
          const url = str(u.url);
          if (url.trim() === '') continue;
          urls.push(url);
          const mode = typeof u.mode === 'number' ? URL_MODES[u.mode] : undefined;
          if (mode) fields.push({ name: `Website ${urls.length} match`, value: mode, kind: 'text' });
        }
      else for (const u of arr(content.urls)) if (str(u).trim() !== '') urls.push(str(u));
      c.urls = urls;
      const passkeys = arr(content.passkeys).length;
      if (passkeys > 0) issue('changed', 'passkey', String(passkeys));
      break;
    }
    case 'alias':
      // An email alias: a login whose username is the alias address (Keyhold cannot forward mail;
      // the address is what the user types into sites).
      c.type = 'login';
      c.username = str(item.aliasEmail);
      break;
    case 'note':
      break;
    case 'creditCard': {
      c.type = 'card';
      c.cardholder = str(content.cardholderName);
      c.number = str(content.number);
      c.code = str(content.verificationNumber);
      const brand =
        typeof content.cardType === 'number' ? CARD_BRANDS[content.cardType] : str(content.cardType);
      if (brand) c.brand = brand;
      const expiry = str(content.expirationDate).trim();
      const m = /^(\d{4})-(\d{1,2})$/.exec(expiry);
      if (m?.[1] && m[2]) {
        c.expYear = m[1];
        c.expMonth = m[2];
      } else if (expiry !== '') {
        // Not the YYYY-MM Proton writes: kept in the notes, as finalize does with a bad expiry.
        c.notes = c.notes ? `${c.notes}\n\nExpiration date: ${expiry}` : `Expiration date: ${expiry}`;
        issue('changed', 'badExpiry', 'expirationDate');
      }
      pushField(fields, 'PIN', str(content.pin), 'hidden');
      break;
    }
    case 'identity':
      c.type = 'identity';
      mapIdentity(content, c, fields, issue);
      break;
    case 'sshKey':
      c.type = 'sshKey';
      c.privateKey = str(content.privateKey);
      c.publicKey = str(content.publicKey);
      sections(content.sections, fields, issue);
      break;
    case 'wifi': {
      pushField(fields, 'SSID', str(content.ssid));
      pushField(fields, 'Password', str(content.password), 'hidden');
      const security =
        typeof content.security === 'number' ? WIFI_SECURITY[content.security] : str(content.security);
      pushField(fields, 'Security', security ?? '');
      sections(content.sections, fields, issue);
      issue('changed', 'unsupportedType', 'wifi');
      break;
    }
    case 'custom':
      sections(content.sections, fields, issue);
      break;
    default:
      // A type newer than this code: a note holding whatever plain values its content has.
      for (const [k, v] of Object.entries(content)) pushField(fields, humanize(k), str(v));
      sections(content.sections, fields, issue);
      issue('changed', 'unsupportedType', type || 'unknown');
  }

  for (const f of arr(data.extraFields)) extraField(f, '', fields, issue);
  const files = arr(item.files).length;
  if (files > 0) issue('changed', 'attachments', String(files));
  if (fields.length > 0) c.fields = fields;
  return c;
}

function mapIdentity(id: Json, c: Candidate, fields: CandidateField[], issue: IssueFn): void {
  const fullName = str(id.fullName).trim();
  c.firstName = str(id.firstName);
  c.middleName = str(id.middleName);
  c.lastName = str(id.lastName);
  const parts = [c.firstName, c.middleName, c.lastName].filter((p) => p.trim() !== '');
  if (parts.length === 0 && fullName !== '') {
    // Only a full name: its first word is the first name, its last the last, the rest the middle.
    const words = fullName.split(/\s+/);
    c.firstName = words[0] ?? '';
    if (words.length > 1) c.lastName = words.at(-1) ?? '';
    if (words.length > 2) c.middleName = words.slice(1, -1).join(' ');
  } else if (fullName !== '' && fullName !== parts.join(' ')) {
    fields.push({ name: 'Full name', value: fullName, kind: 'text' });
  }
  c.email = str(id.email);
  c.phone = str(id.phoneNumber);
  // `company` is the work section's; `organization` the address's (the addressee's organisation).
  const company = str(id.company);
  const organization = str(id.organization);
  c.company = company || organization;
  if (company && organization && company !== organization)
    fields.push({ name: 'Organization', value: organization, kind: 'text' });
  c.address1 = str(id.streetAddress);
  c.address2 = str(id.floor);
  c.city = str(id.city);
  c.region = str(id.stateOrProvince);
  c.postalCode = str(id.zipOrPostalCode);
  c.country = str(id.countryOrRegion);

  for (const [key, value] of Object.entries(id)) {
    if (IDENTITY_MAPPED.has(key)) continue;
    if (key === 'extraSections') sections(value, fields, issue);
    else if (key.startsWith('extra') && Array.isArray(value))
      for (const f of value) extraField(f, '', fields, issue);
    else
      pushField(
        fields,
        IDENTITY_NAMES[key] ?? humanize(key),
        str(value),
        IDENTITY_HIDDEN.has(key) ? 'hidden' : 'text',
      );
  }
}
