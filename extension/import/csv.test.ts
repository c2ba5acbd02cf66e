import { describe, expect, it } from 'vitest';
import { columns, csvHeader, readCsv } from './csv.ts';
import { decodeText } from './text.ts';
import { ImportError } from './types.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('CSV reading', () => {
  it('reads quoted fields with commas, quotes and newlines, and CRLF / CR / LF line endings', () => {
    for (const eol of ['\r\n', '\r', '\n']) {
      const t = readCsv(`name,notes${eol}"a, b","line 1${eol}line ""2"""${eol}c,d${eol}`);
      expect(t.header).toEqual(['name', 'notes']);
      expect(t.rows).toEqual([
        ['a, b', `line 1${eol}line "2"`],
        ['c', 'd'],
      ]);
    }
  });

  it('detects a semicolon separator and drops a UTF-8 byte-order mark', () => {
    const t = readCsv(decodeText(bytes('\uFEFFname;url\nx;https://a.example\n')));
    expect(t.header).toEqual(['name', 'url']);
    expect(t.rows).toEqual([['x', 'https://a.example']]);
  });

  it('decodes UTF-16 with its mark', () => {
    const s = 'name\nこんにちは 😀\n';
    const le = new Uint8Array(2 + s.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) {
      le[2 + i * 2] = s.charCodeAt(i) & 0xff;
      le[3 + i * 2] = s.charCodeAt(i) >> 8;
    }
    expect(readCsv(decodeText(le)).rows).toEqual([['こんにちは 😀']]);
  });

  it('finds columns by name whatever their case, spacing and order; names the missing one', () => {
    const t = readCsv('Extra,Login URI,NAME\n1,https://a.example,A\n');
    const c = columns(t);
    const row = t.rows[0] as string[];
    expect(c.get(row, 'name')).toBe('A');
    expect(c.get(row, 'login_uri')).toBe('https://a.example');
    expect(c.get(row, 'nope')).toBe('');
    expect(c.extra(['name', 'login_uri'])).toEqual([0]);
    expect(() => c.require('password')).toThrow(new ImportError('missingColumn', 'password'));
  });

  it('pads short rows and records them as ragged', () => {
    const t = readCsv('a,b,c\n1,2\n1,2,3\n');
    expect(t.rows[0]).toEqual(['1', '2', '']);
    expect(t.ragged).toEqual([1]);
  });

  it('refuses an empty file, and stops early past the row limit', () => {
    expect(() => readCsv('')).toThrow(new ImportError('empty'));
    expect(() => readCsv('\n\n')).toThrow(new ImportError('empty'));
    const many = `a\n${'x\n'.repeat(1000)}`;
    expect(() => readCsv(many, 999)).toThrow(new ImportError('tooManyItems', '999'));
    expect(readCsv(many, 1000).rows).toHaveLength(1000);
  });

  it('reads only the header for detection', () => {
    expect(csvHeader('name,url,username,password\n1,2,3,4\n')).toEqual([
      'name',
      'url',
      'username',
      'password',
    ]);
    expect(csvHeader('')).toEqual([]);
  });
});
