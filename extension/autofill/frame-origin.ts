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

/** The URL of a frame that inherits its origin (`about:blank`, `about:srcdoc`). */
export const inheritsOrigin = (url: string) => /^about:(?:blank|srcdoc)(?:[?#]|$)/.test(url);

/**
 * The URL a frame is matched and checked by. An http(s) frame: its own URL. An `about:blank` or
 * `about:srcdoc` frame has no origin of its own in its URL; it runs on the origin of the document
 * that made it (`origin`, as the browser reports it: `sender.origin`, or `window.origin` inside the
 * frame), so it counts as that origin's root. Null for anything else: other schemes, and opaque
 * origins ("null", a sandboxed frame), which are never filled.
 */
export function siteUrlOf(url: string, origin: string | null | undefined): string | null {
  if (frameOrigin(url) !== null) return url;
  if (!inheritsOrigin(url) || !origin) return null;
  const inherited = frameOrigin(origin);
  return inherited === null ? null : `${inherited}/`;
}

/** Both URLs are http(s) and have the same origin. Anything unparsable or opaque is never the same. */
export function sameOrigin(a: string, b: string): boolean {
  const x = frameOrigin(a);
  return x !== null && x === frameOrigin(b);
}

/**
 * Frames as `webNavigation` lists them, with each `about:blank` / `about:srcdoc` frame given the
 * origin root of its nearest http(s) ancestor (what it inherits when its parent made it). That is
 * only the browser's side: the frame's own report (`window.origin`) must agree before anything is
 * written, so a blank frame another origin navigated, or a sandboxed one, is still refused.
 * Frames with no such ancestor, and other schemes, are left out.
 */
export function resolveInheritedFrames<F extends { frameId: number; parentFrameId?: number; url: string }>(
  frames: F[],
): (F & { url: string })[] {
  const byId = new Map(frames.map((f) => [f.frameId, f]));
  const siteUrl = (frame: F, depth: number): string | null => {
    if (frameOrigin(frame.url) !== null) return frame.url;
    if (!inheritsOrigin(frame.url) || depth > 32 || frame.parentFrameId === undefined) return null;
    const parent = byId.get(frame.parentFrameId);
    const parentUrl = parent ? siteUrl(parent, depth + 1) : null;
    const origin = parentUrl === null ? null : frameOrigin(parentUrl);
    return origin === null ? null : `${origin}/`;
  };
  return frames.flatMap((f) => {
    const url = siteUrl(f, 0);
    return url === null ? [] : [{ ...f, url }];
  });
}
