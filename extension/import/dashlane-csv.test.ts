import { readdirSync, readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { looksDashlaneCsv, parseDashlaneCsv } from './dashlane-csv.ts';
import { ImportError, type ImportFile, MAX_IMPORT_BYTES } from './types.ts';

const fixtures = new URL('./fixtures/dashlane-csv/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
/** The export's files as Dashlane zips them: name → text. */
const exportFiles = (): Record<string, string> =>
  Object.fromEntries(readdirSync(new URL('export/', fixtures)).map((n) => [n, fixture(`export/${n}`)]));
const zip = (files: Record<string, string>): ImportFile => ({
  name: 'dashlane.zip',
  bytes: zipSync(Object.fromEntries(Object.entries(files).map(([n, text]) => [n, strToU8(text)]))),
});
const csv = (text: string): ImportFile => ({
  name: 'credentials.csv',
  bytes: new TextEncoder().encode(text),
});
const parse = (file: ImportFile, maxItems?: number) => parseDashlaneCsv(file, { maxItems });
const CREDENTIALS = 'username,username2,username3,title,password,note,url,category,otpSecret';
const PERSONAL =
  'type,title,first_name,middle_name,last_name,login,date_of_birth,place_of_birth,email,email_type,item_name,phone_number';

describe('Dashlane CSV: the zip export', () => {
  it('maps every file, row by row and field by field', async () => {
    const { format, candidates } = await parse(zip(exportFiles()));
    expect(format).toBe('dashlane-csv');
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Example Mail',
        folder: 'Work',
        username: 'alex@example.com',
        password: 'sample-pass-1',
        urls: ['https://mail.example.com'],
        totp: 'JBSWY3DPEHPK3PXP',
        notes: 'Recovery codes in the safe, top drawer',
        fields: [{ name: 'Username 2', value: 'alex.backup@example.com', kind: 'text' }],
      },
      {
        source: 2,
        type: 'login',
        title: 'shop.example.net',
        username: 'kit',
        password: 'sample-pass-2',
        urls: ['https://shop.example.net'],
      },
      // A row with only a category: the user filed it, so it is kept (entry-rules.ts), titled by its type.
      { source: 3, type: 'login', title: 'Login', folder: 'Work' },
      // Then securenotes.csv, payments.csv, ids.csv, personalInfo.csv.
      { source: 4, type: 'note', title: 'Door codes', folder: 'Home', notes: 'Front: 1234\nBack: 5678' },
      {
        source: 5,
        type: 'card',
        title: 'Work Visa',
        cardholder: 'Alex Example',
        number: '4111111111111111',
        code: '123',
        expMonth: '01',
        expYear: '2030',
        notes: 'Corporate card',
        fields: [
          { name: 'Country', value: 'US', kind: 'text' },
          { name: 'Issuing bank', value: 'Example Bank', kind: 'text' },
        ],
      },
      {
        source: 6,
        type: 'note',
        title: 'Checking',
        fields: [
          { name: 'Account holder', value: 'Alex Example', kind: 'text' },
          { name: 'Routing number', value: '021000021', kind: 'hidden' },
          { name: 'Account number', value: '000123456789', kind: 'hidden' },
          { name: 'Country', value: 'US', kind: 'text' },
          { name: 'Issuing bank', value: 'Example Bank', kind: 'text' },
        ],
      },
      {
        source: 7,
        type: 'note',
        title: 'PayPal',
        fields: [{ name: 'Type', value: 'paypal', kind: 'text' }],
      },
      {
        source: 8,
        type: 'identity',
        title: 'Passport: Alex J Example',
        firstName: 'Alex',
        middleName: 'J',
        lastName: 'Example',
        fields: [
          { name: 'Passport number', value: 'P1234567', kind: 'hidden' },
          { name: 'Issue date', value: '2020-1-30', kind: 'text' },
          { name: 'Expiration date', value: '2030-1-29', kind: 'text' },
          { name: 'Place of issue', value: 'Springfield', kind: 'text' },
        ],
      },
      {
        source: 9,
        type: 'identity',
        title: "Driver's license: Alex Example",
        firstName: 'Alex',
        lastName: 'Example',
        fields: [
          { name: 'License number', value: 'D7654321', kind: 'hidden' },
          { name: 'Issue date', value: '2022-8-10', kind: 'text' },
          { name: 'Expiration date', value: '2032-8-10', kind: 'text' },
          { name: 'State', value: 'IL', kind: 'text' },
        ],
      },
      {
        source: 10,
        type: 'identity',
        title: 'Tax number',
        fields: [{ name: 'Tax number', value: 'TX-99', kind: 'hidden' }],
      },
      {
        // One "name" row: the five personal-info rows are one identity.
        source: 11,
        type: 'identity',
        title: 'Alex J Example',
        honorific: 'Mr',
        firstName: 'Alex',
        middleName: 'J',
        lastName: 'Example',
        email: 'alex@example.com',
        phone: '+1 555 0100',
        address1: '12 Harbour Lane',
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'US',
        fields: [
          { name: 'Login', value: 'alexj', kind: 'text' },
          { name: 'Date of birth', value: '1990-08-23', kind: 'text' },
          { name: 'Place of birth', value: 'Springfield', kind: 'text' },
          { name: 'Personal mail (Email type)', value: 'personal', kind: 'text' },
          { name: 'Work mail (Email)', value: 'alex@work.example', kind: 'text' },
          { name: 'Work mail (Email type)', value: 'work', kind: 'text' },
          { name: 'Home (Address recipient)', value: 'Alex Example', kind: 'text' },
          { name: 'Home (Address building)', value: 'B', kind: 'text' },
          { name: 'Home (Address apartment)', value: '3', kind: 'text' },
          { name: 'Home (Address floor)', value: '2', kind: 'text' },
          { name: 'Home (Address door code)', value: '4455', kind: 'hidden' },
        ],
      },
    ]);
  });

  it('reports the made titles, and skips a row with nothing in it', async () => {
    const { issues } = await parse(zip(exportFiles()));
    expect(issues).toEqual([
      { source: 2, title: 'shop.example.net', outcome: 'changed', code: 'titleMade' },
      { source: 3, title: 'Login', outcome: 'changed', code: 'titleMade' },
    ]);
    // A bank row with only its kind: no value of the user's in it.
    const bank = await parse(zip({ 'payments.csv': 'type,account_name,account_holder,note\nbank,,,\n' }));
    expect(bank.candidates).toEqual([]);
    expect(bank.issues).toEqual([{ source: 1, title: '', outcome: 'skipped', code: 'empty' }]);
  });

  it('reads the files in a folder, in any order, with BOMs and CRLF, and ignores empty ones', async () => {
    const expected = await parse(zip(exportFiles()));
    const files = Object.entries(exportFiles()).reverse();
    const crlf = Object.fromEntries(
      files.map(([n, text]) => [`Dashlane Export/${n}`, `\uFEFF${text.replace(/\n/g, '\r\n')}`]),
    );
    const read = await parse(zip({ ...crlf, 'Dashlane Export/ids.csv': '', notes: 'not a csv' }));
    const withoutIds = expected.candidates.filter((c) => c.type !== 'identity' || c.source === 11);
    // Without ids.csv's three rows, personal info's source moves up by three.
    expect(read.candidates.map(({ notes, source, ...c }) => c)).toEqual(
      withoutIds.map(({ notes, source, ...c }) => c),
    );
    expect(read.candidates.map((c) => c.notes)).toEqual(
      withoutIds.map((c) => c.notes?.replace(/\n/g, '\r\n')),
    );
    expect(read.issues).toEqual(expected.issues);
  });

  it('reports a CSV it does not know as not imported, and goes on', async () => {
    const { candidates, issues } = await parse(
      zip({
        'credentials.csv': `${CREDENTIALS}\nu,,,A,p,,,,\n`,
        'passkeys.csv': 'rpId,userName\nexample.com,u\n',
      }),
    );
    expect(candidates.map((c) => c.title)).toEqual(['A']);
    expect(issues).toEqual([
      {
        source: 2,
        title: 'passkeys.csv',
        outcome: 'skipped',
        code: 'unsupportedType',
        detail: 'passkeys.csv',
      },
    ]);
  });

  it('makes one identity a row when personal info holds several people', async () => {
    const { candidates } = await parse(
      zip({
        'personalInfo.csv': `${PERSONAL}\nname,Ms,Kit,,Example,,,,,,,\nname,,Jo,,Example,,,,,,,\nemail,,,,,,,,jo@example.com,work,Jo at work,\n`,
      }),
    );
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'identity',
        title: 'Kit Example',
        honorific: 'Ms',
        firstName: 'Kit',
        lastName: 'Example',
      },
      { source: 2, type: 'identity', title: 'Jo Example', firstName: 'Jo', lastName: 'Example' },
      {
        source: 3,
        type: 'identity',
        title: 'Jo at work',
        email: 'jo@example.com',
        fields: [{ name: 'Email type', value: 'work', kind: 'text' }],
      },
    ]);
  });
});

