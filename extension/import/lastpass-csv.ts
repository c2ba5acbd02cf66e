import { columns } from './csv.ts';
import {
  extraFields,
  field,
  fieldKind,
  fields,
  type HeaderRule,
  looksFormat,
  mapRows,
  readFormatTable,
} from './csv-rows.ts';
import type { Candidate, CandidateField, ImportFile, Parser } from './types.ts';

/**
 * LastPass's CSV export (docs/import-formats/lastpass-csv.md):
 * `url,username,password,totp,extra,name,grouping,fav` (exports before TOTP lack `totp`).
 * A row whose url is "http://sn" is a secure note: `extra` is its text. A typed secure note's text
 * is "NoteType:<type>" followed by "Key:Value" lines, a value running on over the lines that do not
 * start a new key, and "Notes:" last, taking the rest. Credit Card → card, Address → identity,
 * SSH Key → sshKey; any other type → a note whose keys are custom fields.
 */

const KNOWN = ['url', 'username', 'password', 'totp', 'extra', 'name', 'grouping', 'fav'];

const RULE: HeaderRule = {
  signature: ['extra', 'grouping'],
  foreign: ['login_uri', 'username2', 'otpauth', 'httpRealm'],
  required: ['url', 'username', 'password', 'extra', 'name', 'grouping'],
};

const SECURE_NOTE_URL = 'http://sn';

/** The keys of the note types mapped to an item type, lower-cased: only these end a multi-line value. */
const TYPE_KEYS: Record<string, ReadonlySet<string>> = {
  'credit card': new Set([
    'name on card',
    'type',
    'number',
    'security code',
    'start date',
    'expiration date',
  ]),
  address: new Set([
    'title',
    'first name',
    'middle name',
    'last name',
    'username',
    'gender',
    'birthday',
    'company',
    'address 1',
    'address 2',
    'address 3',
    'city / town',
    'county',
    'state',
    'zip / postal code',
    'country',
    'timezone',
    'email address',
    'phone',
    'evening phone',
    'mobile phone',
    'fax',
  ]),
  'ssh key': new Set([
    'bit strength',
    'format',
    'passphrase',
    'private key',
    'public key',
    'hostname',
    'date',
  ]),
};
/** Values that span lines by nature: a line inside them starts a new key only if it is a known key. */
const MULTI_LINE = new Set(['private key', 'public key']);

export const parseLastpassCsv: Parser = async (file, options) => {
  const table = readFormatTable(file, options, RULE);
  const col = columns(table);
  const extraOf = extraFields(table, KNOWN, { kind: fieldKind });
  return mapRows('lastpass-csv', table, (row, source) => {
    const url = col.get(row, 'url');
    const base = {
      source,
      title: col.get(row, 'name'),
      folder: folderOf(col.get(row, 'grouping')),
      favorite: col.get(row, 'fav').trim() === '1',
    };
    const extra = extraOf(row);
    const username = col.get(row, 'username');
    const password = col.get(row, 'password');
    const totp = col.get(row, 'totp');
    let candidate: Candidate;
    if (url.trim().toLowerCase() === SECURE_NOTE_URL) {
      candidate = secureNote(base, col.get(row, 'extra'));
      // A secure note has no login columns; should one carry something, it is kept, not dropped.
      candidate.fields = [
        ...(candidate.fields ?? []),
        ...fields(field('Username', username), field('Password', password), field('TOTP', totp, 'hidden')),
        ...extra,
      ];
    } else {
      candidate = {
        ...base,
        type: 'login',
        username,
        password,
        // LastPass writes "http://" for a site saved without an address.
        urls: /^\s*(https?:\/\/)?\s*$/i.test(url) ? [] : [url],
        totp,
        notes: col.get(row, 'extra'),
        fields: extra,
      };
    }
    return candidate;
  });
};

/** `url`, `extra`, `name` and `grouping` columns, none of another manager's. */
export function looksLastpassCsv(file: ImportFile, text?: string): boolean {
  return looksFormat(file, text, RULE);
}

