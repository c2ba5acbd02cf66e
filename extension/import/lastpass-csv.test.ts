import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksLastpassCsv, parseLastpassCsv } from './lastpass-csv.ts';
import { ImportError, type ImportFile } from './types.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/lastpass-csv/${name}`, import.meta.url), 'utf8');
const file = (text: string): ImportFile => ({ name: 'lastpass.csv', bytes: new TextEncoder().encode(text) });
const parse = (text: string, maxItems?: number) => parseLastpassCsv(file(text), { maxItems });
const HEADER = 'url,username,password,totp,extra,name,grouping,fav';
/** One secure-note row whose text is `extra`. */
const note = (extra: string, name = 'N') =>
  `${HEADER}\nhttp://sn,,,,"${extra.replace(/"/g, '""')}",${name},,0\n`;

describe('LastPass CSV: the typical export', () => {
  it('maps each row field by field', async () => {
    const { format, candidates } = await parse(fixture('typical.csv'));
    expect(format).toBe('lastpass-csv');
    expect(candidates).toHaveLength(9);
    const [mail, router, shop, wifi, card, address, ssh, bank, custom] = candidates;
    expect(mail).toEqual({
      source: 1,
      type: 'login',
      title: 'Example Mail',
      folder: 'Work/Servers',
      favorite: true,
      username: 'alex@example.com',
      password: 'sample-pass-1',
      urls: ['https://mail.example.com/login'],
      totp: 'JBSWY3DPEHPK3PXP',
      notes: 'Recovery codes are in the safe, top drawer',
    });
    // "http://" is LastPass's way of writing no address; "(none)" is no folder.
    expect(router).toEqual({
      source: 2,
      type: 'login',
      title: 'Router',
      favorite: false,
      username: 'kit',
      password: 'sample-pass-2',
    });
    expect(shop).toMatchObject({ source: 3, title: 'shop.example.org', urls: ['https://shop.example.org/'] });
    expect(wifi).toEqual({
      source: 4,
      type: 'note',
      title: 'Home Wi-Fi',
      folder: 'Personal',
      favorite: false,
      notes: 'Wi-Fi at home\nsecond line',
    });
    expect(card).toEqual({
      source: 5,
      type: 'card',
      title: 'Travel Visa',
      folder: 'Finance/Cards',
      favorite: true,
      cardholder: 'Alex Example',
      brand: 'Visa',
      number: '4111111111111111',
      code: '123',
      expMonth: '1',
      expYear: '2027',
      notes: 'Card for travel\ncall the bank first',
      fields: [{ name: 'Start Date', value: 'October,2021', kind: 'text' }],
    });
    expect(address).toEqual({
      source: 6,
      type: 'identity',
      title: 'Home address',
      favorite: false,
      honorific: 'mr',
      firstName: 'Alex',
      middleName: 'J',
      lastName: 'Example',
      company: 'Example Ltd',
      address1: '12 Harbour Lane',
      address2: 'Flat 3',
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      country: 'US',
      email: 'alex@example.com',
      phone: '5550100 ext. 12',
      fields: [
        { name: 'Phone country', value: 'USA', kind: 'text' },
        { name: 'Username', value: 'alexj', kind: 'text' },
        { name: 'Birthday', value: 'August,23,1990', kind: 'text' },
        { name: 'County', value: 'Greene', kind: 'text' },
        { name: 'Mobile Phone', value: '5550199', kind: 'text' },
        { name: 'Mobile Phone country', value: 'USA', kind: 'text' },
      ],
    });
    expect(ssh).toEqual({
      source: 7,
      type: 'sshKey',
      title: 'Deploy key',
      folder: 'Work/Servers',
      favorite: false,
      // The PEM spans lines; a "Proc-Type:" line inside it is not a new key.
      privateKey: [
        '-----BEGIN OPENSSH PRIVATE KEY-----',
        'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
        'Proc-Type: not a key here',
        '-----END OPENSSH PRIVATE KEY-----',
      ].join('\n'),
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISampleKey alex@example.com',
      notes: 'Deploy key',
      fields: [
        { name: 'Bit Strength', value: '256', kind: 'text' },
        { name: 'Format', value: 'OpenSSH', kind: 'text' },
        { name: 'Passphrase', value: 'sample-passphrase', kind: 'hidden' },
        { name: 'Hostname', value: 'git.example.com', kind: 'text' },
        { name: 'Date', value: 'January,31,2024', kind: 'text' },
      ],
    });
    expect(bank).toEqual({
      source: 8,
      type: 'note',
      title: 'Checking account',
      folder: 'Finance',
      favorite: false,
      notes: 'Joint account',
      fields: [
        { name: 'Note type', value: 'Bank Account', kind: 'text' },
        { name: 'Bank Name', value: 'Example Bank', kind: 'text' },
        { name: 'Account Type', value: 'Checking', kind: 'text' },
        { name: 'Routing Number', value: '021000021', kind: 'hidden' },
        { name: 'Account Number', value: '000123456789', kind: 'hidden' },
        { name: 'SWIFT Code', value: 'EXAMPLEXX', kind: 'hidden' },
        { name: 'Pin', value: '4321', kind: 'hidden' },
        { name: 'Branch Address', value: '1 Main Street, Springfield', kind: 'text' },
        { name: 'Branch Phone', value: '555 0100', kind: 'text' },
      ],
    });
    expect(custom).toEqual({
      source: 9,
      type: 'note',
      title: 'Office door',
      favorite: false,
      fields: [
        { name: 'Note type', value: 'Custom_657088934083173965', kind: 'text' },
        { name: 'Door code', value: '8842', kind: 'hidden' },
        // A wrapped line that is a web address continues the value; it is no "https" key.
        { name: 'Where', value: 'Back door, left\nhttps://example.org/wiki', kind: 'text' },
      ],
    });
  });

  it('reports the made title and skips the row with nothing in it', async () => {
    const { issues } = await parse(fixture('typical.csv'));
    expect(issues).toEqual([
      { source: 3, title: 'shop.example.org', outcome: 'changed', code: 'titleMade' },
      { source: 10, title: '', outcome: 'skipped', code: 'empty' },
    ]);
  });

  it('reads the same whatever the line endings, with a byte-order mark or in UTF-16', async () => {
    const lf = fixture('typical.csv');
    const expected = await parse(lf);
    for (const eol of ['\r\n', '\r']) {
      const text = lf.replace(/\n/g, eol);
      const { candidates, issues } = await parse(`\uFEFF${text}`);
      expect(issues).toEqual(expected.issues);
      // Typed notes are read line by line: their fields come out the same.
      for (const i of [4, 5, 6, 7, 8]) {
        const { notes, ...rest } = candidates[i] ?? { notes: undefined };
        const { notes: lfNotes, ...lfRest } = expected.candidates[i] ?? { notes: undefined };
        expect(rest).toEqual(lfRest);
        expect(notes).toBe(lfNotes);
      }
      // A login's or plain note's text is kept as written, line endings included.
      expect(candidates[3]?.notes).toBe(`Wi-Fi at home${eol}second line`);
    }
    const utf16 = new Uint8Array(2 + lf.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < lf.length; i++) {
      utf16[2 + i * 2] = lf.charCodeAt(i) & 0xff;
      utf16[3 + i * 2] = lf.charCodeAt(i) >> 8;
    }
    expect(await parseLastpassCsv({ name: 'x.csv', bytes: utf16 }, {})).toEqual(expected);
  });
});

