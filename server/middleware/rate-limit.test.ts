import { describe, expect, it } from 'vitest';
import { clientKeyOf, ipv6Prefix64 } from './rate-limit.ts';

describe('clientKeyOf', () => {
  it('keys IPv4 (also IPv4-mapped) by address', () => {
    expect(clientKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('::ffff:203.0.113.7')).toBe('::ffff:203.0.113.7');
  });

  it('keys IPv6 by /64 so a host cannot rotate through its prefix', () => {
    expect(clientKeyOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKeyOf('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(ipv6Prefix64('2001:0DB8::1')).toBe('2001:db8:0:0::/64');
    expect(ipv6Prefix64('::1')).toBe('0:0:0:0::/64');
  });

  it('falls back to a shared key without a socket', () => {
    expect(clientKeyOf(null)).toBe('unknown');
  });
});
