import fc from 'fast-check';
import { getPublicSuffix } from 'tldts';
import { describe, expect, it } from 'vitest';
import {
  bestMatch,
  MatchMode,
  matchUri,
  parseSiteUrl,
  rankMatches,
  type SavedUri,
  type SiteUrl,
} from './url-match.ts';

function page(url: string): SiteUrl {
  const parsed = parseSiteUrl(url);
  if (parsed === null) throw new Error(`test page did not parse: ${url}`);
  return parsed;
}

const quality = (saved: SavedUri, pageUrl: string) => matchUri(saved, page(pageUrl))?.quality ?? null;

describe('parseSiteUrl', () => {
  it('normalizes host, port, path and computes the registrable domain', () => {
    expect(parseSiteUrl('HTTPS://WWW.Example.CO.UK.:443/Login?next=1#frag')).toEqual({
      scheme: 'https',
      hostname: 'www.example.co.uk',
      port: '',
      pathname: '/Login',
      search: '?next=1',
      registrableDomain: 'example.co.uk',
      isIp: false,
      insecure: false,
    });
  });

  it('treats private suffixes (github.io) as public suffixes', () => {
    expect(parseSiteUrl('https://alice.github.io/')?.registrableDomain).toBe('alice.github.io');
    expect(parseSiteUrl('https://docs.alice.github.io/')?.registrableDomain).toBe('alice.github.io');
  });

  it('uses the host itself for IPs, localhost and bare suffixes', () => {
    expect(parseSiteUrl('http://192.168.1.10:8080/')).toMatchObject({
      hostname: '192.168.1.10',
      port: '8080',
      registrableDomain: '192.168.1.10',
      isIp: true,
    });
    expect(parseSiteUrl('http://[::1]/')).toMatchObject({
      hostname: '[::1]',
      isIp: true,
      registrableDomain: '[::1]',
    });
    expect(parseSiteUrl('http://localhost:3000/')).toMatchObject({
      registrableDomain: 'localhost',
      port: '3000',
    });
    expect(parseSiteUrl('https://github.io/')?.registrableDomain).toBe('github.io');
  });

  it('gives IDNs in punycode', () => {
    expect(parseSiteUrl('https://www.bücher.de/')).toMatchObject({
      hostname: 'www.xn--bcher-kva.de',
      registrableDomain: 'xn--bcher-kva.de',
    });
  });

  it('assumes https for saved URIs written without a scheme', () => {
    expect(parseSiteUrl('example.com/login')).toMatchObject({ scheme: 'https', hostname: 'example.com' });
    expect(parseSiteUrl('example.com:8443')).toMatchObject({ scheme: 'https', port: '8443' });
    expect(parseSiteUrl('localhost:3000')).toMatchObject({ hostname: 'localhost', port: '3000' });
    expect(parseSiteUrl('  example.com  ')?.hostname).toBe('example.com');
  });

  it('flags plain http as insecure, except loopback', () => {
    expect(parseSiteUrl('http://example.com/')?.insecure).toBe(true);
    expect(parseSiteUrl('https://example.com/')?.insecure).toBe(false);
    expect(parseSiteUrl('http://localhost/')?.insecure).toBe(false);
    expect(parseSiteUrl('http://127.0.0.1/')?.insecure).toBe(false);
    expect(parseSiteUrl('http://[::1]/')?.insecure).toBe(false);
  });

  it.each([
    '',
    '   ',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<form>',
    'chrome-extension://abcdefghijklmnop/popup.html',
    'moz-extension://1234/popup.html',
    'file:///etc/passwd',
    'ftp://example.com/',
    'about:blank',
    'mailto:alice@example.com',
    'https://',
    'http://exa mple.com/',
    'not a url',
    'alice@example.com',
  ])('rejects %j', (url) => {
    expect(parseSiteUrl(url)).toBeNull();
  });
});

