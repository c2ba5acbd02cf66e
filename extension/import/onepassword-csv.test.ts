import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksOnePasswordCsv, parseOnePasswordCsv } from './onepassword-csv.ts';
import { ImportError, type ImportFile } from './types.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/1password-csv/${name}`, import.meta.url), 'utf8');
const file = (text: string): ImportFile => ({ name: '1password.csv', bytes: new TextEncoder().encode(text) });
const parse = (text: string, maxItems?: number) => parseOnePasswordCsv(file(text), { maxItems });
const HEADER = 'Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes';

describe('1Password CSV: the 1Password 8 export', () => {
  it('maps each row field by field', async () => {
    const { format, candidates } = await parse(fixture('typical.csv'));
    expect(format).toBe('1password-csv');
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Example Mail',
        // The first tag is the folder; the others are kept in a "Tags" field.
        folder: 'Work/Clients',
        favorite: true,
        username: 'alex@example.com',
        password: 'sample-pass-1',
        urls: ['https://mail.example.com/login'],
        totp: 'otpauth://totp/Example:alex?secret=JBSWY3DPEHPK3PXP&issuer=Example',
        notes: 'Recovery codes in the safe, top drawer',
        fields: [{ name: 'Tags', value: 'Urgent, 2024', kind: 'text' }],
      },
      {
        source: 2,
        type: 'login',
        title: 'Old Forum',
        favorite: false,
        trashed: true,
        username: 'alex',
        password: 'sample-pass-2',
        urls: ['https://forum.example.org'],
      },
      {
        // Nothing of a login: a secure note.
        source: 3,
        type: 'note',
        title: 'Door codes',
        folder: 'Home',
        favorite: false,
        notes: 'Front: 1234\nBack: 5678',
      },
      {
        source: 4,
        type: 'login',
        title: 'shop.example.net',
        favorite: false,
        username: 'buyer',
        password: 'sample-pass-3',
        urls: ['https://shop.example.net/'],
      },
    ]);
  });

  it('reports the made title and skips the row with nothing in it', async () => {
    const { issues } = await parse(fixture('typical.csv'));
    expect(issues).toEqual([
      { source: 4, title: 'shop.example.net', outcome: 'changed', code: 'titleMade' },
      { source: 5, title: '', outcome: 'skipped', code: 'empty' },
    ]);
  });

  it('reads the same with a byte-order mark (1Password writes one) and CRLF or CR line endings', async () => {
    const lf = fixture('typical.csv');
    const expected = await parse(lf);
    for (const eol of ['\r\n', '\r']) {
      const { candidates, issues } = await parse(`\uFEFF${lf.replace(/\n/g, eol)}`);
      expect(issues).toEqual(expected.issues);
      expect(candidates.map(({ notes, ...rest }) => rest)).toEqual(
        expected.candidates.map(({ notes, ...rest }) => rest),
      );
      expect(candidates[2]?.notes).toBe(`Front: 1234${eol}Back: 5678`);
    }
  });
});

describe('1Password CSV: other layouts', () => {
  it('reads a 1Password 7 export by its column names, extra columns as fields', async () => {
    const { candidates, issues } = await parse(fixture('1password7.csv'));
    expect(issues).toEqual([]);
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Bank',
        favorite: false,
        username: 'alex',
        password: 'sample-pass-4',
        urls: ['https://bank.example/'],
        fields: [
          { name: 'custom field 1', value: 'blue', kind: 'text' },
          { name: 'PIN', value: 'sample-pin-1', kind: 'hidden' },
        ],
      },
      { source: 2, type: 'note', title: 'Recipe', favorite: false, notes: 'Two eggs' },
      {
        source: 3,
        type: 'login',
        title: 'Wi-Fi',
        favorite: false,
        password: 'sample-pass-5',
        fields: [{ name: 'Type', value: 'Password', kind: 'text' }],
      },
    ]);
  });

  it("reads 1Password 7 for Windows' upper-case export: URL and URLS, section columns", async () => {
    const { format, candidates, issues } = await parse(fixture('1password7-windows.csv'));
    expect(format).toBe('1password-csv');
    expect(issues).toEqual([]);
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Example Shop',
        folder: 'Shopping',
        favorite: false,
        username: 'kit@example.com',
        password: 'sample-pass-6',
        // URL and the URLS list, each website once; UUID, SCOPE and AUTOSUBMIT are dropped.
        urls: ['https://shop.example.net/login', 'https://m.shop.example.net/'],
        notes: 'Loyalty card in the wallet',
        fields: [
          { name: 'EMAIL', value: 'kit@example.com', kind: 'text' },
          { name: 'SECTION 1: KQ3VN2XWZ7', value: 'Backup', kind: 'text' },
          { name: 'KQ3VN2XWZ7 1: RECOVERY CODE', value: 'sample-code-7', kind: 'hidden' },
        ],
      },
      { source: 2, type: 'note', title: 'Locker', favorite: false, notes: 'Row 3, left' },
    ]);
  });

  it('reads reordered columns, upper-case TRUE/FALSE, and keeps an extra column', async () => {
    const { candidates } = await parse(fixture('reordered.csv'));
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Reordered',
        folder: 'Personal',
        favorite: true,
        username: 'alex',
        password: 'sample-pass-6',
        urls: ['https://a.example/'],
        notes: 'a note',
        fields: [{ name: 'Security Question', value: 'sample-answer', kind: 'text' }],
      },
    ]);
  });

  it('keeps quotes, commas, newlines, emoji and right-to-left text as written', async () => {
    const { candidates } = await parse(fixture('awkward.csv'));
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Émoji 🎉 item',
        folder: 'Été/Sous-dossier',
        favorite: false,
        username: 'comma, user',
        password: 'pa"ss,word 🔑',
        urls: ['https://example.com/?a=1&b=2'],
        notes: 'line one\nline "two"\nline 3, with comma',
        fields: [{ name: 'Tags', value: '🎉', kind: 'text' }],
      },
      {
        source: 2,
        type: 'login',
        title: 'حساب عربي',
        folder: 'مجلد',
        favorite: true,
        username: 'مستخدم',
        password: 'كلمة-سر',
        urls: ['https://example.net/'],
        notes: 'ملاحظة باللغة العربية',
      },
    ]);
  });

  it("reads a ';'-separated file (a spreadsheet's re-save in some locales)", async () => {
    const { candidates } = await parse(fixture('semicolon.csv'));
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Semi',
        favorite: false,
        username: 'user;name',
        password: 'pa;ss',
        urls: ['https://semi.example/'],
        notes: 'a; b',
      },
    ]);
  });

  it('keeps each line of a multi-line website cell as a website', async () => {
    const { candidates } = await parse(
      `${HEADER}\nTwo sites,"https://a.example\nhttps://b.example",u,p,,false,false,,\n`,
    );
    expect(candidates[0]?.urls).toEqual(['https://a.example', 'https://b.example']);
  });
});

