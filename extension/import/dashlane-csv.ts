import { unzipSync } from 'fflate';
import { type CsvTable, columnKey, columns, readCsv } from './csv.ts';
import {
  collector,
  type ExtraFieldOptions,
  extraFields,
  field,
  fieldKind,
  fields,
  fileHeader,
  type HeaderRule,
  headerFits,
  headerIsFormat,
  label,
  missingColumn,
} from './csv-rows.ts';
import { decodeText } from './text.ts';
import {
  type Candidate,
  ImportError,
  type ImportFile,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ITEMS,
  type Parser,
} from './types.ts';

/**
 * Dashlane's CSV export (docs/import-formats/dashlane-csv.md): a ZIP of one CSV per kind of item —
 * credentials.csv (logins), securenotes.csv, payments.csv (cards and bank accounts), ids.csv (ID
 * documents) and personalInfo.csv (names, emails, phones, addresses) — or one of those CSVs alone.
 * Each CSV is told by its file name, or by its header when it comes alone.
 */

type Kind = 'credentials' | 'securenotes' | 'payments' | 'ids' | 'personalInfo';

/** Columns only other managers write. */
const FOREIGN = ['grouping', 'extra', 'login_uri', 'otpauth', 'archived', 'httpRealm'];

/** In the order the zip's files are read (and `source` numbers run). */
const RULES: Record<Kind, HeaderRule> = {
  credentials: {
    signature: ['username2', 'username3', 'otpSecret', 'otpUrl'],
    foreign: FOREIGN,
    required: ['username', 'title', 'password', 'url'],
  },
  securenotes: {
    signature: ['note'],
    foreign: [...FOREIGN, 'username', 'password', 'url', 'name'],
    required: ['title', 'note'],
  },
  payments: {
    signature: ['account_name', 'cc_number', 'account_holder', 'routing_number'],
    foreign: FOREIGN,
    required: ['type'],
  },
  ids: {
    signature: ['issue_date', 'place_of_issue'],
    foreign: FOREIGN,
    required: ['type', 'number', 'name'],
  },
  personalInfo: {
    signature: ['first_name', 'item_name', 'date_of_birth', 'phone_number'],
    foreign: FOREIGN,
    required: ['type'],
  },
};
const KINDS = Object.keys(RULES) as Kind[];
/** Telling a CSV by its header: the plain "title,note" of securenotes.csv is tried last. */
const BY_HEADER: readonly Kind[] = ['credentials', 'payments', 'ids', 'personalInfo', 'securenotes'];

const baseName = (path: string) => path.split('/').pop() ?? path;
const kindOfName = (path: string): Kind | undefined => {
  const base = baseName(path)
    .toLowerCase()
    .replace(/\.csv$/, '');
  return KINDS.find((kind) => kind.toLowerCase() === base);
};
const kindOfHeader = (header: readonly string[]) =>
  BY_HEADER.find((kind) => headerIsFormat(header, RULES[kind]));

/** A zip's local-file, empty-archive or spanning signature: "PK" 03 04, 05 06 or 07 08. */
const isZip = (b: Uint8Array) =>
  b.length >= 4 &&
  b[0] === 0x50 &&
  b[1] === 0x4b &&
  [3, 5, 7].includes(b[2] ?? 0) &&
  b[3] === (b[2] ?? 0) + 1;

export const parseDashlaneCsv: Parser = async (file, options) => {
  const maxItems = options.maxItems ?? MAX_IMPORT_ITEMS;
  const zipped = isZip(file.bytes);
  const tables = new Map<Kind, CsvTable>();
  const unknown: string[] = [];
  let rows = 0;
  for (const [path, bytes] of zipped ? unzipCsvs(file.bytes) : [[file.name, file.bytes] as const]) {
    let table: CsvTable;
    try {
      table = readCsv(decodeText(bytes), maxItems - rows);
    } catch (e) {
      // Dashlane zips a file per kind, even one with nothing in it.
      if (zipped && e instanceof ImportError && e.code === 'empty') continue;
      if (e instanceof ImportError && e.code === 'tooManyItems')
        throw new ImportError('tooManyItems', String(maxItems));
      throw e;
    }
    // A zipped file is told by its name; a lone one (any name the user gave it) by its header.
    const kind = (zipped ? kindOfName(path) : undefined) ?? kindOfHeader(table.header);
    if (!kind || tables.has(kind)) {
      if (!zipped) throw new ImportError('unrecognized');
      if (table.rows.length > 0) unknown.push(baseName(path));
      continue;
    }
    const missing = missingColumn(table.header, RULES[kind]);
    if (missing !== undefined) throw new ImportError('missingColumn', missing);
    tables.set(kind, table);
    rows += table.rows.length;
  }
  if (tables.size === 0) throw new ImportError('unrecognized');
  if (rows === 0 && unknown.length === 0) throw new ImportError('empty');

  const out = collector('dashlane-csv');
  let offset = 0;
  for (const kind of KINDS) {
    const table = tables.get(kind);
    if (!table) continue;
    MAPPERS[kind](table, offset, out);
    offset += table.rows.length;
  }
  for (const name of unknown)
    out.issues.push({
      source: ++offset,
      title: name,
      outcome: 'skipped',
      code: 'unsupportedType',
      detail: name,
    });
  return out.done();
};

