import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  type PasswordCharClass,
  PasswordCharset,
  type PasswordOptions,
  passwordEntropyBits,
  type RandomSource,
} from './password-generator.ts';

const CLASSES = Object.keys(PasswordCharset) as PasswordCharClass[];
const FULL_POOL = CLASSES.map((name) => PasswordCharset[name]).join('');

/** Deterministic, well-mixed 32-bit stream (mulberry32), so the statistical test cannot flake. */
function seeded(seed: number): RandomSource {
  let state = seed >>> 0;
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      buf[i] = (t ^ (t >>> 14)) >>> 0;
    }
    return buf;
  };
}

/** Hands out `values` in order across calls, then `after(i)` for the i-th value past them. */
function sequence(values: number[], after: (i: number) => number = () => 0): RandomSource {
  let i = 0;
  return (buf) => {
    for (let j = 0; j < buf.length; j++, i++)
      buf[j] = i < values.length ? (values[i] ?? 0) : after(i - values.length);
    return buf;
  };
}

/** Every subset of the classes with at least one enabled, as options. */
function classCombinations(): PasswordOptions[] {
  const combos: PasswordOptions[] = [];
  for (let mask = 1; mask < 1 << CLASSES.length; mask++) {
    combos.push(Object.fromEntries(CLASSES.map((name, i) => [name, (mask & (1 << i)) !== 0])));
  }
  return combos;
}

/**
 * Probability that `length` uniform draws from a pool of `poolSize` include each of the `required`
 * classes (given by size), by inclusion–exclusion over the classes left out.
 */
function coverProbability(length: number, required: number[], poolSize: number): number {
  let total = 0;
  for (let mask = 0; mask < 1 << required.length; mask++) {
    let missing = 0;
    let count = 0;
    required.forEach((size, i) => {
      if (mask & (1 << i)) {
        missing += size;
        count++;
      }
    });
    total += (count % 2 === 0 ? 1 : -1) * ((poolSize - missing) / poolSize) ** length;
  }
  return total;
}

