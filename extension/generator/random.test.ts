import { describe, expect, it } from 'vitest';
import { chiSquareUniform, seeded, sequence } from '../test-support/random-sources.ts';
import { pick, shuffle, uniformRandom } from './random.ts';

describe('uniformRandom', () => {
  it('uses crypto.getRandomValues by default and stays in range', () => {
    const r = uniformRandom();
    for (let i = 0; i < 1000; i++) {
      const n = r.below(7);
      expect(Number.isInteger(n) && n >= 0 && n < 7).toBe(true);
    }
  });

  it('rejects raw values at or above the largest multiple of n instead of reducing them', () => {
    // 2^32 = 10 · 429496729 + 6: raw values from 4294967290 up would favour 0..5 under `% 10`.
    const limit = 10 * 429496729;
    const r = uniformRandom(sequence([0xffffffff, limit, limit + 5, limit - 1, 13]));
    expect(r.below(10)).toBe((limit - 1) % 10);
    expect(r.below(10)).toBe(3);
  });

  it('maps accepted values straight onto [0, n)', () => {
    const r = uniformRandom(sequence([0, 1, 2, 25, 26, 51]));
    expect([r.below(26), r.below(26), r.below(26), r.below(26), r.below(26), r.below(26)]).toEqual([
      0, 1, 2, 25, 0, 25,
    ]);
  });

  it('never wastes a draw for n = 1 and handles n = 2^32', () => {
    expect(uniformRandom(sequence([0xffffffff])).below(1)).toBe(0);
    expect(uniformRandom(sequence([0xffffffff])).below(2 ** 32)).toBe(0xffffffff);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 32 + 1])('refuses the range %s', (n) => {
    expect(() => uniformRandom().below(n)).toThrow(RangeError);
  });

  it('fails instead of spinning on a broken source', () => {
    expect(() => uniformRandom(sequence([], () => 0xffffffff)).below(10)).toThrow(
      /outside the accepted range/,
    );
    expect(() => uniformRandom(() => new Uint32Array(0)).below(10)).toThrow(/no values/);
  });

  it('is uniform: χ² over 77 values (78,000 draws) stays below the 1 - 10^-6 quantile', () => {
    const r = uniformRandom(seeded(11));
    const counts = new Array<number>(78).fill(0);
    for (let i = 0; i < 78_000; i++) {
      const n = r.below(78);
      counts[n] = (counts[n] ?? 0) + 1;
    }
    // 77 degrees of freedom: 151 is the 1 - 10^-6 quantile.
    expect(chiSquareUniform(counts, 78_000)).toBeLessThan(151);
  });

  it('shows the bias rejection removes: `% n` on a skewed-range source is detectably biased, below() is not', () => {
    // n = 3 · 2^30 + 1: plain `% n` folds the raw values in [n, 2^32) onto [0, 2^30), so the lower
    // half of the range would come up about 62.5 % of the time.
    const n = 3 * 2 ** 30 + 1;
    const limit = 2 ** 32 - (2 ** 32 % n);
    expect(limit).toBe(n); // only one multiple fits: every raw value ≥ n is redrawn
    const raw = seeded(5);
    const r = uniformRandom(raw);
    let low = 0;
    const draws = 20_000;
    for (let i = 0; i < draws; i++) if (r.below(n) < n / 2) low++;
    expect(Math.abs(low / draws - 0.5)).toBeLessThan(0.02);
    // The same raw values reduced with `%` land in the lower half about 2/3 of the time.
    const buf = raw(new Uint32Array(draws));
    const lowModulo = buf.filter((v) => v % n < n / 2).length;
    expect(lowModulo / draws).toBeGreaterThan(0.6);
  });
});

describe('shuffle', () => {
  it('follows Fisher–Yates: position i swaps with below(i + 1), from the end', () => {
    // below(4) = 0, below(3) = 0, below(2) = 0: [a,b,c,d] → [d,b,c,a] → [c,b,d,a] → [b,c,d,a]
    expect(shuffle(['a', 'b', 'c', 'd'], uniformRandom(sequence([0, 0, 0])))).toEqual(['b', 'c', 'd', 'a']);
    // Always the last index: nothing moves.
    expect(shuffle([1, 2, 3], uniformRandom(sequence([2, 1])))).toEqual([1, 2, 3]);
  });

  it('makes all 24 orders of 4 items equally often', () => {
    const r = uniformRandom(seeded(3));
    const seen = new Map<string, number>();
    for (let i = 0; i < 24_000; i++) {
      const key = shuffle(['a', 'b', 'c', 'd'], r).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(24);
    // 23 degrees of freedom: 65 is beyond the 1 - 10^-6 quantile.
    expect(chiSquareUniform([...seen.values()], 24_000)).toBeLessThan(65);
  });
});

describe('pick', () => {
  it('picks from a list or a string and refuses an empty one', () => {
    expect(pick('xyz', uniformRandom(sequence([2])))).toBe('z');
    expect(pick([7], uniformRandom())).toBe(7);
    expect(() => pick([], uniformRandom())).toThrow(RangeError);
  });
});