describe('Dashlane CSV: one CSV alone', () => {
  it('reads credentials.csv with reordered and extra columns; otpUrl wins, otpSecret is kept', async () => {
    const { candidates, issues } = await parse(csv(fixture('credentials-reordered.csv')));
    expect(issues).toEqual([]);
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Reordered',
        folder: 'Personal',
        username: 'alex',
        password: 'sample-pass-6',
        urls: ['https://a.example/'],
        totp: 'otpauth://totp/A:alex?secret=JBSWY3DPEHPK3PXP',
        notes: 'a note',
        fields: [
          { name: 'OTP secret', value: 'JBSWY3DPEHPK3PXP', kind: 'hidden' },
          { name: 'Security Question', value: 'sample-answer', kind: 'text' },
        ],
      },
    ]);
  });

  it('keeps quotes, commas, newlines, emoji and right-to-left text, whatever the line endings', async () => {
    const lf = fixture('credentials-awkward.csv');
    for (const eol of ['\n', '\r\n', '\r']) {
      const { candidates } = await parse(csv(`\uFEFF${lf.replace(/\n/g, eol)}`));
      expect(candidates).toEqual([
        {
          source: 1,
          type: 'login',
          title: 'Émoji 🎉 item',
          folder: 'Été',
          username: 'comma, user',
          password: 'pa"ss,word 🔑',
          urls: ['https://example.com/?a=1&b=2'],
          notes: `line one${eol}line "two"${eol}line 3, with comma`,
        },
        {
          source: 2,
          type: 'login',
          title: 'حساب عربي',
          folder: 'مجلد',
          username: 'مستخدم',
          password: 'كلمة-سر',
          urls: ['https://example.net/'],
          notes: 'ملاحظة باللغة العربية',
        },
      ]);
    }
  });

  it('tells payments.csv, ids.csv, personalInfo.csv and securenotes.csv by their headers', async () => {
    const types = async (name: string) =>
      (await parse(csv(fixture(`export/${name}`)))).candidates.map((c) => [c.source, c.type]);
    expect(await types('payments.csv')).toEqual([
      [1, 'card'],
      [2, 'note'],
      [3, 'note'],
    ]);
    expect(await types('ids.csv')).toEqual([
      [1, 'identity'],
      [2, 'identity'],
      [3, 'identity'],
    ]);
    expect(await types('personalInfo.csv')).toEqual([[1, 'identity']]);
    expect(await types('securenotes.csv')).toEqual([[1, 'note']]);
  });
});

