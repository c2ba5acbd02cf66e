import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksKeepassxcCsv, parseKeepassxcCsv } from './keepassxc-csv.ts';
import { ImportError, type ImportFile } from './types.ts';

const fixture = (name: string, format = 'keepassxc-csv') =>
  readFileSync(new URL(`./fixtures/${format}/${name}`, import.meta.url), 'utf8');
const file = (text: string, prefix: number[] = []): ImportFile => ({
  name: 'Passwords.csv',
  bytes: new Uint8Array([...prefix, ...new TextEncoder().encode(text)]),
});
const parse = (text: string) => parseKeepassxcCsv(file(text), {});
const HEADER = '"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"';

describe('KeePassXC CSV', () => {
  it('maps the typical export field by field', async () => {
    const parsed = await parse(fixture('typical.csv'));
    expect(parsed.format).toBe('keepassxc-csv');
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Email',
        username: 'alice@example.com',
        password: 'mail-pass',
        urls: ['https://mail.example.com'],
        createdAt: '2023-01-15T08:30:00.000Z',
        updatedAt: '2024-03-01T10:00:00.000Z',
      },
      {
        source: 2,
        type: 'login',
        title: 'db01',
        folder: 'Work/Servers',
        username: 'admin',
        password: 'db-pass',
        urls: ['ssh://db01.example.internal'],
        totp: 'otpauth://totp/Work:db01?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=Work',
        notes: 'Port 5432\nreplica of db00',
        createdAt: '2023-02-01T09:00:00.000Z',
        updatedAt: '2024-03-02T11:00:00.000Z',
      },
      {
        source: 3,
        type: 'login',
        title: 'Old account',
        username: 'old',
        password: 'old-pass',
        urls: ['https://old.example'],
        createdAt: '2020-01-01T00:00:00.000Z',
        updatedAt: '2024-01-01T00:00:00.000Z',
        trashed: true,
      },
      {
        source: 4,
        type: 'login',
        title: 'portal.example',
        folder: 'Work',
        username: 'bob',
        password: 'x',
        urls: ['https://www.portal.example/login'],
        createdAt: '2024-03-03T12:00:00.000Z',
        updatedAt: '2024-03-03T12:00:00.000Z',
      },
      // Nothing but its group: the user filed it there, so it is kept (entry-rules.ts).
      {
        source: 5,
        type: 'login',
        title: 'Login',
        folder: 'Work',
        createdAt: '2024-03-03T12:00:00.000Z',
        updatedAt: '2024-03-03T12:00:00.000Z',
      },
    ]);
    expect(parsed.issues).toEqual([
      { source: 4, title: 'portal.example', outcome: 'changed', code: 'titleMade' },
      { source: 5, title: 'Login', outcome: 'changed', code: 'titleMade' },
    ]);
  });

  it('skips an entry in the root group with nothing but its icon and times', async () => {
    const parsed = await parse(
      `${HEADER}\n"Root","","","","","","","0","2024-03-03T12:00:00Z","2024-03-03T12:00:00Z"\n`,
    );
    expect(parsed.candidates).toEqual([]);
    expect(parsed.issues).toEqual([{ source: 1, title: '', outcome: 'skipped', code: 'empty' }]);
  });

  it('reads the six-column export of KeePassXC before 2.6.3, with a renamed root group', async () => {
    const parsed = await parse(fixture('six-columns.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Router',
        folder: 'Home',
        username: 'admin',
        password: 'router-pass',
        urls: ['http://192.168.1.1'],
      },
      { source: 2, type: 'login', title: 'NAS', username: 'nas', password: 'nas-pass', notes: 'shelf 2' },
    ]);
  });

  it('drops a leading "Root" even when the rows do not share a first group, and keeps a group under it', async () => {
    const parsed = await parse(
      `${HEADER}\n"Root/A","a","","","","","","0","",""\n"Other/B","b","","","","","","0","",""\n"Root/Recycle Bin/Old/Deeper","c","","","","","","0","",""\n`,
    );
    expect(parsed.candidates.map((c) => [c.title, c.folder, c.trashed])).toEqual([
      ['a', 'A', undefined],
      ['b', 'Other/B', undefined],
      ['c', 'Old/Deeper', true],
    ]);
  });

  it('finds reordered, differently cased columns, keeps extra ones as custom fields and leaves out a bad date', async () => {
    const parsed = await parse(fixture('extra-reordered.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Reordered',
        folder: 'A/B',
        username: 'ivy',
        password: 'pw',
        urls: ['https://x.example'],
        notes: 'n',
        fields: [{ name: 'Custom', value: 'kept', kind: 'text' }],
        createdAt: '2022-05-06T07:08:09.000Z',
      },
    ]);
  });

  it('keeps quotes, commas, line breaks, emoji and right-to-left text with any line ending and a BOM', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      for (const bom of [[], [0xef, 0xbb, 0xbf]]) {
        const parsed = await parseKeepassxcCsv(file(fixture('awkward.csv').replace(/\n/g, eol), bom), {});
        expect(parsed.candidates).toEqual([
          {
            source: 1,
            type: 'login',
            title: 'Quote "q", comma',
            folder: 'עבודה/😀',
            username: 'مستخدم',
            password: 'pa"ss,word',
            urls: ['https://rtl.example'],
            notes: `line 1${eol}line 2, "quoted"`,
            createdAt: '2024-03-01T10:00:00.000Z',
            updatedAt: '2024-03-01T10:00:00.000Z',
          },
        ]);
      }
    }
  });

  it('reads a file separated by semicolons, and a time without a zone as UTC', async () => {
    const parsed = await parse(fixture('semicolon.csv').replace(/T10:00:00Z/g, 'T10:00:00'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Semi',
        folder: 'Semi',
        username: 'jo',
        password: 'p;w',
        urls: ['https://semi.example'],
        notes: 'a, b; c',
        createdAt: '2024-03-01T10:00:00.000Z',
        updatedAt: '2024-03-01T10:00:00.000Z',
      },
    ]);
  });

  it('refuses an empty file, another format, a missing column and too many rows', async () => {
    await expect(parse('')).rejects.toEqual(new ImportError('empty'));
    await expect(parse(`${HEADER}\n`)).rejects.toEqual(new ImportError('empty'));
    await expect(parse(fixture('typical.csv', 'chrome-csv'))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse(fixture('typical.csv', 'bitwarden-csv'))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    // 1Password's and KeePass 2's CSV exports.
    await expect(parse('Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n')).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse('"Account","Login Name","Password","Web Site","Comments"\n')).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse('"Group","Title","Username","Password","URL"\n"R","t","u","p","w"\n')).rejects.toEqual(
      new ImportError('missingColumn', 'Notes'),
    );
    await expect(parse('"Title","Username","Password","URL","Notes"\n"t","u","p","w","n"\n')).rejects.toEqual(
      new ImportError('missingColumn', 'Group'),
    );
    const many = `${HEADER}\n${'"Root","t","u","p","","","","0","",""\n'.repeat(3)}`;
    await expect(parseKeepassxcCsv(file(many), { maxItems: 2 })).rejects.toEqual(
      new ImportError('tooManyItems', '2'),
    );
  });

  it('is detected from its header only, and not from other managers’ files', () => {
    expect(looksKeepassxcCsv(file(fixture('typical.csv')))).toBe(true);
    expect(looksKeepassxcCsv(file(fixture('six-columns.csv')))).toBe(true);
    expect(looksKeepassxcCsv(file(''), `${HEADER}\r\n`)).toBe(true);
    expect(
      looksKeepassxcCsv(file('Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n')),
    ).toBe(false);
    expect(looksKeepassxcCsv(file(fixture('typical.csv', 'chrome-csv')))).toBe(false);
    expect(looksKeepassxcCsv(file(fixture('typical.csv', 'firefox-csv')))).toBe(false);
    expect(looksKeepassxcCsv(file(fixture('typical.csv', 'bitwarden-csv')))).toBe(false);
  });
});
