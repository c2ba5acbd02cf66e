/**
 * The address of the socket the request came in on (null in-process, e.g. app.request in tests).
 * Proxies' X-Forwarded-For is deliberately not trusted.
 */
export function clientIp(env: unknown): string | null {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}
