/**
 * Strong passwords for the inline menu's "use a generated password" on new-password fields.
 * Every character is drawn uniformly from the enabled classes; a password is redrawn whole until it
 * has every enabled class, so the result is uniform over all passwords that satisfy the rules.
 */

/**
 * The character classes. Symbols leave out quotes, backslash, slash, brackets, comma, semicolon and
 * space: those are the ones sites' password validators and form handling most often reject or mangle.
 */
export const PasswordCharset = {
  lower: 'abcdefghijklmnopqrstuvwxyz',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  symbols: '!#$%&*+-.:=?@^_~',
} as const;
export type PasswordCharClass = keyof typeof PasswordCharset;

export const PASSWORD_LENGTH = { default: 20, min: 8, max: 128 } as const;

/** Same contract as `crypto.getRandomValues`: fill the array with uniform random values, return it. */
export type RandomSource = (buf: Uint32Array) => Uint32Array;

export interface PasswordOptions {
  /** Integer, 8..128; default 20. */
  length?: number;
  /** Each class defaults to true; at least one must stay enabled. */
  lower?: boolean;
  upper?: boolean;
  digits?: boolean;
  symbols?: boolean;
  /** For tests; defaults to `crypto.getRandomValues`. */
  random?: RandomSource;
}

const CLASSES = Object.keys(PasswordCharset) as PasswordCharClass[];
const UINT32_RANGE = 2 ** 32;
const RANDOM_BATCH = 64;
/**
 * Give up rather than spin forever on a broken random source. With a real one these are never
 * reached: the worst case (length 8, four classes) accepts a password about half the time, and a
 * single draw is rejected with probability below 2^-25.
 */
const MAX_PASSWORD_ATTEMPTS = 1000;
const MAX_DRAW_ATTEMPTS = 1000;

/** Throws RangeError for a length outside 8..128 (or not an integer) or when every class is disabled. */
export function generatePassword(options: PasswordOptions = {}): string {
  const length = options.length ?? PASSWORD_LENGTH.default;
  if (!Number.isInteger(length) || length < PASSWORD_LENGTH.min || length > PASSWORD_LENGTH.max) {
    throw new RangeError(
      `password length must be an integer from ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max}, got ${length}`,
    );
  }
  const classes = CLASSES.filter((name) => options[name] ?? true).map((name) => PasswordCharset[name]);
  if (classes.length === 0) throw new RangeError('at least one character class must be enabled');

  const pool = classes.join('');
  const nextIndex = uniformIndexer(options.random ?? ((buf) => crypto.getRandomValues(buf)));
  for (let attempt = 0; attempt < MAX_PASSWORD_ATTEMPTS; attempt++) {
    let password = '';
    for (let i = 0; i < length; i++) password += pool.charAt(nextIndex(pool.length));
    if (classes.every((charset) => hasCharFrom(password, charset))) return password;
  }
  throw new Error('random source never produced a password with every character class');
}

/**
 * Upper bound on the entropy of `generatePassword`'s output: `length · log2(poolSize)`. Requiring
 * every class makes it slightly lower: by about 1 bit at length 8 with all four classes, under
 * 0.12 bits at the default 20.
 */
export function passwordEntropyBits(length: number, poolSize: number): number {
  return poolSize <= 1 ? 0 : length * Math.log2(poolSize);
}

/**
 * Uniform integers in [0, n) by rejection sampling: a raw 32-bit value is used only below the largest
 * multiple of n, because `value % n` on the full range favours the low indices.
 */
function uniformIndexer(random: RandomSource): (n: number) => number {
  let block: Uint32Array = new Uint32Array(0);
  let next = 0;
  return (n) => {
    const limit = UINT32_RANGE - (UINT32_RANGE % n);
    for (let draw = 0; draw < MAX_DRAW_ATTEMPTS; draw++) {
      if (next >= block.length) {
        block = random(new Uint32Array(RANDOM_BATCH));
        next = 0;
        if (block.length === 0) throw new Error('random source returned no values');
      }
      const value = block[next++] ?? 0;
      if (value < limit) return value % n;
    }
    throw new Error('random source keeps returning values outside the accepted range');
  };
}

function hasCharFrom(password: string, charset: string): boolean {
  for (const char of password) if (charset.includes(char)) return true;
  return false;
}