describe('LastPass CSV: other layouts', () => {
  it('reads an export without the totp column, columns reordered, extra columns kept as fields', async () => {
    const { candidates, issues } = await parse(fixture('old-reordered.csv'));
    expect(issues).toEqual([]);
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Bank',
        folder: 'Finance',
        favorite: false,
        username: 'alex',
        password: 'sample-pass-4',
        urls: ['https://bank.example/'],
        fields: [
          { name: 'Custom Column', value: 'blue', kind: 'text' },
          { name: 'Security Question', value: 'sample-answer', kind: 'text' },
        ],
      },
      {
        source: 2,
        type: 'note',
        title: 'Note without type',
        favorite: true,
        notes: 'plain text, no type',
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
        folder: 'Dossiers/Été',
        favorite: false,
        username: 'comma, user',
        password: 'pa"ss,word 🔑',
        urls: ['https://example.com/?a=1&b=2'],
        notes: 'line one\nline "two"\nline 3, with comma',
      },
      {
        source: 2,
        type: 'login',
        title: 'حساب عربي',
        folder: 'مجلد/فرعي',
        favorite: true,
        username: 'مستخدم',
        password: 'كلمة-سر',
        urls: ['https://example.net/'],
        notes: 'ملاحظة باللغة العربية',
      },
    ]);
  });

  it('keeps a username or password that a secure-note row carries, as fields', async () => {
    const { candidates } = await parse(`${HEADER}\nhttp://sn,odd-user,odd-pass,,text,Odd,,0\n`);
    expect(candidates[0]).toMatchObject({
      type: 'note',
      notes: 'text',
      fields: [
        { name: 'Username', value: 'odd-user', kind: 'text' },
        { name: 'Password', value: 'odd-pass', kind: 'hidden' },
      ],
    });
  });
});

