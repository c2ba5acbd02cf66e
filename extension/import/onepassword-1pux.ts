import { unzipSync } from 'fflate';
import { isEmptyCandidate } from './entry-rules.ts';
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
 * 1Password's 1PUX export (1Password 8: File › Export › 1PUX): a zip holding `export.attributes`
 * (version, description), `export.data` (JSON: accounts › vaults › items) and `files/` (attachments,
 * not read). Layout: https://support.1password.com/1pux-format/ and observed exports. Mapping and
 * choices: docs/import-formats/1password-1pux.md.
 *
 * The JSON is untrusted: every value is read through the guards below, never cast, so a missing or
 * oddly typed member yields '' rather than a throw.
 */

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';
const asNum = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && /^\d+$/.test(v)
      ? Number(v)
      : undefined;

const CATEGORY = {
  login: '001',
  card: '002',
  note: '003',
  identity: '004',
  password: '005',
  document: '006',
  sshKey: '114',
} as const;

/** 1Password's names for the categories Keyhold imports as notes (the issue's detail). */
const OTHER_CATEGORIES: Record<string, string> = {
  '006': 'Document',
  '100': 'Software License',
  '101': 'Bank Account',
  '102': 'Database',
  '103': 'Driver License',
  '104': 'Outdoor License',
  '105': 'Membership',
  '106': 'Passport',
  '107': 'Reward Program',
  '108': 'Social Security Number',
  '109': 'Wireless Router',
  '110': 'Server',
  '111': 'Email Account',
  '112': 'API Credential',
  '113': 'Medical Record',
  '115': 'Crypto Wallet',
};

/** "PK\x03\x04" (a file entry) or "PK\x05\x06" (an empty archive): the bytes start like a zip. */
const startsLikeZip = (b: Uint8Array): boolean =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

const EXPORT_DATA = new TextEncoder().encode('export.data');

/** True when `hay` contains `needle` (zip entry names are stored uncompressed). */
function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0] as number;
  for (
    let i = hay.indexOf(first);
    i !== -1 && i + needle.length <= hay.length;
    i = hay.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

/** Format detection: a `.1pux` name, or a zip that names an `export.data` entry. Never throws. */
export function looksOnePassword1pux(file: ImportFile, _text?: string): boolean {
  try {
    if (/\.1pux$/i.test(file.name)) return true;
    return startsLikeZip(file.bytes) && containsBytes(file.bytes, EXPORT_DATA);
  } catch {
    return false;
  }
}

/**
 * The most `export.data` may inflate to. JSON compresses about tenfold and the zip itself is at most
 * MAX_IMPORT_BYTES; 25,000 items of a few kilobytes each stay well under this.
 */
export const MAX_EXPORT_DATA_BYTES = 200 * 1024 * 1024;

/**
 * `export.data` from the zip (at its top, or one folder down when the user re-zipped the folder).
 * Only that entry is inflated; attachments under files/ are never decompressed.
 */
function readExportData(bytes: Uint8Array, maxSize = MAX_EXPORT_DATA_BYTES): Uint8Array {
  let entries: Record<string, Uint8Array>;
  let tooLarge = false;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (baseName(f.name) !== 'export.data') return false;
        // fflate inflates into a buffer of the size the archive declares: refuse a huge one before allocating.
        if (f.originalSize > maxSize) tooLarge = true;
        return !tooLarge;
      },
    });
  } catch {
    // A zip cut short has no central directory: fflate cannot read it. Anything else is not a zip.
    throw new ImportError(startsLikeZip(bytes) ? 'malformed' : 'unrecognized');
  }
  if (tooLarge) throw new ImportError('tooLarge', 'export.data');
  const names = Object.keys(entries).sort((a, b) => a.split('/').length - b.split('/').length);
  const name = names[0];
  if (name === undefined) throw new ImportError('unrecognized', 'export.data');
  return entries[name] as Uint8Array;
}

