import { parse } from 'tldts';

/**
 * Decides which saved logins are offered on a page or frame. Pure data in, data out: the service
 * worker calls it while planning a fill; the invariants it upholds are in ./README.md.
 */

export const MatchMode = { Domain: 'domain', Host: 'host', Exact: 'exact', Never: 'never' } as const;
export type MatchMode = (typeof MatchMode)[keyof typeof MatchMode];

export const MatchQuality = { Exact: 'exact', Host: 'host', Domain: 'domain' } as const;
export type MatchQuality = (typeof MatchQuality)[keyof typeof MatchQuality];

export interface SavedUri {
  url: string;
  /** Defaults to `domain`. */
  mode?: MatchMode;
}

export interface SiteUrl {
  scheme: 'http' | 'https';
  /** Lower-case, punycode (as `URL` gives it), no trailing dot; IPv6 keeps its brackets. */
  hostname: string;
  /** Explicit non-default port, or '' when the scheme's default port is used. */
  port: string;
  pathname: string;
  /** `?…` or ''; the fragment is dropped. */
  search: string;
  /** Public-suffix-list registrable domain; the hostname itself for IPs, `localhost`, bare suffixes. */
  registrableDomain: string;
  isIp: boolean;
  /** Plain http to a host that is not loopback: filling needs the user's confirmation. */
  insecure: boolean;
}

export interface UriMatch {
  quality: MatchQuality;
  /** Copied from the page: the caller must ask before filling. */
  insecure: boolean;
}

const QUALITY_RANK: Record<MatchQuality, number> = { exact: 0, host: 1, domain: 2 };

/** `example.com/login`, `localhost:3000`, `[::1]:8080/x` — a host (and port) with no scheme. */
const SCHEMELESS = /^(?:\[[0-9a-f:.]+\]|[^/:?#@[\]\s\\]+)(?::\d+)?(?:[/?#]|$)/i;

/**
 * Parses a page URL or a saved URI. Only http(s) is accepted; anything else (`javascript:`,
 * `data:`, `chrome-extension:`, `file:`, garbage) is null. A saved URI without a scheme is https.
 */
export function parseSiteUrl(url: string): SiteUrl | null {
  const input = url.trim();
  if (input === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(SCHEMELESS.test(input) ? `https://${input}` : input);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;

  const hostname = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (hostname === '') return null;
  const info = parse(hostname, { allowPrivateDomains: true, extractHostname: false });
  const isIp = info.isIp === true;
  const scheme = parsed.protocol === 'https:' ? 'https' : 'http';
  return {
    scheme,
    hostname,
    port: parsed.port,
    pathname: parsed.pathname,
    search: parsed.search,
    registrableDomain: (!isIp && info.domain) || hostname,
    isIp,
    insecure: scheme === 'http' && !isLoopback(hostname),
  };
}

/** Loopback hosts are "potentially trustworthy" per the W3C Secure Contexts spec, even over http. */
function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * How well one saved URI matches the page, or null.
 * - domain: same registrable domain (PSL, private suffixes included, so `*.github.io` sites differ);
 * - host: same hostname and same port (default ports are '' on both sides);
 * - exact: host-mode match plus the same path and query; the fragment is ignored.
 * The scheme never blocks a match: an https URI on an http page matches with `insecure: true`.
 */
export function matchUri(saved: SavedUri, page: SiteUrl): UriMatch | null {
  const mode = saved.mode ?? MatchMode.Domain;
  if (mode === MatchMode.Never) return null;
  const uri = parseSiteUrl(saved.url);
  if (uri === null) return null;

  const sameHost = uri.hostname === page.hostname && uri.port === page.port;
  let quality: MatchQuality | null;
  switch (mode) {
    case MatchMode.Exact:
      quality = sameHost && uri.pathname === page.pathname && uri.search === page.search ? 'exact' : null;
      break;
    case MatchMode.Host:
      quality = sameHost ? 'host' : null;
      break;
    case MatchMode.Domain:
      quality = sameHost ? 'host' : uri.registrableDomain === page.registrableDomain ? 'domain' : null;
      break;
    default:
      // A mode from a newer client that this one does not know: fail closed.
      return null;
  }
  // Only a login saved for https needs the question on a plain-http page: one saved for http was
  // saved there knowingly.
  return quality === null ? null : { quality, insecure: page.insecure && uri.scheme === 'https' };
}

/** The best match among an item's URIs, or null. */
export function bestMatch(uris: readonly SavedUri[], page: SiteUrl): UriMatch | null {
  let best: UriMatch | null = null;
  for (const saved of uris) {
    const m = matchUri(saved, page);
    if (m && (best === null || QUALITY_RANK[m.quality] < QUALITY_RANK[best.quality])) best = m;
  }
  return best;
}

/**
 * Items with at least one URI matching `pageUrl`, best first: items saved for the page's exact
 * hostname, then most recently used, then by id. An unparsable or non-http(s) page matches nothing.
 */
export function rankMatches<T extends { id: string; uris: SavedUri[]; lastUsedAt?: string }>(
  items: readonly T[],
  pageUrl: string,
): T[] {
  const page = parseSiteUrl(pageUrl);
  if (page === null) return [];
  const ranked: { item: T; sameHostname: boolean }[] = [];
  for (const item of items) {
    let matched = false;
    let sameHostname = false;
    for (const saved of item.uris) {
      if (matchUri(saved, page) === null) continue;
      matched = true;
      if (parseSiteUrl(saved.url)?.hostname === page.hostname) sameHostname = true;
    }
    if (matched) ranked.push({ item, sameHostname });
  }
  return ranked
    .sort(
      (a, b) =>
        Number(b.sameHostname) - Number(a.sameHostname) ||
        compareDesc(a.item.lastUsedAt, b.item.lastUsedAt) ||
        compareAsc(a.item.id, b.item.id),
    )
    .map((r) => r.item);
}

/** ISO-8601 timestamps sort as strings; a missing one sorts last. */
function compareDesc(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? 1 : -1;
}

function compareAsc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
