import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { looksOnePassword1pux, parseOnePassword1pux } from './onepassword-1pux.ts';
import { ImportError } from './types.ts';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/1password-1pux/${name}`, import.meta.url)));
const enc = (s: string) => new TextEncoder().encode(s);

/** A .1pux as 1Password writes it: export.attributes, export.data and files/ (attachments). */
function onePux(data: Uint8Array | string, extra: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({
    'export.attributes': fixture('export.attributes.json'),
    'export.data': typeof data === 'string' ? enc(data) : data,
    'files/q2wd5m7h3j4k5l6z7x8c9v0bnm__lease.pdf': enc('%PDF-1.4 not really'),
    ...extra,
  });
}

const parse = (bytes: Uint8Array, maxItems?: number) =>
  parseOnePassword1pux({ name: 'export.1pux', bytes }, maxItems === undefined ? {} : { maxItems });

const rejects = async (bytes: Uint8Array, error: ImportError, maxItems?: number) => {
  await expect(parse(bytes, maxItems)).rejects.toThrow(error);
  await expect(parse(bytes, maxItems)).rejects.toMatchObject({ code: error.code, detail: error.detail });
};

describe('1Password 1PUX import', () => {
  it('maps a typical export field by field', async () => {
    const result = await parse(onePux(fixture('typical.export.data.json')));
    expect(result.format).toBe('1password-1pux');
    const [login, password, card, identity, note, ssh, bank, doc, server] = result.candidates;
    expect(result.candidates).toHaveLength(9);

    expect(login).toEqual({
      source: 1,
      type: 'login',
      title: 'Example Mail',
      username: 'wendy@example.com',
      password: 'c0rrect-h0rse',
      urls: ['https://mail.example.com/login', 'https://example.com'],
      totp: 'otpauth://totp/Example:wendy?secret=JBSWY3DPEHPK3PXP&issuer=Example',
      notes: 'Main mail account',
      folder: 'Personal/Email',
      favorite: true,
      createdAt: '2021-10-29T15:53:53.000Z',
      updatedAt: '2021-10-29T15:54:32.000Z',
      passwordHistory: [
        { password: 'old-pass', replacedAt: '2021-08-26T17:46:40.000Z' },
        { password: 'older-pass', replacedAt: '2020-09-13T12:26:40.000Z' },
      ],
      fields: [
        { name: 'remember', value: 'true', kind: 'boolean' },
        { name: 'pin', value: '1234', kind: 'hidden' },
        { name: 'recovery code', value: 'RC-1111-2222', kind: 'hidden' },
        { name: 'security question', value: 'First pet?' },
        { name: 'member since', value: '2010-01-01' },
        { name: 'tags', value: 'Email, Important' },
      ],
    });

    expect(password).toEqual({
      source: 2,
      type: 'login',
      title: 'Home Wi-Fi password',
      password: 'wifi-at-home-42',
      folder: 'Personal',
      createdAt: '2021-12-20T11:33:20.000Z',
      updatedAt: '2021-12-20T11:35:00.000Z',
    });

    expect(card).toEqual({
      source: 3,
      type: 'card',
      title: 'Visa',
      cardholder: 'Wendy Appleseed',
      brand: 'visa',
      number: '4111111111111111',
      code: '123',
      expMonth: '01',
      expYear: '2027',
      notes: 'Travel card',
      folder: 'Personal/Finance',
      createdAt: '2021-04-26T19:28:02.000Z',
      updatedAt: '2021-04-26T19:30:47.000Z',
      fields: [
        { name: 'valid from', value: '01/2023' },
        { name: 'issuing bank', value: 'Example Bank' },
        { name: 'phone (local)', value: '555-0100' },
        { name: 'website', value: 'https://bank.example' },
        { name: 'PIN', value: '9876', kind: 'hidden' },
        { name: 'credit limit', value: '$5,000' },
      ],
    });

    expect(identity).toEqual({
      source: 4,
      type: 'identity',
      title: 'Me',
      firstName: 'Wendy',
      middleName: 'C',
      lastName: 'Appleseed',
      company: 'Acme, Inc.',
      address1: '1 Infinite Loop',
      city: 'Cupertino',
      region: 'CA',
      postalCode: '95014',
      country: 'us',
      phone: '+1 555 0100',
      email: 'wendy@example.com',
      folder: 'Personal',
      createdAt: '2021-04-26T19:28:02.000Z',
      updatedAt: '2021-04-26T19:30:47.000Z',
      fields: [
        { name: 'sex', value: 'female' },
        { name: 'birth date', value: '1990-05-26' },
        { name: 'occupation', value: 'Engineer' },
        { name: 'job title', value: 'CTO' },
        { name: 'cell', value: '+1 555 0199' },
        { name: 'username', value: 'wendya' },
      ],
    });

    expect(note).toEqual({
      source: 5,
      type: 'note',
      title: 'House notes',
      notes: 'Alarm code is in the drawer.\nSecond line.',
      folder: 'Personal',
      favorite: true,
      createdAt: '2022-04-15T05:20:00.000Z',
      updatedAt: '2022-04-15T05:20:00.000Z',
      fields: [{ name: 'door code', value: '4321', kind: 'hidden' }],
    });

    expect(ssh).toEqual({
      source: 6,
      type: 'sshKey',
      title: 'Deploy key',
      privateKey:
        '-----BEGIN PRIVATE KEY-----\nMFECAQEwBQYDK2VwBCIEIDn1BgTbZ/5UUeGLIfVV+qLBOvEsS3XMK6Twzw2Dkukq\ngSEAlrKdxRVVQrBndt4bHEZAz3xsymfM9Vf2QfZ823QxUbM=\n-----END PRIVATE KEY-----\n',
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJayncUVVUKwZ3beGxxGQM98bMpnzPVX9kH2fNt0MVGz',
      notes: 'Deploy key',
      folder: 'Personal',
      createdAt: '2024-08-28T18:02:32.000Z',
      updatedAt: '2024-08-28T18:02:32.000Z',
      fields: [{ name: 'host', value: 'git.example.com' }],
    });

    expect(bank).toEqual({
      source: 7,
      type: 'note',
      title: 'Joint checking',
      notes: 'Joint account',
      folder: 'Family',
      createdAt: '2022-04-15T05:20:00.000Z',
      updatedAt: '2022-04-15T05:28:20.000Z',
      fields: [
        { name: 'bank name', value: 'Example Bank' },
        { name: 'name on account', value: 'W & J Appleseed' },
        { name: 'type', value: 'checking' },
        { name: 'routing number', value: '021000021' },
        { name: 'account number', value: '000123456789' },
        { name: 'PIN', value: '5555', kind: 'hidden' },
      ],
    });

    expect(doc).toEqual({
      source: 8,
      type: 'note',
      title: 'Lease',
      notes: 'Scan of the lease',
      folder: 'Family',
      createdAt: '2022-04-15T05:20:00.000Z',
      updatedAt: '2022-04-15T05:20:00.000Z',
    });

    expect(server).toEqual({
      source: 9,
      type: 'note',
      title: 'NAS',
      folder: 'Family',
      trashed: true,
      createdAt: '2022-04-15T05:20:00.000Z',
      updatedAt: '2022-04-15T05:20:00.000Z',
      fields: [
        { name: 'URL', value: 'ssh://nas.local' },
        { name: 'username', value: 'admin' },
        { name: 'password', value: 'nas-pass', kind: 'hidden' },
      ],
    });

    expect(result.issues).toEqual([
      {
        source: 7,
        title: 'Joint checking',
        outcome: 'changed',
        code: 'unsupportedType',
        detail: 'Bank Account',
      },
      { source: 8, title: 'Lease', outcome: 'changed', code: 'unsupportedType', detail: 'Document' },
      { source: 8, title: 'Lease', outcome: 'changed', code: 'attachments', detail: '1' },
      { source: 9, title: 'NAS', outcome: 'changed', code: 'unsupportedType', detail: 'Server' },
      { source: 9, title: 'NAS', outcome: 'changed', code: 'attachments', detail: '1' },
    ]);
  });

  it('reads unknown keys, old wrapped items, linked values and unknown kinds without losing them', async () => {
    const result = await parse(onePux(fixture('extra.export.data.json')));
    expect(result.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Old wrapped login',
        username: 'linked@example.com',
        password: 'pw-old-format',
        urls: ['https://old.example'],
        folder: 'Private',
        trashed: true,
        createdAt: '2020-01-01T12:00:00.000Z',
        updatedAt: '2020-01-01T12:00:00.000Z',
        fields: [
          { name: 'hologram', value: '3D' },
          { name: 'weird', value: '{"x":1}' },
        ],
      },
      {
        source: 4,
        type: 'note',
        title: 'Gadget',
        notes: 'Unknown category',
        folder: 'Work',
        createdAt: '2020-01-01T12:00:00.000Z',
        updatedAt: '2020-01-01T12:00:00.000Z',
        fields: [
          { name: 'serial', value: 'XYZ' },
          { name: 'website', value: 'https://gadget.example' },
          { name: 'previous password 1', value: 'was-secret', kind: 'hidden' },
        ],
      },
      {
        source: 5,
        type: 'note',
        title: 'Cold wallet',
        folder: 'Work',
        createdAt: '2020-01-01T12:00:00.000Z',
        updatedAt: '2020-01-01T12:00:00.000Z',
        fields: [
          { name: 'recovery phrase', value: 'abandon abandon about', kind: 'hidden' },
          { name: 'wallet address', value: 'bc1qexample' },
        ],
      },
      {
        source: 6,
        type: 'login',
        title: 'Passkey site',
        username: 'pkuser',
        urls: ['https://example.com'],
        folder: 'Work',
        createdAt: '2020-01-01T12:00:00.000Z',
        updatedAt: '2020-01-01T12:00:00.000Z',
      },
    ]);
    expect(result.issues).toEqual([
      { source: 1, title: 'Old wrapped login', outcome: 'changed', code: 'unknownField', detail: 'hologram' },
      {
        source: 1,
        title: 'Old wrapped login',
        outcome: 'changed',
        code: 'unknownField',
        detail: 'structured',
      },
      { source: 2, title: '', outcome: 'skipped', code: 'unreadable' },
      { source: 3, title: '', outcome: 'skipped', code: 'empty' },
      { source: 4, title: 'Gadget', outcome: 'changed', code: 'unsupportedType', detail: 'category 999' },
      {
        source: 5,
        title: 'Cold wallet',
        outcome: 'changed',
        code: 'unsupportedType',
        detail: 'Crypto Wallet',
      },
      { source: 6, title: 'Passkey site', outcome: 'changed', code: 'passkey' },
    ]);
  });

  it('keeps awkward text exactly: quotes, commas, newlines (CRLF, CR), emoji, right-to-left, a BOM', async () => {
    const data = fixture('awkward.export.data.json');
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...data]);
    const { candidates, issues } = await parse(onePux(withBom));
    expect(issues).toEqual([]);
    expect(candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Title with "quotes", commas; and 🎉',
        username: '  spaced user  ',
        password: 'p"a,s;s\nword 🔑',
        urls: ['https://例え.jp/path?q=1&r=2'],
        notes: 'CRLF line 1\r\nCRLF line 2\rCR line 3\nשלום עולם\nمرحبا بالعالم',
        folder: 'Vault "Home", 🏠/Work/Servers',
        createdAt: '2023-11-14T22:13:20.000Z',
        updatedAt: '2023-11-14T22:13:21.000Z',
        fields: [
          { name: 'عنوان', value: 'قيمة, "مقتبسة"' },
          { name: 'tags', value: 'Work/Servers, اختبار' },
        ],
      },
    ]);
  });

  it('finds export.data one folder down (a re-zipped export folder)', async () => {
    const zip = zipSync({
      'export/export.attributes': fixture('export.attributes.json'),
      'export/export.data': fixture('awkward.export.data.json'),
    });
    const { candidates } = await parse(zip);
    expect(candidates.map((c) => c.title)).toEqual(['Title with "quotes", commas; and 🎉']);
  });

  it('refuses whole files it cannot read', async () => {
    await rejects(new Uint8Array(), new ImportError('empty'));
    await rejects(enc('name,url,username,password\n'), new ImportError('unrecognized'));
    const zip = onePux(fixture('typical.export.data.json'));
    await rejects(zip.subarray(0, zip.length - 40), new ImportError('malformed'));
    await rejects(zip.subarray(0, Math.floor(zip.length / 2)), new ImportError('malformed'));
    await rejects(
      zipSync({ 'export.attributes': fixture('export.attributes.json') }),
      new ImportError('unrecognized', 'export.data'),
    );
    const json = new TextDecoder().decode(fixture('typical.export.data.json'));
    await rejects(onePux(json.slice(0, 500)), new ImportError('malformed', 'export.data'));
    await rejects(onePux('{"items": []}'), new ImportError('unrecognized', 'accounts'));
    await rejects(
      onePux('{"accounts": [{"attrs": {}, "vaults": [{"items": []}]}]}'),
      new ImportError('empty'),
    );
  });

  it('refuses an export.data declared larger than it may inflate to, before inflating it', async () => {
    const zip = zipSync({ 'export.data': fixture('awkward.export.data.json') });
    // The central directory header (PK\x01\x02) declares the entry's uncompressed size at offset 24.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let cd = zip.length - 4;
    while (view.getUint32(cd, true) !== 0x02014b50) cd--;
    view.setUint32(cd + 24, 0x7fff_ffff, true);
    await rejects(zip, new ImportError('tooLarge', 'export.data'));
  });

  it('stops past the item limit before mapping anything', async () => {
    const zip = onePux(fixture('typical.export.data.json'));
    await rejects(zip, new ImportError('tooManyItems', '8'), 8);
    expect((await parse(zip, 9)).candidates).toHaveLength(9);
  });

  it('recognises a 1PUX by name or by its export.data entry, and nothing else', () => {
    const zip = onePux(fixture('awkward.export.data.json'));
    expect(looksOnePassword1pux({ name: 'backup.zip', bytes: zip })).toBe(true);
    expect(looksOnePassword1pux({ name: 'ABCD.1PUX', bytes: new Uint8Array() })).toBe(true);
    expect(looksOnePassword1pux({ name: 'other.zip', bytes: zipSync({ 'a.txt': enc('x') }) })).toBe(false);
    expect(looksOnePassword1pux({ name: 'export.csv', bytes: enc('export.data,title\n') })).toBe(false);
    expect(looksOnePassword1pux({ name: 'x', bytes: new Uint8Array([0x50, 0x4b]) })).toBe(false);
  });
});