describe('matchUri — domain mode (default)', () => {
  const item: SavedUri = { url: 'https://accounts.example.co.uk/signin' };

  it('offers an item on another host of the same registrable domain', () => {
    expect(matchUri(item, page('https://www.example.co.uk/'))).toEqual({
      quality: 'domain',
      insecure: false,
    });
    expect(quality(item, 'https://example.co.uk/')).toBe('domain');
    expect(quality(item, 'https://accounts.example.co.uk/other')).toBe('host');
  });

  it.each([
    'https://example2.co.uk/',
    'https://evil-example.co.uk/',
    'https://example.co.uk.evil.com/',
    'https://accounts.example.co.uk.evil.com/',
    'https://example.com/',
    'https://co.uk/',
  ])('never offers it on %s', (url) => {
    expect(matchUri(item, page(url))).toBeNull();
  });

  it('keeps separate *.github.io sites apart', () => {
    const alice: SavedUri = { url: 'https://alice.github.io/' };
    expect(quality(alice, 'https://alice.github.io/blog')).toBe('host');
    expect(quality(alice, 'https://www.alice.github.io/')).toBe('domain');
    expect(quality(alice, 'https://bob.github.io/')).toBeNull();
    expect(quality(alice, 'https://github.io/')).toBeNull();
  });

  it('ignores port in domain mode', () => {
    expect(quality({ url: 'https://example.com:8443/' }, 'https://www.example.com/')).toBe('domain');
  });

  it('matches an https URI on an http page but flags it insecure; an http URI there is not flagged', () => {
    expect(matchUri(item, page('http://www.example.co.uk/'))).toEqual({ quality: 'domain', insecure: true });
    expect(matchUri({ url: 'http://login.example.co.uk' }, page('http://www.example.co.uk/'))).toEqual({
      quality: 'domain',
      insecure: false,
    });
  });

  it('matches IPs and localhost only by the exact host', () => {
    expect(quality({ url: 'http://192.168.1.10/' }, 'http://192.168.1.10:8080/')).toBe('domain');
    expect(quality({ url: 'http://192.168.1.10/' }, 'http://192.168.1.11/')).toBeNull();
    expect(quality({ url: 'http://10.0.0.1/' }, 'http://1.0.0.1/')).toBeNull();
    expect(quality({ url: 'localhost:3000' }, 'http://localhost:5173/')).toBe('domain');
    expect(quality({ url: 'http://localhost/' }, 'http://127.0.0.1/')).toBeNull();
  });

  it('does not match an unparsable or non-http saved URI', () => {
    expect(matchUri({ url: 'javascript:alert(1)' }, page('https://example.com/'))).toBeNull();
    expect(matchUri({ url: 'androidapp://com.example' }, page('https://example.com/'))).toBeNull();
  });
});

describe('matchUri — host, exact and never modes', () => {
  it('host mode needs the same hostname and port, default ports normalized', () => {
    const saved: SavedUri = { url: 'https://example.com:8443/', mode: MatchMode.Host };
    expect(quality(saved, 'https://example.com:8443/x')).toBe('host');
    expect(quality(saved, 'https://example.com/')).toBeNull();
    expect(quality(saved, 'https://www.example.com:8443/')).toBeNull();

    const plain: SavedUri = { url: 'https://example.com', mode: MatchMode.Host };
    expect(quality(plain, 'https://example.com:443/')).toBe('host');
    expect(quality(plain, 'https://example.com:8443/')).toBeNull();
    expect(quality(plain, 'https://www.example.com/')).toBeNull();
    expect(matchUri(plain, page('http://example.com/'))).toEqual({ quality: 'host', insecure: true });
  });

  it('exact mode compares host, port, path and query, ignoring the fragment', () => {
    const saved: SavedUri = { url: 'https://example.com/login?tenant=a#top', mode: MatchMode.Exact };
    expect(quality(saved, 'https://example.com/login?tenant=a')).toBe('exact');
    expect(quality(saved, 'https://EXAMPLE.com:443/login?tenant=a#other')).toBe('exact');
    expect(quality(saved, 'https://example.com/login?tenant=b')).toBeNull();
    expect(quality(saved, 'https://example.com/login')).toBeNull();
    expect(quality(saved, 'https://example.com/login/?tenant=a')).toBeNull();
    expect(quality(saved, 'https://example.com:8443/login?tenant=a')).toBeNull();
    expect(quality(saved, 'https://www.example.com/login?tenant=a')).toBeNull();
    expect(matchUri(saved, page('http://example.com/login?tenant=a'))).toEqual({
      quality: 'exact',
      insecure: true,
    });
  });

  it('never mode never matches, even on the same URL', () => {
    expect(
      matchUri({ url: 'https://example.com/', mode: MatchMode.Never }, page('https://example.com/')),
    ).toBeNull();
  });

  it('fails closed on a mode it does not know', () => {
    const fromNewerClient = { url: 'https://example.com/', mode: 'regex' } as unknown as SavedUri;
    expect(matchUri(fromNewerClient, page('https://example.com/'))).toBeNull();
  });

  it('bestMatch picks the strongest of several URIs', () => {
    const uris: SavedUri[] = [
      { url: 'https://example.com/' },
      { url: 'https://www.example.com/login', mode: MatchMode.Exact },
      { url: 'https://www.example.com/', mode: MatchMode.Never },
    ];
    expect(bestMatch(uris, page('https://www.example.com/login'))?.quality).toBe('exact');
    expect(bestMatch(uris, page('https://www.example.com/other'))?.quality).toBe('domain');
    expect(bestMatch(uris, page('https://other.com/'))).toBeNull();
  });
});

