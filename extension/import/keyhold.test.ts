import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  csvExport,
  EXPORT_KDF_BOUNDS,
  type ExportItem,
  encryptedExport,
  exportItems,
  plainJsonExport,
} from '../export/vault-export.ts';
import { type ItemFields, loginFields, normalizeFields } from '../messaging/item-schema.ts';
import { vaultData } from '../test-support/vault-arbitraries.ts';
import { looksBitwardenJson } from './bitwarden-json.ts';
import { looksKeyhold, parseKeyhold } from './keyhold.ts';
import { ImportError, type ImportFile, type Parsed } from './types.ts';

/** The cheapest parameters a reader accepts: each Argon2id run costs ~0.1 s here, not ~0.35 s. */
const FAST_KDF = {
  memoryKiB: EXPORT_KDF_BOUNDS.memoryKiB.min,
  iterations: EXPORT_KDF_BOUNDS.iterations.min,
  parallelism: 1,
};
const NOW = new Date('2025-06-01T12:00:00.000Z');
const PASSWORD = 'correct horse battery staple';

const bytes = (s: string) => new TextEncoder().encode(s);
const file = (text: string, name = 'keyhold-export.json'): ImportFile => ({ name, bytes: bytes(text) });
const parse = (text: string, password?: string, maxItems?: number): Promise<Parsed> =>
  parseKeyhold(file(text), { password, maxItems });

