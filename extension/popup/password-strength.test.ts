import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_POLICY,
  type PasswordPolicy,
  PasswordProblem,
} from '../messaging/password-policy.ts';
import { assessPassword, type Estimate, loadEstimator, weakestPart } from './password-strength.ts';

const EMAIL = 'grace.hopper@example.test';
let estimate: Estimate;

beforeAll(async () => {
  estimate = await loadEstimator();
});

const assess = (password: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY) =>
  assessPassword(estimate, password, EMAIL, policy);

describe('assessPassword against the default policy (12 characters, "strong")', () => {
  it('accepts a passphrase of uncommon words', () => {
    for (const pw of ['orange-kettle-harbour-91', 'quiet lantern meadow 73', 'Tr0ub4dour&3-lichen']) {
      expect(assess(pw)).toMatchObject({ acceptable: true, problem: null, message: null });
      expect(assess(pw).score).toBeGreaterThanOrEqual(3);
    }
  });

  it('refuses a short password by its length first, naming the minimum', () => {
    const a = assess('x7#Lq!p2');
    expect(a).toMatchObject({ acceptable: false, problem: PasswordProblem.TooShort });
    expect(a.message).toBe('Use at least 12 characters for the master password.');
    // Counted in characters of the normalised password, not UTF-16 units: 11 emoji are 11.
    expect(assess('🔑'.repeat(11)).problem).toBe(PasswordProblem.TooShort);
  });

  it('refuses the email or its name part inside the password', () => {
    expect(assess('my grace.hopper@example.test!!').problem).toBe(PasswordProblem.ContainsEmail);
    expect(assess('GRACE.HOPPER-uncommon-lichen-58').problem).toBe(PasswordProblem.ContainsEmail);
    expect(assess('GRACE.HOPPER-uncommon-lichen-58').message).toBe(
      'The master password must not contain your email address or its name part.',
    );
  });

  it('names the weak part zxcvbn found: a common password, a keyboard walk, a repeat, a sequence, a date', () => {
    const cases: [string, PasswordProblem, string][] = [
      ['password1234', PasswordProblem.CommonPassword, 'commonly used password'],
      ['qwertzuiopasdf', PasswordProblem.KeyboardPattern, 'Keyboard patterns (“qwertzuiop”)'],
      ['zzzzzzzzzzzzzz', PasswordProblem.Repeats, 'Repeated characters or words (“zzzzzzzzzzzzzz”)'],
      ['abcdefghijklmnop', PasswordProblem.Sequence, 'Sequences like abc or 1234 (“abcdefghijklmnop”)'],
      ['19870423summer', PasswordProblem.Date, 'Dates and years (“19870423”)'],
    ];
    for (const [pw, problem, words] of cases) {
      const a = assess(pw);
      expect(a.acceptable, pw).toBe(false);
      expect(a.problem, pw).toBe(problem);
      expect(a.message, pw).toContain(words);
      expect(a.score, pw).toBeLessThan(3);
    }
  });

  it("follows the server's policy: a stricter one refuses what the default accepts", () => {
    const strict: PasswordPolicy = {
      ...DEFAULT_PASSWORD_POLICY,
      passwordMinLength: 30,
      passwordMinStrength: 4,
    };
    expect(assess('orange-kettle-harbour-91', strict)).toMatchObject({
      acceptable: false,
      problem: PasswordProblem.TooShort,
      message: 'Use at least 30 characters for the master password.',
    });
    const lenient: PasswordPolicy = {
      ...DEFAULT_PASSWORD_POLICY,
      passwordMinLength: 8,
      passwordMinStrength: 1,
    };
    expect(assess('password1234', lenient).acceptable).toBe(true);
  });

  it('calls a password short of guesses without any named pattern "too easy to guess"', () => {
    expect(weakestPart({ sequence: [] })).toEqual({ problem: PasswordProblem.TooGuessable });
  });
});
