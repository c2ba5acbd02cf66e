import { createMiddleware } from 'hono/factory';
import { uniqueSymbol } from 'hono-openapi';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { inScope } from '../db/scope.ts';
import { rateLimitDescription } from '../openapi/describe.ts';
import { requestIp } from './client-ip.ts';

/**
 * The client's limit key: its address (requestIp: X-Forwarded-For only from TRUST_PROXY). IPv6
 * clients are keyed by their /64, since one host can rotate through the addresses of its whole prefix.
 */
export const clientKeyOf = (ip: string | null): string => {
  const address = ip ?? 'unknown';
  return address.includes(':') && !address.startsWith('::ffff:') ? ipv6Prefix64(address) : address;
};

export function ipv6Prefix64(ip: string): string {
  const [head = '', tail = ''] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  const short = (g: string) => g.toLowerCase().replace(/^0+(?=.)/, '');
  return `${groups.slice(0, 4).map(short).join(':')}::/64`;
}

/**
 * Every request to an auth route counts against its client's budget in the shared store (all
 * processes together). Over it: 429 with Retry-After; store unavailable: 503 LIMITS_UNAVAILABLE.
 */
const countRequest = createMiddleware<AppEnv>(async (c, next) => {
  const refused = await c.var.deps.limits.countRequest(clientKeyOf(requestIp(c)));
  if (refused) {
    const { retryAfterSeconds } = refused;
    c.var.deps.metrics?.rateLimited.inc({ reason: 'ip' });
    // The first refusal of a window is recorded; the rest of a flood is not written anywhere.
    if (refused.first) {
      await inScope(c.var.deps.db, 'server', (tx) =>
        recordAudit(tx, auditMeta(c), {
          type: 'rate.limited',
          payload: { reason: 'ip', route: c.req.path, retryAfterSeconds },
        }),
      );
    }
    throw new ApiError(429, 'RATE_LIMITED', 'Too many requests. Try again later.', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
  await next();
});

/** The limit, with the answers it adds to each auth route in docs/api/openapi.json. */
export const authRateLimit = Object.assign(countRequest, { [uniqueSymbol]: rateLimitDescription });
