/**
 * Uniform random integers from the browser's cryptographic source (DESIGN §3: no Math.random).
 * `value % n` over 32-bit values favours the low results whenever n does not divide 2^32, so a raw
 * value is used only below the largest multiple of n and drawn again otherwise (rejection sampling).
 */

/** Same contract as `crypto.getRandomValues`: fills the array with uniform random values, returns it. */
export type RandomSource = (buf: Uint32Array) => Uint32Array;

export const cryptoSource: RandomSource = (buf) => crypto.getRandomValues(buf);

const UINT32_RANGE = 2 ** 32;
const BATCH = 64;
/**
 * Give up rather than spin on a broken source. With a real one this is never reached: a single draw
 * is rejected with probability below n / 2^32 (under 2^-19 for the largest n used here).
 */
const MAX_DRAWS = 1000;

/** Draws uniform integers in [0, n); a batch of 32-bit values is fetched at a time. */
export interface UniformRandom {
  below(n: number): number;
}

export function uniformRandom(source: RandomSource = cryptoSource): UniformRandom {
  let block: Uint32Array = new Uint32Array(0);
  let next = 0;
  return {
    below(n) {
      if (!Number.isInteger(n) || n < 1 || n > UINT32_RANGE) {
        throw new RangeError('the range must be an integer from 1 to 2^32');
      }
      const limit = UINT32_RANGE - (UINT32_RANGE % n);
      for (let draw = 0; draw < MAX_DRAWS; draw++) {
        if (next >= block.length) {
          block = source(new Uint32Array(BATCH));
          next = 0;
          if (block.length === 0) throw new Error('random source returned no values');
        }
        const value = block[next++] ?? 0;
        if (value < limit) return value % n;
      }
      throw new Error('random source keeps returning values outside the accepted range');
    },
  };
}

/** Fisher–Yates (Durstenfeld) in place: every permutation equally likely given a uniform `below`. */
export function shuffle<T>(items: T[], random: UniformRandom): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

/** One element of a non-empty list or string, uniformly. */
export function pick<T>(items: ArrayLike<T>, random: UniformRandom): T {
  if (items.length === 0) throw new RangeError('cannot pick from an empty list');
  return items[random.below(items.length)] as T;
}
