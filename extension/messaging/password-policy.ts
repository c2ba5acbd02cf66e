import type { ServerPolicy } from '../../server/routes/meta-schema.ts';
import { t } from '../i18n/index.ts';

/**
 * The server's master-password policy as the extension reads it from `GET /v1/meta` (`policy`), and
 * the checks that need no dictionary: length and "contains the email". Shared by the popup (which
 * also runs the strength estimator, popup/password-strength.ts) and the service worker (which
 * re-checks these before any key is derived). See docs/accounts.md.
 */

/**
 * The policy as the server publishes it (`serverPolicy` in server/routes/meta-schema.ts, where its
 * bounds are: 8–128 characters, a zxcvbn score 0–4, a KDF floor the extension can run); a server that
 * publishes none is held to this release's defaults.
 */
export type PasswordPolicy = ServerPolicy;

/**
 * The server's `DEFAULT_POLICY`, written out here rather than imported: meta-schema.ts defines zod
 * schemas, and every page would load zod with it. password-policy.test.ts holds the two equal.
 */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  passwordMinLength: 12,
  passwordMinStrength: 3,
  kdfFloor: { argon2id: { memoryKiB: 65_536, iterations: 3, parallelism: 1 }, pbkdf2Iterations: 600_000 },
  passwordReminderDays: null,
};

/** Why a new master password is refused. */
export const PasswordProblem = {
  TooShort: 'too-short',
  ContainsEmail: 'contains-email',
  CommonPassword: 'common-password',
  KeyboardPattern: 'keyboard-pattern',
  Repeats: 'repeats',
  Sequence: 'sequence',
  Date: 'date',
  CommonWords: 'common-words',
  TooGuessable: 'too-guessable',
} as const;
export type PasswordProblem = (typeof PasswordProblem)[keyof typeof PasswordProblem];

/**
 * The length the policy counts: Unicode code points of the NFKC form, the string the KDF stretches
 * (an emoji is one character, a composed "é" and a decomposed one are the same).
 */
export const passwordLength = (password: string) => [...password.normalize('NFKC')].length;

/** The parts of an email a password must not contain: the whole address and its local part. */
export function emailParts(email: string): string[] {
  const whole = email.trim().toLowerCase();
  const local = whole.split('@')[0] ?? '';
  // A one- or two-letter local part ("jo@…") is in too many words to refuse on its own.
  return local.length >= 3 && local !== whole ? [whole, local] : [whole];
}

export const containsEmail = (password: string, email: string) => {
  const pw = password.normalize('NFKC').toLowerCase();
  return email.trim() !== '' && emailParts(email).some((part) => pw.includes(part));
};

/** The checks the service worker repeats: null when the password passes them. */
export function basicPasswordProblem(
  password: string,
  email: string,
  policy: PasswordPolicy,
): PasswordProblem | null {
  if (passwordLength(password) < policy.passwordMinLength) return PasswordProblem.TooShort;
  if (containsEmail(password, email)) return PasswordProblem.ContainsEmail;
  return null;
}

/** The sentence for a refused master password; `token` is the weak part found, shown to the user only. */
export function passwordProblemMessage(
  problem: PasswordProblem,
  policy: Pick<PasswordPolicy, 'passwordMinLength'>,
  token?: string,
): string {
  switch (problem) {
    case PasswordProblem.TooShort:
      return t('strength.tooShort', { min: policy.passwordMinLength });
    case PasswordProblem.ContainsEmail:
      return t('strength.containsEmail');
    case PasswordProblem.CommonPassword:
      return token ? t('strength.commonPasswordPart', { part: token }) : t('strength.commonPassword');
    case PasswordProblem.KeyboardPattern:
      return token ? t('strength.keyboardPatternPart', { part: token }) : t('strength.keyboardPattern');
    case PasswordProblem.Repeats:
      return token ? t('strength.repeatsPart', { part: token }) : t('strength.repeats');
    case PasswordProblem.Sequence:
      return token ? t('strength.sequencePart', { part: token }) : t('strength.sequence');
    case PasswordProblem.Date:
      return token ? t('strength.datePart', { part: token }) : t('strength.date');
    case PasswordProblem.CommonWords:
      return token ? t('strength.commonWordsPart', { part: token }) : t('strength.commonWords');
    case PasswordProblem.TooGuessable:
      return t('strength.tooGuessable');
  }
}