describe('LastPass CSV: typed secure notes', () => {
  it('reads month names in the note language, numeric months, a bare year and an unset date', async () => {
    const card = (language: string, expiry: string) =>
      parse(
        note(
          `NoteType:Credit Card\nLanguage:${language}\nNumber:4111111111111111\nExpiration Date:${expiry}\nNotes:`,
        ),
      );
    const expiryOf = async (language: string, value: string) => {
      const c = (await card(language, value)).candidates[0];
      return [c?.expMonth, c?.expYear];
    };
    expect(await expiryOf('de-DE', 'März,2028')).toEqual(['3', '2028']);
    expect(await expiryOf('fr-FR', 'févr.,2029')).toEqual(['2', '2029']);
    expect(await expiryOf('en-US', 'Sep,2030')).toEqual(['9', '2030']);
    expect(await expiryOf('en-US', '07,2031')).toEqual(['07', '2031']);
    expect(await expiryOf('en-US', ',2032')).toEqual([undefined, '2032']);
    expect(await expiryOf('en-US', ',')).toEqual([undefined, undefined]);
    // Not month,year: kept whole, for finalize.ts to report as a bad expiry and keep in the notes.
    expect(await expiryOf('xx-invalid-!!', 'sometime soon')).toEqual(['sometime soon', undefined]);
  });

  it('gives a note that has only "NoteType:" but no type as a note with its type field', async () => {
    const { candidates } = await parse(note('NoteType:\nSomething:1\nNotes:the end\nmore: text'));
    expect(candidates[0]).toEqual({
      source: 1,
      type: 'note',
      title: 'N',
      favorite: false,
      notes: 'the end\nmore: text',
      fields: [{ name: 'Something', value: '1', kind: 'text' }],
    });
  });

  it('keeps a value with colons whole, and lines before the first key in the notes', async () => {
    const { candidates } = await parse(
      note('NoteType:Server\n stray line\nHostname:db.example.com:5432\nPassword:a:b:c\nNotes:'),
    );
    expect(candidates[0]).toEqual({
      source: 1,
      type: 'note',
      title: 'N',
      favorite: false,
      notes: ' stray line\n',
      fields: [
        { name: 'Note type', value: 'Server', kind: 'text' },
        { name: 'Hostname', value: 'db.example.com:5432', kind: 'text' },
        { name: 'Password', value: 'a:b:c', kind: 'hidden' },
      ],
    });
  });
});

describe('LastPass CSV: whole-file problems', () => {
  it('refuses an empty file and a header without rows', async () => {
    for (const text of ['', '   \n\n', `${HEADER}\n`])
      await expect(parse(text)).rejects.toEqual(new ImportError('empty'));
  });

  it("refuses another manager's header as unrecognized", async () => {
    await expect(parse('name,url,username,password\nA,https://a.example,u,p\n')).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(
      parse(
        'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,extra\n',
      ),
    ).rejects.toEqual(new ImportError('unrecognized'));
  });

  it('names a missing column', async () => {
    await expect(parse('url,username,totp,extra,name,grouping,fav\nhttps://a,u,,,A,,0\n')).rejects.toEqual(
      new ImportError('missingColumn', 'password'),
    );
  });

  it('stops past the item limit', async () => {
    const text = `${HEADER}\n${'https://a.example,u,p,,,A,,0\n'.repeat(5)}`;
    await expect(parse(text, 4)).rejects.toEqual(new ImportError('tooManyItems', '4'));
    expect((await parse(text, 5)).candidates).toHaveLength(5);
  });

  it('marks a row with a different number of cells than the header', async () => {
    const { candidates, issues } = await parse(`${HEADER}\nhttps://a.example,u,p,,,A\n`);
    expect(candidates[0]).toMatchObject({ title: 'A', username: 'u', password: 'p' });
    expect(issues).toEqual([{ source: 1, title: 'A', outcome: 'changed', code: 'unreadable' }]);
  });
});

describe('LastPass CSV: detection', () => {
  it('knows its header, old and new, and nothing else', () => {
    expect(looksLastpassCsv(file(fixture('typical.csv')))).toBe(true);
    expect(looksLastpassCsv(file(fixture('old-reordered.csv')))).toBe(true);
    expect(looksLastpassCsv(file(''), HEADER)).toBe(true);
    expect(looksLastpassCsv(file('name,url,username,password\n'))).toBe(false);
    expect(looksLastpassCsv(file('Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n'))).toBe(
      false,
    );
    expect(looksLastpassCsv(file(''))).toBe(false);
    expect(
      looksLastpassCsv({ name: 'x.zip', bytes: new Uint8Array([0x50, 0x4b, 3, 4, 0, 0xff, 0xfe]) }),
    ).toBe(false);
  });
});
