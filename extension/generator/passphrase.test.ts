import { describe, expect, it } from 'vitest';
import { seeded, sequence } from '../test-support/random-sources.ts';
import { EFF_LARGE_WORDLIST } from './eff-large-wordlist.ts';
import { DEFAULT_GENERATOR_OPTIONS, type PassphraseOptions } from './options.ts';
import { generatePassphrase, passphraseEntropyBits } from './passphrase.ts';
import { uniformRandom } from './random.ts';

const base: PassphraseOptions = DEFAULT_GENERATOR_OPTIONS.passphrase;
const plain = { ...base, capitalize: false, includeNumber: false };

describe('EFF large word list', () => {
  it('has 7,776 unique lower-case words, from abacus to zoom', () => {
    expect(EFF_LARGE_WORDLIST).toHaveLength(7776);
    expect(new Set(EFF_LARGE_WORDLIST).size).toBe(7776);
    for (const w of EFF_LARGE_WORDLIST) expect(w).toMatch(/^[a-z]+(-[a-z]+)?$/);
    expect(EFF_LARGE_WORDLIST[0]).toBe('abacus');
    expect(EFF_LARGE_WORDLIST[7775]).toBe('zoom');
    expect(Object.isFrozen(EFF_LARGE_WORDLIST)).toBe(true);
  });
});

describe('generatePassphrase', () => {
  it('joins the chosen number of list words with the separator', () => {
    const random = uniformRandom(seeded(1));
    for (let words = 3; words <= 20; words++) {
      const p = generatePassphrase({ ...plain, words, separator: ' ' }, random);
      const parts = p.split(' ');
      expect(parts).toHaveLength(words);
      for (const w of parts) expect(EFF_LARGE_WORDLIST).toContain(w);
    }
  });

  it('picks words straight by index from a stubbed source', () => {
    const p = generatePassphrase(
      { ...plain, words: 3, separator: '_' },
      uniformRandom(sequence([0, 7775, 1])),
    );
    expect(p).toBe('abacus_zoom_abdomen');
  });

  it('capitalises each word and appends one digit to one word', () => {
    // Words 0, 1, 2; the number goes after word 1 and is 7.
    const p = generatePassphrase(
      { words: 3, separator: '.', capitalize: true, includeNumber: true },
      uniformRandom(sequence([0, 1, 2, 1, 7])),
    );
    expect(p).toBe('Abacus.Abdomen7.Abdominal');
  });

  it('puts exactly one digit in, in any word', () => {
    const random = uniformRandom(seeded(2));
    const where = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const parts = generatePassphrase({ ...base, words: 4, separator: '-' }, random).split(/-(?=[A-Z])/);
      expect(parts.join('').replace(/\D/g, '')).toHaveLength(1);
      where.add(parts.findIndex((w) => /\d/.test(w)));
    }
    expect([...where].sort()).toEqual([0, 1, 2, 3]);
  });

  it('uses crypto.getRandomValues by default', () => {
    expect(generatePassphrase(base)).not.toBe(generatePassphrase(base));
  });

  it.each([
    ['2 words', { words: 2 }, /from 3 to 20/],
    ['21 words', { words: 21 }, /from 3 to 20/],
    ['an empty separator', { separator: '' }, /1 to 3 characters/],
    ['a long separator', { separator: '----' }, /1 to 3 characters/],
    ['a letter separator', { separator: 'x' }, /letters or digits/],
    ['a digit separator', { separator: '1' }, /letters or digits/],
  ] as const)('refuses %s', (_, change, message) => {
    expect(() => generatePassphrase({ ...base, ...change })).toThrow(message);
  });
});

describe('passphraseEntropyBits', () => {
  it('is words · log2(7776), plus log2(10 · words) for the number', () => {
    expect(passphraseEntropyBits({ ...plain, words: 6 })).toBeCloseTo(77.55, 2);
    expect(passphraseEntropyBits({ ...base, words: 5 })).toBeCloseTo(5 * Math.log2(7776) + Math.log2(50), 10);
  });
});