/** A zip holding one of Dashlane's CSVs by name, or a lone credentials, payments, IDs or personal-info CSV. */
export function looksDashlaneCsv(file: ImportFile, text?: string): boolean {
  if (isZip(file.bytes)) {
    try {
      let found = false;
      unzipSync(file.bytes, {
        filter: ({ name }) => {
          if (kindOfName(name)) found = true;
          return false;
        },
      });
      return found;
    } catch {
      return false;
    }
  }
  const header = fileHeader(file, text);
  return (['credentials', 'payments', 'ids', 'personalInfo'] as const).some((kind) =>
    headerFits(header, RULES[kind]),
  );
}

/**
 * The zip's CSV files, path → bytes: 'malformed' if it cannot be read, 'tooLarge' when they would
 * unpack to more than an import file may be (checked on the sizes the zip states, before unpacking).
 */
function unzipCsvs(bytes: Uint8Array): [string, Uint8Array][] {
  let unpacked = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: ({ name, originalSize }) => {
        if (!/\.csv$/i.test(name)) return false;
        unpacked += originalSize;
        return unpacked <= MAX_IMPORT_BYTES;
      },
    });
  } catch {
    throw new ImportError('malformed');
  }
  if (unpacked > MAX_IMPORT_BYTES) throw new ImportError('tooLarge');
  return Object.entries(files).sort(([a], [b]) => a.localeCompare(b));
}

type Collector = ReturnType<typeof collector>;
/** Maps a table's rows to candidates; row i is `source` offset + i + 1. */
type Mapper = (table: CsvTable, offset: number, out: Collector) => void;

function eachRow(
  table: CsvTable,
  offset: number,
  out: Collector,
  map: (get: (...names: string[]) => string, row: readonly string[], source: number) => Candidate,
): void {
  const col = columns(table);
  const ragged = new Set(table.ragged);
  table.rows.forEach((row, i) => {
    out.add(
      map((...names) => col.get(row, ...names), row, offset + i + 1),
      ragged.has(i + 1),
    );
  });
}

/** Dashlane's column names as field labels ("Account number"), hidden when the name says secret. */
const NAMED: ExtraFieldOptions = { name: label, kind: fieldKind };

const CREDENTIALS = ['username', 'username2', 'username3', 'title', 'password', 'note', 'url', 'category'];
const OTP = ['otpUrl', 'otpSecret'];