/** Unix seconds (or milliseconds, as some versions wrote) → ISO 8601; undefined when absent. */
function isoFromUnix(v: unknown): string | undefined {
  const n = asNum(v);
  if (n === undefined || n <= 0) return undefined;
  const ms = n > 1e12 ? n : n * 1000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** 202701 → { month: '01', year: '2027' }; undefined when the value is not YYYYMM. */
function splitMonthYear(v: unknown): { month: string; year: string } | undefined {
  const s = asStr(v).trim();
  const m = /^(\d{4})(\d{2})$/.exec(s);
  return m ? { year: m[1] as string, month: m[2] as string } : undefined;
}

/** A section field's value as one string, whether it is a secret, and its kind (the value's key). */
interface ReadValue {
  kind: string;
  text: string;
  hidden: boolean;
  /** The kind is one this importer does not know: kept as text, with an 'unknownField' issue. */
  unknown?: boolean;
}

const TEXT_KINDS = new Set(['string', 'url', 'phone', 'menu', 'gender', 'creditCardType', 'reference']);
const SECRET_KINDS = new Set(['concealed', 'creditCardNumber', 'totp']);

function addressText(a: Obj | undefined): string {
  if (!a) return '';
  return ['street', 'city', 'state', 'zip', 'country']
    .map((k) => asStr(a[k]).trim())
    .filter((s) => s !== '')
    .join(', ');
}

/** The first key of a 1PUX `value` object decides its kind: `{ concealed: "…" }`, `{ monthYear: 202701 }`… */
function readValue(value: unknown): ReadValue | undefined {
  const v = asObj(value);
  if (!v) return undefined;
  const kind = Object.keys(v)[0];
  if (kind === undefined) return undefined;
  const raw = v[kind];
  if (raw === null || raw === undefined) return { kind, text: '', hidden: false };
  if (TEXT_KINDS.has(kind)) return { kind, text: asStr(raw), hidden: false };
  if (SECRET_KINDS.has(kind)) return { kind, text: asStr(raw), hidden: true };
  switch (kind) {
    case 'email': {
      // Newer exports: { email_address, provider }; older: a plain string.
      const o = asObj(raw);
      return { kind, text: o ? asStr(o.email_address) : asStr(raw), hidden: false };
    }
    case 'date': {
      const iso = isoFromUnix(raw);
      return { kind, text: iso ? iso.slice(0, 10) : asStr(raw), hidden: false };
    }
    case 'monthYear': {
      const my = splitMonthYear(raw);
      return { kind, text: my ? `${my.month}/${my.year}` : asStr(raw), hidden: false };
    }
    case 'address':
      return { kind, text: addressText(asObj(raw)), hidden: false };
    case 'sshKey': {
      const o = asObj(raw);
      const meta = asObj(o?.metadata);
      return { kind, text: asStr(meta?.privateKey) || asStr(o?.privateKey), hidden: true };
    }
    default: {
      const text = typeof raw === 'object' ? JSON.stringify(raw) : asStr(raw) || String(raw);
      return { kind, text, hidden: false, unknown: true };
    }
  }
}

/** What a login field's `value` holds: usually a string; linked-account values are objects. */
function loginFieldValue(v: unknown): string {
  const o = asObj(v);
  if (o) return asStr(o.email_address) || asStr(o.string);
  return asStr(v);
}

interface Ctx {
  candidate: Candidate;
  fields: CandidateField[];
  issues: ImportIssue[];
}

function addField(ctx: Ctx, name: string, value: string, kind: CandidateField['kind']): void {
  if (value === '') return;
  ctx.fields.push(kind === 'text' ? { name, value } : { name, value, kind });
}

function issue(ctx: Ctx, outcome: ImportIssue['outcome'], code: ImportIssue['code'], detail?: string): void {
  const { source, title } = ctx.candidate;
  ctx.issues.push(
    detail === undefined ? { source, title, outcome, code } : { source, title, outcome, code, detail },
  );
}

/** Keeps a section field as a custom field (its kind decides text / hidden). */
function keepAsField(ctx: Ctx, name: string, value: ReadValue): void {
  if (value.unknown && value.text !== '') issue(ctx, 'changed', 'unknownField', value.kind);
  addField(ctx, name, value.text, value.hidden ? 'hidden' : 'text');
}

interface SectionField {
  id: string;
  title: string;
  sectionTitle: string;
  value: ReadValue | undefined;
  raw: Obj | undefined;
}

function sectionFields(details: Obj | undefined): SectionField[] {
  const out: SectionField[] = [];
  for (const s of asArr(details?.sections)) {
    const section = asObj(s);
    if (!section) continue;
    const sectionTitle = asStr(section.title);
    for (const f of asArr(section.fields)) {
      const field = asObj(f);
      if (!field) continue;
      out.push({
        id: asStr(field.id),
        title: asStr(field.title),
        sectionTitle,
        value: readValue(field.value),
        raw: asObj(field.value),
      });
    }
  }
  return out;
}

const fieldName = (f: SectionField): string => f.title || f.id || f.sectionTitle || 'field';

/** Login fields (the web form's): the designated username / password, the rest as custom fields. */
function readLoginFields(ctx: Ctx, details: Obj | undefined, asLogin: boolean): void {
  const c = ctx.candidate;
  for (const lf of asArr(details?.loginFields)) {
    const f = asObj(lf);
    if (!f) continue;
    const value = loginFieldValue(f.value);
    const designation = asStr(f.designation);
    const type = asStr(f.fieldType);
    const name = asStr(f.name) || asStr(f.id) || designation || 'field';
    if (asLogin && designation === 'username' && !c.username && value !== '') {
      c.username = value;
    } else if (asLogin && designation === 'password' && !c.password && value !== '') {
      c.password = value;
    } else if (type === 'C') {
      // A checkbox of the saved form: 1Password writes '✓' (or any text) when checked, '' when not.
      if (value !== '') addField(ctx, name, 'true', 'boolean');
    } else {
      addField(ctx, name, value, type === 'P' || designation === 'password' ? 'hidden' : 'text');
    }
  }
}

function readUrls(overview: Obj | undefined): string[] {
  const urls: string[] = [];
  const push = (u: string) => {
    if (u.trim() !== '' && !urls.includes(u)) urls.push(u);
  };
  push(asStr(overview?.url));
  for (const u of asArr(overview?.urls)) push(asStr(asObj(u)?.url));
  return urls;
}

function mapLogin(ctx: Ctx, details: Obj | undefined, overview: Obj | undefined, category: string): void {
  const c = ctx.candidate;
  readLoginFields(ctx, details, true);
  if (category === CATEGORY.password && !c.password) {
    const p = asStr(details?.password);
    if (p !== '') c.password = p;
  }
  const urls = readUrls(overview);
  if (urls.length > 0) c.urls = urls;
  for (const f of sectionFields(details)) {
    if (!f.value || f.value.kind === 'file' || f.value.kind === 'passkey') continue;
    const title = f.title.toLowerCase();
    if (f.value.kind === 'totp' && !c.totp && f.value.text !== '') c.totp = f.value.text;
    else if (title === 'username' && !c.username && f.value.text !== '') c.username = f.value.text;
    else if (title === 'password' && !c.password && f.value.text !== '') c.password = f.value.text;
    else keepAsField(ctx, fieldName(f), f.value);
  }
}

/** The card's expiry: a monthYear value (202701), or text typed as "01/2027". */
function expiry(f: SectionField): { month: string; year: string } | undefined {
  const my = splitMonthYear(f.raw?.monthYear);
  if (my) return my;
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{4}|\d{2})\s*$/.exec(f.value?.text ?? '');
  return m ? { month: m[1] as string, year: m[2] as string } : undefined;
}

