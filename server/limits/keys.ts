import { createHmac, randomBytes } from 'node:crypto';
import type { Keyring } from '../secrets/keyring.ts';

const mac = (secret: string, label: string, data: string): Buffer =>
  createHmac('sha256', secret).update(`keyhold/v1/${label}\0${data}`).digest();

/**
 * The per-account limit key: a hash of the normalised email — the same for an email with an
 * account and one without (unknown emails are counted exactly like real ones), the same in every
 * process whatever its secrets (processes on separate embedded databases share only Redis), and
 * unchanged by a secret rotation. The fixed label keeps it apart from any other hash of an email.
 */
export const emailLimitKey = (email: string): string =>
  `email:${mac('keyhold-limit-key', 'limit-key', email).subarray(0, 24).toString('base64url')}`;

/** The limit key of one device token (its nonce, which is random). */
export const deviceLimitKey = (nonce: string): string => `device:${nonce}`;

const NONCE_BYTES = 16;
const DEVICE_TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * A device token (OWASP "device cookie"): handed out at every successful login, stateless — a
 * random nonce and a MAC (the keyring's: a token signed before a secret rotation still verifies)
 * over the email and the nonce. Presented at a later login for the same email, that login is
 * counted on the token's own key instead of the email's.
 */
export function issueDeviceToken(keyring: Keyring, email: string): string {
  const nonce = randomBytes(NONCE_BYTES).toString('base64url');
  return `${nonce}.${keyring.sign('device-token', `${email}\0${nonce}`)}`;
}

/** The token's nonce when it is one this server issued for `email`; null for anything else. */
export function verifyDeviceToken(keyring: Keyring, email: string, token: string): string | null {
  const match = DEVICE_TOKEN.exec(token);
  if (!match) return null;
  const [, nonce = '', tag = ''] = match;
  return keyring.verify('device-token', `${email}\0${nonce}`, tag) ? nonce : null;
}
