import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { LocalItem, VaultData } from '../background/vault-data.ts';
import { parseBitwardenCsv } from '../import/bitwarden-csv.ts';
import { finalize } from '../import/finalize.ts';
import { ImportError } from '../import/types.ts';
import { type ItemFields, loginFields, normalizeFields } from '../messaging/item-schema.ts';
import { vaultData } from '../test-support/vault-arbitraries.ts';
import {
  CSV_COLUMNS,
  csvExport,
  DEFAULT_EXPORT_KDF,
  EXPORT_KDF_BOUNDS,
  type ExportItem,
  encryptedExport,
  exportItems,
  plainJsonExport,
} from './vault-export.ts';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const FAST_KDF = { memoryKiB: EXPORT_KDF_BOUNDS.memoryKiB.min, iterations: 2, parallelism: 1 };

function local(id: string, fields: ItemFields, extra: Partial<LocalItem> = {}): LocalItem {
  return {
    id,
    revision: 3,
    fields,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-02-01T00:00:00.000Z',
    conflictOf: null,
    dirty: false,
    deleted: false,
    ...extra,
  };
}

const vault = (...items: LocalItem[]): VaultData => ({
  version: 1,
  revision: 10,
  lastSyncAt: null,
  items: Object.fromEntries(items.map((i) => [i.id, i])),
});

const item = (fields: ItemFields): ExportItem => ({
  fields,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
});

describe('exportItems', () => {
  const mail = loginFields({ title: 'mail', username: 'ada' });
  const data = vault(
    local('b', loginFields({ title: 'Zoo' })),
    local('a', mail, {
      createdAt: '2024-03-01T00:00:00.000Z',
      dirty: true,
      base: loginFields({ title: 'm' }),
    }),
    local('c', loginFields({ title: 'Mail', username: 'conflict' }), { conflictOf: 'a' }),
    local('d', { ...mail, trashedAt: '2025-01-01T00:00:00.000Z' }, { createdAt: '2023-01-01T00:00:00.000Z' }),
    local('e', loginFields({ title: 'Deleted' }), { deleted: true, dirty: true }),
    local('f', loginFields({ title: 'item 10' })),
    local('g', loginFields({ title: 'item 9' })),
  );

  it('keeps trash and conflict copies, leaves tombstones out, and nothing about sync', () => {
    const items = exportItems(data);
    expect(items.map((i) => i.fields.title)).not.toContain('Deleted');
    expect(items).toHaveLength(6);
    for (const i of items) expect(Object.keys(i).sort()).toEqual(['createdAt', 'fields', 'updatedAt']);
    expect(items.find((i) => i.fields.trashedAt !== null)?.fields).toEqual(data.items.d?.fields);
  });

  it('sorts by title (case and numbers as people read them), then by creation time', () => {
    expect(exportItems(data).map((i) => [i.fields.title, i.createdAt])).toEqual([
      ['item 9', '2024-01-01T00:00:00.000Z'],
      ['item 10', '2024-01-01T00:00:00.000Z'],
      ['mail', '2023-01-01T00:00:00.000Z'],
      ['mail', '2024-03-01T00:00:00.000Z'],
      ['Mail', '2024-01-01T00:00:00.000Z'],
      ['Zoo', '2024-01-01T00:00:00.000Z'],
    ]);
  });

  it('gives copies: changing the export does not change the vault', () => {
    const [first] = exportItems(data);
    if (!first) throw new Error('no items');
    first.fields.title = 'changed';
    expect(Object.values(data.items).map((i) => i.fields.title)).not.toContain('changed');
  });

  it('brings fields of an older body to today’s shape', () => {
    const old = { title: 'Old', username: 'u', password: 'p', uris: [], notes: '' } as unknown as ItemFields;
    const [only] = exportItems(vault(local('x', old)));
    expect(only?.fields).toEqual(normalizeFields(old));
    expect(only?.fields.type).toBe('login');
  });
});

