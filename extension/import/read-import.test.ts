import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkEntry } from './import-entry.ts';
import { detectFormat, readImport } from './read-import.ts';
import { type ImportFile, type ImportFormat, MAX_IMPORT_ITEMS } from './types.ts';

/** From a chosen file to a preview (read-import.ts): detection, the counts, and every bad file. */

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const fixture = (format: string, name: string): ImportFile => ({
  name,
  bytes: new Uint8Array(readFileSync(path.join(FIXTURES, format, name))),
});
const text = (name: string, s: string): ImportFile => ({ name, bytes: new TextEncoder().encode(s) });
const onePux = (data: string): ImportFile => ({
  name: 'export.1pux',
  bytes: zipSync({
    'export.attributes': readFileSync(path.join(FIXTURES, '1password-1pux', 'export.attributes.json')),
    'export.data': readFileSync(path.join(FIXTURES, '1password-1pux', data)),
  }),
});

describe('detectFormat', () => {
  // Every fixture of every text format is recognised as its own format, and as no other.
  const formats = [
    '1password-csv',
    'bitwarden-csv',
    'bitwarden-json',
    'chrome-csv',
    'firefox-csv',
    'keepass-xml',
  ];
  const more = ['keepassxc-csv', 'lastpass-csv', 'protonpass'];
  for (const format of [...formats, ...more]) {
    for (const name of readdirSync(path.join(FIXTURES, format))) {
      it(`${format}/${name}`, () => {
        expect(detectFormat(fixture(format, name))).toBe(format);
      });
    }
  }

  it('a 1PUX zip, and a Dashlane CSV', () => {
    expect(detectFormat(onePux('typical.export.data.json'))).toBe('1password-1pux');
    expect(detectFormat(fixture('dashlane-csv', 'credentials-reordered.csv'))).toBe('dashlane-csv');
  });

  it('says empty for an empty or blank file, and too large for a 50 MB one, before reading it', () => {
    expect(() => detectFormat(text('a.csv', ''))).toThrow(expect.objectContaining({ code: 'empty' }));
    expect(() => detectFormat(text('a.csv', ' \r\n\t\n'))).toThrow(
      expect.objectContaining({ code: 'empty' }),
    );
    const big: ImportFile = { name: 'big.csv', bytes: new Uint8Array(50 * 1024 * 1024).fill(0x61) };
    expect(() => detectFormat(big)).toThrow(expect.objectContaining({ code: 'tooLarge' }));
  });

  it('finds no format in a file that is none (notes, a JSON of something else, random bytes)', () => {
    expect(detectFormat(text('notes.txt', 'just some notes\nnothing like an export\n'))).toBeNull();
    expect(detectFormat(text('package.json', '{"name":"x","version":"1.0.0"}'))).toBeNull();
    const noise = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    expect(detectFormat({ name: 'x.bin', bytes: noise })).toBeNull();
  });
});

describe('readImport', () => {
  it('previews a Bitwarden export: counts by type and folder, and what is skipped or changed', async () => {
    const preview = await readImport(fixture('bitwarden-json', 'individual.json'), 'bitwarden-json');
    const total = Object.values(preview.byType).reduce((a, b) => a + (b ?? 0), 0);
    expect(total).toBe(preview.entries.length);
    expect(preview.byFolder.reduce((a, [, n]) => a + n, 0)).toBe(preview.entries.length);
    expect(preview.byFolder.map(([f]) => f)).toContain('Work/Servers');
    // Every entry is one the worker will accept.
    for (const e of preview.entries) expect(checkEntry(e)).not.toBeNull();
    // Issues come in file order.
    const sources = preview.issues.map((i) => i.source);
    expect(sources).toEqual([...sources].sort((a, b) => a - b));
  });

  it('refuses a file read as a format it is not, saying so', async () => {
    const csv = text('chrome.csv', 'name,url,username,password\nShop,https://shop.example,ada,pw\n');
    const tries: ImportFormat[] = [
      'keepass-xml',
      'bitwarden-json',
      '1password-1pux',
      'protonpass',
      'keyhold',
    ];
    for (const format of tries)
      await expect(readImport(csv, format), format).rejects.toMatchObject({
        name: 'ImportError',
        code: expect.stringMatching(/^(unrecognized|malformed)$/),
      });
  });

  it('says which column is missing from a CSV', async () => {
    const noPassword = text(
      'bw.csv',
      'folder,favorite,type,name,notes,fields,login_uri,login_username\n,,login,A,,,https://a.example,ada\n',
    );
    await expect(readImport(noPassword, 'bitwarden-csv')).rejects.toMatchObject({
      code: 'missingColumn',
      detail: expect.stringContaining('password'),
    });
  });

  it('says a cut-short zip or JSON is damaged', async () => {
    const zip = onePux('typical.export.data.json');
    const cut = { name: zip.name, bytes: zip.bytes.subarray(0, Math.floor(zip.bytes.length / 2)) };
    await expect(readImport(cut, '1password-1pux')).rejects.toMatchObject({ code: 'malformed' });
    const json = fixture('bitwarden-json', 'individual.json');
    const half = { name: json.name, bytes: json.bytes.subarray(0, Math.floor(json.bytes.length / 2)) };
    await expect(readImport(half, 'bitwarden-json')).rejects.toMatchObject({ code: 'malformed' });
  });

  it(`refuses more than ${MAX_IMPORT_ITEMS.toLocaleString('en')} rows, and takes exactly that many`, async () => {
    const rows = (n: number) =>
      `name,url,username,password\n${Array.from({ length: n }, (_, i) => `S${i},https://s${i}.example,u${i},p${i}`).join('\n')}\n`;
    await expect(readImport(text('big.csv', rows(100_000)), 'chrome-csv')).rejects.toMatchObject({
      code: 'tooManyItems',
    });
    const preview = await readImport(text('max.csv', rows(MAX_IMPORT_ITEMS)), 'chrome-csv');
    expect(preview.entries).toHaveLength(MAX_IMPORT_ITEMS);
  }, 60_000);

  it('says empty for a file with a header and no rows', async () => {
    await expect(
      readImport(text('e.csv', 'name,url,username,password\n'), 'chrome-csv'),
    ).rejects.toMatchObject({
      code: 'empty',
    });
  });
});