const MAPPERS: Record<Kind, Mapper> = {
  credentials: (table, offset, out) => {
    const extra = extraFields(table, [...CREDENTIALS, ...OTP], NAMED);
    eachRow(table, offset, out, (get, row, source) => {
      const url = get('url');
      const otpUrl = get('otpUrl');
      const otpSecret = get('otpSecret');
      const [totp, otherOtp] = otpUrl.trim() !== '' ? [otpUrl, otpSecret] : [otpSecret, ''];
      return {
        source,
        type: 'login',
        title: get('title'),
        folder: get('category'),
        username: get('username'),
        password: get('password'),
        urls: url.trim() === '' ? [] : [url],
        totp,
        notes: get('note'),
        fields: [
          ...fields(
            field('Username 2', get('username2'), 'text'),
            field('Username 3', get('username3'), 'text'),
            otherOtp !== totp ? field('OTP secret', otherOtp, 'hidden') : undefined,
          ),
          ...extra(row),
        ],
      };
    });
  },

  securenotes: (table, offset, out) => {
    const extra = extraFields(table, ['title', 'note', 'category'], NAMED);
    eachRow(table, offset, out, (get, row, source) => ({
      source,
      type: 'note',
      title: get('title'),
      folder: get('category'),
      notes: get('note'),
      fields: extra(row),
    }));
  },

  payments: (table, offset, out) => {
    // Newer exports name a card's holder `account_holder`, some `name`.
    const card = (holder: string) =>
      extraFields(
        table,
        ['type', 'account_name', 'note', holder, 'cc_number', 'code', 'expiration_month', 'expiration_year'],
        NAMED,
      );
    const cardExtra = { account_holder: card('account_holder'), name: card('name') };
    const otherExtra = extraFields(table, ['type', 'account_name', 'note'], NAMED);
    eachRow(table, offset, out, (get, row, source) => {
      const type = get('type').trim();
      const base = { source, title: get('account_name'), notes: get('note') };
      if (/^(payment|credit)_card$/i.test(type)) {
        const holder = get('account_holder').trim() !== '' ? 'account_holder' : 'name';
        return {
          ...base,
          type: 'card',
          cardholder: get(holder),
          number: get('cc_number'),
          code: get('code'),
          expMonth: get('expiration_month'),
          expYear: get('expiration_year'),
          fields: cardExtra[holder](row),
        };
      }
      // A bank account (or a kind Dashlane adds later): a note, its numbers hidden fields.
      return {
        ...base,
        type: 'note',
        fields: [
          ...fields(/^bank(_account)?$/i.test(type) ? undefined : field('Type', type, 'text')),
          ...otherExtra(row),
        ],
      };
    });
  },

  ids: (table, offset, out) => {
    const extra = extraFields(table, ['type', 'number', 'name'], NAMED);
    eachRow(table, offset, out, (get, row, source) => {
      const type = get('type').trim();
      const document = DOCUMENTS[type.toLowerCase()] ?? { title: label(type || 'ID'), number: 'Number' };
      const name = get('name');
      return {
        source,
        type: 'identity',
        title: name.trim() === '' ? document.title : `${document.title}: ${name.trim()}`,
        ...splitName(name),
        fields: [...fields(field(document.number, get('number'), 'hidden')), ...extra(row)],
      };
    });
  },

  personalInfo: (table, offset, out) => {
    const col = columns(table);
    const ragged = new Set(table.ragged);
    const types = table.rows.map((row) => col.get(row, 'type').trim().toLowerCase());
    const nameRow = types.indexOf('name');
    // One person (one "name" row): every row adds to one identity. Several: one identity a row.
    const groups =
      nameRow !== -1 && types.lastIndexOf('name') === nameRow
        ? [{ at: nameRow, rows: table.rows.map((_, i) => i) }]
        : table.rows.map((_, i) => ({ at: i, rows: [i] }));
    for (const group of groups) {
      const c: Candidate = { source: offset + group.at + 1, type: 'identity', title: '', fields: [] };
      for (const i of group.rows) {
        const row = table.rows[i] ?? [];
        addPersonal(c, table.header, row, group.rows.length > 1 ? col.get(row, 'item_name').trim() : '');
      }
      const at = table.rows[group.at] ?? [];
      c.title =
        [c.firstName, c.middleName, c.lastName].filter((s) => s?.trim()).join(' ') ||
        col.get(at, 'item_name');
      out.add(
        c,
        group.rows.some((i) => ragged.has(i + 1)),
      );
    }
  },
};

/** ids.csv's `type`: the item's title and the name of its number's field. */
const DOCUMENTS: Record<string, { title: string; number: string }> = {
  passport: { title: 'Passport', number: 'Passport number' },
  card: { title: 'ID card', number: 'ID card number' },
  id_card: { title: 'ID card', number: 'ID card number' },
  license: { title: "Driver's license", number: 'License number' },
  driver_license: { title: "Driver's license", number: 'License number' },
  social_security: { title: 'Social security', number: 'Social security number' },
  tax_number: { title: 'Tax number', number: 'Tax number' },
};

/** "Kit A. B. Example" → first "Kit", middle "A. B.", last "Example". */
function splitName(name: string): Pick<Candidate, 'firstName' | 'middleName' | 'lastName'> {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return { firstName: words[0] ?? '' };
  return {
    firstName: words[0],
    middleName: words.slice(1, -1).join(' '),
    lastName: words[words.length - 1],
  };
}

type Place =
  | 'honorific'
  | 'firstName'
  | 'middleName'
  | 'lastName'
  | 'company'
  | 'email'
  | 'phone'
  | 'address1'
  | 'city'
  | 'region'
  | 'postalCode'
  | 'country';
/** personalInfo.csv columns (by columnKey) with a place in an identity. */
const PERSONAL: Record<string, Place> = {
  title: 'honorific',
  firstname: 'firstName',
  middlename: 'middleName',
  lastname: 'lastName',
  company: 'company',
  email: 'email',
  phonenumber: 'phone',
  address: 'address1',
  city: 'city',
  state: 'region',
  zip: 'postalCode',
  country: 'country',
};

/**
 * Adds one personalInfo row to the identity: a column with a place in it fills that place; a
 * second value for a taken place (a second email) and every other column (login, date of birth,
 * address details …) become fields, named with `rowLabel` when given ("Work mail (Email)": the
 * row's item_name in an identity merged from several rows).
 */
function addPersonal(
  c: Candidate,
  header: readonly string[],
  row: readonly string[],
  rowLabel: string,
): void {
  header.forEach((column, i) => {
    const value = row[i] ?? '';
    const key = columnKey(column);
    if (value.trim() === '' || key === 'type' || key === 'itemname') return;
    const place = PERSONAL[key];
    if (place && (c[place] ?? '').trim() === '') {
      c[place] = value;
      return;
    }
    if (place && c[place] === value) return;
    const name = rowLabel ? `${rowLabel} (${label(column)})` : label(column);
    c.fields?.push({ name, value, kind: fieldKind(column) });
  });
}
