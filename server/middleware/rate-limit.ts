import { createMiddleware } from 'hono/factory';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { auditMeta, recordAudit } from '../audit/record.ts';
import { inScope } from '../db/scope.ts';
import { clientIp } from './client-ip.ts';

/**
 * The socket's address; proxies' X-Forwarded-For is deliberately not trusted. IPv6 clients are
 * keyed by their /64, since one host can rotate through the addresses of its whole prefix.
 */
export const clientKey = (env: unknown): string => {
  const ip = clientIp(env) ?? 'unknown';
  return ip.includes(':') && !ip.startsWith('::ffff:') ? ipv6Prefix64(ip) : ip;
};

export function ipv6Prefix64(ip: string): string {
  const [head = '', tail = ''] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  const short = (g: string) => g.toLowerCase().replace(/^0+(?=.)/, '');
  return `${groups.slice(0, 4).map(short).join(':')}::/64`;
}

/** In-memory fixed-window limit per client IP (one process; per-account lockout lives in the database). */
export function fixedWindowRateLimit(options: { limit: number; windowMs: number; now: () => Date }) {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return createMiddleware<AppEnv>(async (c, next) => {
    const now = options.now().getTime();
    // Expired windows are dropped once per window length, not scanned on every request.
    if (now - lastSweep >= options.windowMs) {
      lastSweep = now;
      for (const [key, w] of windows) if (now - w.start >= options.windowMs) windows.delete(key);
    }
    const ip = clientKey(c.env);
    let window = windows.get(ip);
    if (!window || now - window.start >= options.windowMs) {
      window = { start: now, count: 0 };
      windows.set(ip, window);
    }
    window.count += 1;
    if (window.count > options.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.start + options.windowMs - now) / 1000));
      // The first refusal of a window is recorded; the rest of a flood is not written anywhere.
      if (window.count === options.limit + 1) {
        await inScope(c.var.deps.db, 'server', (tx) =>
          recordAudit(tx, auditMeta(c), {
            type: 'rate.limited',
            payload: { reason: 'ip', route: c.req.path, retryAfterSeconds: retryAfter },
          }),
        );
      }
      throw new ApiError(429, 'RATE_LIMITED', 'Too many requests. Try again later.', {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    await next();
  });
}