function mapCard(ctx: Ctx, details: Obj | undefined): void {
  const c = ctx.candidate;
  readLoginFields(ctx, details, false);
  for (const f of sectionFields(details)) {
    if (!f.value || f.value.kind === 'file' || f.value.kind === 'passkey') continue;
    const text = f.value.text;
    if (f.id === 'cardholder' && !c.cardholder && text !== '') c.cardholder = text;
    else if (f.id === 'type' && !c.brand && text !== '') c.brand = text;
    else if (f.id === 'ccnum' && !c.number && text !== '') c.number = text;
    else if (f.id === 'cvv' && !c.code && text !== '') c.code = text;
    else if (f.id === 'expiry' && !c.expMonth && !c.expYear && expiry(f)) {
      const my = expiry(f) as { month: string; year: string };
      c.expMonth = my.month;
      c.expYear = my.year;
    } else keepAsField(ctx, fieldName(f), f.value);
  }
}

const IDENTITY_IDS: Record<string, 'firstName' | 'middleName' | 'lastName' | 'company' | 'email' | 'phone'> =
  {
    firstname: 'firstName',
    initial: 'middleName',
    lastname: 'lastName',
    company: 'company',
    email: 'email',
    defphone: 'phone',
  };

function mapIdentity(ctx: Ctx, details: Obj | undefined): void {
  const c = ctx.candidate;
  readLoginFields(ctx, details, false);
  let addressTaken = false;
  for (const f of sectionFields(details)) {
    if (!f.value || f.value.kind === 'file' || f.value.kind === 'passkey') continue;
    const key = IDENTITY_IDS[f.id];
    if (key && !c[key] && f.value.text !== '') {
      c[key] = f.value.text;
    } else if (f.value.kind === 'address' && !addressTaken && f.value.text !== '') {
      addressTaken = true;
      const a = asObj(f.raw?.address);
      const set = (k: 'address1' | 'city' | 'region' | 'postalCode' | 'country', v: unknown) => {
        const s = asStr(v);
        if (s !== '') c[k] = s;
      };
      set('address1', a?.street);
      set('city', a?.city);
      set('region', a?.state);
      set('postalCode', a?.zip);
      set('country', a?.country);
    } else keepAsField(ctx, fieldName(f), f.value);
  }
}

