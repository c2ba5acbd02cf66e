import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { looksProtonPass, parseProtonPass } from './protonpass.ts';
import { ImportError, type ImportFile, MAX_IMPORT_BYTES, type Parsed } from './types.ts';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/protonpass/${name}`, import.meta.url)));
const text = (s: string) => new TextEncoder().encode(s);
const file = (bytes: Uint8Array, name = 'Proton Pass_export_2024-05-01_1714550000.zip'): ImportFile => ({
  name,
  bytes,
});
/** The export as Proton Pass writes it: `Proton Pass/data.json` in a zip (plus attachments). */
const protonZip = (data: Uint8Array, extra: Record<string, Uint8Array> = {}) =>
  zipSync({ 'Proton Pass/data.json': data, ...extra });
const parse = (bytes: Uint8Array, maxItems?: number, name?: string): Promise<Parsed> =>
  parseProtonPass(file(bytes, name), { maxItems });

async function parseError(bytes: Uint8Array, name?: string): Promise<ImportError> {
  try {
    await parse(bytes, undefined, name);
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('parsed without an error');
}

describe('Proton Pass: a typical export', () => {
  it('maps a login: username and email, websites with their modes, TOTP, extra fields, passkey, files', async () => {
    const { format, candidates, issues } = await parse(
      protonZip(fixture('data.json'), { 'Proton Pass/files/receipt.pdf': text('%PDF-1.4') }),
    );
    expect(format).toBe('protonpass');
    expect(candidates).toHaveLength(9);
    expect(candidates[0]).toEqual({
      source: 1,
      type: 'login',
      title: 'Example login',
      notes: 'My login note',
      folder: 'Personal',
      favorite: true,
      createdAt: '2023-11-14T22:13:20.000Z',
      updatedAt: '2024-03-09T16:00:00.000Z',
      username: 'jane_d',
      password: 'pr0t0n-p4ss',
      totp: 'otpauth://totp/Example:jane?secret=JBSWY3DPEHPK3PXP&issuer=Example',
      urls: ['https://example.com/', 'https://login.example.com/auth'],
      fields: [
        { name: 'Email', value: 'jane@example.com', kind: 'text' },
        { name: 'Website 2 match', value: 'exact', kind: 'text' },
        { name: 'Security question', value: 'First pet', kind: 'text' },
        { name: 'Answer', value: 'Rex', kind: 'hidden' },
        { name: 'Backup 2FA', value: 'otpauth://totp/Backup?secret=GEZDGNBVGY3TQOJQ', kind: 'hidden' },
        { name: 'Renewed', value: '2024-01-01T00:00:00.000Z', kind: 'text' },
      ],
    });
    expect(issues.filter((i) => i.source === 1)).toEqual([
      { source: 1, title: 'Example login', outcome: 'changed', code: 'passkey', detail: '1' },
      { source: 1, title: 'Example login', outcome: 'changed', code: 'attachments', detail: '2' },
    ]);
  });

  it('maps a note and a card (brand, YYYY-MM expiry, PIN) in a nested Proton folder', async () => {
    const { candidates } = await parse(protonZip(fixture('data.json')));
    expect(candidates[1]).toEqual({
      source: 2,
      type: 'note',
      title: 'Secure note',
      notes: 'Secure note contents.\nSecond line.',
      folder: 'Personal',
      createdAt: '2023-11-14T22:15:00.000Z',
      updatedAt: '2023-11-14T22:16:40.000Z',
    });
    expect(candidates[2]).toEqual({
      source: 3,
      type: 'card',
      title: 'Visa card',
      folder: 'Personal/Finance/Cards',
      createdAt: '2023-11-14T22:18:20.000Z',
      updatedAt: '2023-11-14T22:20:00.000Z',
      cardholder: 'Jane Doe',
      brand: 'Visa',
      number: '4111111111111111',
      code: '123',
      expYear: '2029',
      expMonth: '01',
      fields: [
        { name: 'PIN', value: '4321', kind: 'hidden' },
        { name: 'Bank', value: 'Example Bank', kind: 'text' },
      ],
    });
  });

  it('maps an identity: its Keyhold fields, and every other value as a custom field', async () => {
    const { candidates } = await parse(protonZip(fixture('data.json')));
    const identity = candidates[3];
    expect(identity).toMatchObject({
      source: 4,
      type: 'identity',
      title: 'Jane identity',
      folder: 'Personal',
      firstName: 'Jane',
      middleName: '',
      lastName: 'Doe',
      email: 'jane@example.com',
      phone: '+1 555 0100',
      company: 'Acme',
      address1: '1 Main Street',
      address2: '12th floor',
      city: 'New York',
      region: 'NY',
      postalCode: '10001',
      country: 'US',
    });
    expect(identity?.fields).toEqual([
      { name: 'Full name', value: 'Jane Q Doe', kind: 'text' },
      { name: 'Organization', value: 'Doe Household', kind: 'text' },
      { name: 'Birth date', value: '1990-04-01', kind: 'text' },
      { name: 'Gender', value: 'Female', kind: 'text' },
      { name: 'Nickname', value: 'JD', kind: 'text' },
      { name: 'County', value: 'New York County', kind: 'text' },
      { name: 'Social security number', value: '123-45-6789', kind: 'hidden' },
      { name: 'Passport number', value: 'X1234567', kind: 'hidden' },
      { name: 'License number', value: 'D7654321', kind: 'hidden' },
      { name: 'Website', value: 'https://jane.example', kind: 'text' },
      { name: 'X handle', value: '@jane', kind: 'text' },
      { name: 'LinkedIn', value: 'in/jane', kind: 'text' },
      { name: 'Instagram', value: '@jane.insta', kind: 'text' },
      { name: 'Signal', value: '+1 555 0199', kind: 'hidden' },
      { name: 'Job title', value: 'Engineer', kind: 'text' },
      { name: 'Work phone number', value: '+1 555 0111', kind: 'text' },
      { name: 'Work email', value: 'jane@acme.example', kind: 'text' },
      { name: 'Medical: Blood type', value: 'O+', kind: 'text' },
    ]);
  });

  it('maps an alias, an SSH key, Wi-Fi and custom items, and a trashed login', async () => {
    const { candidates, issues } = await parse(protonZip(fixture('data.json')));
    expect(candidates[4]).toEqual({
      source: 5,
      type: 'login',
      title: 'Shopping alias',
      notes: 'for newsletters',
      folder: 'Work',
      createdAt: '2023-11-14T22:25:00.000Z',
      updatedAt: '2023-11-14T22:26:40.000Z',
      username: 'shop.x7k2@passmail.net',
    });
    expect(candidates[5]).toMatchObject({
      source: 6,
      type: 'sshKey',
      title: 'Deploy key',
      folder: 'Work',
      privateKey:
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----',
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f deploy@ci',
      fields: [{ name: 'Server: Host', value: 'ci.example.com', kind: 'text' }],
    });
    expect(candidates[6]).toMatchObject({
      source: 7,
      type: 'note',
      title: 'Office Wi-Fi',
      fields: [
        { name: 'SSID', value: 'Acme-Guest', kind: 'text' },
        { name: 'Password', value: 'wifi-pass-123', kind: 'hidden' },
        { name: 'Security', value: 'WPA2', kind: 'text' },
      ],
    });
    expect(candidates[7]).toMatchObject({
      source: 8,
      type: 'note',
      title: 'Door codes',
      fields: [
        { name: 'Building B: Side door', value: '1357', kind: 'hidden' },
        { name: 'Building B: Floor', value: '3', kind: 'text' },
        { name: 'Main door', value: '2468', kind: 'hidden' },
      ],
    });
    expect(candidates[8]).toEqual({
      source: 9,
      type: 'login',
      title: 'Deleted login',
      folder: 'Work',
      trashed: true,
      createdAt: '2020-09-13T12:26:40.000Z',
      updatedAt: '2022-04-15T05:20:00.000Z',
      username: 'old@example.com',
      password: 'old-pass',
      totp: '',
      urls: ['https://old.example.com'],
    });
    expect(issues.filter((i) => i.source > 1)).toEqual([
      { source: 7, title: 'Office Wi-Fi', outcome: 'changed', code: 'unsupportedType', detail: 'wifi' },
    ]);
  });

  it('reads the same from a stored zip, a zip with data.json at its root, and data.json on its own', async () => {
    const expected = await parse(protonZip(fixture('data.json')));
    expect(await parse(zipSync({ 'Proton Pass/data.json': [fixture('data.json'), { level: 0 }] }))).toEqual(
      expected,
    );
    expect(await parse(zipSync({ 'data.json': fixture('data.json') }))).toEqual(expected);
    expect(await parse(fixture('data.json'), undefined, 'data.json')).toEqual(expected);
  });

  it('reads an export older than 1.18 (a `username` that Proton now calls the email)', async () => {
    const { candidates, issues } = await parse(protonZip(fixture('legacy.json')));
    expect(issues).toEqual([]);
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Legacy login',
        folder: 'Personal',
        createdAt: '2022-04-15T05:20:00.000Z',
        updatedAt: '2022-04-15T05:20:00.000Z',
        username: 'legacy@example.com',
        password: 'legacy-pass',
        totp: '',
        urls: ['https://legacy.example.com'],
      },
    ]);
  });

  it('imports a data.json marked encrypted whose items are readable (an export the user decrypted)', async () => {
    const doc = JSON.parse(new TextDecoder().decode(fixture('data.json')));
    const marked = text(JSON.stringify({ ...doc, encrypted: true }));
    expect((await parse(protonZip(marked))).candidates).toHaveLength(9);
  });
});

describe('Proton Pass: unknown and odd content', () => {
  it('imports through unknown keys, future types and field kinds, bad times and a foreign expiry', async () => {
    const { candidates, issues } = await parse(protonZip(fixture('extra-fields.json')));
    expect(candidates.map((c) => c.source)).toEqual([1, 2, 5, 6]);
    expect(candidates[0]).toEqual({
      source: 1,
      type: 'login',
      title: 'Reordered login',
      folder: 'Misc',
      favorite: true,
      updatedAt: '2023-11-14T22:13:20.000Z',
      username: 'e@example.com',
      password: 'p1',
      totp: '',
      urls: ['https://a.example'],
      fields: [
        { name: 'Mystery', value: 'kept', kind: 'text' },
        { name: 'Field 2', value: 'nameless', kind: 'text' },
      ],
    });
    expect(candidates[1]).toEqual({
      source: 2,
      type: 'note',
      title: 'Future type',
      notes: 'kept as note',
      folder: 'Misc',
      fields: [
        { name: 'Iban', value: 'DE89370400440532013000', kind: 'text' },
        { name: 'Bank name', value: 'Example', kind: 'text' },
      ],
    });
    expect(candidates[2]).toEqual({
      source: 5,
      type: 'card',
      title: 'Odd expiry',
      notes: 'card note\n\nExpiration date: 01/29',
      folder: 'Misc',
      cardholder: 'A B',
      number: '5500000000000004',
      code: '',
    });
    expect(candidates[3]).toMatchObject({
      source: 6,
      type: 'identity',
      title: 'Ana Maria de la Cruz',
      firstName: 'Ana',
      middleName: 'Maria de la',
      lastName: 'Cruz',
      email: 'ana@example.com',
    });
    expect(candidates[3]?.fields).toBeUndefined();
    expect(issues).toEqual([
      { source: 1, title: 'Reordered login', outcome: 'changed', code: 'unknownField', detail: 'futureKind' },
      { source: 2, title: 'Future type', outcome: 'changed', code: 'unsupportedType', detail: 'bankAccount' },
      { source: 3, title: '', outcome: 'skipped', code: 'unreadable' },
      { source: 4, title: '', outcome: 'skipped', code: 'empty' },
      { source: 5, title: 'Odd expiry', outcome: 'changed', code: 'badExpiry', detail: 'expirationDate' },
      { source: 6, title: 'Ana Maria de la Cruz', outcome: 'changed', code: 'titleMade' },
    ]);
  });

  it('keeps quotes, commas, line endings, emoji and right-to-left text exactly', async () => {
    const expectAwkward = ({ candidates }: Parsed) =>
      expect(candidates[0]).toMatchObject({
        title: 'שלום "עולם", 😀',
        folder: 'עבודה / "Quoted", 😀',
        notes: 'line 1\r\nline 2\rline 3\nline 4, with "quotes"; and semicolons',
        username: 'مستخدم',
        password: 'p"a,s;s\nwörd 🔒',
        urls: ['https://例え.jp/ログイン?q=a,b'],
        fields: [{ name: 'ملاحظة, "مقتبسة"', value: 'multi\nline\r\nvalue', kind: 'hidden' }],
      });
    const bytes = fixture('awkward.json');
    expectAwkward(await parse(protonZip(bytes)));
    expectAwkward(await parse(protonZip(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]))));
    const s = new TextDecoder().decode(bytes);
    expectAwkward(await parse(text(s.replace(/\n/g, '\r\n')), undefined, 'data.json'));
    expectAwkward(await parse(text(s.replace(/\n/g, '\r')), undefined, 'data.json'));
  });
});

describe('Proton Pass: whole-file errors', () => {
  it('refuses the PGP-encrypted export: in the zip, as an armored file, or sealed item by item', async () => {
    const armored = text('-----BEGIN PGP MESSAGE-----\n\nwy4ECQMI...\n-----END PGP MESSAGE-----\n');
    expect(await parseError(zipSync({ 'Proton Pass/data.pgp': armored }))).toEqual(
      new ImportError('accountEncrypted'),
    );
    expect(await parseError(armored, 'Proton Pass_export.pgp')).toEqual(new ImportError('accountEncrypted'));
    expect(await parseError(protonZip(fixture('encrypted-flag.json')))).toEqual(
      new ImportError('accountEncrypted'),
    );
  });

  it('names each other whole-file problem', async () => {
    expect(await parseError(new Uint8Array())).toEqual(new ImportError('empty'));
    expect(await parseError(text('  \n'), 'data.json')).toEqual(new ImportError('empty'));
    expect(await parseError(zipSync({}))).toEqual(new ImportError('empty'));
    const noItems = '{"version":"1.31.2","encrypted":false,"vaults":{"s":{"name":"V","items":[]}}}';
    expect(await parseError(protonZip(text(noItems)))).toEqual(new ImportError('empty'));
    expect(await parseError(zipSync({ 'other.txt': text('hello') }))).toEqual(
      new ImportError('unrecognized'),
    );
    expect(await parseError(protonZip(text('{"encrypted":false,"items":[]}')))).toEqual(
      new ImportError('unrecognized'),
    );
    expect(await parseError(text('name,url\nx,y\n'), 'export.csv')).toEqual(new ImportError('unrecognized'));
  });

  it('calls a zip or a JSON cut short malformed', async () => {
    const zip = protonZip(fixture('data.json'));
    for (const at of [10, Math.floor(zip.length / 2), zip.length - 10])
      expect(await parseError(zip.subarray(0, at))).toEqual(new ImportError('malformed'));
    const data = fixture('data.json');
    expect(await parseError(protonZip(data.subarray(0, data.length - 20)))).toEqual(
      new ImportError('malformed'),
    );
    expect(await parseError(data.subarray(0, 500), 'data.json')).toEqual(new ImportError('malformed'));
  });

  it('refuses a zip whose data.json would inflate past the size limit, without inflating it', async () => {
    const bomb = zipSync({ 'Proton Pass/data.json': new Uint8Array(MAX_IMPORT_BYTES + 1).fill(0x20) });
    expect(bomb.length).toBeLessThan(1_000_000);
    expect(await parseError(bomb)).toEqual(new ImportError('tooLarge'));
  });

  it('counts items across vaults against the limit', async () => {
    await expect(parse(protonZip(fixture('data.json')), 8)).rejects.toEqual(
      new ImportError('tooManyItems', '8'),
    );
    expect((await parse(protonZip(fixture('data.json')), 9)).candidates).toHaveLength(9);
  });
});

describe('Proton Pass: detection', () => {
  it('recognises the zip (either layout), data.json, and a .pgp export', () => {
    expect(looksProtonPass(file(protonZip(fixture('data.json'))))).toBe(true);
    expect(looksProtonPass(file(zipSync({ 'Proton Pass/data.pgp': text('x') })))).toBe(true);
    expect(looksProtonPass(file(zipSync({ 'data.json': fixture('legacy.json') })))).toBe(true);
    expect(looksProtonPass(file(fixture('data.json'), 'data.json'))).toBe(true);
    const s = new TextDecoder().decode(fixture('legacy.json'));
    expect(looksProtonPass(file(text(s), 'data.json'), s)).toBe(true);
    const armored = text('-----BEGIN PGP MESSAGE-----\n\nwy4E\n-----END PGP MESSAGE-----\n');
    expect(looksProtonPass(file(armored, 'Proton Pass_export_2024.pgp'))).toBe(true);
  });

  it('says no to other files without throwing', () => {
    const no = (bytes: Uint8Array, name = 'export.json') =>
      expect(looksProtonPass(file(bytes, name))).toBe(false);
    no(new Uint8Array());
    no(text('{"encrypted":false,"folders":[],"items":[]}'));
    no(text('name,url,username,password\n'));
    no(text('-----BEGIN PGP MESSAGE-----\n'), 'letter.asc');
    no(zipSync({ 'export.data': text('{}') }));
    no(zipSync({ 'some/app/data.json': text('{}') }));
    no(protonZip(fixture('data.json')).subarray(0, 100));
    no(new Uint8Array([0x50, 0x4b, 3, 4]));
  });
});
