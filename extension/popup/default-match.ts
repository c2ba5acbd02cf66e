import type { UriMatch } from '../messaging/item-schema.ts';

/**
 * The match mode a new website row starts with. The settings screen chooses it; until it says
 * otherwise (or where no setting is loaded) it is `domain`, the mode that suits most sites.
 */
let current: UriMatch = 'domain';

export function defaultUriMatch(): UriMatch {
  return current;
}

/** Called by whoever loads the settings (the popup at start, the settings screen on change). */
export function setDefaultUriMatch(match: UriMatch): void {
  current = match;
}
