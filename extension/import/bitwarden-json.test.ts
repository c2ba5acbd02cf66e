import { readFileSync } from 'node:fs';
import { argon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { looksBitwardenJson, parseBitwardenJson } from './bitwarden-json.ts';
import { ImportError, type ImportFile, type Parsed } from './types.ts';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/bitwarden-json/${name}`, import.meta.url)));
const file = (bytes: Uint8Array, name = 'bitwarden_export.json'): ImportFile => ({ name, bytes });
const text = (s: string) => new TextEncoder().encode(s);
const parse = (bytes: Uint8Array, password?: string, maxItems?: number): Promise<Parsed> =>
  parseBitwardenJson(file(bytes), { password, maxItems });

async function parseError(bytes: Uint8Array, password?: string, maxItems?: number): Promise<ImportError> {
  try {
    await parse(bytes, password, maxItems);
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('parsed without an error');
}

describe('Bitwarden JSON: individual vault', () => {
  it('maps a login field by field: folder, websites, TOTP, custom fields, history, times, passkey', async () => {
    const { format, candidates, issues } = await parse(fixture('individual.json'));
    expect(format).toBe('bitwarden-json');
    expect(candidates).toHaveLength(7);
    const login = candidates[0];
    expect(login).toEqual({
      source: 1,
      type: 'login',
      title: 'Build server',
      notes: 'Rotated quarterly.',
      folder: 'Work/Servers',
      favorite: true,
      createdAt: '2022-02-03T04:05:06.000Z',
      updatedAt: '2024-05-01T10:00:00.000Z',
      username: 'ops@example.com',
      password: 'c0rrect-h0rse',
      totp: 'otpauth://totp/Build:ops?secret=JBSWY3DPEHPK3PXP&issuer=Build',
      urls: ['https://build.example.com/login', 'https://ci.example.com/'],
      fields: [
        { name: 'Website 2 match', value: 'exact', kind: 'text' },
        { name: 'Team', value: 'Platform', kind: 'text' },
        { name: 'Recovery code', value: 'RC-1234-5678', kind: 'hidden' },
        { name: 'Admin', value: 'true', kind: 'boolean' },
        { name: 'Login name', value: '(linked to username)', kind: 'text' },
        { name: 'Secret', value: '(linked to password)', kind: 'text' },
      ],
      passwordHistory: [
        { password: 'newest-pass', replacedAt: '2024-03-02T09:30:00.000Z' },
        { password: 'middle-pass', replacedAt: '2023-11-20T12:00:00.000Z' },
        { password: 'oldest-pass', replacedAt: '2023-01-10T08:00:00.000Z' },
      ],
    });
    expect(issues.filter((i) => i.source === 1)).toEqual([
      { source: 1, title: 'Build server', outcome: 'changed', code: 'passkey', detail: '1' },
      { source: 1, title: 'Build server', outcome: 'changed', code: 'unknownField', detail: 'linked' },
      { source: 1, title: 'Build server', outcome: 'changed', code: 'unknownField', detail: 'linked' },
    ]);
  });

  it('maps a secure note, a card, an identity with its extras, an SSH key and a trashed login', async () => {
    const { candidates } = await parse(fixture('individual.json'));
    expect(candidates[1]).toEqual({
      source: 2,
      type: 'note',
      title: 'Wi-Fi at home',
      notes: 'Network: casa\nKey: on the router',
      folder: 'Personal',
      createdAt: '2024-02-01T00:00:00.000Z',
      updatedAt: '2024-02-01T00:00:00.000Z',
    });
    expect(candidates[2]).toEqual({
      source: 3,
      type: 'card',
      title: 'Visa',
      createdAt: '2024-02-02T00:00:00.000Z',
      updatedAt: '2024-02-02T00:00:00.000Z',
      cardholder: 'Jane Doe',
      brand: 'Visa',
      number: '4111111111111111',
      expMonth: '7',
      expYear: '2029',
      code: '123',
    });
    const identity = candidates[3];
    expect(identity).toMatchObject({
      source: 4,
      type: 'identity',
      title: 'Me',
      folder: 'Personal',
      honorific: 'Mrs',
      firstName: 'Jane',
      middleName: 'A',
      lastName: 'Doe',
      company: 'My Employer',
      email: 'jane@example.com',
      phone: '+1 805 555 0100',
      address1: '1 North Calle Cesar Chavez',
      address2: 'Suite 2',
      city: 'Santa Barbara',
      region: 'CA',
      postalCode: '93103',
      country: 'US',
    });
    expect(identity?.notes).toBeUndefined();
    expect(identity?.fields).toEqual([
      { name: 'Address 3', value: 'Building C', kind: 'text' },
      { name: 'Username', value: 'jdoe', kind: 'text' },
      { name: 'Social security number', value: '123-45-6789', kind: 'hidden' },
      { name: 'Passport number', value: 'X1234567', kind: 'hidden' },
      { name: 'License number', value: 'D7654321', kind: 'hidden' },
    ]);
    expect(candidates[4]).toEqual({
      source: 5,
      type: 'sshKey',
      title: 'Laptop key',
      folder: 'Work/Servers',
      createdAt: '2024-02-04T00:00:00.000Z',
      updatedAt: '2024-02-04T00:00:00.000Z',
      privateKey:
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----',
      publicKey:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f alice@laptop',
    });
    expect(candidates[5]).toMatchObject({
      source: 6,
      type: 'login',
      title: 'Old forum',
      trashed: true,
      username: 'jane',
      password: 'forum-pass',
      totp: '',
      urls: ['https://forum.example.org'],
    });
    expect(candidates[5]?.folder).toBeUndefined();
  });

  it('keeps a bank account (a type Keyhold lacks) as a note with its values, secrets hidden', async () => {
    const { candidates, issues } = await parse(fixture('individual.json'));
    expect(candidates[6]).toMatchObject({
      source: 7,
      type: 'note',
      title: 'Checking account',
      notes: 'Joint account',
    });
    expect(candidates[6]?.fields).toEqual([
      { name: 'Bank name', value: 'Example Bank', kind: 'text' },
      { name: 'Name on account', value: 'Jane Doe', kind: 'text' },
      { name: 'Account type', value: 'checking', kind: 'text' },
      { name: 'Account number', value: '000123456789', kind: 'hidden' },
      { name: 'Routing number', value: '110000000', kind: 'hidden' },
      { name: 'Pin', value: '4321', kind: 'hidden' },
      { name: 'Swift code', value: 'EXAMPLEXX', kind: 'hidden' },
      { name: 'Iban', value: 'DE89370400440532013000', kind: 'hidden' },
      { name: 'Bank contact phone', value: '+1 800 555 0199', kind: 'text' },
    ]);
    expect(issues.filter((i) => i.source === 7)).toEqual([
      {
        source: 7,
        title: 'Checking account',
        outcome: 'changed',
        code: 'unsupportedType',
        detail: 'bankAccount',
      },
    ]);
  });
});

describe('Bitwarden JSON: organization vault', () => {
  it('puts each item in its first collection that exists; none when it has none', async () => {
    const { candidates, issues } = await parse(fixture('organization.json'));
    expect(issues).toEqual([]);
    expect(candidates.map((c) => [c.title, c.folder])).toEqual([
      ['Primary DB', 'Engineering/Databases'],
      ['Runbook', 'Shared'],
      ['Loose note', undefined],
    ]);
    expect(candidates[0]).toMatchObject({
      type: 'login',
      username: 'postgres',
      password: 'pg-secret',
      urls: ['https://db.example.com:5432'],
      fields: [{ name: 'Website 1 match', value: 'host', kind: 'text' }],
    });
  });
});

describe('Bitwarden JSON: unknown and odd content', () => {
  it('imports through unknown keys, reordered keys, future types and field types, and nulls', async () => {
    const { candidates, issues } = await parse(fixture('extra-fields.json'));
    expect(candidates.map((c) => c.source)).toEqual([1, 2, 5, 6, 7, 8]);
    expect(candidates[4]).toEqual({
      source: 7,
      type: 'card',
      title: 'Typeless card',
      cardholder: '',
      brand: '',
      number: '4111111111111111',
      expMonth: '',
      expYear: '',
      code: '999',
    });
    expect(candidates[5]).toEqual({ source: 8, type: 'note', title: 'Typeless', notes: 'no type at all' });
    expect(candidates[0]).toEqual({
      source: 1,
      type: 'login',
      title: 'Reordered keys',
      username: 'user1',
      password: 'p@ss',
      totp: '',
      urls: ['https://a.example'],
      fields: [
        { name: 'From the future', value: 'still kept', kind: 'text' },
        { name: 'Field 2', value: 'nameless', kind: 'text' },
        { name: 'Flag', value: 'false', kind: 'boolean' },
      ],
    });
    expect(candidates[1]).toEqual({
      source: 2,
      type: 'note',
      title: 'Type from the future',
      notes: 'kept as a note',
    });
    expect(candidates[2]).toMatchObject({
      source: 5,
      type: 'login',
      title: 'untitled.example',
      username: 'u',
    });
    expect(candidates[3]).toMatchObject({
      source: 6,
      type: 'note',
      fields: [
        { name: 'Previous password (2024-01-01T00:00:00.000Z)', value: 'old hidden value', kind: 'hidden' },
      ],
    });
    expect(candidates[3]?.passwordHistory).toBeUndefined();
    expect(issues).toEqual([
      { source: 1, title: 'Reordered keys', outcome: 'changed', code: 'unknownField', detail: 'type 9' },
      {
        source: 2,
        title: 'Type from the future',
        outcome: 'changed',
        code: 'unsupportedType',
        detail: 'type 99',
      },
      { source: 3, title: '', outcome: 'skipped', code: 'unreadable' },
      { source: 4, title: '', outcome: 'skipped', code: 'empty' },
      { source: 5, title: 'untitled.example', outcome: 'changed', code: 'titleMade' },
    ]);
  });

  it('keeps quotes, commas, line endings, emoji and right-to-left text exactly', async () => {
    const expectAwkward = (parsed: Parsed) => {
      const [login, note] = parsed.candidates;
      expect(login).toMatchObject({
        title: 'שלום "עולם", 😀',
        folder: 'עבודה/שרתים',
        notes: 'line 1\r\nline 2\rline 3\nline 4, with "quotes"; and semicolons',
        username: 'مستخدم',
        password: 'p"a,s;s\nwörd 🔒',
        urls: ['https://例え.jp/ログイン?q=a,b'],
        fields: [{ name: 'ملاحظة, "مقتبسة"', value: 'multi\nline\r\nvalue', kind: 'hidden' }],
      });
      expect(note).toMatchObject({
        title: 'Tab\there',
        folder: '🔑 Keys / "Quoted", commas',
        notes: '\u200f\u202eRTL override\u202c and zero\u200bwidth',
      });
    };
    const bytes = fixture('awkward.json');
    expectAwkward(await parse(bytes));
    expectAwkward(await parse(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes])));
    const s = new TextDecoder().decode(bytes);
    // The file's own line breaks (newlines inside values are escaped in JSON) as CRLF and as CR.
    expectAwkward(await parse(text(s.replace(/\n/g, '\r\n'))));
    expectAwkward(await parse(text(s.replace(/\n/g, '\r'))));
    const utf16 = new Uint8Array(2 + s.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) {
      utf16[2 + i * 2] = s.charCodeAt(i) & 0xff;
      utf16[3 + i * 2] = s.charCodeAt(i) >> 8;
    }
    expectAwkward(await parse(utf16));
  });
});

describe('Bitwarden JSON: whole-file errors', () => {
  it('names each whole-file problem', async () => {
    expect(await parseError(text(''))).toEqual(new ImportError('empty'));
    expect(await parseError(text(' \n\t'))).toEqual(new ImportError('empty'));
    expect(await parseError(text('name,url,username,password\n'))).toEqual(new ImportError('unrecognized'));
    expect(await parseError(text('{"encrypted":false,"folders":[]}'))).toEqual(
      new ImportError('unrecognized'),
    );
    expect(await parseError(text('[1,2]'))).toEqual(new ImportError('unrecognized'));
    expect(await parseError(text('{"encrypted":false,"folders":[],"items":[]}'))).toEqual(
      new ImportError('empty'),
    );
    expect(await parseError(text('{"version":"1.0","vaults":{}}'))).toEqual(new ImportError('unrecognized'));
    expect(await parseError(fixture('account-encrypted.json'))).toEqual(new ImportError('accountEncrypted'));
  });

  it('calls a file cut short malformed, wherever it was cut', async () => {
    const bytes = fixture('individual.json');
    for (const at of [1, 100, Math.floor(bytes.length / 2), bytes.length - 2])
      expect(await parseError(bytes.subarray(0, at))).toEqual(new ImportError('malformed'));
  });

  it('refuses more items than allowed before mapping any', async () => {
    expect(await parseError(fixture('individual.json'), undefined, 6)).toEqual(
      new ImportError('tooManyItems', '6'),
    );
    expect((await parse(fixture('individual.json'), undefined, 7)).candidates).toHaveLength(7);
  });
});

// ——— The encryption side of Bitwarden's password-protected export, written here from its
// description (docs/import-formats/bitwarden-json.md) with Web Crypto and hash-wasm. ———

const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

type Kdf =
  | { kdfType: 0; kdfIterations: number }
  | { kdfType: 1; kdfIterations: number; kdfMemory: number; kdfParallelism: number };

async function masterKey(password: string, salt: string, kdf: Kdf): Promise<Uint8Array<ArrayBuffer>> {
  if (kdf.kdfType === 0) {
    const base = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
    return new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: 'PBKDF2', hash: 'SHA-256', salt: utf8(salt), iterations: kdf.kdfIterations },
        base,
        256,
      ),
    );
  }
  const hashed = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(salt)));
  const out = await argon2id({
    password,
    salt: hashed,
    iterations: kdf.kdfIterations,
    memorySize: kdf.kdfMemory * 1024,
    parallelism: kdf.kdfParallelism,
    hashLength: 32,
    outputType: 'binary',
  });
  return new Uint8Array(out);
}

async function hmac(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>) {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data));
}

async function encString(plain: string, encKey: Uint8Array<ArrayBuffer>, macKey: Uint8Array<ArrayBuffer>) {
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const k = await crypto.subtle.importKey('raw', encKey, 'AES-CBC', false, ['encrypt']);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, k, utf8(plain)));
  const mac = await hmac(macKey, new Uint8Array([...iv, ...ct]));
  return `2.${b64(iv)}|${b64(ct)}|${b64(mac)}`;
}

async function protect(plain: string, password: string, kdf: Kdf): Promise<Record<string, unknown>> {
  const salt = b64(crypto.getRandomValues(new Uint8Array(16)));
  const master = await masterKey(password, salt, kdf);
  const encKey = await hmac(master, new Uint8Array([...utf8('enc'), 1]));
  const macKey = await hmac(master, new Uint8Array([...utf8('mac'), 1]));
  return {
    encrypted: true,
    passwordProtected: true,
    salt,
    ...kdf,
    encKeyValidation_DO_NOT_EDIT: await encString(crypto.randomUUID(), encKey, macKey),
    data: await encString(plain, encKey, macKey),
  };
}

const json = (v: unknown) => text(JSON.stringify(v));

describe('Bitwarden JSON: password-protected export', () => {
  const plain = new TextDecoder().decode(fixture('individual.json'));
  const pbkdf2: Kdf = { kdfType: 0, kdfIterations: 5000 };

  it('decrypts a PBKDF2 file with the right password into the same items as the plain file', async () => {
    const doc = await protect(plain, 'file pässword 🔐', pbkdf2);
    const parsed = await parse(json(doc), 'file pässword 🔐');
    expect(parsed).toEqual(await parse(fixture('individual.json')));
    expect(parsed.candidates[0]?.password).toBe('c0rrect-h0rse');
  });

  it('decrypts an Argon2id file', async () => {
    const doc = await protect(plain, 'argon pass', {
      kdfType: 1,
      kdfIterations: 2,
      kdfMemory: 16,
      kdfParallelism: 1,
    });
    const parsed = await parse(json(doc), 'argon pass');
    expect(parsed.candidates.map((c) => c.title)).toEqual([
      'Build server',
      'Wi-Fi at home',
      'Visa',
      'Me',
      'Laptop key',
      'Old forum',
      'Checking account',
    ]);
  });

  it('asks for the password, refuses a wrong one, and tells a damaged file from a wrong password', async () => {
    const doc = await protect(plain, 'right', pbkdf2);
    expect(await parseError(json(doc))).toEqual(new ImportError('passwordNeeded'));
    expect(await parseError(json(doc), '')).toEqual(new ImportError('passwordNeeded'));
    expect(await parseError(json(doc), 'wrong')).toEqual(new ImportError('wrongPassword'));
    const data = String(doc.data);
    const flipped = `${data.slice(0, 30)}${data[30] === 'A' ? 'B' : 'A'}${data.slice(31)}`;
    expect(await parseError(json({ ...doc, data: flipped }), 'right')).toEqual(
      new ImportError('malformed', 'data'),
    );
    expect(await parseError(json({ ...doc, data: 'not an enc string' }), 'right')).toEqual(
      new ImportError('malformed'),
    );
  });

  it('refuses KDF settings outside what Bitwarden produces before deriving anything', async () => {
    const doc = await protect(plain, 'right', pbkdf2);
    for (const kdf of [
      { kdfType: 0, kdfIterations: 4999 },
      { kdfType: 0, kdfIterations: 2_000_001 },
      { kdfType: 0, kdfIterations: '5000' },
      { kdfType: 1, kdfIterations: 3, kdfMemory: 4096, kdfParallelism: 4 },
      { kdfType: 1, kdfIterations: 3, kdfMemory: 64, kdfParallelism: 0 },
      { kdfType: 1, kdfIterations: 11, kdfMemory: 64, kdfParallelism: 4 },
      { kdfType: 2, kdfIterations: 5000 },
    ])
      expect(await parseError(json({ ...doc, ...kdf }), 'right')).toEqual(
        new ImportError('malformed', 'kdf'),
      );
    expect(await parseError(json({ ...doc, salt: '' }), 'right')).toEqual(
      new ImportError('malformed', 'salt'),
    );
  });

  /**
   * Published vectors from an independent implementation (elliotwutingfeng/bitwarden_backup_decryptor,
   * test/encrypted_test_pbkdf2.json and test/encrypted_test_argon2id.json; passphrase "passphrase"),
   * made with Bitwarden's default KDF settings: PBKDF2 600,000 iterations; Argon2id 3 iterations,
   * 64 MiB, 4 lanes.
   */
  const SALT = 'rNYWSe/wFO1k+Qxia0A96A==';

  it('decrypts a published PBKDF2 vector', async () => {
    const vector = {
      encrypted: true,
      passwordProtected: true,
      salt: SALT,
      kdfType: 0,
      kdfIterations: 600000,
      encKeyValidation_DO_NOT_EDIT:
        '2.BCUsoLRgNgqJeJxut3xweg==|un2qvs/69JzyKytAsJeixvUAt2UJ5fesAyTZk9X5kIApYwoTPAWxlNpXQvr+PQti|yScEwAMqNKZUpRAFxs1x2ULT+NwtE5QontXJ+G52fZY=',
      data: '2.ZWJYgGWulXafn/ABTx/Cuw==|53yzGBo0NkhkEnN0DEZaHB7hA7vVI+LAFwlEELEdb84+35nPbTuSDFbmormlQUEbkx+F2mMYbo6U1P00n6zkaw==|1vxpYszP7FpVM3o4znAPPpNv7W3w5Z8muGQO/L2X3Yo=',
    };
    // Its data is an empty vault, `{"encrypted": false, "folders": [], "items": []}`: the right
    // password opens it (a wrong one is refused before), and an export with no item is 'empty'.
    expect(await parseError(json(vector), 'passphrase')).toEqual(new ImportError('empty'));
    expect(await parseError(json(vector), 'passphrase!')).toEqual(new ImportError('wrongPassword'));
  });

  it("accepts a published Argon2id vector's validation string (its data here replaced by a damaged one)", async () => {
    const vector = {
      encrypted: true,
      passwordProtected: true,
      salt: SALT,
      kdfType: 1,
      kdfIterations: 3,
      kdfMemory: 64,
      kdfParallelism: 4,
      encKeyValidation_DO_NOT_EDIT:
        '2.BCUsoLRgNgqJeJxut3xweg==|oEEkWdOX9yhyg0rloZtnLSJhqrrKxXswp6oHcfnMlF2xKVLgpnL7q36zq4YolQH1|j7ffuM4uu0bs1biwc6H4XfDjJ1+YxxDdO+pZfq6bhSY=',
      data: '2.ZWJYgGWulXafn/ABTx/Cuw==|AAAAAAAAAAAAAAAAAAAAAA==|e3AbK5Zp/72KljWMLhqzYtwbVeLEsL8DKk4S3BSqMT8=',
    };
    // Right password: the validation's MAC holds, so the fault is the data's.
    expect(await parseError(json(vector), 'passphrase')).toEqual(new ImportError('malformed', 'data'));
    expect(await parseError(json(vector), 'Passphrase')).toEqual(new ImportError('wrongPassword'));
  });
});

describe('Bitwarden JSON: detection', () => {
  it('recognises every kind of Bitwarden JSON export', async () => {
    for (const name of [
      'individual.json',
      'organization.json',
      'extra-fields.json',
      'account-encrypted.json',
    ])
      expect(looksBitwardenJson(file(fixture(name)))).toBe(true);
    const doc = await protect('{"encrypted":false,"items":[]}', 'x', { kdfType: 0, kdfIterations: 5000 });
    expect(looksBitwardenJson(file(json(doc)))).toBe(true);
    const bytes = fixture('individual.json');
    expect(looksBitwardenJson(file(bytes), new TextDecoder().decode(bytes))).toBe(true);
  });

  it('says no to other files without throwing', () => {
    for (const s of [
      '',
      'name,url,username,password\na,https://a.example,u,p\n',
      '{"version":"1.21.0","userId":"u","encrypted":false,"vaults":{}}',
      '{"accounts":[{"vaults":[]}]}',
      '{"encrypted":false,"folders":',
      'null',
    ])
      expect(looksBitwardenJson(file(text(s)))).toBe(false);
    expect(looksBitwardenJson(file(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0xff])))).toBe(false);
  });
});