function mapSshKey(ctx: Ctx, details: Obj | undefined): void {
  const c = ctx.candidate;
  readLoginFields(ctx, details, false);
  for (const f of sectionFields(details)) {
    if (!f.value || f.value.kind === 'file' || f.value.kind === 'passkey') continue;
    if (f.value.kind === 'sshKey' && !c.privateKey) {
      const key = asObj(f.raw?.sshKey);
      const meta = asObj(key?.metadata);
      // metadata.privateKey is the PKCS#8 PEM; the top-level privateKey has varied in form between versions.
      const priv = asStr(meta?.privateKey) || asStr(key?.privateKey);
      const pub = asStr(meta?.publicKey);
      if (priv !== '') c.privateKey = priv;
      if (pub !== '' && !c.publicKey) c.publicKey = pub;
      // The fingerprint and key type are derived from the key: Keyhold computes its own.
    } else if (f.id === 'private_key' && !c.privateKey && f.value.text !== '') {
      c.privateKey = f.value.text;
    } else if (f.id === 'public_key' && !c.publicKey && f.value.text !== '') {
      c.publicKey = f.value.text;
    } else if (f.id === 'fingerprint' || f.id === 'key_type') {
      // Derived from the key (see above).
    } else keepAsField(ctx, fieldName(f), f.value);
  }
}

/** Notes and every other category: all section fields as custom fields, the URLs as a text field. */
function mapNote(ctx: Ctx, details: Obj | undefined, overview: Obj | undefined): void {
  readLoginFields(ctx, details, false);
  for (const f of sectionFields(details)) {
    if (!f.value || f.value.kind === 'file' || f.value.kind === 'passkey') continue;
    keepAsField(ctx, fieldName(f), f.value);
  }
  const urls = readUrls(overview);
  urls.forEach((u, i) => {
    addField(ctx, i === 0 ? 'website' : `website ${i + 1}`, u, 'text');
  });
}

function passwordHistory(details: Obj | undefined, current: string | undefined) {
  const seen = new Set<string>(current ? [current] : []);
  const entries = asArr(details?.passwordHistory)
    .map((h) => asObj(h))
    .map((h) => ({ password: asStr(h?.value), time: asNum(h?.time) ?? 0 }))
    .filter((h) => h.password !== '')
    .sort((a, b) => b.time - a.time);
  const out: { password: string; replacedAt: string }[] = [];
  for (const h of entries) {
    if (seen.has(h.password)) continue;
    seen.add(h.password);
    out.push({ password: h.password, replacedAt: isoFromUnix(h.time) ?? '' });
  }
  return out;
}

function countAttachments(item: Obj, details: Obj | undefined): number {
  let n = asObj(details?.documentAttributes) ? 1 : 0;
  if (asObj(item.file)) n++;
  for (const s of asArr(details?.sections)) {
    for (const f of asArr(asObj(s)?.fields)) {
      if (asObj(asObj(asObj(f)?.value)?.file)) n++;
    }
  }
  return n;
}

function countPasskeys(details: Obj | undefined): number {
  let n = asObj(details?.passkey) ? 1 : 0;
  for (const s of asArr(details?.sections)) {
    for (const f of asArr(asObj(s)?.fields)) {
      if (asObj(asObj(asObj(f)?.value)?.passkey)) n++;
    }
  }
  return n;
}

