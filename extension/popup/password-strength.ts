import type { MatchExtended, ZxcvbnResult } from '@zxcvbn-ts/core';
import { t } from '../i18n/index.ts';
import {
  basicPasswordProblem,
  emailParts,
  type PasswordPolicy,
  PasswordProblem,
  passwordProblemMessage,
} from '../messaging/password-policy.ts';

/**
 * How strong a new master password is, by zxcvbn-ts with its common-password and English
 * dictionaries (~9 MB unpacked, ~1.5 MB minified): loaded with a dynamic import by the popup
 * screens that ask for a new master password, never into content scripts or other pages (the
 * worker's health report reads the same lists from a packaged data file, background/scorer-data.ts,
 * and options of its own). The policy (minimum length and strength) is the server's, from
 * `GET /v1/meta`.
 */

export type Estimate = (password: string, userInputs: string[]) => ZxcvbnResult;

let loading: Promise<Estimate> | null = null;

/** The estimator with its dictionaries, imported once per popup. */
export function loadEstimator(): Promise<Estimate> {
  loading ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const factory = new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
      // Off: it multiplies the time of a check by ten to fifty (hundreds of ms per keystroke) and
      // the l33t and dictionary matchers already catch the near-misses a master password shows.
      useLevenshteinDistance: false,
    });
    return (password, userInputs) => factory.check(password, userInputs);
  })();
  // A failed import (extension updated underneath the popup) may be retried by the next call.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

const STRENGTH_WORDS = [
  () => t('strength.score0'),
  () => t('strength.score1'),
  () => t('strength.score2'),
  () => t('strength.score3'),
  () => t('strength.score4'),
] as const;

/** zxcvbn's score in words, 0–4, each read when used (in the language shown now). */
export const STRENGTH_LABELS: readonly string[] = Object.defineProperties(
  [] as string[],
  Object.fromEntries(STRENGTH_WORDS.map((words, score) => [score, { get: words, enumerable: true }])),
);

export interface PasswordAssessment {
  /** zxcvbn score 0–4 (0 also for a password refused before estimating, e.g. too short). */
  score: number;
  /** Meets the policy: long enough, strong enough, free of the email. */
  acceptable: boolean;
  problem: PasswordProblem | null;
  /** Why it is refused, naming the weak part; null when acceptable. */
  message: string | null;
  /** zxcvbn's own advice, for the meter. */
  suggestions: string[];
}

/** The kind of weakness a match is, when it is one. */
function problemOf(match: MatchExtended): PasswordProblem | null {
  switch (match.pattern) {
    case 'dictionary':
      if (match.dictionaryName === 'userInputs') return PasswordProblem.ContainsEmail;
      if (typeof match.dictionaryName === 'string' && match.dictionaryName.startsWith('passwords'))
        return PasswordProblem.CommonPassword;
      return PasswordProblem.CommonWords;
    case 'wordSequence':
      return PasswordProblem.CommonWords;
    case 'spatial':
      return PasswordProblem.KeyboardPattern;
    case 'repeat':
      return PasswordProblem.Repeats;
    case 'sequence':
      return PasswordProblem.Sequence;
    case 'date':
      return PasswordProblem.Date;
    case 'regex':
      return match.regexName === 'recentYear' ? PasswordProblem.Date : null;
    default:
      return null;
  }
}

/** Among equally long weak parts, the one named: what an attacker's first guesses cover first. */
const PRIORITY: readonly PasswordProblem[] = [
  PasswordProblem.ContainsEmail,
  PasswordProblem.CommonPassword,
  PasswordProblem.KeyboardPattern,
  PasswordProblem.Repeats,
  PasswordProblem.Sequence,
  PasswordProblem.Date,
  PasswordProblem.CommonWords,
];

/**
 * The reason a too-guessable password is refused: the longest weak part zxcvbn found in it (a
 * common password, a keyboard walk, a repeat, a sequence, a date, common words), or "too easy to
 * guess" when it is short of guesses without any one of them.
 */
export function weakestPart(result: Pick<ZxcvbnResult, 'sequence'>): {
  problem: PasswordProblem;
  token?: string;
} {
  let best: { problem: PasswordProblem; token: string } | null = null;
  for (const match of result.sequence) {
    const problem = problemOf(match);
    if (!problem) continue;
    const longer = !best || match.token.length > best.token.length;
    const tie = best && match.token.length === best.token.length;
    if (longer || (tie && best && PRIORITY.indexOf(problem) < PRIORITY.indexOf(best.problem)))
      best = { problem, token: match.token };
  }
  return best ?? { problem: PasswordProblem.TooGuessable };
}

/** Judges a new master password against the policy, with the estimator's result for it. */
export function assessPassword(
  estimate: Estimate,
  password: string,
  email: string,
  policy: PasswordPolicy,
): PasswordAssessment {
  const basic = basicPasswordProblem(password, email, policy);
  // The email and its parts are "user inputs": zxcvbn counts them as one guess each.
  const result = password === '' ? null : estimate(password, email ? emailParts(email) : []);
  const score = result?.score ?? 0;
  const suggestions = result?.feedback.suggestions ?? [];
  if (basic) {
    return {
      score: basic === PasswordProblem.TooShort ? Math.min(score, 1) : 0,
      acceptable: false,
      problem: basic,
      message: passwordProblemMessage(basic, policy),
      suggestions,
    };
  }
  if (result && score >= policy.passwordMinStrength) {
    return { score, acceptable: true, problem: null, message: null, suggestions };
  }
  const weakest = result ? weakestPart(result) : { problem: PasswordProblem.TooGuessable };
  return {
    score,
    acceptable: false,
    problem: weakest.problem,
    message: passwordProblemMessage(weakest.problem, policy, weakest.token),
    suggestions,
  };
}

/** For a form's submit: loads the estimator if needed and judges the password. */
export async function checkNewPassword(
  password: string,
  email: string,
  policy: PasswordPolicy,
): Promise<PasswordAssessment> {
  return assessPassword(await loadEstimator(), password, email, policy);
}
