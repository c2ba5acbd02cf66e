import fc from 'fast-check';
import type { LocalItem, VaultData } from '../background/vault-data.ts';
import { isLuhnValid } from '../messaging/card-checks.ts';
import { type CustomField, type ItemFields, URI_MATCH_MODES } from '../messaging/item-schema.ts';
import { isWebsiteAddress } from '../messaging/website-address.ts';

/**
 * fast-check arbitraries for whole vaults (export/import round-trip tests): every item type with
 * values already in the shape the item schema gives them (trimmed titles, normalised folders,
 * Luhn-valid card numbers…), so a reader that keeps fields exactly gives back deep-equal ones. Text
 * is awkward on purpose: quotes, commas, every line break, emoji, right-to-left, NUL, formula-like
 * starts, and now and then a ~50,000-character note.
 */

const AWKWARD = [
  '"',
  "'",
  ',',
  ';',
  '\t',
  '|',
  '\n',
  '\r\n',
  '\r',
  ' ',
  ': ',
  '=1+1',
  '-2',
  '@x',
  '\\',
  '😀',
  '👩‍👩‍👧',
  'שלום',
  'مرحبا',
  '\u202e',
  '\u0000',
  'e\u0301',
  '日本語',
  'null',
  '\uFEFF',
];

export interface TextOptions {
  /** Also unpaired UTF-16 surrogates (JSON keeps them; a UTF-8 CSV cannot). */
  loneSurrogates?: boolean;
}

/** Awkward text of at most `max` UTF-16 units. */
export function awkwardText(max: number, opts: TextOptions = {}): fc.Arbitrary<string> {
  const parts = [
    fc.constantFrom(...AWKWARD, ...(opts.loneSurrogates ? ['\ud83d', '\udc00x'] : [])),
    fc.string({ maxLength: 6 }),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  ];
  return fc
    .array(fc.oneof(...parts), { maxLength: max < 60 ? 4 : 10 })
    .map((p) => p.join(''))
    .filter((s) => s.length <= max);
}

/** Trimmed and non-empty (titles, names). */
const trimmedText = (max: number, opts: TextOptions) =>
  awkwardText(max, opts).map((s) => s.trim().slice(0, max).trim() || 'Untitled');

/** Notes: usually short, now and then about 50,000 characters. */
const notesText = (opts: TextOptions) =>
  fc.oneof(
    { weight: 6, arbitrary: awkwardText(300, opts) },
    {
      weight: 1,
      arbitrary: awkwardText(40, opts)
        .filter((s) => s.length > 0)
        .map((s) => s.repeat(Math.ceil(50_000 / s.length))),
    },
  );

const folder = (opts: TextOptions) =>
  fc
    .array(
      awkwardText(40, opts)
        .map((s) => s.replaceAll('/', '').trim())
        .filter((s) => s !== ''),
      { maxLength: 3 },
    )
    .map((segments) => segments.join('/'));

const isoTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const customField = (login: boolean, opts: TextOptions): fc.Arbitrary<CustomField> => {
  const name = trimmedText(200, opts);
  const kinds: fc.Arbitrary<CustomField>[] = [
    fc.record({ name, kind: fc.constant('text' as const), value: awkwardText(300, opts) }),
    fc.record({ name, kind: fc.constant('hidden' as const), value: awkwardText(300, opts) }),
    fc.record({ name, kind: fc.constant('boolean' as const), value: fc.constantFrom('true', 'false') }),
  ];
  if (login)
    kinds.push(
      fc.record({
        name,
        kind: fc.constant('linked' as const),
        value: fc.constant(''),
        linkedTo: fc.constantFrom('username' as const, 'password' as const),
      }),
    );
  return fc.oneof(...kinds);
};

const common = (login: boolean, opts: TextOptions) => ({
  title: trimmedText(500, opts),
  notes: notesText(opts),
  folder: folder(opts),
  favorite: fc.boolean(),
  customFields: fc.array(customField(login, opts), { maxLength: 6 }),
  trashedAt: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: isoTime }),
});

const URLS = [
  'https://example.com',
  'https://accounts.example.co.uk/login?next=/a,b&x="y"',
  'http://[::1]:8080/admin',
  'example.org/sign-in',
  'https://例え.jp/パス',
  'androidapp://com.example.app',
  'https://bank.example/#/login',
];

const uri = fc.record({
  url: fc.oneof(fc.constantFrom(...URLS), fc.webUrl()).filter((u) => u.length <= 2000 && isWebsiteAddress(u)),
  match: fc.constantFrom(...URI_MATCH_MODES),
});

const TOTPS = [
  '',
  'JBSWY3DPEHPK3PXP',
  'jbsw y3dp ehpk 3pxp',
  'otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example',
  'otpauth://totp/ACME?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60',
];

