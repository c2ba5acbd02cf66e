/**
 * What a login's website field may hold. Checked in the editor and again by the service worker
 * (the protocol's item schema), because the popup is not the only caller.
 *
 * - A web address: http(s), or a host without a scheme (`example.com/login`, saved as https by
 *   the matcher). These are the addresses autofill/url-match.ts can match; anything it would
 *   never match (`javascript:`, `data:`, `file:`, `chrome-extension:`…) is refused.
 * - An app address, `androidapp://<package>` or `iosapp://<bundle id>`, as Bitwarden stores
 *   them: kept for the user (and a mobile client), never matched or filled in the browser.
 */

export const APP_SCHEMES = ['androidapp', 'iosapp'] as const;

/** Same rule as url-match.ts's SCHEMELESS: a host (and port) with no scheme. */
const SCHEMELESS = /^(?:\[[0-9a-f:.]+\]|[^/:?#@[\]\s\\]+)(?::\d+)?(?:[/?#]|$)/i;
/** A package name or bundle id: dotted identifiers. */
const APP_ID = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

export function isWebsiteAddress(input: string): boolean {
  const text = input.trim();
  const app = /^([a-z]+):\/\/(.*)$/i.exec(text);
  if (app && (APP_SCHEMES as readonly string[]).includes(app[1]?.toLowerCase() ?? '')) {
    return APP_ID.test(app[2] ?? '');
  }
  let url: URL;
  try {
    url = new URL(SCHEMELESS.test(text) ? `https://${text}` : text);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}
