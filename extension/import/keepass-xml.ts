import { XMLParser } from 'fast-xml-parser';
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
 * KeePass 2.x XML (KeePass: File › Export › KeePass XML (2.x); KeePassXC: `keepassxc-cli export
 * --format xml`): `<KeePassFile><Meta/><Root><Group>…</Group><DeletedObjects/></Root></KeePassFile>`,
 * the KDBX payload in clear. Layout: keepass.info's KDBX_XML.xsd and KeePassXC's kdbx-xml spec.
 * Mapping and choices: docs/import-formats/keepass-xml.md.
 */

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
/** Element text: a plain string, or `#text` when the element also has attributes. */
const text = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = asObj(v);
  return o && typeof o['#text'] === 'string' ? o['#text'] : '';
};
const attr = (v: unknown, name: string): string => {
  const a = asObj(v)?.[`@_${name}`];
  return typeof a === 'string' ? a : '';
};
const isTrue = (s: string): boolean => /^(true|1)$/i.test(s.trim());

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Values stay strings as written: a password "00123" must not become the number 123.
  parseTagValue: false,
  parseAttributeValue: false,
  // Whitespace inside a value is part of it (a password may start or end with a space).
  trimValues: false,
  // Numeric character references (&#x1F600; &#xD;) are decoded as well as the XML ones.
  htmlEntities: true,
  isArray: (name) => name === 'Group' || name === 'Entry' || name === 'String' || name === 'Binary',
});

const HEAD = 4096;

/** Format detection: a `<KeePassFile` root near the start. Never throws. */
export function looksKeepassXml(file: ImportFile, text?: string): boolean {
  try {
    const head = text !== undefined ? text.slice(0, HEAD) : decodeText(file.bytes.subarray(0, HEAD));
    return /<KeePassFile[\s>/]/.test(head);
  } catch {
    return false;
  }
}

/** `AAAAAAAAAAAAAAAAAAAAAA==`: "no group" in a UUID reference. */
const ZERO_UUID = /^A{22}==$/;

/**
 * A KeePass time as ISO 8601: the XML export writes ISO text; KDBX 4 payloads write Base64 of the
 * seconds since 0001-01-01 as a little-endian Int64. undefined when absent or unreadable.
 */