/** "Work\Servers" → "Work/Servers"; LastPass's "(none)" is no folder. */
function folderOf(grouping: string): string {
  const g = grouping.trim();
  return g === '(none)' ? '' : g.replace(/\\/g, '/');
}

type Base = Pick<Candidate, 'source' | 'title' | 'folder' | 'favorite'>;

function secureNote(base: Base, text: string): Candidate {
  const lines = text.split(/\r\n|\r|\n/);
  const typeLine = /^NoteType:(.*)$/.exec(lines[0] ?? '');
  if (!typeLine) return { ...base, type: 'note', notes: text };
  const noteType = (typeLine[1] ?? '').trim();
  const note = readKeyValues(noteType.toLowerCase(), lines.slice(1));
  switch (noteType.toLowerCase()) {
    case 'credit card':
      return creditCard(base, note);
    case 'address':
      return address(base, note);
    case 'ssh key':
      return {
        ...base,
        type: 'sshKey',
        privateKey: note.take('Private Key'),
        publicKey: note.take('Public Key'),
        notes: note.notes,
        fields: note.rest(),
      };
    default:
      return {
        ...base,
        type: 'note',
        notes: note.notes,
        fields: [...fields(field('Note type', noteType, 'text')), ...note.rest()],
      };
  }
}

interface KeyValues {
  /** The value of `key` (case-insensitive; '' if absent), removed from what `rest` gives. */
  take(key: string): string;
  /** Every other non-empty value, in the note's order, as custom fields. */
  rest(): CandidateField[];
  /** What follows "Notes:" (and any line before the first key). */
  notes: string;
  /** The note's language (e.g. "en-US"), for month names. */
  language: string;
}

/**
 * Reads the "Key:Value" lines after the NoteType line. A line starts a new key when what precedes
 * its first ':' is one of the type's keys, or, outside a multi-line value, looks like a key at all
 * (a custom type's keys are not known); any other line continues the previous value. "Notes:"
 * takes the rest of the text as it is.
 */
function readKeyValues(noteType: string, lines: string[]): KeyValues {
  const known = TYPE_KEYS[noteType];
  const entries: [string, string][] = [];
  const loose: string[] = [];
  let notes = '';
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    const key = colon > 0 ? line.slice(0, colon) : '';
    const lower = key.trim().toLowerCase();
    const startsKey =
      lower === 'notes' ||
      (known?.has(lower) ?? false) ||
      (!MULTI_LINE.has(current) && looksLikeKey(key, line.slice(colon + 1)));
    if (startsKey && lower === 'notes') {
      notes = [line.slice(colon + 1), ...lines.slice(i + 1)].join('\n');
      break;
    }
    if (startsKey) {
      entries.push([key.trim(), line.slice(colon + 1)]);
      current = lower;
    } else {
      const last = entries[entries.length - 1];
      if (last) last[1] += `\n${line}`;
      else loose.push(line);
    }
  }
  if (loose.some((l) => l.trim() !== '')) notes = [...loose, notes].join('\n');
  const take = (key: string): string => {
    const i = entries.findIndex(([k]) => k.toLowerCase() === key.toLowerCase());
    const value = i === -1 ? '' : (entries.splice(i, 1)[0]?.[1] ?? '');
    return isUnset(value) ? '' : value;
  };
  // The template's language is no data of the user's: used for month names, not kept.
  const language = take('Language');
  return {
    take,
    notes,
    language,
    rest: () =>
      entries.flatMap(([name, value]): CandidateField[] => {
        if (isUnset(value)) return [];
        if (/phone|fax/i.test(name)) return phoneFields(name, value);
        return [{ name, value, kind: fieldKind(name) }];
      }),
  };
}

/** LastPass writes an unset date as ",": that, like white space, is no value. */
const isUnset = (value: string) => value.replace(/[\s,]/g, '') === '';

/**
 * A short label with a letter in it, not indented and not a web address's "https:" (a line of a
 * value that wrapped).
 */
