import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksBitwardenCsv } from './bitwarden-csv.ts';
import { looksChromeCsv, parseChromeCsv } from './chrome-csv.ts';
import { isoFromDate, isoFromMillis } from './csv-rows.ts';
import { looksFirefoxCsv } from './firefox-csv.ts';
import { looksKeepassxcCsv } from './keepassxc-csv.ts';
import { parseLastpassCsv } from './lastpass-csv.ts';
import { parseOnePasswordCsv } from './onepassword-csv.ts';
import { ImportError, type ImportFile } from './types.ts';

const LOOKS: Record<string, (file: ImportFile, text?: string) => boolean> = {
  'chrome-csv': looksChromeCsv,
  'firefox-csv': looksFirefoxCsv,
  'bitwarden-csv': looksBitwardenCsv,
  'keepassxc-csv': looksKeepassxcCsv,
};

describe('CSV rows helpers', () => {
  it('claims every fixture for its own format and no other', () => {
    for (const format of Object.keys(LOOKS)) {
      const dir = new URL(`./fixtures/${format}/`, import.meta.url);
      for (const name of readdirSync(dir)) {
        const file = { name, bytes: new Uint8Array(readFileSync(new URL(name, dir))) };
        const claimed = Object.entries(LOOKS)
          .filter(([, looks]) => looks(file))
          .map(([f]) => f);
        expect({ fixture: `${format}/${name}`, claimed }).toEqual({
          fixture: `${format}/${name}`,
          claimed: [format],
        });
      }
    }
  });

  it('claims none of the other managers’ CSV headers', () => {
    const others = [
      'url,username,password,totp,extra,name,grouping,fav', // LastPass
      'Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes', // 1Password
      'Title,URL,Username,Password,Notes,OTPAuth', // Safari
      'username,username2,username3,title,password,note,url,category,otpSecret', // Dashlane
      'type,name,url,email,username,password,note,totp,createTime,modifyTime,vault', // Proton Pass
      '"Account","Login Name","Password","Web Site","Comments"', // KeePass 2
      '',
    ];
    for (const header of others) {
      const file = { name: 'x.csv', bytes: new TextEncoder().encode(`${header}\n`) };
      for (const [format, looks] of Object.entries(LOOKS))
        expect({ header, format, claimed: looks(file) }).toEqual({ header, format, claimed: false });
    }
  });

  it('takes one user column named like another manager’s for an extra column, not that manager’s file', async () => {
    const text = 'name,url,username,password,Extra,Group\nA,https://a.example,u,p,x,g\n';
    const parsed = await parseChromeCsv({ name: 'c.csv', bytes: new TextEncoder().encode(text) }, {});
    expect(parsed.candidates[0]?.fields).toEqual([
      { name: 'Extra', value: 'x', kind: 'text' },
      { name: 'Group', value: 'g', kind: 'text' },
    ]);
    const both = 'name,url,username,password,extra,grouping\nA,https://a.example,u,p,x,g\n';
    await expect(
      parseChromeCsv({ name: 'c.csv', bytes: new TextEncoder().encode(both) }, {}),
    ).rejects.toEqual(new ImportError('unrecognized'));
  });

  it('checks the header before reading the rows: a large file of another kind is unrecognized', async () => {
    const chrome = new TextEncoder().encode(
      `name,url,username,password\n${'A,https://a.example,u,p\n'.repeat(3)}`,
    );
    for (const parse of [parseChromeCsv, parseLastpassCsv, parseOnePasswordCsv]) {
      const error = await parse({ name: 'x.csv', bytes: chrome }, { maxItems: 2 }).catch((e: unknown) => e);
      expect(error).toEqual(
        parse === parseChromeCsv ? new ImportError('tooManyItems', '2') : new ImportError('unrecognized'),
      );
    }
  });

  it('reads times as ISO 8601 or not at all', () => {
    expect(isoFromMillis('1577836800000')).toBe('2020-01-01T00:00:00.000Z');
    for (const bad of ['', '0', '-5', '1e12', '12.5', 'soon', '9'.repeat(16)])
      expect(isoFromMillis(bad)).toBeUndefined();
    expect(isoFromDate('2024-03-01T10:00:00+02:00')).toBe('2024-03-01T08:00:00.000Z');
    expect(isoFromDate('2024-03-01T10:00')).toBe('2024-03-01T10:00:00.000Z');
    expect(isoFromDate('2024-03-01')).toBe('2024-03-01T00:00:00.000Z');
    for (const bad of ['', 'yesterday', '2024-13-45T00:00:00Z', '01/03/2024'])
      expect(isoFromDate(bad)).toBeUndefined();
  });
});
