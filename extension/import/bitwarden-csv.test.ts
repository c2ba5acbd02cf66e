import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksBitwardenCsv, parseBitwardenCsv, parseBitwardenFields } from './bitwarden-csv.ts';
import { ImportError, type ImportFile } from './types.ts';

const fixture = (name: string, format = 'bitwarden-csv') =>
  readFileSync(new URL(`./fixtures/${format}/${name}`, import.meta.url), 'utf8');
const file = (text: string, prefix: number[] = []): ImportFile => ({
  name: 'bitwarden_export.csv',
  bytes: new Uint8Array([...prefix, ...new TextEncoder().encode(text)]),
});
const parse = (text: string) => parseBitwardenCsv(file(text), {});
const HEADER =
  'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp';

describe('Bitwarden CSV', () => {
  it('maps the typical individual-vault export field by field', async () => {
    const parsed = await parse(fixture('typical.csv'));
    expect(parsed.format).toBe('bitwarden-csv');
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Twitter',
        folder: 'Social',
        favorite: true,
        username: 'me@example.com',
        password: 'tw-pass',
        urls: ['https://twitter.com'],
      },
      {
        source: 2,
        type: 'login',
        title: 'My Bank',
        favorite: false,
        notes: 'Branch: Main St, 2nd floor',
        username: '12345',
        password: 'bank-pass',
        urls: ['https://bank.example', 'https://m.bank.example'],
        totp: 'otpauth://totp/Bank:12345?secret=JBSWY3DPEHPK3PXP&issuer=Bank',
      },
      {
        source: 3,
        type: 'login',
        title: 'Server',
        folder: 'Work/Servers',
        favorite: false,
        username: 'root',
        password: 'srv-pass',
        urls: ['https://a.example', 'https://b.example'],
        totp: 'JBSWY3DPEHPK3PXP',
        fields: [
          { name: 'PIN', value: '1234', kind: 'text' },
          { name: 'Security question', value: "Pet's name: Rex", kind: 'text' },
          { name: 'Recovery codes', value: 'aaaa-bbbb\ncccc-dddd', kind: 'text' },
          { name: 'Linked', value: '', kind: 'text' },
        ],
      },
      {
        source: 4,
        type: 'note',
        title: 'Wi-Fi',
        folder: 'Personal',
        favorite: false,
        notes: 'SSID: home\nKey: in the drawer',
      },
    ]);
    expect(parsed.issues).toEqual([
      { source: 5, title: 'Visa', outcome: 'skipped', code: 'unsupportedType', detail: 'card' },
      { source: 6, title: '', outcome: 'skipped', code: 'empty' },
    ]);
  });

  it('maps the organization export: the first collection is the folder, the others a field', async () => {
    const parsed = await parse(fixture('organization.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Deploy key',
        folder: 'Eng/Backend',
        favorite: false,
        username: 'deployer',
        password: 'dp-pass',
        urls: ['https://ci.example'],
        fields: [{ name: 'Collections', value: 'Shared, Ops', kind: 'text' }],
      },
      { source: 2, type: 'note', title: 'Runbook', favorite: false, notes: 'Restart the thing' },
    ]);
    expect(parsed.issues).toEqual([]);
  });

  it('finds reordered, differently spelt columns and keeps extra ones as custom fields', async () => {
    const parsed = await parse(fixture('extra-reordered.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Reordered',
        folder: 'Misc',
        favorite: true,
        notes: 'hello',
        username: 'gina',
        password: 'pw',
        urls: ['https://r.example'],
        fields: [{ name: 'Owner', value: 'team-a', kind: 'text' }],
      },
    ]);
  });

  it('keeps quotes, commas, line breaks, emoji and right-to-left text with any line ending and a BOM', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      for (const bom of [[], [0xef, 0xbb, 0xbf]]) {
        const parsed = await parseBitwardenCsv(file(fixture('awkward.csv').replace(/\n/g, eol), bom), {});
        expect(parsed.candidates).toEqual([
          {
            source: 1,
            type: 'login',
            title: 'Quote "q", comma 😀',
            folder: 'دفتر/📁',
            favorite: false,
            notes: `שורה 1${eol}שורה 2`,
            username: 'user',
            password: `pa"ss,word${eol}x`,
            // A URL holding a comma, CSV-quoted inside login_uri, stays one URL.
            urls: ['https://c.example/?a=1,2'],
            fields: [{ name: 'Emoji 🔑', value: '✓', kind: 'text' }],
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
        title: 'Semi',
        folder: 'Semi',
        favorite: true,
        notes: 'a; b',
        username: 'hal',
        password: 'p;w',
        urls: ['https://semi.example'],
      },
    ]);
  });

  it('reads custom field lines: first ": " ends the name, other lines continue a value', () => {
    expect(parseBitwardenFields('')).toEqual([]);
    expect(parseBitwardenFields('a: 1\r\n\r\nb: x: y\r\nlonger\r\n')).toEqual([
      { name: 'a', value: '1\n', kind: 'text' },
      { name: 'b', value: 'x: y\nlonger', kind: 'text' },
    ]);
    expect(parseBitwardenFields(': nameless')).toEqual([{ name: '', value: 'nameless', kind: 'text' }]);
    expect(parseBitwardenFields('Label:\nafter: null')).toEqual([
      { name: 'Label', value: '', kind: 'text' },
      { name: 'after', value: '', kind: 'text' },
    ]);
    expect(parseBitwardenFields('stray\nk: v')).toEqual([
      { name: '', value: 'stray', kind: 'text' },
      { name: 'k', value: 'v', kind: 'text' },
    ]);
  });

  it('keeps login cells a hand-made note row has, titles a nameless login, and defaults an empty type to login', async () => {
    const parsed = await parse(
      'folder,type,name,notes,login_uri,login_username,login_password,login_totp\n' +
        ',note,N,,https://x.example,u,p,T\n' +
        ',,,,https://www.y.example/a,v,q,\n',
    );
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'note',
        title: 'N',
        favorite: false,
        fields: [
          { name: 'login_username', value: 'u', kind: 'text' },
          { name: 'login_password', value: 'p', kind: 'hidden' },
          { name: 'login_uri', value: 'https://x.example', kind: 'text' },
          { name: 'login_totp', value: 'T', kind: 'hidden' },
        ],
      },
      {
        source: 2,
        type: 'login',
        title: 'y.example',
        favorite: false,
        username: 'v',
        password: 'q',
        urls: ['https://www.y.example/a'],
      },
    ]);
    expect(parsed.issues).toEqual([{ source: 2, title: 'y.example', outcome: 'changed', code: 'titleMade' }]);
  });

  it('refuses an empty file, another format, a missing column and too many rows', async () => {
    await expect(parse('')).rejects.toEqual(new ImportError('empty'));
    await expect(parse(`${HEADER}\n`)).rejects.toEqual(new ImportError('empty'));
    await expect(parse(fixture('typical.csv', 'chrome-csv'))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse(fixture('typical.csv', 'keepassxc-csv'))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse('{"encrypted":false,"items":[]}')).rejects.toEqual(new ImportError('unrecognized'));
    await expect(
      parse(
        'folder,favorite,type,name,notes,fields,reprompt,login_username,login_password,login_totp\n,,login,a,,,,b,c,\n',
      ),
    ).rejects.toEqual(new ImportError('missingColumn', 'login_uri'));
    await expect(parse('folder,name,login_uri,login_username,login_password\nf,a,b,c,d\n')).rejects.toEqual(
      new ImportError('missingColumn', 'type'),
    );
    const many = `${HEADER}\n${',,login,a,,,0,,u,p,\n'.repeat(4)}`;
    await expect(parseBitwardenCsv(file(many), { maxItems: 3 })).rejects.toEqual(
      new ImportError('tooManyItems', '3'),
    );
  });

  it('is detected from its header only, and not from other managers’ files', () => {
    expect(looksBitwardenCsv(file(fixture('typical.csv')))).toBe(true);
    expect(looksBitwardenCsv(file(fixture('organization.csv')))).toBe(true);
    expect(looksBitwardenCsv(file(''), `\uFEFF${HEADER}\r\n`)).toBe(true);
    expect(looksBitwardenCsv(file('type,name,login_uri,login_username,login_password\n'))).toBe(false);
    expect(looksBitwardenCsv(file(fixture('typical.csv', 'chrome-csv')))).toBe(false);
    expect(looksBitwardenCsv(file(fixture('typical.csv', 'firefox-csv')))).toBe(false);
    expect(looksBitwardenCsv(file(fixture('typical.csv', 'keepassxc-csv')))).toBe(false);
  });
});
