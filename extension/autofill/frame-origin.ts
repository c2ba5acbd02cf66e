/**
 * Origins of frame URLs (scheme, host and port), for the checks that a frame is still on the site a
 * fill was planned for. A single-page app changes its path with `history.pushState` without a new
 * document, and the browser may keep reporting the frame's old URL (Chrome's `sender.url`), so
 * these checks compare origins: a page can push any path of its own origin, never another origin.
 * Pure; shared by the service worker and the content script (no dependencies, a few bytes).
 */

/** `scheme://host[:port]` of an http(s) URL; null for anything else (opaque, unparsable, other schemes). */
export function frameOrigin(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  return u.origin;
}

/** Both URLs are http(s) and have the same origin. Anything unparsable or opaque is never the same. */
export function sameOrigin(a: string, b: string): boolean {
  const x = frameOrigin(a);
  return x !== null && x === frameOrigin(b);
}