function kpTime(v: unknown): string | undefined {
  const s = text(v).trim();
  if (s === '') return undefined;
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (/^[A-Za-z0-9+/]{11}=$/.test(s)) {
    const b = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const seconds = new DataView(b.buffer).getBigInt64(0, true);
    const d = new Date(Number(seconds - 62_135_596_800n) * 1000);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}

// --- TOTP ---------------------------------------------------------------------------------------

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

function secretBytes(key: string, value: string): Uint8Array | undefined {
  const v = value.trim();
  try {
    if (key === 'TimeOtp-Secret') return new TextEncoder().encode(value);
    if (key === 'TimeOtp-Secret-Hex') {
      const hex = v.replace(/\s/g, '');
      if (!/^([0-9a-f]{2})+$/i.test(hex)) return undefined;
      return Uint8Array.from(hex.match(/../g) as string[], (h) => Number.parseInt(h, 16));
    }
    if (key === 'TimeOtp-Secret-Base64')
      return Uint8Array.from(atob(v.replace(/\s/g, '')), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  return undefined;
}

/** A Base32 secret as is when the settings are the defaults (30 s, 6 digits, SHA-1), else an otpauth URI. */
function totpFrom(secret: string, title: string, period: string, digits: string, algorithm: string): string {
  const p = period.trim() || '30';
  const d = digits.trim() || '6';
  const a =
    algorithm
      .trim()
      .toUpperCase()
      .replace(/^HMAC-?/, '')
      .replace('-', '') || 'SHA1';
  if (p === '30' && d === '6' && a === 'SHA1') return secret;
  const params = new URLSearchParams({
    secret: secret.replace(/\s/g, ''),
    period: p,
    digits: d,
    algorithm: a,
  });
  return `otpauth://totp/${encodeURIComponent(title || 'KeePass')}?${params.toString()}`;
}

interface StringField {
  key: string;
  value: string;
  /** ProtectInMemory="True": a secret in KeePass's eyes. */
  secret: boolean;
  /** Protected="True": encrypted with the KDBX inner stream key, which an XML file does not carry. */
  encrypted: boolean;
}

/**
 * The entry's TOTP and the keys it used, from (first found): KeePassXC's `otp` (an otpauth URI, or
 * KeeOtp's `key=…&step=…&size=…`), KeePass 2.47's `TimeOtp-*`, the old `TOTP Seed` / `TOTP Settings`.
 */
function readTotp(
  get: (key: string) => string | undefined,
  title: string,
): { totp: string; used: string[] } | undefined {
  const otp = get('otp');
  if (otp !== undefined && otp.trim() !== '') {
    const s = otp.trim();
    if (!/^otpauth:/i.test(s) && /(^|&)key=/.test(s)) {
      const q = new URLSearchParams(s);
      const key = q.get('key') ?? '';
      if (key !== '' && (q.get('type') ?? 'totp').toLowerCase() === 'totp') {
        return {
          totp: totpFrom(key, title, q.get('step') ?? '', q.get('size') ?? '', q.get('otpHashMode') ?? ''),
          used: ['otp'],
        };
      }
    } else {
      return { totp: otp, used: ['otp'] };
    }
  }
  const settings = ['TimeOtp-Length', 'TimeOtp-Period', 'TimeOtp-Algorithm'];
  const b32 = get('TimeOtp-Secret-Base32');
  const other = ['TimeOtp-Secret', 'TimeOtp-Secret-Hex', 'TimeOtp-Secret-Base64'].find(
    (k) => (get(k) ?? '') !== '',
  );
  const secret =
    b32 !== undefined && b32.trim() !== ''
      ? { key: 'TimeOtp-Secret-Base32', value: b32 }
      : other
        ? (() => {
            const bytes = secretBytes(other, get(other) as string);
            return bytes && bytes.length > 0 ? { key: other, value: base32(bytes) } : undefined;
          })()
        : undefined;
  if (secret) {
    return {
      totp: totpFrom(
        secret.value,
        title,
        get('TimeOtp-Period') ?? '',
        get('TimeOtp-Length') ?? '',
        get('TimeOtp-Algorithm') ?? '',
      ),
      used: [secret.key, ...settings],
    };
  }
  const seed = get('TOTP Seed');
  if (seed !== undefined && seed.trim() !== '') {
    const m = /^\s*(\d+)\s*;\s*(\d+)\s*$/.exec(get('TOTP Settings') ?? '');
    if (m)
      return {
        totp: totpFrom(seed, title, m[1] as string, m[2] as string, ''),
        used: ['TOTP Seed', 'TOTP Settings'],
      };
    return { totp: seed, used: ['TOTP Seed'] };
  }
  return undefined;
}

// --- entries ------------------------------------------------------------------------------------

const STANDARD = new Set(['Title', 'UserName', 'Password', 'URL', 'Notes']);
const EXTRA_URL = /^KP2A_URL(?:_(\d+))?$/;
/** TOTP secrets left over (another TOTP key was used): kept hidden. */
const TOTP_SECRET = /^(otp|TimeOtp-Secret.*|TOTP Seed)$/;
const PASSKEY_KEY = /^KPEX_PASSKEY_/;

function readStrings(entry: Obj): StringField[] {
  return asArr(entry.String).flatMap((s) => {
    const o = asObj(s);
    if (!o) return [];
    const v = o.Value;
    return [
      {
        key: text(o.Key),
        value: text(v),
        secret: isTrue(attr(v, 'ProtectInMemory')),
        encrypted: isTrue(attr(v, 'Protected')),
      },
    ];
  });
}

function passwordOf(entry: Obj): string {
  const p = readStrings(entry).find((s) => s.key === 'Password' && !s.encrypted);
  return p ? p.value : '';
}

/** Older passwords, newest first, each once and not the current one; replacedAt: when the next version was saved. */
function passwordHistory(entry: Obj, current: string): { password: string; replacedAt: string }[] {
  const history = asArr(asObj(entry.History)?.Entry)
    .map(asObj)
    .filter((h): h is Obj => h !== undefined)
    .map((h) => ({ entry: h, at: kpTime(asObj(h.Times)?.LastModificationTime) ?? '' }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const versions = [...history, { entry, at: kpTime(asObj(entry.Times)?.LastModificationTime) ?? '' }];
  const replaced: { password: string; replacedAt: string }[] = [];
  for (let i = 0; i < versions.length - 1; i++) {
    const was = passwordOf((versions[i] as { entry: Obj }).entry);
    const next = versions[i + 1] as { entry: Obj; at: string };
    if (was !== '' && was !== passwordOf(next.entry)) replaced.push({ password: was, replacedAt: next.at });
  }
  const seen = new Set([current]);
  const out: { password: string; replacedAt: string }[] = [];
  for (const h of replaced.reverse()) {
    if (seen.has(h.password)) continue;
    seen.add(h.password);
    out.push(h);
  }
  return out;
}

interface Located {
  entry: Obj;
  folder: string;
  trashed: boolean;
}

function mapEntry(
  { entry, folder, trashed }: Located,
  source: number,
  issues: ImportIssue[],
): Candidate | undefined {
  const strings = readStrings(entry);
  const readable = strings.filter((s) => !s.encrypted);
  const get = (key: string) => readable.find((s) => s.key === key)?.value;
  const title = get('Title') ?? '';
  const own: ImportIssue[] = [];
  const note = (code: ImportIssue['code'], detail?: string) =>
    own.push(
      detail === undefined
        ? { source, title, outcome: 'changed', code }
        : { source, title, outcome: 'changed', code, detail },
    );

  for (const s of strings) if (s.encrypted) note('unreadable', s.key);

  const c: Candidate = { source, type: 'login', title };
  const username = get('UserName') ?? '';
  const password = get('Password') ?? '';
  const notes = get('Notes') ?? '';
  if (username !== '') c.username = username;
  if (password !== '') c.password = password;

  const extraUrls = readable
    .map((s) => ({ s, m: EXTRA_URL.exec(s.key) }))
    .filter((x) => x.m !== null && x.s.value.trim() !== '')
    .sort((a, b) => Number(a.m?.[1] ?? -1) - Number(b.m?.[1] ?? -1))
    .map((x) => x.s.value);
  const urls = [get('URL') ?? '', ...extraUrls].filter((u) => u.trim() !== '');
  if (urls.length > 0) c.urls = urls;

  const totp = readTotp(get, title);
  if (totp) c.totp = totp.totp;
  const used = new Set(totp?.used ?? []);

  const fields: CandidateField[] = [];
  let passkey = false;
  for (const s of readable) {
    if (STANDARD.has(s.key) || EXTRA_URL.test(s.key) || used.has(s.key)) continue;
    if (PASSKEY_KEY.test(s.key)) {
      passkey = true;
      continue;
    }
    if (s.value === '') continue;
    const hidden = s.secret || TOTP_SECRET.test(s.key);
    fields.push(hidden ? { name: s.key, value: s.value, kind: 'hidden' } : { name: s.key, value: s.value });
  }
  const tags = text(entry.Tags);
  if (tags.trim() !== '') fields.push({ name: 'Tags', value: tags });
  const times = asObj(entry.Times);
  if (isTrue(text(times?.Expires))) {
    const expires = kpTime(times?.ExpiryTime);
    if (expires) fields.push({ name: 'Expires', value: expires });
  }

  if (notes !== '') c.notes = notes;
  if (folder !== '') c.folder = folder;
  if (fields.length > 0) c.fields = fields;
  const history = passwordHistory(entry, password);
  if (history.length > 0) c.passwordHistory = history;
  const createdAt = kpTime(times?.CreationTime);
  const updatedAt = kpTime(times?.LastModificationTime);
  if (createdAt) c.createdAt = createdAt;
  if (updatedAt) c.updatedAt = updatedAt;
  if (trashed) c.trashed = true;

  // KeePass has no types: an entry with no username, password, website, TOTP or password history is a note.
  if (!c.username && !c.password && !c.urls && !c.totp && !c.passwordHistory) c.type = 'note';

  if (isEmptyCandidate(c)) {
    issues.push({ source, title, outcome: 'skipped', code: 'empty' });
    return undefined;
  }
  const binaries = asArr(entry.Binary).length;
  if (binaries > 0) note('attachments', String(binaries));
  if (passkey) note('passkey');
  issues.push(...own);
  return c;
}

/**
 * Every entry under the root group with its folder (group names below the root, '/'-joined) and
 * whether it is in the recycle bin. Stops with 'tooManyItems' past `max`.
 */
function collect(root: Obj, binUuid: string | undefined, max: number): Located[] {
  const out: Located[] = [];
  const walk = (group: Obj, path: string[], inBin: boolean) => {
    for (const e of asArr(group.Entry)) {
      const entry = asObj(e);
      if (!entry) continue;
      if (out.length >= max) throw new ImportError('tooManyItems', String(max));
      out.push({ entry, folder: path.join('/'), trashed: inBin });
    }
    for (const g of asArr(group.Group)) {
      const child = asObj(g);
      if (!child) continue;
      const name = text(child.Name);
      const isBin =
        !inBin &&
        (binUuid !== undefined
          ? text(child.UUID).trim() === binUuid
          : path.length === 0 && name.trim() === 'Recycle Bin');
      // In the bin, the folder is where the entry sits inside it (its old place is not recorded).
      walk(child, isBin ? [] : [...path, name], inBin || isBin);
    }
  };
  walk(root, [], false);
  return out;
}

export const parseKeepassXml: Parser = async (file, options) => {
  // The parser applies XML's end-of-line handling (CR LF and a lone CR are read as LF; &#xD; stays CR).
  const xml = decodeText(file.bytes);
  if (xml.trim() === '') throw new ImportError('empty');
  if (!/<KeePassFile[\s>/]/.test(xml)) throw new ImportError('unrecognized');
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch {
    throw new ImportError('malformed');
  }
  const top = asObj(doc);
  if (!top || !('KeePassFile' in top)) throw new ImportError('unrecognized');
  const kp = asObj(top.KeePassFile) ?? {};
  const root = asObj(asArr(asObj(kp.Root)?.Group)[0]);
  if (!root) throw new ImportError('malformed', 'Root');

  const meta = asObj(kp.Meta);
  const binRef = text(meta?.RecycleBinUUID).trim();
  const binUuid = binRef !== '' && !ZERO_UUID.test(binRef) ? binRef : undefined;
  const located = collect(root, binUuid, options.maxItems ?? MAX_IMPORT_ITEMS);

  const candidates: Candidate[] = [];
  const issues: ImportIssue[] = [];
  located.forEach((l, i) => {
    const c = mapEntry(l, i + 1, issues);
    if (c) candidates.push(c);
  });
  return { format: 'keepass-xml', candidates, issues };
};
