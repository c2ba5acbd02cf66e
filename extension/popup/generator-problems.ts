import {
  type GeneratorOptions,
  OptionProblem,
  PASSPHRASE_WORDS,
  PASSWORD_LENGTH,
  type Problem,
  passphraseProblems,
  passwordProblems,
  SEPARATOR_MAX,
} from '../generator/options.ts';
import { t } from '../i18n/index.ts';

/** A problem with the generator options in the user's language (generator/options.ts names them). */
export function problemText(p: Problem): string {
  switch (p.problem) {
    case OptionProblem.LengthRange:
      return t('generator.problem.lengthRange', [String(PASSWORD_LENGTH.min), String(PASSWORD_LENGTH.max)]);
    case OptionProblem.NoCharacterSet:
      return t('generator.problem.noCharacterSet');
    case OptionProblem.MinimumRange:
      return t('generator.problem.minimumRange', [String(PASSWORD_LENGTH.max)]);
    case OptionProblem.MinDigitsWithoutDigits:
      return t('generator.problem.minDigitsWithoutDigits');
    case OptionProblem.MinSymbolsWithoutSymbols:
      return t('generator.problem.minSymbolsWithoutSymbols');
    case OptionProblem.MinimumsExceedLength:
      return t('generator.problem.minimumsExceedLength', [String(p.needed ?? PASSWORD_LENGTH.min)]);
    case OptionProblem.WordsRange:
      return t('generator.problem.wordsRange', [String(PASSPHRASE_WORDS.min), String(PASSPHRASE_WORDS.max)]);
    case OptionProblem.SeparatorLength:
      return t('generator.problem.separatorLength', [String(SEPARATOR_MAX)]);
    case OptionProblem.SeparatorCharacters:
      return t('generator.problem.separatorCharacters');
  }
}

/** The problems of the chosen kind's options, one message per field (the first found). */
export function problemsOf(options: GeneratorOptions): Record<string, string> {
  const found: Problem[] =
    options.kind === 'password' ? passwordProblems(options.password) : passphraseProblems(options.passphrase);
  const out: Record<string, string> = {};
  for (const p of found) out[p.field] ??= problemText(p);
  return out;
}
