import { EFF_LARGE_WORDLIST } from './eff-large-wordlist.ts';
import type { PassphraseOptions } from './options.ts';
import { passphraseOptionsSchema } from './options-schemas.ts';
import { pick, type UniformRandom, uniformRandom } from './random.ts';

/**
 * Passphrases: `words` words drawn uniformly and independently from the EFF large list (7,776 words,
 * log2(7776) ≈ 12.92 bits each), joined by the separator. "Capitalise" upper-cases each word's first
 * letter (no entropy); "include a number" appends one uniform digit to one uniformly chosen word.
 */

/** Throws RangeError (naming the problem) for options the schema refuses. */
export function generatePassphrase(
  options: PassphraseOptions,
  random: UniformRandom = uniformRandom(),
  wordlist: readonly string[] = EFF_LARGE_WORDLIST,
): string {
  const checked = passphraseOptionsSchema().safeParse(options);
  if (!checked.success)
    throw new RangeError(checked.error.issues[0]?.message ?? 'invalid passphrase options');
  const words = Array.from({ length: options.words }, () => {
    const word = pick(wordlist, random);
    return options.capitalize ? word.charAt(0).toUpperCase() + word.slice(1) : word;
  });
  if (options.includeNumber) {
    const at = random.below(words.length);
    words[at] = `${words[at]}${random.below(10)}`;
  }
  return words.join(options.separator);
}

/**
 * Entropy in bits: words · log2(list size), plus log2(10 · words) for the digit and the word it
 * follows (the words hold no digits, so every such choice gives a different passphrase).
 */
export function passphraseEntropyBits(
  options: PassphraseOptions,
  listSize = EFF_LARGE_WORDLIST.length,
): number {
  const words = options.words * Math.log2(listSize);
  return options.includeNumber ? words + Math.log2(10 * options.words) : words;
}