describe('generatePassword', () => {
  it('makes 20 characters with every class by default, from crypto.getRandomValues', () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(a).toHaveLength(20);
    expect(a).not.toBe(b);
    for (const name of CLASSES) expect([...a].some((c) => PasswordCharset[name].includes(c))).toBe(true);
  });

  it('honours the length limits', () => {
    expect(generatePassword({ length: 8 })).toHaveLength(8);
    expect(generatePassword({ length: 128 })).toHaveLength(128);
  });

  it.each([7, 129, 0, -20, 20.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'throws RangeError for length %s',
    (length) => {
      expect(() => generatePassword({ length })).toThrow(RangeError);
    },
  );

  it('throws RangeError when every class is disabled', () => {
    expect(() => generatePassword({ lower: false, upper: false, digits: false, symbols: false })).toThrow(
      RangeError,
    );
  });

  it('includes every enabled class and nothing else, for every combination', () => {
    const random = seeded(1);
    for (const options of classCombinations()) {
      const enabled = CLASSES.filter((name) => options[name]);
      const allowed = enabled.map((name) => PasswordCharset[name]).join('');
      for (let n = 0; n < 50; n++) {
        const password = generatePassword({ ...options, length: 8, random });
        expect(password).toHaveLength(8);
        for (const char of password) expect(allowed).toContain(char);
        for (const name of enabled) {
          expect(
            [...password].some((c) => PasswordCharset[name].includes(c)),
            `${name} in ${password}`,
          ).toBe(true);
        }
      }
    }
  });

  it('never uses characters that commonly break site validators', () => {
    const random = seeded(2);
    const text = Array.from({ length: 200 }, () => generatePassword({ length: 64, random })).join('');
    expect(text).toMatch(/^[a-zA-Z0-9!#$%&*+\-.:=?@^_~]+$/);
    expect(PasswordCharset.symbols).toBe('!#$%&*+-.:=?@^_~');
  });

  it('is deterministic for an injected random source and maps indices straight onto the pool', () => {
    expect(generatePassword({ random: seeded(42) })).toBe(generatePassword({ random: seeded(42) }));
    expect(generatePassword({ random: seeded(42) })).not.toBe(generatePassword({ random: seeded(43) }));
    // Pool order is lower, upper, digits, symbols: 0 → a, 26 → A, 52 → 0, 62 → !.
    expect(generatePassword({ length: 8, random: sequence([0, 26, 52, 62, 1, 27, 53, 63]) })).toBe(
      'aA0!bB1#',
    );
    expect(
      generatePassword({
        length: 8,
        upper: false,
        digits: false,
        symbols: false,
        random: sequence([], (i) => i),
      }),
    ).toBe('abcdefgh');
  });

  it('rejects raw values at or above the largest multiple of the pool size instead of reducing them', () => {
    // 2^32 = 26 · 165191049 + 22, so values from 26 · 165191049 up would favour a..v under `% 26`.
    const limit = 26 * 165191049;
    const lowerOnly = { length: 8, upper: false, digits: false, symbols: false } as const;
    expect(
      generatePassword({ ...lowerOnly, random: sequence([0xffffffff, limit, limit - 1], (i) => i) }),
    ).toBe('zabcdefg');
  });

  it('redraws a password that misses a class rather than patching it', () => {
    // First draw "aaaaaaaa" (no digit) is discarded whole; the second is used as is.
    const digitsAndLower = { length: 8, upper: false, symbols: false } as const;
    const first = [0, 0, 0, 0, 0, 0, 0, 0];
    const second = [1, 2, 3, 4, 5, 6, 7, 26];
    expect(generatePassword({ ...digitsAndLower, random: sequence([...first, ...second]) })).toBe('bcdefgh0');
  });

  it('fails instead of spinning when the random source is broken', () => {
    expect(() => generatePassword({ random: sequence([], () => 0) })).toThrow(/every character class/);
    expect(() => generatePassword({ random: sequence([], () => 0xffffffff) })).toThrow(
      /outside the accepted range/,
    );
    expect(() => generatePassword({ random: () => new Uint32Array(0) })).toThrow(/no values/);
  });

  it('draws every pool character at its expected rate (20,000 characters)', () => {
    const length = 20;
    const passwords = 1000;
    const random = seeded(7);
    const counts = new Map<string, number>();
    for (let n = 0; n < passwords; n++) {
      for (const char of generatePassword({ length, random })) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...FULL_POOL].sort());

    // Uniform over passwords that have every class: a character of class k is slightly more likely
    // than 1/78 when k is small, by P(the other 19 cover the rest) / P(all 20 cover all four).
    const sizes = CLASSES.map((name) => PasswordCharset[name].length);
    const pool = FULL_POOL.length;
    const cover = coverProbability(length, sizes, pool);
    let chiSquare = 0;
    CLASSES.forEach((name, k) => {
      const others = sizes.filter((_, i) => i !== k);
      const perChar = coverProbability(length - 1, others, pool) / cover / pool;
      const expected = passwords * length * perChar;
      for (const char of PasswordCharset[name]) {
        const observed = counts.get(char) ?? 0;
        // Generous: about 5 standard deviations, so only a starved or doubled character trips it.
        expect(Math.abs(observed - expected) / expected, `${char}: ${observed} vs ${expected}`).toBeLessThan(
          0.35,
        );
        chiSquare += (observed - expected) ** 2 / expected;
      }
    });
    // 77 degrees of freedom: 151 is the 1 - 10^-6 quantile. `% 78` on random bytes scores in the hundreds.
    expect(chiSquare).toBeLessThan(151);
  });
});

describe('passwordEntropyBits', () => {
  it('is length × log2(pool size)', () => {
    expect(passwordEntropyBits(20, FULL_POOL.length)).toBeCloseTo(20 * Math.log2(78), 10);
    expect(passwordEntropyBits(8, 10)).toBeCloseTo(26.575, 3);
    expect(passwordEntropyBits(20, 1)).toBe(0);
  });
});