describe('Dashlane CSV: whole-file problems', () => {
  it('refuses a truncated zip as malformed', async () => {
    const whole = zip(exportFiles()).bytes;
    for (const length of [whole.length - 20, Math.floor(whole.length / 2), 10])
      await expect(parse({ name: 'd.zip', bytes: whole.subarray(0, length) })).rejects.toEqual(
        new ImportError('malformed'),
      );
  });

  it('refuses a CSV in the zip that would unpack past the size limit, without unpacking it', async () => {
    const big = zipSync({ 'credentials.csv': new Uint8Array(MAX_IMPORT_BYTES + 1) });
    await expect(parse({ name: 'd.zip', bytes: big })).rejects.toEqual(new ImportError('tooLarge'));
  });

  it('refuses empty files and a zip whose CSVs have no rows', async () => {
    await expect(parse(csv(''))).rejects.toEqual(new ImportError('empty'));
    await expect(parse(csv(`${CREDENTIALS}\n`))).rejects.toEqual(new ImportError('empty'));
    await expect(
      parse(zip({ 'credentials.csv': `${CREDENTIALS}\n`, 'securenotes.csv': 'title,note\n', 'ids.csv': '' })),
    ).rejects.toEqual(new ImportError('empty'));
  });

  it('refuses what is not Dashlane as unrecognized', async () => {
    await expect(parse(csv('name,url,username,password,note\nA,https://a,u,p,\n'))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    await expect(parse(csv('url,username,password,totp,extra,name,grouping,fav\n'))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
    // A zip with none of Dashlane's CSVs (a 1Password 1PUX, say).
    await expect(parse(zip({ 'export.data': '{}', 'export.attributes': '{}' }))).rejects.toEqual(
      new ImportError('unrecognized'),
    );
  });

  it('names a missing column, alone or in the zip', async () => {
    const noPassword = 'username,username2,username3,title,note,url,category,otpSecret\nu,,,A,,,,\n';
    await expect(parse(csv(noPassword))).rejects.toEqual(new ImportError('missingColumn', 'password'));
    await expect(parse(zip({ 'credentials.csv': noPassword }))).rejects.toEqual(
      new ImportError('missingColumn', 'password'),
    );
    await expect(parse(zip({ 'ids.csv': 'type,name\npassport,A\n' }))).rejects.toEqual(
      new ImportError('missingColumn', 'number'),
    );
  });

  it('stops past the item limit, counting rows over every file', async () => {
    const files = zip(exportFiles());
    // 15 data rows in all.
    await expect(parse(files, 14)).rejects.toEqual(new ImportError('tooManyItems', '14'));
    expect((await parse(files, 15)).candidates).toHaveLength(11);
    await expect(parse(csv(`${CREDENTIALS}\n${'u,,,A,p,,,,\n'.repeat(3)}`), 2)).rejects.toEqual(
      new ImportError('tooManyItems', '2'),
    );
  });
});

describe('Dashlane CSV: detection', () => {
  it("knows Dashlane's zip by its files and a lone CSV by its header", () => {
    expect(looksDashlaneCsv(zip(exportFiles()))).toBe(true);
    expect(looksDashlaneCsv(zip({ 'Dashlane Export/credentials.csv': `${CREDENTIALS}\n` }))).toBe(true);
    expect(looksDashlaneCsv(csv(fixture('export/credentials.csv')))).toBe(true);
    expect(looksDashlaneCsv(csv(fixture('export/payments.csv')))).toBe(true);
    expect(looksDashlaneCsv(csv(''), CREDENTIALS)).toBe(true);
    // A bare "title,note" file could be anyone's.
    expect(looksDashlaneCsv(csv(fixture('export/securenotes.csv')))).toBe(false);
    expect(looksDashlaneCsv(zip({ 'export.data': '{}' }))).toBe(false);
    expect(looksDashlaneCsv({ name: 'd.zip', bytes: zip(exportFiles()).bytes.subarray(0, 30) })).toBe(false);
    expect(looksDashlaneCsv(csv('name,url,username,password\n'))).toBe(false);
    expect(looksDashlaneCsv(csv(''))).toBe(false);
  });
});
