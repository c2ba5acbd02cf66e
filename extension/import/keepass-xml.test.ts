import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { looksKeepassXml, parseKeepassXml } from './keepass-xml.ts';
import { ImportError } from './types.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/keepass-xml/${name}`, import.meta.url), 'utf8');
const enc = (s: string) => new TextEncoder().encode(s);
const utf16le = (s: string) => {
  const out = new Uint8Array(2 + s.length * 2);
  out.set([0xff, 0xfe]);
  for (let i = 0; i < s.length; i++) {
    out[2 + i * 2] = s.charCodeAt(i) & 0xff;
    out[3 + i * 2] = s.charCodeAt(i) >> 8;
  }
  return out;
};

const parse = (bytes: Uint8Array, maxItems?: number) =>
  parseKeepassXml({ name: 'export.xml', bytes }, maxItems === undefined ? {} : { maxItems });

const rejects = async (bytes: Uint8Array, error: ImportError, maxItems?: number) => {
  await expect(parse(bytes, maxItems)).rejects.toThrow(error);
  await expect(parse(bytes, maxItems)).rejects.toMatchObject({ code: error.code, detail: error.detail });
};

describe('KeePass 2.x XML import', () => {
  it('maps a typical KeePass export field by field', async () => {
    const result = await parse(enc(fixture('typical.xml')));
    expect(result.format).toBe('keepass-xml');
    expect(result.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'GitHub',
        username: 'octocat',
        password: 'n3w-p4ss',
        urls: ['https://github.com/login', 'https://api.github.com', 'https://gist.github.com'],
        totp: 'otpauth://totp/GitHub:octocat?secret=JBSWY3DPEHPK3PXP&issuer=GitHub',
        notes: 'Personal account.\nRecovery codes are in the safe.',
        fields: [
          { name: 'Recovery PIN', value: '24680', kind: 'hidden' },
          { name: 'Account ID', value: '00042' },
          { name: 'Tags', value: 'dev;work' },
          { name: 'Expires', value: '2025-12-31T23:00:00.000Z' },
        ],
        passwordHistory: [
          { password: 'second-pass', replacedAt: '2023-05-01T09:00:00.000Z' },
          { password: 'first-pass', replacedAt: '2023-03-01T09:00:00.000Z' },
        ],
        createdAt: '2023-02-01T09:00:00.000Z',
        updatedAt: '2023-05-01T09:00:00.000Z',
      },
      {
        source: 2,
        type: 'note',
        title: 'Wi-Fi guest instructions',
        notes: 'Network: Guest\nAsk at the desk.',
        createdAt: '2023-02-10T09:00:00.000Z',
        updatedAt: '2023-02-11T09:00:00.000Z',
      },
      {
        source: 3,
        type: 'login',
        title: 'VPN',
        username: 'jdoe',
        password: 'vpn-secret',
        urls: ['https://vpn.example.com'],
        totp: 'otpauth://totp/VPN?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=60&digits=8&algorithm=SHA256',
        folder: 'Work',
        createdAt: '2023-03-01T08:00:00.000Z',
        updatedAt: '2023-03-02T08:00:00.000Z',
      },
      {
        source: 4,
        type: 'login',
        title: 'db01',
        username: 'root',
        password: 'db-root-pw',
        totp: 'JBSWY3DPEHPK3PXP',
        folder: 'Work/Servers',
        createdAt: '2023-03-05T08:00:00.000Z',
        updatedAt: '2023-03-05T08:00:00.000Z',
      },
      {
        source: 5,
        type: 'login',
        title: 'Old forum',
        username: 'me',
        password: 'forum-pw',
        trashed: true,
        createdAt: '2022-01-01T08:00:00.000Z',
        updatedAt: '2022-06-01T08:00:00.000Z',
      },
      {
        source: 6,
        type: 'login',
        title: 'Old router',
        password: 'admin',
        folder: 'Old stuff',
        trashed: true,
      },
    ]);
    expect(result.issues).toEqual([
      { source: 1, title: 'GitHub', outcome: 'changed', code: 'attachments', detail: '1' },
    ]);
  });

  it('reads KeePassXC exports with unknown and reordered elements, older TOTP forms, passkeys', async () => {
    const result = await parse(enc(fixture('extra.xml')));
    expect(result.candidates).toEqual([
      {
        source: 1,
        type: 'login',
        title: 'Legacy TOTP seed',
        password: 'pw1',
        totp: 'JBSWY3DPEHPK3PXP',
        createdAt: '2024-03-01T10:00:00.000Z',
        updatedAt: '2024-03-02T11:30:00.000Z',
      },
      {
        source: 2,
        type: 'login',
        title: 'KeeOtp entry',
        username: 'kee',
        totp: 'otpauth://totp/KeeOtp%20entry?secret=JBSWY3DPEHPK3PXP&period=60&digits=6&algorithm=SHA1',
        fields: [
          { name: 'TimeOtp-Secret-Hex', value: '3132333435363738393031323334353637383930', kind: 'hidden' },
        ],
      },
      {
        source: 3,
        type: 'login',
        title: 'Hex secret',
        username: 'hex',
        totp: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      },
      {
        source: 4,
        type: 'login',
        title: 'Passkey site',
        username: 'pk-user',
        urls: ['https://passkey.example'],
      },
      {
        source: 5,
        type: 'login',
        title: 'From a raw KDBX payload',
        username: 'raw',
      },
      {
        source: 7,
        type: 'login',
        title: 'Base64 secret',
        totp: 'otpauth://totp/Base64%20secret?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30&digits=6&algorithm=SHA512',
      },
      {
        source: 8,
        type: 'note',
        title: 'Binned',
        notes: 'gone',
        trashed: true,
      },
    ]);
    expect(result.issues).toEqual([
      { source: 4, title: 'Passkey site', outcome: 'changed', code: 'attachments', detail: '2' },
      { source: 4, title: 'Passkey site', outcome: 'changed', code: 'passkey' },
      {
        source: 5,
        title: 'From a raw KDBX payload',
        outcome: 'changed',
        code: 'unreadable',
        detail: 'Password',
      },
      { source: 6, title: '', outcome: 'skipped', code: 'empty' },
    ]);
  });

  it('keeps awkward text: entities, CDATA, quotes, emoji, right-to-left, whitespace; any line ending, BOM, UTF-16', async () => {
    const lf = fixture('awkward.xml');
    const expected = [
      {
        source: 1,
        type: 'login',
        title: 'Title with "quotes", commas; & <tags> 🎉',
        username: '  spaced user  ',
        password: 'p"a,s;s&<w>🔑\rx',
        urls: ['https://例え.jp/path?q=1&r=2'],
        notes: 'line 1\nline 2 with <b>markup</b> & "quotes"\nשלום עולם\nمرحبا بالعالم 😀',
        folder: 'Ünïcødé "groups", 🏠/مجلد',
        fields: [{ name: 'عنوان', value: 'قيمة, "مقتبسة"' }],
      },
    ];
    for (const bytes of [
      enc(lf),
      enc(`\uFEFF${lf.replace(/\n/g, '\r\n')}`),
      enc(lf.replace(/\n/g, '\r')),
      utf16le(lf.replace(/\n/g, '\r\n')),
    ]) {
      const { candidates, issues } = await parse(bytes);
      expect(issues).toEqual([]);
      expect(candidates).toEqual(expected);
    }
  });

  it('refuses whole files it cannot read', async () => {
    const xml = fixture('typical.xml');
    await rejects(new Uint8Array(), new ImportError('empty'));
    await rejects(enc('  \n\t\n'), new ImportError('empty'));
    await rejects(enc('Title,UserName,Password\nA,b,c\n'), new ImportError('unrecognized'));
    await rejects(enc('<?xml version="1.0"?><html><body/></html>'), new ImportError('unrecognized'));
    await rejects(enc(xml.slice(0, Math.floor(xml.length / 2))), new ImportError('malformed'));
    await rejects(enc(xml.slice(0, xml.lastIndexOf('</KeePassFile>'))), new ImportError('malformed'));
    await rejects(enc('<KeePassFile><Meta/></KeePassFile>'), new ImportError('malformed', 'Root'));
  });

  it('stops past the item limit (history versions do not count)', async () => {
    const bytes = enc(fixture('typical.xml'));
    await rejects(bytes, new ImportError('tooManyItems', '5'), 5);
    expect((await parse(bytes, 6)).candidates).toHaveLength(6);
  });

  it('recognises a KeePass XML file by its root element only', () => {
    const xml = fixture('typical.xml');
    expect(looksKeepassXml({ name: 'db.xml', bytes: enc(xml) })).toBe(true);
    expect(looksKeepassXml({ name: 'db.xml', bytes: new Uint8Array() }, xml)).toBe(true);
    expect(looksKeepassXml({ name: 'db.xml', bytes: utf16le(xml) })).toBe(true);
    expect(looksKeepassXml({ name: 'a.csv', bytes: enc('Title,KeePassFile\n') })).toBe(false);
    expect(looksKeepassXml({ name: 'a.xml', bytes: enc('<?xml version="1.0"?><pwlist/>') })).toBe(false);
    expect(looksKeepassXml({ name: 'x.zip', bytes: zipSync({ 'a.xml': enc(xml) }) })).toBe(false);
  });
});
