import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';

/**
 * The address of the socket the request came in on (null in-process, e.g. app.request in tests).
 * Not the client's when a proxy is in front: use `requestIp`, which audit events and limits share.
 */
export function clientIp(env: unknown): string | null {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

/** IPv4 written as IPv4-mapped IPv6 (a dual-stack socket's peer) as plain IPv4. */
const unmapped = (ip: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip);

/** The proxies whose X-Forwarded-For is believed (TRUST_PROXY): addresses and CIDR ranges. */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parsed = parseProxyEntry(entry);
      if (!parsed) throw new Error(`not an IP address or CIDR range: ${entry}`);
      if (parsed.prefix === null) this.#list.addAddress(parsed.address, parsed.family);
      else this.#list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.size = entries.length;
  }

  has(ip: string): boolean {
    const address = unmapped(ip);
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`; null when it is neither an address nor a range. */
export function parseProxyEntry(
  entry: string,
): { address: string; prefix: number | null; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return null;
  if (prefixText === undefined) return { address, prefix: null, family: family === 4 ? 'ipv4' : 'ipv6' };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > (family === 4 ? 32 : 128)) return null;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy — then the
 * right-most X-Forwarded-For address that is not itself a trusted proxy (the left part of the
 * header is whatever the client wrote, so it is never believed). A hop that is not an IP address
 * stops the walk at the last trusted proxy.
 */
export function resolveClientIp(
  peer: string | null,
  forwardedFor: string | undefined,
  trusted: TrustedProxies,
): string | null {
  if (peer === null || !trusted.has(peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((hop) => hop.trim());
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapped(hops[i] ?? '');
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted.has(hop)) return client;
  }
  return client;
}

/** The request's client address as audit events record it and limits count it. */
export function requestIp(c: Context<AppEnv>): string | null {
  return resolveClientIp(clientIp(c.env), c.req.header('x-forwarded-for'), c.var.deps.trustedProxies);
}
