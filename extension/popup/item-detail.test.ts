import { describe, expect, it } from 'vitest';
import { linkOf } from './item-detail.tsx';
import { groupCode, periodAt } from './totp-code.tsx';

describe('detail view helpers', () => {
  it('links http(s) and bare hosts (as https), never app or other addresses', () => {
    expect(linkOf('https://a.example/x')).toBe('https://a.example/x');
    expect(linkOf('HTTP://a.example')).toBe('HTTP://a.example');
    expect(linkOf('a.example/login')).toBe('https://a.example/login');
    expect(linkOf('androidapp://com.example')).toBeNull();
    expect(linkOf('iosapp://com.example')).toBeNull();
    expect(linkOf('javascript:alert(1)')).toBeNull();
    expect(linkOf('data:text/html,x')).toBeNull();
  });

  it('counts a TOTP period down from its length to 1, turning at multiples of the period', () => {
    expect(periodAt(0, 30)).toEqual({ index: 0, left: 30 });
    expect(periodAt(29_999, 30)).toEqual({ index: 0, left: 1 });
    expect(periodAt(30_000, 30)).toEqual({ index: 1, left: 30 });
    expect(periodAt(1_800_000_012_345, 60).left).toBe(60 - (1_800_000_012 % 60));
  });

  it('groups a code in two halves for reading', () => {
    expect(groupCode('123456')).toBe('123 456');
    expect(groupCode('1234567')).toBe('1234 567');
    expect(groupCode('12345678')).toBe('1234 5678');
  });
});