describe('plainJsonExport and encryptedExport', () => {
  const items = [item(loginFields({ title: 'Bank', password: 'hunter2' }))];

  it('writes the plain format, pretty-printed', () => {
    const text = plainJsonExport(items, NOW);
    expect(JSON.parse(text)).toEqual({
      format: 'keyhold-vault',
      version: 1,
      exportedAt: NOW.toISOString(),
      items,
    });
    expect(text.split('\n')[1]).toBe('  "format": "keyhold-vault",');
  });

  it('writes the encrypted format with the default work factor, fresh salt and nonce, no plaintext', async () => {
    const a = JSON.parse(await encryptedExport(items, 'pw', NOW));
    const b = JSON.parse(await encryptedExport(items, 'pw', NOW, FAST_KDF));
    expect(Object.keys(a)).toEqual(['format', 'version', 'kdf', 'cipher', 'check', 'data']);
    expect(a).toMatchObject({
      format: 'keyhold-export',
      version: 1,
      kdf: { name: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 1 },
      cipher: { name: 'AES-256-GCM' },
    });
    expect(DEFAULT_EXPORT_KDF).toEqual({ memoryKiB: 65_536, iterations: 3, parallelism: 1 });
    expect(a.kdf.salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.cipher.nonce).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.cipher.nonce).not.toBe(b.cipher.nonce);
    for (const doc of [a, b]) {
      expect(JSON.stringify(doc)).not.toMatch(/Bank|hunter2/);
      // AES-GCM: as long as the plain export plus the 16-byte tag.
      const plainLength = new TextEncoder().encode(plainJsonExport(items, NOW)).length;
      expect(Math.floor((doc.data.length * 6) / 8)).toBe(plainLength + 16);
    }
  });

  it('refuses to write a file no reader would open', async () => {
    await expect(encryptedExport(items, '', NOW, FAST_KDF)).rejects.toThrow(RangeError);
    for (const kdf of [
      { ...FAST_KDF, memoryKiB: 8192 },
      { ...FAST_KDF, iterations: 1 },
      { ...FAST_KDF, parallelism: 8 },
      { ...FAST_KDF, memoryKiB: 2 * 1_048_576 },
    ])
      await expect(encryptedExport(items, 'pw', NOW, kdf)).rejects.toThrow(RangeError);
  });
});

const csvRows = (csv: string) => Papa.parse<string[]>(csv, { header: false, skipEmptyLines: true }).data;

