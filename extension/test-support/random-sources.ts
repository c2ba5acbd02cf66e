import type { RandomSource } from '../generator/random.ts';

/** Deterministic, well-mixed 32-bit stream (mulberry32), so statistical tests cannot flake. */
export function seeded(seed: number): RandomSource {
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
export function sequence(values: number[], after: (i: number) => number = () => 0): RandomSource {
  let i = 0;
  return (buf) => {
    for (let j = 0; j < buf.length; j++, i++)
      buf[j] = i < values.length ? (values[i] ?? 0) : after(i - values.length);
    return buf;
  };
}

/** χ² of observed counts against a uniform expectation over `bins` bins. */
export function chiSquareUniform(counts: readonly number[], total: number): number {
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}
