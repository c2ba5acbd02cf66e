import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksFirefoxCsv, parseFirefoxCsv } from './firefox-csv.ts';
import { ImportError, type ImportFile } from './types.ts';

const fixture = (name: string, format = 'firefox-csv') =>
  readFileSync(new URL(`./fixtures/${format}/${name}`, import.meta.url), 'utf8');
const file = (text: string, prefix: number[] = []): ImportFile => ({
  name: 'logins.csv',
  bytes: new Uint8Array([...prefix, ...new TextEncoder().encode(text)]),
});
const parse = (text: string) => parseFirefoxCsv(file(text), {});
const HEADER =
  '"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"';

describe('Firefox CSV', () => {
  it('maps the typical export (all quoted, CRLF, no final line end) field by field', async () => {
    const text = fixture('typical.csv');
    expect(text).toContain('\r\n');
    const parsed = await parse(text);
    expect(parsed.format).toBe('firefox-csv');
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'example.com',
        username: 'alice@example.com',
        password: 'p4ss-W0rd!',
        urls: ['https://example.com'],
        createdAt: '2020-01-01T00:00:00.000Z',
        updatedAt: '2020-02-01T00:00:00.000Z',
      },
      {
        source: 2,
        type: 'login',
        title: 'intranet.example.org',
        username: 'bob',
        password: 'realm "pass"',
        urls: ['https://intranet.example.org:8443'],
        fields: [{ name: 'HTTP realm', value: 'Intranet Login', kind: 'text' }],
        createdAt: '2020-09-13T12:26:40.000Z',
        updatedAt: '2020-09-13T12:26:40.000Z',
      },
      {
        source: 3,
        type: 'login',
        title: 'shop.example',
        username: 'carol',
        password: 'shop,pass',
        urls: ['https://www.shop.example'],
        fields: [{ name: 'Form action origin', value: 'https://auth.shop.example', kind: 'text' }],
        createdAt: '2022-04-15T05:20:00.000Z',
        updatedAt: '2022-08-08T23:06:40.000Z',
      },
      {
        source: 4,
        type: 'login',
        title: 'app.example',
        password: 'only-password',
        urls: ['https://app.example'],
        createdAt: '2023-11-14T22:13:20.000Z',
        updatedAt: '2023-11-14T22:13:20.000Z',
      },
    ]);
    // Firefox has no titles: making them from the host is the format, not a change worth a note.
    expect(parsed.issues).toEqual([]);
  });

  it('finds reordered, differently cased columns and keeps extra ones as custom fields', async () => {
    const parsed = await parse(fixture('extra-reordered.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'extra.example',
        username: 'erin',
        password: 'pw',
        urls: ['https://extra.example/'],
        fields: [{ name: 'Profile', value: 'work', kind: 'text' }],
        createdAt: '2023-03-28T10:40:00.000Z',
        updatedAt: '2023-07-22T04:26:40.000Z',
      },
    ]);
  });

  it('keeps quotes, commas, line breaks, emoji and right-to-left text with any line ending and a BOM', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      for (const bom of [[], [0xef, 0xbb, 0xbf]]) {
        const parsed = await parseFirefoxCsv(file(fixture('awkward.csv').replace(/\n/g, eol), bom), {});
        expect(parsed.candidates).toEqual([
          {
            source: 1,
            type: 'login',
            title: 'rtl.example',
            username: 'مستخدم 😀',
            password: `pa"ss,word${eol}second line`,
            urls: ['https://rtl.example'],
            fields: [{ name: 'HTTP realm', value: '\u200fאזור', kind: 'text' }],
            createdAt: '2020-01-01T00:00:00.000Z',
            updatedAt: '2020-01-01T00:00:00.000Z',
          },
        ]);
      }
    }
  });

  it('reads a file separated by semicolons', async () => {
    const parsed = await parse(fixture('semicolon.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'semi.example',
        username: 'frank',
        password: 'pa;ss',
        urls: ['https://semi.example'],
        createdAt: '2020-01-01T00:00:00.000Z',
        updatedAt: '2020-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('skips a row with only Firefox bookkeeping in it, and leaves out times that are not times', async () => {
    const parsed = await parse(
      `${HEADER}\r\n"","","",,,"{x}","1577836800000","1577836800000","1577836800000"\r\n"https://t.example","u","p",,,"{y}","soon","0",""`,
    );
    expect(parsed.candidates).toEqual([
      {
        source: 2,
        type: 'login',
        title: 't.example',
        username: 'u',
        password: 'p',
        urls: ['https://t.example'],
      },
    ]);
    expect(parsed.issues).toEqual([{ source: 1, title: '', outcome: 'skipped', code: 'empty' }]);
  });

  it("skips Firefox's own chrome://FirefoxAccounts row (sync keys), and reads the rest", async () => {
    const parsed = await parse(fixture('firefox-accounts-row.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 2,
        type: 'login',
        title: 'news.example.org',
        username: 'reader',
        password: 'sample-pass-9',
        urls: ['https://news.example.org'],
        createdAt: '2020-09-13T12:26:40.000Z',
        updatedAt: '2020-09-13T12:26:40.000Z',
      },
    ]);
    expect(parsed.issues).toEqual([
      {
        source: 1,
        title: '',
        outcome: 'skipped',
        code: 'unsupportedType',
        detail: 'chrome://FirefoxAccounts',
      },
    ]);
  });

  it('titles a login without a website after its username', async () => {
    const parsed = await parse(`${HEADER}\n"","solo","pw",,,"{z}","","",""\n`);
    expect(parsed.candidates).toEqual([
      { source: 1, type: 'login', title: 'solo', username: 'solo', password: 'pw' },
    ]);
  });

  it('refuses an empty file, another format, a missing column and too many rows', async () => {
    await expect(parse('')).rejects.toEqual(new ImportError('empty'));
    await expect(parse(`${HEADER}\r\n`)).rejects.toEqual(new ImportError('empty'));
    await expect(parse(fixture('typical.csv', 'chrome-csv'))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse('<?xml version="1.0"?><KeePassFile/>')).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse('"url","username","httpRealm"\n"a","b","c"\n')).rejects.toEqual(
      new ImportError('missingColumn', 'password'),
    );
    await expect(parse('"username","password","guid"\n"a","b","c"\n')).rejects.toEqual(
      new ImportError('missingColumn', 'url'),
    );
    const many = `${HEADER}\n${'"https://a.example","u","p",,,,,,\n'.repeat(6)}`;
    await expect(parseFirefoxCsv(file(many), { maxItems: 5 })).rejects.toEqual(
      new ImportError('tooManyItems', '5'),
    );
  });

  it('is detected from its header only, and not from other managers’ files', () => {
    expect(looksFirefoxCsv(file(fixture('typical.csv')))).toBe(true);
    expect(looksFirefoxCsv(file(''), `${HEADER}\r\n`)).toBe(true);
    expect(looksFirefoxCsv(file(fixture('semicolon.csv')))).toBe(true);
    // url,username,password alone could be anyone's: Firefox's own columns decide.
    expect(looksFirefoxCsv(file('url,username,password\n'))).toBe(false);
    expect(looksFirefoxCsv(file(fixture('typical.csv', 'chrome-csv')))).toBe(false);
    expect(looksFirefoxCsv(file(fixture('typical.csv', 'bitwarden-csv')))).toBe(false);
    expect(looksFirefoxCsv({ name: 'x', bytes: new Uint8Array([0xff, 0xfe, 0x00, 0xd8]) })).toBe(false);
  });
});
