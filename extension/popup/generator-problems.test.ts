import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR_OPTIONS } from '../generator/options.ts';
import { problemsOf } from './generator-problems.ts';

describe('problemsOf', () => {
  it('has nothing to say about the defaults', () => {
    expect(problemsOf(DEFAULT_GENERATOR_OPTIONS)).toEqual({});
    expect(problemsOf({ ...DEFAULT_GENERATOR_OPTIONS, kind: 'passphrase' })).toEqual({});
  });

  it('says what is wrong, next to the field, in words', () => {
    const o = DEFAULT_GENERATOR_OPTIONS;
    expect(problemsOf({ ...o, password: { ...o.password, length: 8, minDigits: 4, minSymbols: 4 } })).toEqual(
      {
        length:
          'The chosen characters and minimums need a length of at least 10: raise the length or lower the minimums.',
      },
    );
    expect(problemsOf({ ...o, password: { ...o.password, length: Number.NaN } })).toEqual({
      length: 'Enter a whole number from 8 to 128.',
    });
    expect(
      problemsOf({
        ...o,
        password: {
          ...o.password,
          upper: false,
          lower: false,
          digits: false,
          symbols: false,
          minDigits: 0,
          minSymbols: 0,
        },
      }),
    ).toEqual({ upper: 'Choose at least one set of characters.' });
    expect(
      problemsOf({ ...o, kind: 'passphrase', passphrase: { ...o.passphrase, words: 2, separator: '' } }),
    ).toEqual({
      words: 'Enter a whole number from 3 to 20.',
      separator: 'Use 1 to 3 characters.',
    });
  });

  it('looks only at the chosen kind', () => {
    const o = DEFAULT_GENERATOR_OPTIONS;
    expect(problemsOf({ ...o, kind: 'passphrase', password: { ...o.password, length: 1 } })).toEqual({});
  });
});
