import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR_OPTIONS, OptionProblem, passphraseProblems, passwordProblems } from './options.ts';
import { generatorOptionsSchema } from './options-schemas.ts';

const pw = DEFAULT_GENERATOR_OPTIONS.password;
const pp = DEFAULT_GENERATOR_OPTIONS.passphrase;

describe('generator options', () => {
  it('accepts the defaults', () => {
    expect(passwordProblems(pw)).toEqual([]);
    expect(passphraseProblems(pp)).toEqual([]);
    expect(generatorOptionsSchema().safeParse(DEFAULT_GENERATOR_OPTIONS).success).toBe(true);
  });

  it('names the length when the minimums do not fit, with the length they need', () => {
    expect(passwordProblems({ ...pw, length: 8, minDigits: 5, minSymbols: 2 })).toEqual([
      { field: 'length', problem: OptionProblem.MinimumsExceedLength, needed: 9 },
    ]);
    // Exactly fitting is fine.
    expect(passwordProblems({ ...pw, length: 8, minDigits: 4, minSymbols: 2 })).toEqual([]);
  });

  it('names each field that is wrong', () => {
    expect(passwordProblems({ ...pw, length: Number.NaN, minDigits: 1.5, minSymbols: 200 })).toEqual([
      { field: 'length', problem: OptionProblem.LengthRange },
      { field: 'minDigits', problem: OptionProblem.MinimumRange },
      { field: 'minSymbols', problem: OptionProblem.MinimumRange },
    ]);
    expect(passwordProblems({ ...pw, symbols: false, minSymbols: 1 })).toEqual([
      { field: 'minSymbols', problem: OptionProblem.MinSymbolsWithoutSymbols },
    ]);
    expect(passphraseProblems({ ...pp, words: 0, separator: 'ab' })).toEqual([
      { field: 'words', problem: OptionProblem.WordsRange },
      { field: 'separator', problem: OptionProblem.SeparatorCharacters },
    ]);
  });

  it('turns problems into zod issues on their field, in words', () => {
    const r = generatorOptionsSchema().safeParse({
      ...DEFAULT_GENERATOR_OPTIONS,
      password: { ...pw, length: 8, minDigits: 8 },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['password', 'length']);
    expect(r.error?.issues[0]?.message).toMatch(/need at least 11 characters/);
    expect(generatorOptionsSchema().safeParse({ ...DEFAULT_GENERATOR_OPTIONS, kind: 'pin' }).success).toBe(
      false,
    );
  });
});