describe('rankMatches', () => {
  const items = [
    { id: 'c', uris: [{ url: 'https://example.com/' }], lastUsedAt: '2026-03-01T00:00:00.000Z' },
    { id: 'a', uris: [{ url: 'https://login.example.com/' }] },
    { id: 'b', uris: [{ url: 'https://login.example.com/' }] },
    { id: 'd', uris: [{ url: 'https://login.example.com/' }], lastUsedAt: '2026-01-01T00:00:00.000Z' },
    {
      id: 'e',
      uris: [{ url: 'https://other.com/' }, { url: 'example.com' }],
      lastUsedAt: '2026-02-01T00:00:00.000Z',
    },
    { id: 'f', uris: [{ url: 'https://evil-example.com/' }], lastUsedAt: '2026-12-01T00:00:00.000Z' },
    { id: 'g', uris: [{ url: 'https://login.example.com/', mode: MatchMode.Never }] },
    { id: 'h', uris: [] },
  ];

  it('puts same-hostname items first, then most recently used, then id', () => {
    expect(rankMatches(items, 'https://login.example.com/signin').map((i) => i.id)).toEqual([
      'd',
      'a',
      'b',
      'c',
      'e',
    ]);
  });

  it('ranks by recency when no item is on the exact hostname', () => {
    expect(rankMatches(items, 'https://www.example.com/').map((i) => i.id)).toEqual([
      'c',
      'e',
      'd',
      'a',
      'b',
    ]);
  });

  it('returns nothing for pages that are not http(s)', () => {
    expect(rankMatches(items, 'javascript:alert(1)')).toEqual([]);
    expect(rankMatches(items, 'chrome-extension://abc/popup.html')).toEqual([]);
    expect(rankMatches(items, 'garbage')).toEqual([]);
  });

  it('does not reorder or mutate the input', () => {
    const copy = structuredClone(items);
    rankMatches(items, 'https://login.example.com/');
    expect(items).toEqual(copy);
  });
});

describe('properties', () => {
  const label = fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,12})?$/);
  const suffix = fc.constantFrom('com', 'org', 'co.uk', 'com.au', 'de', 'github.io');
  // `<label>.<suffix>` must itself be registrable, not a listed suffix such as `uk.com` or `blogspot.com`.
  const site = fc
    .record({ a: label, b: label, label, suffix })
    .filter(
      ({ label, suffix }) =>
        getPublicSuffix(`x.${label}.${suffix}`, { allowPrivateDomains: true }) === suffix,
    );

  it('an item on a.<label>.<suffix> matches b.<label>.<suffix> and never <label>x.<suffix>', () => {
    fc.assert(
      fc.property(site, ({ a, b, label, suffix }) => {
        const saved: SavedUri = { url: `https://${a}.${label}.${suffix}/login` };
        expect(matchUri(saved, page(`https://${b}.${label}.${suffix}/`))).not.toBeNull();
        expect(matchUri(saved, page(`https://${label}.${suffix}/`))).not.toBeNull();
        expect(matchUri(saved, page(`https://${label}x.${suffix}/`))).toBeNull();
        expect(matchUri(saved, page(`https://${a}.${label}x.${suffix}/`))).toBeNull();
        expect(matchUri(saved, page(`https://${a}.${label}.${suffix}.evil.com/`))).toBeNull();
      }),
    );
  });

  it('host mode never matches a different hostname', () => {
    fc.assert(
      fc.property(site, ({ a, b, label, suffix }) => {
        fc.pre(a !== b);
        const saved: SavedUri = { url: `https://${a}.${label}.${suffix}/`, mode: MatchMode.Host };
        expect(matchUri(saved, page(`https://${b}.${label}.${suffix}/`))).toBeNull();
      }),
    );
  });
});
