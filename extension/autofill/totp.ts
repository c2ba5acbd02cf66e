import { Secret, TOTP, URI } from 'otpauth';

/**
 * TOTP (RFC 6238) for the login's second factor: the service worker parses what the user saved and
 * computes the code it fills into a one-time-code field after a login fill.
 */

/** The HMAC algorithms authenticator apps agree on; otpauth knows more, but no issuer uses them. */
export const TotpAlgorithm = { Sha1: 'SHA1', Sha256: 'SHA256', Sha512: 'SHA512' } as const;
export type TotpAlgorithm = (typeof TotpAlgorithm)[keyof typeof TotpAlgorithm];

export interface TotpConfig {
  /** Canonical Base32: upper case, no spaces, no padding. */
  secret: string;
  algorithm: TotpAlgorithm;
  /** 5..8 (5: some banks' and games' authenticators; 8: many enterprise ones). */
  digits: number;
  /** Seconds, 1..300. */
  period: number;
}

export interface TotpCode {
  code: string;
  /** Whole seconds left, rounded up: 1 in the last second of a period, `period` right at its start. */
  expiresInSeconds: number;
}

const MIN_DIGITS = 5;
const MAX_DIGITS = 8;
/** Longer periods are not in use and would keep a code valid for an unreasonable time. */
const MAX_PERIOD = 300;
const DEFAULTS = { algorithm: TotpAlgorithm.Sha1, digits: 6, period: 30 } as const;
const ALGORITHMS: readonly string[] = Object.values(TotpAlgorithm);

/**
 * Reads an `otpauth://totp/…` URI or a bare Base32 secret as users paste it (spaces, lower case and
 * `=` padding allowed). Returns null for anything unusable, `otpauth://hotp/…` included: a counter
 * would need to be written back to the vault on every fill. Never throws.
 */
export function parseTotpSecret(input: string): TotpConfig | null {
  const text = input.trim();
  if (/^otpauth:/i.test(text)) return parseUri(text);
  const secret = normalizeBase32(text);
  return secret === null ? null : { secret, ...DEFAULTS };
}

/** The code for `nowMs` (Unix time in milliseconds); `config` as returned by `parseTotpSecret`. */
export function totpCode(config: TotpConfig, nowMs: number): TotpCode {
  const totp = new TOTP({
    secret: Secret.fromBase32(config.secret),
    algorithm: config.algorithm,
    digits: config.digits,
    period: config.period,
  });
  return {
    code: totp.generate({ timestamp: nowMs }),
    expiresInSeconds: Math.ceil(totp.remaining({ timestamp: nowMs }) / 1000),
  };
}

function parseUri(uri: string): TotpConfig | null {
  let otp: ReturnType<typeof URI.parse>;
  let secretParam: string;
  try {
    // Throws on a malformed URI, missing/invalid secret, unknown algorithm, bad %-escapes.
    otp = URI.parse(uri);
    secretParam = uriSecretParam(uri);
  } catch {
    return null;
  }
  if (!(otp instanceof TOTP)) return null;
  // otpauth's own check lets through lengths that are not whole bytes; apply the bare-secret rules too.
  const secret = normalizeBase32(secretParam);
  if (secret === null) return null;
  const { algorithm, digits, period } = otp;
  if (!isAlgorithm(algorithm)) return null;
  if (!Number.isInteger(digits) || digits < MIN_DIGITS || digits > MAX_DIGITS) return null;
  if (!Number.isInteger(period) || period < 1 || period > MAX_PERIOD) return null;
  return { secret, algorithm, digits, period };
}

/**
 * The `secret` parameter as otpauth reads it: query after the last `?`, the last `secret=` wins.
 * Called once `URI.parse` has accepted the URI, so every pair has a `=`.
 */
function uriSecretParam(uri: string): string {
  let secret = '';
  for (const pair of uri.slice(uri.lastIndexOf('?') + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (decodeURIComponent(pair.slice(0, eq)).toLowerCase() === 'secret') {
      secret = decodeURIComponent(pair.slice(eq + 1));
    }
  }
  return secret;
}

/**
 * Canonical RFC 4648 Base32, or null. Rejects lengths no whole number of bytes encodes to (1, 3 or
 * 6 characters past a multiple of 8): those are typos, and decoding them would silently drop bits.
 */
function normalizeBase32(text: string): string | null {
  const compact = text.replace(/\s+/g, '').toUpperCase().replace(/=+$/, '');
  if (!/^[A-Z2-7]+$/.test(compact)) return null;
  if ([1, 3, 6].includes(compact.length % 8)) return null;
  return compact;
}

function isAlgorithm(value: string): value is TotpAlgorithm {
  return ALGORITHMS.includes(value);
}