function mapItem(raw: Obj, source: number, vaultName: string, issues: ImportIssue[]): Candidate | undefined {
  // The first 1PUX versions wrapped each item: { item: {...} }.
  const item = asObj(raw.item) ?? raw;
  const details = asObj(item.details);
  const overview = asObj(item.overview);
  const category = asStr(item.categoryUuid);
  const title = asStr(overview?.title);

  const type: Candidate['type'] =
    category === CATEGORY.login || category === CATEGORY.password
      ? 'login'
      : category === CATEGORY.card
        ? 'card'
        : category === CATEGORY.identity
          ? 'identity'
          : category === CATEGORY.sshKey
            ? 'sshKey'
            : 'note';
  const candidate: Candidate = { source, type, title };
  const ctx: Ctx = { candidate, fields: [], issues: [] };

  if (type === 'login') mapLogin(ctx, details, overview, category);
  else if (type === 'card') mapCard(ctx, details);
  else if (type === 'identity') mapIdentity(ctx, details);
  else if (type === 'sshKey') mapSshKey(ctx, details);
  else mapNote(ctx, details, overview);

  const notes = asStr(details?.notesPlain);
  if (notes !== '') candidate.notes = notes;

  const tags = asArr(overview?.tags)
    .map(asStr)
    .filter((t) => t.trim() !== '');
  const folder = [vaultName, tags[0] ?? ''].filter((s) => s.trim() !== '').join('/');
  if (folder !== '') candidate.folder = folder;
  // The first tag is the sub-folder; with several, all of them are kept so none is lost.
  if (tags.length > 1) addField(ctx, 'tags', tags.join(', '), 'text');

  if ((asNum(item.favIndex) ?? 0) > 0) candidate.favorite = true;
  const state = asStr(item.state);
  if (state === 'archived' || state === 'trashed' || item.trashed === true) candidate.trashed = true;
  const createdAt = isoFromUnix(item.createdAt);
  const updatedAt = isoFromUnix(item.updatedAt);
  if (createdAt) candidate.createdAt = createdAt;
  if (updatedAt) candidate.updatedAt = updatedAt;

  const history = passwordHistory(details, candidate.password);
  if (history.length > 0) {
    if (type === 'login') candidate.passwordHistory = history;
    else {
      history.forEach((h, i) => {
        addField(ctx, `previous password ${i + 1}`, h.password, 'hidden');
      });
    }
  }

  if (ctx.fields.length > 0) candidate.fields = ctx.fields;

  // Every item is in a vault: its name alone is no content, the item's own tag (sub-folder) is.
  if (isEmptyCandidate({ ...candidate, folder: tags[0] ?? '' })) {
    issues.push({ source, title, outcome: 'skipped', code: 'empty' });
    return undefined;
  }
  if (type === 'note' && category !== CATEGORY.note) {
    issue(ctx, 'changed', 'unsupportedType', OTHER_CATEGORIES[category] ?? `category ${category || '?'}`);
  }
  const attachments = countAttachments(item, details);
  if (attachments > 0) issue(ctx, 'changed', 'attachments', String(attachments));
  if (countPasskeys(details) > 0) issue(ctx, 'changed', 'passkey');
  issues.push(...ctx.issues);
  return candidate;
}

export const parseOnePassword1pux: Parser = async (file, options) => {
  const bytes = file.bytes;
  if (bytes.length === 0) throw new ImportError('empty');
  const text = decodeText(readExportData(bytes));
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError('malformed', 'export.data');
  }
  const accounts = asObj(data)?.accounts;
  if (!Array.isArray(accounts)) throw new ImportError('unrecognized', 'accounts');

  const vaults = accounts.flatMap((a) =>
    asArr(asObj(a)?.vaults)
      .map(asObj)
      .filter((v) => v !== undefined),
  );
  const max = options.maxItems ?? MAX_IMPORT_ITEMS;
  const total = vaults.reduce((n, v) => n + asArr(v.items).length, 0);
  if (total > max) throw new ImportError('tooManyItems', String(max));
  if (total === 0) throw new ImportError('empty');

  const candidates: Candidate[] = [];
  const issues: ImportIssue[] = [];
  let source = 0;
  for (const vault of vaults) {
    const vaultName = asStr(asObj(vault.attrs)?.name);
    for (const raw of asArr(vault.items)) {
      source++;
      const item = asObj(raw);
      if (!item) {
        issues.push({ source, title: '', outcome: 'skipped', code: 'unreadable' });
        continue;
      }
      const c = mapItem(item, source, vaultName, issues);
      if (c) candidates.push(c);
    }
  }
  return { format: '1password-1pux', candidates, issues };
};