describe('csvExport', () => {
  const login = loginFields({
    title: 'Bank',
    folder: 'Money/Banks',
    favorite: true,
    username: 'ada',
    password: '=cmd|x,"y"',
    uris: [
      { url: 'https://bank.example/a,b', match: 'host' },
      { url: 'https://m.bank.example', match: 'domain' },
    ],
    totp: 'JBSWY3DPEHPK3PXP',
    notes: 'line 1\r\nline 2',
    customFields: [
      { name: 'PIN', kind: 'hidden', value: '1234' },
      { name: 'Admin', kind: 'boolean', value: 'true' },
      { name: 'Login', kind: 'linked', value: '', linkedTo: 'username' },
    ],
  });
  const card = normalizeFields({
    type: 'card',
    title: 'Visa',
    cardholder: 'Ada Lovelace',
    brand: '',
    number: '4111111111111111',
    expMonth: '03',
    expYear: '2019',
    code: '123',
    notes: 'Old card',
  });
  const identity = normalizeFields({ type: 'identity', title: 'Me', firstName: 'Ada', country: 'UK' });
  const trashed = normalizeFields({ type: 'note', title: 'Bin', trashedAt: '2025-01-01T00:00:00.000Z' });

  it("writes Bitwarden's individual-vault header and a login row by row, trash left out", () => {
    const csv = csvExport([item(login), item(trashed)]);
    expect(csv.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
    expect(CSV_COLUMNS.join(',')).toBe(
      'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp',
    );
    expect(csvRows(csv).slice(1)).toEqual([
      [
        'Money/Banks',
        '1',
        'login',
        'Bank',
        'line 1\r\nline 2',
        'PIN: 1234\nAdmin: true\nLogin: (linked to username)',
        '0',
        '"https://bank.example/a,b",https://m.bank.example',
        'ada',
        '=cmd|x,"y"',
        'JBSWY3DPEHPK3PXP',
      ],
    ]);
  });

  it('writes a card or an identity as a note: "Label: value" lines, a blank line, then its notes', () => {
    const rows = csvRows(csvExport([item(card), item(identity)])).slice(1);
    expect(rows.map((r) => r.slice(0, 5))).toEqual([
      [
        '',
        '0',
        'note',
        'Visa',
        'Cardholder: Ada Lovelace\nNumber: 4111111111111111\nExpiry: 03/2019\nSecurity code: 123\n\nOld card',
      ],
      ['', '0', 'note', 'Me', 'First name: Ada\nCountry: UK'],
    ]);
    for (const r of rows) expect(r.slice(7)).toEqual(['', '', '', '']);
  });

  it('reads back through the Bitwarden CSV reader: a website holding a comma stays one website', async () => {
    const csv = csvExport([item(login)]);
    const parsed = await parseBitwardenCsv({ name: 'x.csv', bytes: new TextEncoder().encode(csv) }, {});
    const { items, issues } = finalize(parsed.candidates, NOW);
    expect([...parsed.issues, ...issues]).toEqual([]);
    expect(items[0]?.input).toMatchObject({
      type: 'login',
      title: 'Bank',
      uris: [
        { url: 'https://bank.example/a,b', match: 'domain' },
        { url: 'https://m.bank.example', match: 'domain' },
      ],
      customFields: [
        { name: 'PIN', kind: 'text', value: '1234' },
        { name: 'Admin', kind: 'text', value: 'true' },
        { name: 'Login', kind: 'text', value: '(linked to username)' },
      ],
    });
  });

  it('property: logins and notes keep title, username, password, websites, TOTP, notes, folder, favourite', async () => {
    await fc.assert(
      fc.asyncProperty(vaultData({ max: 10 }), async (data) => {
        const kept = exportItems(data).filter((i) => i.fields.trashedAt === null);
        const csv = csvExport(exportItems(data));
        const file = { name: 'keyhold.csv', bytes: new TextEncoder().encode(csv) };
        if (kept.length === 0) {
          await expect(parseBitwardenCsv(file, {})).rejects.toThrow(ImportError);
          return;
        }
        const parsed = await parseBitwardenCsv(file, {});
        const { items, issues } = finalize(parsed.candidates, NOW);
        expect([...parsed.issues, ...issues]).toEqual([]);
        expect(items).toHaveLength(kept.length);
        kept.forEach(({ fields: f }, i) => {
          const got = items[i]?.input;
          if (!got) throw new Error(`item ${i} missing`);
          expect(got.title).toBe(f.title);
          expect(got.folder).toBe(f.folder);
          expect(got.favorite).toBe(f.favorite);
          if (f.type === 'login') {
            expect(got).toMatchObject({
              type: 'login',
              notes: f.notes,
              username: f.username,
              password: f.password,
              totp: f.totp,
              uris: f.uris.map((u) => ({ url: u.url, match: 'domain' })),
            });
          } else {
            expect(got.type).toBe('note');
            if (f.type === 'note') expect(got.notes).toBe(f.notes);
            else expect(got.notes.endsWith(f.notes)).toBe(true);
          }
          // Custom fields on one line each, names free of ": ", come back as text fields (a line
          // break in any field's name or value makes the lines ambiguous, and Bitwarden writes
          // "null" for no value: docs/export.md).
          const simple = (cf: { name: string; value: string }) =>
            !/[\r\n]/.test(cf.name + cf.value) &&
            !cf.name.includes(': ') &&
            !cf.name.endsWith(':') &&
            cf.value !== 'null';
          if (f.customFields.every(simple))
            expect(got.customFields).toEqual(
              f.customFields.map((cf) => ({
                name: cf.name,
                kind: 'text',
                value: cf.kind === 'linked' ? `(linked to ${cf.linkedTo})` : cf.value,
              })),
            );
        });
      }),
      { numRuns: 60 },
    );
  });
});