async function parseError(text: string, password?: string, maxItems?: number): Promise<ImportError> {
  try {
    await parse(text, password, maxItems);
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('parsed without an error');
}

const item = (fields: ItemFields, createdAt = '2024-01-02T03:04:05.000Z'): ExportItem => ({
  fields,
  createdAt,
  updatedAt: '2024-05-06T07:08:09.000Z',
});

const bank = loginFields({
  title: 'Bank',
  username: 'ada',
  password: 'p"w,1\r\n😀',
  uris: [{ url: 'https://bank.example/login', match: 'host' }],
  totp: 'JBSWY3DPEHPK3PXP',
  passwordHistory: [{ password: 'old', replacedAt: '2024-04-01T00:00:00.000Z' }],
});
const expiredCard = normalizeFields({
  type: 'card',
  title: 'Old Visa',
  cardholder: 'Ada Lovelace',
  brand: 'Visa',
  number: '4111111111111111',
  expMonth: '03',
  expYear: '2019',
  code: '123',
});
const trashedNote = normalizeFields({
  type: 'note',
  title: 'Gone',
  notes: 'x',
  trashedAt: '2025-01-01T00:00:00.000Z',
});
const ITEMS = [item(bank), item(expiredCard), item(trashedNote)];

// biome-ignore lint/suspicious/noExplicitAny: a test reaching into a file's JSON to change it
type Doc = Record<string, any>;

const exactFields = (p: Parsed) => (p.exact ?? []).map((e) => e.fields);

describe('Keyhold export: plain JSON', () => {
  it('reads every item back exactly, with its times, trash mark and an expired card', async () => {
    const parsed = await parse(plainJsonExport(ITEMS, NOW));
    expect(parsed.format).toBe('keyhold');
    expect(parsed.candidates).toEqual([]);
    expect(parsed.issues).toEqual([]);
    expect(parsed.exact).toStrictEqual(
      ITEMS.map((it, i) => ({
        source: i + 1,
        fields: it.fields,
        createdAt: it.createdAt,
        updatedAt: it.updatedAt,
      })),
    );
  });

  it('skips an entry the item schema refuses as unreadable and keeps the rest', async () => {
    const doc = JSON.parse(plainJsonExport(ITEMS, NOW));
    doc.items.splice(
      1,
      0,
      { fields: { ...bank, title: 'Evil', uris: [{ url: 'javascript:alert(1)', match: 'domain' }] } },
      'not an item',
      {
        fields: {
          ...bank,
          title: 'Bad history',
          passwordHistory: [{ password: 'x', replacedAt: 'yesterday' }],
        },
      },
      { fields: { type: 'note', title: '   ' } },
    );
    const parsed = await parse(JSON.stringify(doc));
    expect(exactFields(parsed)).toStrictEqual(ITEMS.map((it) => it.fields));
    expect(parsed.exact?.map((e) => e.source)).toEqual([1, 6, 7]);
    expect(parsed.issues).toEqual([
      { source: 2, title: 'Evil', outcome: 'skipped', code: 'unreadable' },
      { source: 3, title: '', outcome: 'skipped', code: 'unreadable' },
      { source: 4, title: 'Bad history', outcome: 'skipped', code: 'unreadable' },
      { source: 5, title: '   ', outcome: 'skipped', code: 'unreadable' },
    ]);
  });

  it('drops keys it does not know and times that are not times, keeping the item', async () => {
    const doc = JSON.parse(plainJsonExport([item(bank)], NOW));
    doc.items[0].fields.secretFromTheFuture = 'x';
    doc.items[0].createdAt = 'not a time';
    const [only] = (await parse(JSON.stringify(doc))).exact ?? [];
    expect(only).toStrictEqual({ source: 1, fields: bank, updatedAt: '2024-05-06T07:08:09.000Z' });
  });

  it('refuses a newer version, a version that is not a number, no items, and too many', async () => {
    const doc = JSON.parse(plainJsonExport(ITEMS, NOW));
    const withVersion = (version: unknown) => JSON.stringify({ ...doc, version });
    expect(await parseError(withVersion(2))).toMatchObject({ code: 'unsupportedVersion', detail: '2' });
    expect(await parseError(withVersion('1'))).toMatchObject({ code: 'malformed', detail: 'version' });
    expect(await parseError(JSON.stringify({ ...doc, items: {} }))).toMatchObject({ code: 'malformed' });
    expect((await parseError(plainJsonExport([], NOW))).code).toBe('empty');
    expect(await parseError(plainJsonExport(ITEMS, NOW), undefined, 2)).toMatchObject({
      code: 'tooManyItems',
      detail: '2',
    });
  });

  it('refuses another JSON, a file cut short, and text that is not JSON', async () => {
    const text = plainJsonExport(ITEMS, NOW);
    expect((await parseError(JSON.stringify({ format: 'keyhold-other', version: 1, items: [] }))).code).toBe(
      'unrecognized',
    );
    expect((await parseError(text.slice(0, text.length / 2))).code).toBe('malformed');
    expect(await parseError('folder,favorite,type\n')).toMatchObject({ code: 'unrecognized' });
    expect(await parseError('')).toMatchObject({ code: 'empty' });
  });
});

describe('Keyhold export: encrypted', () => {
  let sealed: string;
  beforeAll(async () => {
    sealed = await encryptedExport(ITEMS, PASSWORD, NOW, FAST_KDF);
  });
  const edited = (change: (doc: Doc) => void): string => {
    const doc: Doc = JSON.parse(sealed);
    change(doc);
    return JSON.stringify(doc);
  };
  const flipFirstChar = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

  it('opens with the password and gives the items back exactly', async () => {
    const parsed = await parse(sealed, PASSWORD);
    expect(parsed.issues).toEqual([]);
    expect(exactFields(parsed)).toStrictEqual(ITEMS.map((it) => it.fields));
    // As JSON text the title would follow a quote, which base64url never holds (the bare word can
    // turn up in the ciphertext's base64url by chance: about once in 5,000 runs).
    expect(sealed).not.toContain('"Bank');
  });

  it('asks for a password, and says when it is wrong', async () => {
    expect((await parseError(sealed)).code).toBe('passwordNeeded');
    expect((await parseError(sealed, '')).code).toBe('passwordNeeded');
    expect((await parseError(sealed, `${PASSWORD}!`)).code).toBe('wrongPassword');
  });

  it('opens with the same password in another Unicode form (NFKC)', async () => {
    const composed = await encryptedExport(ITEMS, 'caf\u00e9 ＡＢＣ', NOW, FAST_KDF);
    expect((await parse(composed, 'cafe\u0301 ABC')).exact).toHaveLength(3);
  });

  it('refuses changed data as damaged, not as a wrong password', async () => {
    const tampered = edited((d) => {
      d.data = flipFirstChar(d.data);
    });
    expect(await parseError(tampered, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'data' });
  });

  it('refuses a changed header: the whole header is the associated data', async () => {
    const nonce = edited((d) => {
      d.cipher.nonce = flipFirstChar(d.cipher.nonce);
    });
    const extraKey = edited((d) => {
      d.note = 'added later';
    });
    const format = edited((d) => {
      d.cipher.extra = true;
    });
    for (const text of [nonce, extraKey, format])
      expect(await parseError(text, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'data' });
  });

  it('refuses a lowered work factor: the key changes with it, so the password check fails', async () => {
    const stronger = await encryptedExport(ITEMS, PASSWORD, NOW, { ...FAST_KDF, iterations: 3 });
    const lowered = JSON.parse(stronger);
    lowered.kdf.iterations = 2;
    expect((await parseError(JSON.stringify(lowered), PASSWORD)).code).toBe('wrongPassword');
  });

  it('opens a header re-serialised in another key order and spacing (canonical JSON)', async () => {
    const { data, check, cipher, kdf, version, format } = JSON.parse(sealed);
    const reordered = JSON.stringify({
      data,
      check,
      cipher: { nonce: cipher.nonce, name: cipher.name },
      kdf,
      version,
      format,
    });
    expect((await parse(reordered, PASSWORD)).exact).toHaveLength(3);
  });

  it('refuses a file cut short, and data cut short', async () => {
    expect((await parseError(sealed.slice(0, sealed.length - 40), PASSWORD)).code).toBe('malformed');
    const short = edited((d) => {
      d.data = d.data.slice(0, d.data.length - 24);
    });
    expect(await parseError(short, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'data' });
    const tiny = edited((d) => {
      d.data = 'AAAA';
    });
    expect(await parseError(tiny, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'data' });
  });

  it('refuses a version it does not know before asking for anything', async () => {
    const v2 = edited((d) => {
      d.version = 2;
    });
    expect(await parseError(v2)).toMatchObject({ code: 'unsupportedVersion', detail: '2' });
  });

  it('refuses Argon2id parameters out of bounds before deriving anything', async () => {
    const cases: [string, unknown][] = [
      ['memoryKiB', EXPORT_KDF_BOUNDS.memoryKiB.min - 1],
      ['memoryKiB', EXPORT_KDF_BOUNDS.memoryKiB.max + 1],
      ['memoryKiB', 65_536.5],
      ['iterations', 1],
      ['iterations', 11],
      ['parallelism', 0],
      ['parallelism', 5],
      ['parallelism', '1'],
      ['name', 'argon2i'],
    ];
    for (const [key, value] of cases) {
      const text = edited((d) => {
        d.kdf[key] = value;
      });
      const refused = { code: 'malformed', detail: 'kdf' };
      expect(await parseError(text, PASSWORD), `${key}=${String(value)}`).toMatchObject(refused);
      // Refused even without a password: the bounds are checked before anything is derived.
      expect(await parseError(text), `${key}=${String(value)}`).toMatchObject(refused);
    }
  });

  it('refuses a salt, nonce or check of the wrong size or not base64url', async () => {
    const salt = edited((d) => {
      d.kdf.salt = 'AAAA';
    });
    const nonce = edited((d) => {
      d.cipher.nonce = `${d.cipher.nonce}==`;
    });
    const check = edited((d) => {
      d.check = 42;
    });
    const cipher = edited((d) => {
      d.cipher.name = 'AES-128-CBC';
    });
    expect(await parseError(salt, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'salt' });
    expect(await parseError(nonce, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'nonce' });
    expect(await parseError(check, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'check' });
    expect(await parseError(cipher, PASSWORD)).toMatchObject({ code: 'malformed', detail: 'cipher' });
  });
});

describe('looksKeyhold', () => {
  it('knows both kinds of Keyhold export and nothing else', async () => {
    expect(looksKeyhold(file(plainJsonExport(ITEMS, NOW)))).toBe(true);
    expect(looksKeyhold(file(await encryptedExport(ITEMS, PASSWORD, NOW, FAST_KDF)))).toBe(true);
    const bitwarden = JSON.stringify({ encrypted: false, folders: [], items: [] });
    expect(looksKeyhold(file(bitwarden))).toBe(false);
    expect(looksBitwardenJson(file(plainJsonExport(ITEMS, NOW)))).toBe(false);
    expect(looksKeyhold(file(csvExport(ITEMS)))).toBe(false);
    expect(looksKeyhold(file('{"format":"keyhold-vault"'))).toBe(true);
    expect(looksKeyhold({ name: 'x', bytes: new Uint8Array([0xff, 0xfe, 0x00]) })).toBe(false);
  });
});

describe('Keyhold export round trip (property)', () => {
  const expected = (items: ExportItem[]) =>
    items.map((it, i) => ({
      source: i + 1,
      fields: it.fields,
      createdAt: it.createdAt,
      updatedAt: it.updatedAt,
    }));

  it('plain JSON: every item of every type comes back deep-equal', async () => {
    await fc.assert(
      fc.asyncProperty(vaultData({ loneSurrogates: true, max: 12 }), async (data) => {
        const items = exportItems(data);
        const parsed = await parse(plainJsonExport(items, NOW));
        expect(parsed.issues).toEqual([]);
        expect(parsed.exact).toStrictEqual(expected(items));
        expect(items).toHaveLength(Object.values(data.items).filter((i) => !i.deleted).length);
      }),
      { numRuns: 60 },
    );
  });

  it('encrypted: every item comes back deep-equal (few runs: each costs two Argon2id derivations)', async () => {
    await fc.assert(
      fc.asyncProperty(
        vaultData({ loneSurrogates: true }),
        fc.string({ minLength: 1, maxLength: 20 }),
        async (data, pw) => {
          const items = exportItems(data);
          const parsed = await parse(await encryptedExport(items, pw, NOW, FAST_KDF), pw);
          expect(parsed.issues).toEqual([]);
          expect(parsed.exact).toStrictEqual(expected(items));
        },
      ),
      { numRuns: 8 },
    );
  });
});
