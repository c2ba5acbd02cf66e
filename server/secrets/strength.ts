import { StartupError } from '../startup-error.ts';
import type { SecretSetting } from './names.ts';

/**
 * Whether a configured machine secret is strong enough to start with. Three rules, cheapest first;
 * a refusal names the variable and the rule, never the value (nor any part of it):
 *
 * 1. at least 32 characters;
 * 2. at least 10 distinct characters (a repeated character or short cycle: `aaaa…`, `abab…`);
 * 3. zxcvbn (common and English dictionaries) must estimate at least 2^128 guesses — or, below
 *    43 characters, at least 10^(0.8 × length). zxcvbn counts at most 10 guesses per character of
 *    an unstructured string, so a 32-character random value (`openssl rand -hex 16`, 128 real bits)
 *    cannot reach 2^128 in its model; requiring 80% of that length's maximum still refuses words,
 *    names, dates, keyboard walks and phrases, which it rates far lower (a passphrase of common
 *    words: ≈ 0.7 × length).
 *
 * Generated secrets are 256 random bits and are not checked. zxcvbn is loaded on first use: only
 * a start with configured secrets pays for it (≈ 0.3 s to load, up to ≈ 0.5 s per value).
 */
export const MIN_SECRET_LENGTH = 32;
export const MIN_DISTINCT_CHARACTERS = 10;
/** log10(2^128). */
export const TARGET_GUESSES_LOG10 = 128 * Math.log10(2);
export const GUESSES_PER_CHARACTER_LOG10 = 0.8;
/** Only this many characters are estimated: zxcvbn's time grows with the square of the length. */
const ESTIMATED_PREFIX = 64;

const advice = 'use a random value, e.g. `openssl rand -base64 32`';

export type SecretWeakness = 'short' | 'repetitive' | 'guessable';

type Estimate = (value: string) => number;
let estimator: Promise<Estimate> | null = null;

function loadEstimator(): Promise<Estimate> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const factory = new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
      useLevenshteinDistance: false,
      maxLength: ESTIMATED_PREFIX,
    });
    return (value) => factory.check(value).guessesLog10;
  })();
  return estimator;
}

/** The rule a value breaks, or null when it may be used as a machine secret. */
export async function secretWeakness(value: string): Promise<SecretWeakness | null> {
  if (value.length < MIN_SECRET_LENGTH) return 'short';
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS) return 'repetitive';
  const estimated = (await loadEstimator())(value);
  const assessed = Math.min(value.length, ESTIMATED_PREFIX);
  const needed = Math.min(TARGET_GUESSES_LOG10, GUESSES_PER_CHARACTER_LOG10 * assessed);
  return estimated < needed ? 'guessable' : null;
}

const explanations: Record<SecretWeakness, string> = {
  short: `shorter than ${MIN_SECRET_LENGTH} characters`,
  repetitive: `fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters (repeated characters or a short pattern)`,
  guessable: 'too guessable: it contains dictionary words, names, dates, sequences or keyboard patterns',
};

/** Refuses the start (StartupError naming `setting`) when `value` is weak. */
export async function assertStrongSecret(setting: SecretSetting, value: string): Promise<void> {
  const weakness = await secretWeakness(value);
  if (weakness) {
    throw new StartupError(
      setting,
      `${setting}: weak secret, ${explanations[weakness]}; ${advice}`,
      'WEAK_SECRET',
    );
  }
}
