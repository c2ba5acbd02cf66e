import { type PasswordOptions, requiredCounts } from './options.ts';
import { passwordOptionsSchema } from './options-schemas.ts';
import { pick, shuffle, type UniformRandom, uniformRandom } from './random.ts';

/**
 * Random passwords. Minimums hold by construction: first the required characters of each enabled
 * set (every set at least one, digits and symbols at least their minimum), then the rest from the
 * union of the enabled sets, then a Fisher–Yates shuffle so the required ones sit anywhere. Every
 * draw is uniform (random.ts), never `% n` over raw bytes.
 */

export const CharacterSet = {
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  /**
   * Leaves out quotes, backslash, slash, brackets, comma, semicolon, pipe and space: the ones sites'
   * password rules and form handling most often reject or mangle.
   */
  symbols: '!#$%&*+-.:=?@^_~',
} as const;
export type CharacterSetName = keyof typeof CharacterSet;
const SET_NAMES = Object.keys(CharacterSet) as CharacterSetName[];

/** Easily mistaken for one another in many fonts. */
export const AMBIGUOUS = '0Oo1lI|';

/** The characters a set contributes under these options ('' when the set is off). */
export function charactersOf(
  name: CharacterSetName,
  o: Pick<PasswordOptions, CharacterSetName | 'avoidAmbiguous'>,
) {
  if (!o[name]) return '';
  const all = CharacterSet[name];
  return o.avoidAmbiguous ? [...all].filter((c) => !AMBIGUOUS.includes(c)).join('') : all;
}

/** Throws RangeError (naming the problem) for options the schema refuses. */
export function generatePassword(options: PasswordOptions, random: UniformRandom = uniformRandom()): string {
  const checked = passwordOptionsSchema().safeParse(options);
  if (!checked.success) throw new RangeError(checked.error.issues[0]?.message ?? 'invalid password options');
  const required = requiredCounts(options);
  const chars: string[] = [];
  let pool = '';
  for (const name of SET_NAMES) {
    const set = charactersOf(name, options);
    pool += set;
    for (let i = 0; i < required[name]; i++) chars.push(pick(set, random));
  }
  while (chars.length < options.length) chars.push(pick(pool, random));
  return shuffle(chars, random).join('');
}

/**
 * A lower bound on the password's entropy in bits: each required character carries log2 of its
 * set's size and each other character log2 of the whole pool (where the shuffle puts them adds
 * more, not counted).
 */
export function passwordEntropyBits(options: PasswordOptions): number {
  const required = requiredCounts(options);
  let bits = 0;
  let requiredTotal = 0;
  let pool = 0;
  for (const name of SET_NAMES) {
    const size = charactersOf(name, options).length;
    pool += size;
    requiredTotal += required[name];
    if (size > 0) bits += required[name] * Math.log2(size);
  }
  return pool > 0 ? bits + Math.max(0, options.length - requiredTotal) * Math.log2(pool) : 0;
}
