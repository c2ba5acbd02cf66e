import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksChromeCsv, parseChromeCsv } from './chrome-csv.ts';
import { ImportError, type ImportFile } from './types.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/chrome-csv/${name}`, import.meta.url), 'utf8');
const file = (text: string, prefix: number[] = []): ImportFile => ({
  name: 'Chrome Passwords.csv',
  bytes: new Uint8Array([...prefix, ...new TextEncoder().encode(text)]),
});
const parse = (text: string) => parseChromeCsv(file(text), {});

describe('Chrome CSV', () => {
  it('maps the typical export (with the note column) field by field', async () => {
    const parsed = await parse(fixture('typical.csv'));
    expect(parsed.format).toBe('chrome-csv');
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'example.com',
        username: 'alice@example.com',
        password: 'p4ss-W0rd!',
        urls: ['https://example.com/login'],
      },
      {
        source: 2,
        type: 'login',
        title: 'accounts.google.com',
        username: 'alice.g@gmail.com',
        password: 'g,pass"word',
        urls: ['https://accounts.google.com/'],
        notes: 'Recovery email: bob@example.com',
      },
      {
        source: 3,
        type: 'login',
        title: 'Example App',
        username: 'alice',
        password: 'app-secret',
        urls: ['android://AbCdEf123_hash==@com.example.app/'],
      },
      {
        source: 4,
        type: 'login',
        title: 'nameless.example',
        username: 'bob',
        password: 'hunter2',
        urls: ['https://www.nameless.example/path'],
        notes: 'two\nlines',
      },
    ]);
    expect(parsed.issues).toEqual([
      { source: 4, title: 'nameless.example', outcome: 'changed', code: 'titleMade' },
    ]);
  });

  it('reads the older four-column export (CRLF)', async () => {
    const parsed = await parse(fixture('old-four-columns.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'github.com',
        username: 'octocat',
        password: 'gh-pass',
        urls: ['https://github.com/session'],
      },
    ]);
    expect(parsed.issues).toEqual([]);
  });

  it('finds reordered, differently cased columns and keeps extra ones as custom fields', async () => {
    const parsed = await parse(fixture('extra-reordered.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Shop',
        username: 'carol',
        password: 's3cret',
        urls: ['https://shop.example/'],
        notes: 'gift cards',
        fields: [{ name: 'Category', value: 'Shopping', kind: 'text' }],
      },
      {
        source: 2,
        type: 'login',
        title: 'News',
        username: 'dave',
        password: 'pw2',
        urls: ['https://news.example/'],
        fields: [{ name: 'Login Count', value: '7', kind: 'text' }],
      },
    ]);
  });

  it('keeps quotes, commas, line breaks, emoji and right-to-left text with any line ending and a BOM', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      for (const bom of [[], [0xef, 0xbb, 0xbf]]) {
        const text = fixture('awkward.csv').replace(/\n/g, eol);
        const parsed = await parseChromeCsv(file(text, bom), {});
        expect(parsed.candidates).toEqual([
          {
            source: 1,
            type: 'login',
            title: 'Quote "and", comma',
            username: 'user,with,commas',
            password: 'pa"ss,word',
            urls: ['https://q.example/'],
            notes: `line 1${eol}line 2, "quoted"${eol}line 3`,
          },
          {
            source: 2,
            type: 'login',
            title: 'מבחן 😀',
            username: 'مستخدم',
            password: 'пароль🔑',
            urls: ['https://rtl.example/'],
            notes: '\u200fשלום עולם',
          },
        ]);
      }
    }
  });

  it('reads a UTF-16 file with its byte-order mark', async () => {
    const text = fixture('old-four-columns.csv');
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      bytes[2 + 2 * i] = text.charCodeAt(i) & 0xff;
      bytes[3 + 2 * i] = text.charCodeAt(i) >> 8;
    }
    const parsed = await parseChromeCsv({ name: 'p.csv', bytes }, {});
    expect(parsed.candidates.map((c) => [c.title, c.password])).toEqual([['github.com', 'gh-pass']]);
  });

  it('reads a file separated by semicolons', async () => {
    const parsed = await parse(fixture('semicolon.csv'));
    expect(parsed.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Semi',
        username: 'erin',
        password: 'pa;ss',
        urls: ['https://semi.example/'],
        notes: 'a, b; c',
      },
    ]);
  });

  it('passes over blank rows and makes a title from the username when there is no website', async () => {
    // papaparse drops rows of blank cells (csv.ts); every Chrome column is content, so no row is "empty".
    const parsed = await parse('name,url,username,password,note\n" ",,,,\n,,,,\nx,,,,\n,,solo,pw,\n');
    expect(parsed.candidates).toEqual([
      { source: 1, type: 'login', title: 'x' },
      { source: 2, type: 'login', title: 'solo', username: 'solo', password: 'pw' },
    ]);
    expect(parsed.issues).toEqual([{ source: 2, title: 'solo', outcome: 'changed', code: 'titleMade' }]);
  });

  it('keeps a row with a wrong number of cells and says so', async () => {
    const parsed = await parse('name,url,username,password\nA,https://a.example,u\n');
    expect(parsed.candidates).toEqual([
      { source: 1, type: 'login', title: 'A', username: 'u', urls: ['https://a.example'] },
    ]);
    expect(parsed.issues).toEqual([{ source: 1, title: 'A', outcome: 'changed', code: 'unreadable' }]);
  });

  it('refuses an empty file, another format, a missing column and too many rows', async () => {
    await expect(parse('')).rejects.toEqual(new ImportError('empty'));
    await expect(parse('\r\n \n')).rejects.toEqual(new ImportError('empty'));
    await expect(parse('name,url,username,password,note\n')).rejects.toEqual(new ImportError('empty'));
    await expect(parse('{"items": []}')).rejects.toEqual(new ImportError('unrecognized'));
    await expect(
      parse(readFileSync(new URL('./fixtures/firefox-csv/typical.csv', import.meta.url), 'utf8')),
    ).rejects.toEqual(new ImportError('unrecognized'));
    await expect(parse('url,username,password,totp,extra,name,grouping,fav\n')).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse('name,url,username,note\na,b,c,d\n')).rejects.toEqual(
      new ImportError('missingColumn', 'password'),
    );
    await expect(parse('name,username,password\na,b,c\n')).rejects.toEqual(
      new ImportError('missingColumn', 'url'),
    );
    const many = `name,url,username,password\n${'a,https://a.example,u,p\n'.repeat(11)}`;
    await expect(parseChromeCsv(file(many), { maxItems: 10 })).rejects.toEqual(
      new ImportError('tooManyItems', '10'),
    );
    expect((await parseChromeCsv(file(many), { maxItems: 11 })).candidates).toHaveLength(11);
    // The header is judged first: a long file of another kind is not "too many items".
    await expect(parseChromeCsv(file(`a,b\n${'1,2\n'.repeat(20)}`), { maxItems: 10 })).rejects.toEqual(
      new ImportError('unrecognized'),
    );
  });

  it('is detected from its header only, and not from other managers’ files', () => {
    expect(looksChromeCsv(file(fixture('typical.csv')))).toBe(true);
    expect(looksChromeCsv(file(fixture('old-four-columns.csv')))).toBe(true);
    expect(looksChromeCsv(file(''), 'name;url;username;password\n')).toBe(true);
    expect(looksChromeCsv(file(fixture('typical.csv')), 'url,username,password\n')).toBe(false);
    expect(looksChromeCsv(file('url,username,password,totp,extra,name,grouping,fav\n'))).toBe(false);
    expect(
      looksChromeCsv(file('name,url,email,username,password,note,totp,createTime,modifyTime,vault\n')),
    ).toBe(false);
    expect(
      looksChromeCsv(
        file(readFileSync(new URL('./fixtures/firefox-csv/typical.csv', import.meta.url), 'utf8')),
      ),
    ).toBe(false);
    expect(looksChromeCsv({ name: 'x.zip', bytes: new Uint8Array([0x50, 0x4b, 3, 4, 0, 0xff]) })).toBe(false);
  });
});
