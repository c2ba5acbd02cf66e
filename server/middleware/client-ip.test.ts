import { describe, expect, it } from 'vitest';
import { parseProxyEntry, resolveClientIp, TrustedProxies } from './client-ip.ts';

describe('resolveClientIp', () => {
  const none = new TrustedProxies([]);
  const proxies = new TrustedProxies(['10.0.0.0/8', '2001:db8:ffff::/48', '192.0.2.10']);

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(resolveClientIp('203.0.113.5', '1.2.3.4', none)).toBe('203.0.113.5');
    expect(resolveClientIp(null, '1.2.3.4', none)).toBeNull();
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(resolveClientIp('203.0.113.5', '1.2.3.4', proxies)).toBe('203.0.113.5');
  });

  it('takes the right-most address that is not itself a trusted proxy', () => {
    expect(resolveClientIp('10.0.0.1', '198.51.100.7', proxies)).toBe('198.51.100.7');
    // The client wrote the left part: never believed.
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, 198.51.100.7', proxies)).toBe('198.51.100.7');
    // A chain of trusted proxies is walked through.
    expect(resolveClientIp('10.0.0.1', '1.2.3.4, 198.51.100.7, 192.0.2.10, 10.9.9.9', proxies)).toBe(
      '198.51.100.7',
    );
    expect(resolveClientIp('::ffff:10.0.0.1', '198.51.100.7', proxies)).toBe('198.51.100.7');
    expect(resolveClientIp('2001:db8:ffff:1::1', '2001:db8:1:2::5', proxies)).toBe('2001:db8:1:2::5');
  });

  it('stops at the last trusted hop when a hop is not an address, and without the header', () => {
    expect(resolveClientIp('10.0.0.1', '198.51.100.7, junk', proxies)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '198.51.100.7, junk, 10.0.0.2', proxies)).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.1', undefined, proxies)).toBe('10.0.0.1');
    // Only proxies all the way: the left-most of them.
    expect(resolveClientIp('10.0.0.1', '10.0.0.3, 10.0.0.2', proxies)).toBe('10.0.0.3');
  });
});

describe('parseProxyEntry', () => {
  it('takes addresses and CIDR ranges', () => {
    expect(parseProxyEntry('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseProxyEntry(' ::1 ')).toEqual({ address: '::1', prefix: null, family: 'ipv6' });
    expect(parseProxyEntry('fd00::/8')).toEqual({ address: 'fd00::', prefix: 8, family: 'ipv6' });
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'proxy.local',
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.0/8/1',
      '10.0.0.0/x',
      '10.0.0.0/',
    ]) {
      expect(parseProxyEntry(bad), bad).toBeNull();
    }
    expect(() => new TrustedProxies(['nope'])).toThrow(/not an IP address or CIDR range/);
  });
});