describe('1Password CSV: whole-file problems', () => {
  it('refuses an empty file and a header without rows', async () => {
    for (const text of ['', ' \r\n', `${HEADER}\n`])
      await expect(parse(text)).rejects.toEqual(new ImportError('empty'));
  });

  it("refuses another manager's header as unrecognized", async () => {
    for (const header of [
      'name,url,username,password,note',
      'url,username,password,totp,extra,name,grouping,fav',
      '"Group","Title","Username","Password","URL","Notes","TOTP"',
    ])
      await expect(parse(`${header}\na,b,c,d,e\n`)).rejects.toEqual(new ImportError('unrecognized'));
  });

  it('names a missing column', async () => {
    await expect(
      parse('Title,Url,Username,OTPAuth,Favorite,Archived,Tags,Notes\nA,,,,,,,\n'),
    ).rejects.toEqual(new ImportError('missingColumn', 'Password'));
    await expect(
      parse('Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n,,,,,,,\n'),
    ).rejects.toEqual(new ImportError('missingColumn', 'Title'));
    await expect(parse('website,username,password\nhttps://a,u,p\n')).rejects.toEqual(
      new ImportError('missingColumn', 'title'),
    );
  });

  it('stops past the item limit', async () => {
    const text = `${HEADER}\n${'A,https://a.example,u,p,,false,false,,\n'.repeat(3)}`;
    await expect(parse(text, 2)).rejects.toEqual(new ImportError('tooManyItems', '2'));
    expect((await parse(text, 3)).candidates).toHaveLength(3);
  });
});

describe('1Password CSV: detection', () => {
  it('knows the 1Password 8 and 7 headers and nothing else', () => {
    expect(looksOnePasswordCsv(file(fixture('typical.csv')))).toBe(true);
    expect(looksOnePasswordCsv(file(`\uFEFF${HEADER}\n`))).toBe(true);
    expect(looksOnePasswordCsv(file(fixture('1password7.csv')))).toBe(true);
    expect(looksOnePasswordCsv(file(fixture('1password7-windows.csv')))).toBe(true);
    expect(looksOnePasswordCsv(file('"TITLE","USERNAME","PASSWORD","URL","SECTION 1: X","X 1: PIN"\n'))).toBe(
      true,
    );
    // TITLE, URL and PASSWORD alone are no 1Password 7 mark.
    expect(looksOnePasswordCsv(file('title,url,username,password,notes\n'))).toBe(false);
    expect(looksOnePasswordCsv(file(''), HEADER)).toBe(true);
    // Apple Passwords' Title,URL,Username,Password,Notes,OTPAuth has no Favorite/Archived.
    expect(looksOnePasswordCsv(file('Title,URL,Username,Password,Notes,OTPAuth\n'))).toBe(false);
    expect(looksOnePasswordCsv(file('name,url,username,password\n'))).toBe(false);
    expect(looksOnePasswordCsv(file('url,username,password,totp,extra,name,grouping,fav\n'))).toBe(false);
    expect(looksOnePasswordCsv(file(''))).toBe(false);
  });
});
