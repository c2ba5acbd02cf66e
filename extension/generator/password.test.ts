import { describe, expect, it } from 'vitest';
import { chiSquareUniform, seeded, sequence } from '../test-support/random-sources.ts';
import { DEFAULT_GENERATOR_OPTIONS, type PasswordOptions } from './options.ts';
import { AMBIGUOUS, CharacterSet, charactersOf, generatePassword, passwordEntropyBits } from './password.ts';
import { uniformRandom } from './random.ts';

const base: PasswordOptions = DEFAULT_GENERATOR_OPTIONS.password;
const count = (s: string, set: string) => [...s].filter((c) => set.includes(c)).length;

describe('generatePassword', () => {
  it('makes the default length with every set, from crypto.getRandomValues', () => {
    const a = generatePassword(base);
    expect(a).toHaveLength(20);
    expect(a).not.toBe(generatePassword(base));
    for (const set of Object.values(CharacterSet)) expect(count(a, set)).toBeGreaterThan(0);
  });

  it.each([8, 9, 64, 128])('honours length %s', (length) => {
    expect(generatePassword({ ...base, length })).toHaveLength(length);
  });

  it('holds the minimums by construction, for every length and minimum that fits', () => {
    const random = uniformRandom(seeded(1));
    for (let length = 8; length <= 16; length++) {
      for (let minDigits = 0; minDigits <= 6; minDigits++) {
        for (
          let minSymbols = 0;
          Math.max(1, minSymbols) + Math.max(1, minDigits) + 2 <= length;
          minSymbols++
        ) {
          const o = { ...base, length, minDigits, minSymbols };
          const p = generatePassword(o, random);
          expect(p).toHaveLength(length);
          expect(count(p, CharacterSet.digits)).toBeGreaterThanOrEqual(Math.max(1, minDigits));
          expect(count(p, CharacterSet.symbols)).toBeGreaterThanOrEqual(Math.max(1, minSymbols));
          expect(count(p, CharacterSet.upper)).toBeGreaterThan(0);
          expect(count(p, CharacterSet.lower)).toBeGreaterThan(0);
        }
      }
    }
  });

  it('uses only the enabled sets, each at least once, for every combination', () => {
    const random = uniformRandom(seeded(2));
    const names = ['upper', 'lower', 'digits', 'symbols'] as const;
    for (let mask = 1; mask < 16; mask++) {
      const on = Object.fromEntries(names.map((n, i) => [n, (mask & (1 << i)) !== 0])) as Record<
        (typeof names)[number],
        boolean
      >;
      const o = { ...base, ...on, length: 8, minDigits: 0, minSymbols: 0 };
      const allowed = names
        .filter((n) => on[n])
        .map((n) => CharacterSet[n])
        .join('');
      for (let i = 0; i < 30; i++) {
        const p = generatePassword(o, random);
        for (const c of p) expect(allowed).toContain(c);
        for (const n of names)
          if (on[n]) expect(count(p, CharacterSet[n]), `${n} in ${p}`).toBeGreaterThan(0);
      }
    }
  });

  it('leaves out ambiguous characters when asked', () => {
    const random = uniformRandom(seeded(3));
    const text = Array.from({ length: 200 }, () =>
      generatePassword({ ...base, length: 64, avoidAmbiguous: true }, random),
    ).join('');
    for (const c of AMBIGUOUS) expect(text).not.toContain(c);
    expect(charactersOf('digits', { ...base, avoidAmbiguous: true })).toBe('23456789');
    expect(charactersOf('upper', { ...base, avoidAmbiguous: true })).not.toMatch(/[OI]/);
    expect(charactersOf('lower', { ...base, avoidAmbiguous: true })).not.toMatch(/[ol]/);
    // Without the option they do appear.
    const plain = Array.from({ length: 200 }, () => generatePassword({ ...base, length: 64 }, random)).join(
      '',
    );
    expect(plain).toMatch(/[0O1lI]/);
  });

  it('places the required characters anywhere (shuffled), not at the front', () => {
    const random = uniformRandom(seeded(4));
    const digitsAt = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      // Only lower + digits, one digit minimum: where does the first digit sit?
      const p = generatePassword(
        { ...base, length: 8, upper: false, symbols: false, minDigits: 1, minSymbols: 0 },
        random,
      );
      [...p].forEach((c, at) => {
        if (CharacterSet.digits.includes(c)) digitsAt[at] = (digitsAt[at] ?? 0) + 1;
      });
    }
    const total = digitsAt.reduce((a, b) => a + b, 0);
    // 7 degrees of freedom: 36 is beyond the 1 - 10^-6 quantile.
    expect(chiSquareUniform(digitsAt, total)).toBeLessThan(36);
  });

  it('draws the free characters uniformly from the pool (χ², 128,000 characters)', () => {
    const random = uniformRandom(seeded(5));
    const o = { ...base, length: 128, minDigits: 0, minSymbols: 0 };
    const pool = Object.values(CharacterSet).join('');
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++)
      for (const c of generatePassword(o, random)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...pool].sort());
    // 4 required characters of 128 barely tilt towards small sets; within 77 d.f. that stays far below 151.
    expect(chiSquareUniform([...counts.values()], 128_000)).toBeLessThan(151);
  });

  it('is deterministic for a stubbed source', () => {
    const o = {
      ...base,
      length: 8,
      upper: false,
      digits: false,
      symbols: false,
      minDigits: 0,
      minSymbols: 0,
    };
    // Draws 0..7 pick a..h; the shuffle's draws (all 0 after the list) rotate them.
    const p = generatePassword(o, uniformRandom(sequence([0, 1, 2, 3, 4, 5, 6, 7])));
    expect([...p].sort().join('')).toBe('abcdefgh');
    expect(generatePassword(base, uniformRandom(seeded(9)))).toBe(
      generatePassword(base, uniformRandom(seeded(9))),
    );
  });

  it.each([
    ['length below 8', { length: 7 }, /from 8 to 128/],
    ['length above 128', { length: 129 }, /from 8 to 128/],
    ['fractional length', { length: 20.5 }, /from 8 to 128/],
    [
      'no set',
      { upper: false, lower: false, digits: false, symbols: false, minDigits: 0, minSymbols: 0 },
      /at least one set/,
    ],
    ['minimums over the length', { length: 8, minDigits: 4, minSymbols: 4 }, /at least 10 characters/],
    ['minimum digits without digits', { digits: false, minDigits: 2 }, /numbers set/],
    ['negative minimum', { minSymbols: -1 }, /whole number from 0/],
  ] as const)('refuses %s with a RangeError naming it', (_, change, message) => {
    expect(() => generatePassword({ ...base, ...change })).toThrow(RangeError);
    expect(() => generatePassword({ ...base, ...change })).toThrow(message);
  });
});

describe('passwordEntropyBits', () => {
  it('counts required characters by their set and the rest by the pool', () => {
    expect(passwordEntropyBits({ ...base, length: 20, minDigits: 1, minSymbols: 1 })).toBeCloseTo(
      Math.log2(26) * 2 + Math.log2(10) + Math.log2(16) + 16 * Math.log2(78),
      10,
    );
    expect(
      passwordEntropyBits({
        ...base,
        length: 10,
        upper: false,
        lower: false,
        symbols: false,
        minDigits: 0,
        minSymbols: 0,
      }),
    ).toBeCloseTo(10 * Math.log2(10), 10);
  });
});
