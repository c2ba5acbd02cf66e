import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Generated } from '../generator/generate.ts';
import { t } from '../i18n/index.ts';
import { type Estimate, loadEstimator } from './password-strength.ts';

const LEVELS = [
  'generator.strength.level0',
  'generator.strength.level1',
  'generator.strength.level2',
  'generator.strength.level3',
  'generator.strength.level4',
] as const;

/**
 * How strong the generated value is: zxcvbn's score (the same estimator as the master-password
 * meter, loaded on first use) as a bar and a word, and for a passphrase its exact entropy in bits.
 */
export function GeneratedStrength({ generated }: { generated: Generated | null }) {
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [failed, setFailed] = useState(false);

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

  // Once per value, not per render: a 128-character value takes zxcvbn a few milliseconds.
  const score = useMemo(
    () => (estimate && generated ? estimate(generated.value, []).score : null),
    [estimate, generated],
  );
  const label = score === null ? null : t(LEVELS[score] ?? LEVELS[0]);
  return (
    <div class="strength generator-strength" aria-live="polite">
      <div class="row">
        <meter
          min={0}
          max={4}
          low={2}
          high={3}
          optimum={4}
          value={score ?? 0}
          aria-label={t('generator.strength.label')}
          aria-valuetext={label ?? t('generator.strength.notRated')}
        />
        <span class="strength-label">{label ? t('generator.strength.value', [label]) : ' '}</span>
      </div>
      {failed && <p class="hint">{t('generator.strength.unavailable')}</p>}
      {generated?.kind === 'passphrase' && (
        <p class="hint generator-entropy">
          {t('generator.strength.entropy', [String(Math.floor(generated.entropyBits))])}
        </p>
      )}
    </div>
  );
}