const looksLikeKey = (key: string, after: string) =>
  key.trim() === key &&
  /^[\p{L}\p{N}][^\t]{0,59}$/u.test(key) &&
  /\p{L}/u.test(key) &&
  !after.startsWith('//');

function creditCard(base: Base, note: KeyValues): Candidate {
  const [expMonth, expYear] = expiry(note.take('Expiration Date'), note.language);
  return {
    ...base,
    type: 'card',
    cardholder: note.take('Name on Card'),
    brand: note.take('Type'),
    number: note.take('Number'),
    code: note.take('Security Code'),
    expMonth,
    expYear,
    notes: note.notes,
    fields: note.rest(),
  };
}

function address(base: Base, note: KeyValues): Candidate {
  const phone = decodePhone(note.take('Phone'));
  return {
    ...base,
    type: 'identity',
    honorific: note.take('Title'),
    firstName: note.take('First Name'),
    middleName: note.take('Middle Name'),
    lastName: note.take('Last Name'),
    company: note.take('Company'),
    address1: note.take('Address 1'),
    address2: note.take('Address 2'),
    city: note.take('City / Town'),
    region: note.take('State'),
    postalCode: note.take('Zip / Postal Code'),
    country: note.take('Country'),
    email: note.take('Email Address'),
    phone: phone.number,
    notes: note.notes,
    fields: [...fields(field('Phone country', phone.country, 'text')), ...note.rest()],
  };
}

/**
 * LastPass stores an address's phone as JSON: {"num":"5550100","ext":"12","cc3l":"USA"} →
 * "5550100 ext. 12" and the country code apart. Anything else is kept as written.
 */
function decodePhone(value: string): { number: string; country: string } {
  if (!value.trim().startsWith('{')) return { number: value, country: '' };
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return { number: value, country: '' };
    const part = (key: string) => {
      const v = (parsed as Record<string, unknown>)[key];
      return typeof v === 'string' ? v.trim() : '';
    };
    const num = part('num');
    const ext = part('ext');
    // An unset phone still carries the country the form preselected: that alone is nothing.
    if (num === '' && ext === '') return { number: '', country: '' };
    return { number: ext ? `${num} ext. ${ext}` : num, country: part('cc3l') };
  } catch {
    return { number: value, country: '' };
  }
}

function phoneFields(name: string, value: string): CandidateField[] {
  const phone = decodePhone(value);
  return fields(field(name, phone.number, 'text'), field(`${name} country`, phone.country, 'text'));
}

/**
 * "January,2027" → ['1', '2027']. Month names are read in English and in the note's language; a
 * value that is not "month,year" goes whole into the month, for finalize.ts to report and keep.
 */
function expiry(value: string, language: string): [string, string] {
  if (value === '') return ['', ''];
  const parts = value.split(',');
  if (parts.length !== 2) return [value, ''];
  const [month = '', year = ''] = parts.map((p) => p.trim());
  if (month === '') return ['', year];
  if (/^\d{1,2}$/.test(month)) return [month, year];
  return [monthNumber(month, language) ?? month, year];
}

const monthNames = new Map<string, Map<string, string>>();

function monthNumber(name: string, language: string): string | undefined {
  const wanted = name.toLocaleLowerCase();
  for (const locale of ['en', language]) {
    if (locale === '') continue;
    let names = monthNames.get(locale);
    if (!names) {
      names = new Map();
      try {
        for (const style of ['long', 'short'] as const) {
          const format = new Intl.DateTimeFormat(locale, { month: style, timeZone: 'UTC' });
          for (let m = 0; m < 12; m++)
            names.set(
              format
                .format(Date.UTC(2000, m, 1))
                .toLocaleLowerCase()
                .replace(/\.$/, ''),
              String(m + 1),
            );
        }
      } catch {
        // not a language tag Intl knows: English only
      }
      monthNames.set(locale, names);
    }
    const found = names.get(wanted.replace(/\.$/, ''));
    if (found) return found;
  }
  return undefined;
}
