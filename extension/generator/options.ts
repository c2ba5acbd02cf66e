/**
 * The generator's options, their limits and what is wrong with a set of them. One checker
 * (`passwordProblems`, `passphraseProblems`) serves both sides: the worker's zod schemas
 * (options-schemas.ts) turn each problem into an issue on its field (English, like every protocol
 * message), and the popup shows the same problems in the user's language next to the field before
 * anything is sent. No zod here: the popup's generator screen imports this module.
 */

export const PASSWORD_LENGTH = { min: 8, max: 128, default: 20 } as const;
export const PASSPHRASE_WORDS = { min: 3, max: 20, default: 5 } as const;
export const SEPARATOR_MAX = 3;
/** Longer than any generated value (128 characters, or 20 words of at most 9 letters and separators). */
export const MAX_GENERATED_VALUE = 1024;

export interface PasswordOptions {
  length: number;
  upper: boolean;
  lower: boolean;
  digits: boolean;
  symbols: boolean;
  /** Leave out characters that are easily mistaken for one another (0 O o 1 l I |). */
  avoidAmbiguous: boolean;
  /** At least this many digits (needs `digits`); an enabled set always has at least one. */
  minDigits: number;
  /** At least this many symbols (needs `symbols`). */
  minSymbols: number;
}

export interface PassphraseOptions {
  words: number;
  separator: string;
  /** First letter of every word upper-case. */
  capitalize: boolean;
  /** One digit appended to one randomly chosen word. */
  includeNumber: boolean;
}

export const GeneratorKind = { Password: 'password', Passphrase: 'passphrase' } as const;
export type GeneratorKind = (typeof GeneratorKind)[keyof typeof GeneratorKind];

export interface GeneratorOptions {
  kind: GeneratorKind;
  password: PasswordOptions;
  passphrase: PassphraseOptions;
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = {
  kind: 'password',
  password: {
    length: PASSWORD_LENGTH.default,
    upper: true,
    lower: true,
    digits: true,
    symbols: true,
    avoidAmbiguous: false,
    minDigits: 1,
    minSymbols: 1,
  },
  passphrase: { words: PASSPHRASE_WORDS.default, separator: '-', capitalize: true, includeNumber: true },
};

/** What can be wrong, as stable codes (the popup's i18n keys are `generator.problem.<code>`). */
export const OptionProblem = {
  LengthRange: 'lengthRange',
  NoCharacterSet: 'noCharacterSet',
  MinimumRange: 'minimumRange',
  MinDigitsWithoutDigits: 'minDigitsWithoutDigits',
  MinSymbolsWithoutSymbols: 'minSymbolsWithoutSymbols',
  MinimumsExceedLength: 'minimumsExceedLength',
  WordsRange: 'wordsRange',
  SeparatorLength: 'separatorLength',
  SeparatorCharacters: 'separatorCharacters',
} as const;
export type OptionProblem = (typeof OptionProblem)[keyof typeof OptionProblem];

export interface Problem<F extends string = string> {
  field: F;
  problem: OptionProblem;
  /** For MinimumsExceedLength: the shortest length the chosen sets and minimums need. */
  needed?: number;
}

const isIntIn = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** How many characters of each enabled set a password must have: every enabled set at least one. */
export function requiredCounts(o: PasswordOptions): {
  upper: number;
  lower: number;
  digits: number;
  symbols: number;
} {
  return {
    upper: o.upper ? 1 : 0,
    lower: o.lower ? 1 : 0,
    digits: o.digits ? Math.max(1, o.minDigits) : 0,
    symbols: o.symbols ? Math.max(1, o.minSymbols) : 0,
  };
}

export function passwordProblems(o: PasswordOptions): Problem<keyof PasswordOptions>[] {
  const out: Problem<keyof PasswordOptions>[] = [];
  const lengthOk = isIntIn(o.length, PASSWORD_LENGTH.min, PASSWORD_LENGTH.max);
  if (!lengthOk) out.push({ field: 'length', problem: OptionProblem.LengthRange });
  if (!o.upper && !o.lower && !o.digits && !o.symbols)
    out.push({ field: 'upper', problem: OptionProblem.NoCharacterSet });
  const digitsOk = isIntIn(o.minDigits, 0, PASSWORD_LENGTH.max);
  const symbolsOk = isIntIn(o.minSymbols, 0, PASSWORD_LENGTH.max);
  if (!digitsOk) out.push({ field: 'minDigits', problem: OptionProblem.MinimumRange });
  else if (o.minDigits > 0 && !o.digits)
    out.push({ field: 'minDigits', problem: OptionProblem.MinDigitsWithoutDigits });
  if (!symbolsOk) out.push({ field: 'minSymbols', problem: OptionProblem.MinimumRange });
  else if (o.minSymbols > 0 && !o.symbols)
    out.push({ field: 'minSymbols', problem: OptionProblem.MinSymbolsWithoutSymbols });
  if (lengthOk && digitsOk && symbolsOk) {
    const r = requiredCounts(o);
    const needed = r.upper + r.lower + r.digits + r.symbols;
    if (needed > o.length) out.push({ field: 'length', problem: OptionProblem.MinimumsExceedLength, needed });
  }
  return out;
}

/** Letters or digits in the separator would blur where words (and the added number) are. */
const SEPARATOR_FORBIDDEN = /[\p{L}\p{N}]/u;

export function passphraseProblems(o: PassphraseOptions): Problem<keyof PassphraseOptions>[] {
  const out: Problem<keyof PassphraseOptions>[] = [];
  if (!isIntIn(o.words, PASSPHRASE_WORDS.min, PASSPHRASE_WORDS.max))
    out.push({ field: 'words', problem: OptionProblem.WordsRange });
  const chars = [...o.separator].length;
  if (chars < 1 || chars > SEPARATOR_MAX)
    out.push({ field: 'separator', problem: OptionProblem.SeparatorLength });
  else if (SEPARATOR_FORBIDDEN.test(o.separator))
    out.push({ field: 'separator', problem: OptionProblem.SeparatorCharacters });
  return out;
}

/** English words for a problem: the worker's replies (the popup shows its own translated ones). */
export function problemMessage(p: Problem): string {
  switch (p.problem) {
    case OptionProblem.LengthRange:
      return `The length must be a whole number from ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max}.`;
    case OptionProblem.NoCharacterSet:
      return 'Choose at least one set of characters.';
    case OptionProblem.MinimumRange:
      return `A minimum must be a whole number from 0 to ${PASSWORD_LENGTH.max}.`;
    case OptionProblem.MinDigitsWithoutDigits:
      return 'A minimum of numbers needs the numbers set (0-9) turned on.';
    case OptionProblem.MinSymbolsWithoutSymbols:
      return 'A minimum of symbols needs the symbols set turned on.';
    case OptionProblem.MinimumsExceedLength:
      return `The chosen sets and minimums need at least ${p.needed} characters: raise the length or lower the minimums.`;
    case OptionProblem.WordsRange:
      return `The number of words must be a whole number from ${PASSPHRASE_WORDS.min} to ${PASSPHRASE_WORDS.max}.`;
    case OptionProblem.SeparatorLength:
      return `The separator must be 1 to ${SEPARATOR_MAX} characters.`;
    case OptionProblem.SeparatorCharacters:
      return 'The separator cannot contain letters or digits.';
  }
}
