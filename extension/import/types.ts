import type { ItemFields, ItemType } from '../messaging/item-schema.ts';

/**
 * What every importer (one file per format in this folder) produces: candidates, not items. A
 * candidate is what the file says, as plain strings; `finalize.ts` applies Keyhold's item checks to
 * each and turns what does not pass into a kept-but-changed item or a skipped one, with a reason
 * the preview shows (docs/import.md). Parsers never throw on one bad row or entry: they record an
 * issue and go on. They throw ImportError only when the file as a whole cannot be read.
 */

export const IMPORT_FORMATS = [
  'keyhold',
  'bitwarden-json',
  'bitwarden-csv',
  'chrome-csv',
  'firefox-csv',
  '1password-1pux',
  '1password-csv',
  'keepassxc-csv',
  'keepass-xml',
  'lastpass-csv',
  'protonpass',
  'dashlane-csv',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The file as the user chose it. */
export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

export interface ParseOptions {
  /** For password-protected exports (Bitwarden encrypted JSON, Keyhold's own). */
  password?: string;
  /** At most this many items; more is ImportError('tooManyItems') (memory stays bounded). */
  maxItems?: number;
}

/** One custom field as a file gives it. */
export interface CandidateField {
  name: string;
  value: string;
  /** hidden: a concealed/secret field in the source; boolean: a checkbox/toggle. Default text. */
  kind?: 'text' | 'hidden' | 'boolean';
}

/**
 * One item as read from the file. Only `type` and `title` are required; every other field is a
 * plain string as exported (finalize.ts trims, checks and normalises). Unknown keys are not allowed:
 * a source field with no place here goes to `fields` (custom fields) or `notes`, never dropped.
 */
export interface Candidate {
  /** Where it is in the file, for messages: the 1-based data row (CSV) or entry index (others). */
  source: number;
  type: ItemType;
  title: string;
  notes?: string;
  /** Name path, '/'-separated: "Work/Servers". */
  folder?: string;
  favorite?: boolean;
  fields?: CandidateField[];
  // login
  username?: string;
  password?: string;
  /** Every website of the login, in the file's order; values as exported (finalize checks them). */
  urls?: string[];
  /** An otpauth:// URI or a Base32 secret, as exported. */
  totp?: string;
  // card
  cardholder?: string;
  brand?: string;
  number?: string;
  expMonth?: string;
  expYear?: string;
  code?: string;
  // identity
  honorific?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  company?: string;
  email?: string;
  phone?: string;
  address1?: string;
  address2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  // ssh key
  privateKey?: string;
  publicKey?: string;
  // what only some formats carry
  /** Earlier passwords, newest first, with when each was replaced (ISO 8601). */
  passwordHistory?: { password: string; replacedAt: string }[];
  /** ISO 8601. */
  createdAt?: string;
  updatedAt?: string;
  /** In the source's trash: imported into Keyhold's trash. */
  trashed?: boolean;
}

/** Why an entry was skipped or changed: each has a sentence in the locales (`import.issue.<code>`). */
export const ISSUE_CODES = [
  /** An entry of a kind Keyhold has no type for (e.g. a document or passkey-only entry). `detail`: the source's kind. */
  'unsupportedType',
  /** An entry with nothing a user typed in it (the rule: entry-rules.ts). */
  'empty',
  /** A row the parser could not read (wrong number of columns, invalid JSON in an entry). */
  'unreadable',
  /** No title in the file: one was made from the website, a name, else the type (entry-rules.ts). */
  'titleMade',
  /** A website that is not an http(s) address: kept in the notes. `detail`: the value. */
  'badUrl',
  /** A TOTP secret that cannot be read: kept as a hidden custom field. */
  'badTotp',
  /** A card number that is not 12–19 digits or fails the Luhn check: kept as a hidden custom field. */
  'badCardNumber',
  /** A card expiry that is not a month/year: kept in the notes. */
  'badExpiry',
  /** A field longer than Keyhold keeps: the whole value moved to the notes (or cut if notes are full). `detail`: field. */
  'tooLong',
  /** File attachments are not imported (the item is). `detail`: how many. */
  'attachments',
  /** A field type the source has that Keyhold does not: kept as a text custom field. `detail`: the type. */
  'unknownField',
  /** More custom fields or websites than an item can hold: the rest moved to the notes. */
  'tooMany',
  /** A passkey (FIDO2 credential) is not imported; the login is. */
  'passkey',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

export interface ImportIssue {
  source: number;
  /** The entry's title as far as it is known ('' when the row had none). */
  title: string;
  outcome: 'skipped' | 'changed';
  code: IssueCode;
  detail?: string;
}

/**
 * An item Keyhold itself wrote (its own export, docs/export.md): imported as it is, not through
 * Candidate and finalize. The reader has checked it against the item schema.
 */
export interface ExactItem {
  /** The 1-based entry index in the file. */
  source: number;
  fields: ItemFields;
  /** ISO 8601, as exported. */
  createdAt?: string;
  updatedAt?: string;
}

export interface Parsed {
  format: ImportFormat;
  candidates: Candidate[];
  /** Items to take as they are (only Keyhold's own export has them). */
  exact?: ExactItem[];
  /** Entries the parser itself skipped or changed (finalize.ts adds its own). */
  issues: ImportIssue[];
}

/** Why a whole file cannot be imported: each has a sentence in the locales (`import.error.<code>`). */
export const IMPORT_ERROR_CODES = [
  'empty',
  /** Not a format Keyhold knows, or not the format the user chose. */
  'unrecognized',
  /** A CSV without a column the format needs. `detail`: the column. */
  'missingColumn',
  /** A zip or JSON cut short, or otherwise not well-formed. */
  'malformed',
  'tooLarge',
  'tooManyItems',
  'passwordNeeded',
  'wrongPassword',
  /** An export the source encrypted in a way that needs the source account's key (Bitwarden "account restricted"). */
  'accountEncrypted',
  /** A Keyhold export of a version this Keyhold cannot read (a newer one). `detail`: the version. */
  'unsupportedVersion',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    readonly detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'ImportError';
  }
}

export type Parser = (file: ImportFile, options: ParseOptions) => Promise<Parsed>;

/** Files larger than this are refused before they are read (a 50 MB file is no password export). */
export const MAX_IMPORT_BYTES = 25 * 1024 * 1024;
/** At most this many items per import. */
export const MAX_IMPORT_ITEMS = 25_000;
