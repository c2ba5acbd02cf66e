import {
  type AssociatedData,
  CryptoError,
  open,
  type SymmetricKey,
  seal,
  utf8Decode,
  utf8Encode,
} from '../../shared-crypto/index.ts';

/**
 * A device session's name as the user recognises it: the browser and OS this worker runs in
 * ("Chrome on Linux") and an optional label the user gives ("Work laptop"). The server stores it
 * only sealed by the vault key (AD purpose `device-name`, owner = account id, id = session id), so
 * it reads no name and cannot move one session's name to another (docs/sessions.md).
 */

export interface DeviceName {
  /** Browser and OS, detected here. */
  device: string;
  /** What the user called this device; null for none. */
  label: string | null;
}

/** A label is at most this long (characters). */
export const MAX_LABEL = 60;
/** Every sealed name is padded to this many bytes: its length tells nothing about the label. */
const PADDED_BYTES = 256;
const NAME_VERSION = 1;

/** What the browser tells about itself: User-Agent Client Hints (Chromium) and the UA string. */
export interface BrowserHints {
  brands?: readonly { brand: string }[] | undefined;
  platform?: string | undefined;
  userAgent: string;
}

/** Brands a Chromium browser announces, the most specific first ("Not A;Brand" entries are noise). */
const BRANDS: readonly [brand: string, name: string][] = [
  ['Microsoft Edge', 'Edge'],
  ['Opera', 'Opera'],
  ['Brave', 'Brave'],
  ['Vivaldi', 'Vivaldi'],
  ['Google Chrome', 'Chrome'],
  ['HeadlessChrome', 'Chromium'],
  ['Chromium', 'Chromium'],
];

/** UA-string tokens, checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const UA_BROWSERS: readonly [pattern: RegExp, name: string][] = [
  [/\bFirefox\//, 'Firefox'],
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bVivaldi\//, 'Vivaldi'],
  [/\bHeadlessChrome\//, 'Chromium'],
  [/\bChromium\//, 'Chromium'],
  [/\b(Chrome|CriOS)\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const UA_SYSTEMS: readonly [pattern: RegExp, name: string][] = [
  [/\bAndroid\b/, 'Android'],
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

/** Client Hints' `platform` values (Sec-CH-UA-Platform) as people name them. */
const PLATFORMS: Readonly<Record<string, string>> = {
  'Chrome OS': 'ChromeOS',
  'Chromium OS': 'ChromeOS',
};

const firstMatch = (table: readonly [RegExp, string][], text: string) =>
  table.find(([pattern]) => pattern.test(text))?.[1];

/** "Chrome on Linux", "Firefox on Windows"…; parts that cannot be told are left out or generic. */
export function describeBrowser(hints: BrowserHints): string {
  const announced = new Set((hints.brands ?? []).map((b) => b.brand));
  const browser =
    BRANDS.find(([brand]) => announced.has(brand))?.[1] ??
    firstMatch(UA_BROWSERS, hints.userAgent) ??
    'Browser';
  const platform = hints.platform?.trim();
  const system = platform ? (PLATFORMS[platform] ?? platform) : firstMatch(UA_SYSTEMS, hints.userAgent);
  return system ? `${browser} on ${system}` : browser;
}

/** This worker's browser and OS. `navigator.userAgentData` exists in Chromium only. */
export function thisBrowser(): string {
  const nav = globalThis.navigator as Navigator & {
    userAgentData?: { brands?: { brand: string }[]; platform?: string };
  };
  return describeBrowser({
    brands: nav.userAgentData?.brands,
    platform: nav.userAgentData?.platform,
    userAgent: nav.userAgent ?? '',
  });
}

/** A label as the user typed it: trimmed, inner whitespace collapsed; '' means none. */
export function cleanLabel(label: string): string | null {
  const clean = label.replace(/\s+/g, ' ').trim();
  return clean === '' ? null : clean.slice(0, MAX_LABEL);
}

const nameAd = (accountId: string, sessionId: string, keyVersion: number): AssociatedData => ({
  purpose: 'device-name',
  owner: accountId,
  id: sessionId,
  keyVersion,
});

/** Seals the name of session `sessionId` with the vault key of `keyVersion`. */
export async function sealDeviceName(
  vaultKey: SymmetricKey,
  accountId: string,
  sessionId: string,
  keyVersion: number,
  name: DeviceName,
): Promise<string> {
  const json = utf8Encode(JSON.stringify({ v: NAME_VERSION, device: name.device, label: name.label }));
  if (json.length > PADDED_BYTES) throw new RangeError('device name too long');
  const padded = new Uint8Array(PADDED_BYTES).fill(0x20);
  padded.set(json);
  return seal(vaultKey, padded, nameAd(accountId, sessionId, keyVersion));
}

const isName = (v: unknown): v is { v: number; device: string; label: string | null } => {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    o.v === NAME_VERSION &&
    typeof o.device === 'string' &&
    o.device.length <= 100 &&
    (o.label === null || (typeof o.label === 'string' && o.label.length <= MAX_LABEL))
  );
};

/**
 * Opens session `sessionId`'s sealed name with whichever of `keys` sealed it (a name sealed before a
 * key rotation is under the older version). Null when none opens it, or it was sealed for another
 * account or session (the server swapped it), or it is not a name.
 */
export async function openDeviceName(
  keys: readonly { version: number; key: SymmetricKey }[],
  accountId: string,
  sessionId: string,
  sealed: string,
): Promise<DeviceName | null> {
  for (const { version, key } of keys) {
    try {
      const bytes = await open(key, sealed, nameAd(accountId, sessionId, version));
      const body: unknown = JSON.parse(utf8Decode(bytes));
      return isName(body) ? { device: body.device, label: body.label } : null;
    } catch (e) {
      if (e instanceof CryptoError) continue;
      if (e instanceof SyntaxError) return null;
      throw e;
    }
  }
  return null;
}

/** The name as a list shows it: "Work laptop (Chrome on Linux)", "Chrome on Linux". */
export const displayName = (name: DeviceName): string =>
  name.label ? `${name.label} (${name.device})` : name.device;