const login = (opts: TextOptions) =>
  fc.record({
    type: fc.constant('login' as const),
    ...common(true, opts),
    username: awkwardText(1000, opts),
    password: awkwardText(200, opts),
    uris: fc.uniqueArray(uri, { maxLength: 4, selector: (u) => u.url }),
    totp: fc.constantFrom(...TOTPS),
    passwordHistory: fc.array(
      fc.record({ password: awkwardText(100, opts).filter((p) => p !== ''), replacedAt: isoTime }),
      { maxLength: 10 },
    ),
  });

const note = (opts: TextOptions) =>
  fc.record({ type: fc.constant('note' as const), ...common(false, opts), passwordHistory: fc.constant([]) });

/** A Luhn-valid number of 12–19 digits. */
const cardNumber = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 18 }).map((d) => {
  const body = d.join('');
  for (let c = 0; c <= 9; c++) if (isLuhnValid(body + c)) return body + c;
  throw new Error('unreachable: one check digit always fits');
});

const expiry = fc.oneof(
  fc.constant({ expMonth: '', expYear: '' }),
  fc
    .record({
      m: fc.integer({ min: 1, max: 12 }),
      pad: fc.boolean(),
      y: fc.integer({ min: 2015, max: 2045 }),
    })
    .map(({ m, pad, y }) => ({ expMonth: pad ? String(m).padStart(2, '0') : String(m), expYear: String(y) })),
);

const card = (opts: TextOptions) =>
  fc
    .record({
      type: fc.constant('card' as const),
      ...common(false, opts),
      cardholder: awkwardText(200, opts),
      brand: awkwardText(50, opts),
      number: fc.oneof(fc.constant(''), cardNumber),
      expiry,
      code: fc.oneof(fc.constant(''), fc.stringMatching(/^\d{3,4}$/)),
      passwordHistory: fc.constant([]),
    })
    .map(({ expiry: e, ...c }) => ({ ...c, ...e }));

const identity = (opts: TextOptions) =>
  fc.record({
    type: fc.constant('identity' as const),
    ...common(false, opts),
    honorific: awkwardText(50, opts),
    firstName: awkwardText(200, opts),
    middleName: awkwardText(200, opts),
    lastName: awkwardText(200, opts),
    company: awkwardText(200, opts),
    email: awkwardText(320, opts),
    phone: awkwardText(50, opts),
    address1: awkwardText(300, opts),
    address2: awkwardText(300, opts),
    city: awkwardText(200, opts),
    region: awkwardText(200, opts),
    postalCode: awkwardText(50, opts),
    country: awkwardText(100, opts),
    passwordHistory: fc.constant([]),
  });

const PRIVATE_KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACAAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHwAAAJg=',
  '-----END OPENSSH PRIVATE KEY-----',
].join('\n');
const PUBLIC_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f deploy@ci';

const sshKey = (opts: TextOptions) =>
  fc.record({
    type: fc.constant('sshKey' as const),
    ...common(false, opts),
    privateKey: fc.constantFrom('', PRIVATE_KEY),
    publicKey: fc.constantFrom('', PUBLIC_KEY),
    fingerprint: fc.constantFrom('', 'SHA256:c3BlY2lhbC1maW5nZXJwcmludC1mb3ItdGVzdHM'),
    passwordHistory: fc.constant([]),
  });

/** One item's fields, of any type. */
export const itemFields = (opts: TextOptions = {}): fc.Arbitrary<ItemFields> =>
  fc.oneof(login(opts), note(opts), card(opts), identity(opts), sshKey(opts)) as fc.Arbitrary<ItemFields>;

/**
 * A vault of 1–`max` items: some tombstones (deleted, waiting for the server), some conflict
 * copies, some dirty with a merge base; at least one item is not a tombstone.
 */
export function vaultData(opts: TextOptions & { max?: number } = {}): fc.Arbitrary<VaultData> {
  const item = fc.record({
    fields: itemFields(opts),
    createdAt: isoTime,
    updatedAt: isoTime,
    conflictOf: fc.option(fc.uuid(), { nil: null }),
    dirty: fc.boolean(),
    deleted: fc.boolean(),
    revision: fc.nat({ max: 1000 }),
  });
  return fc.array(item, { minLength: 1, maxLength: opts.max ?? 8 }).map((list) => {
    const items: Record<string, LocalItem> = {};
    list.forEach((it, i) => {
      const id = `item-${String(i).padStart(3, '0')}`;
      items[id] = {
        id,
        ...it,
        deleted: i === 0 ? false : it.deleted,
        base: it.dirty ? it.fields : undefined,
      };
    });
    return { version: 1 as const, revision: list.length, lastSyncAt: null, items };
  });
}
