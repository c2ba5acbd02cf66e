import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import {
  assessPassword,
  type Estimate,
  loadEstimator,
  type PasswordAssessment,
  STRENGTH_LABELS,
} from './password-strength.ts';

interface Props {
  /** The new master password as typed. */
  password: string;
  /** The account's email: a password containing it is refused. */
  email: string;
  /** The server's policy; null while it is being fetched (the meter waits for it). */
  policy: PasswordPolicy | null;
  /** The element's id, for the password input's `aria-describedby`. */
  id?: string;
}

/** Waits this long after the last keystroke before estimating: typing stays smooth. */
const SETTLE_MS = 80;

/**
 * A strength meter for a new master password (create, change, recovery, vault reset): zxcvbn's
 * score as a bar and a word, and — while the password falls short of the server's policy — the
 * specific reason, which is also what the form refuses with on submit (`checkNewPassword`).
 */
export function StrengthMeter({ password, email, policy, id = 'strength-meter' }: Props) {
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [failed, setFailed] = useState(false);
  const [assessment, setAssessment] = useState<PasswordAssessment | null>(null);

  useEffect(() => {
    let live = true;
    loadEstimator().then(
      (e) => live && setEstimate(() => e),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!estimate || !policy || password === '') {
      setAssessment(null);
      return;
    }
    const timer = setTimeout(
      () => setAssessment(assessPassword(estimate, password, email, policy)),
      SETTLE_MS,
    );
    return () => clearTimeout(timer);
  }, [estimate, policy, password, email]);

  if (failed)
    return (
      <p class="hint" id={id}>
        {t('strength.loadFailed')}
      </p>
    );
  const score = assessment?.score ?? 0;
  const label = assessment ? STRENGTH_LABELS[score] : null;
  const minimum = policy ? STRENGTH_LABELS[policy.passwordMinStrength] : null;
  return (
    <div class="strength" id={id} aria-live="polite">
      <div class="row">
        <meter
          min={0}
          max={4}
          low={2}
          high={3}
          optimum={4}
          value={score}
          aria-label={t('strength.meterLabel')}
          aria-valuetext={label ?? t('strength.notRated')}
        />
        <span class="strength-label">{label ? t('strength.shown', { label }) : ' '}</span>
      </div>
      <p class="hint strength-reason">
        {!estimate || !policy
          ? t('strength.loading')
          : (assessment?.message ??
            (assessment
              ? t('strength.good')
              : t('strength.goal', { min: policy.passwordMinLength, minimum: minimum ?? '' })))}
      </p>
    </div>
  );
}
