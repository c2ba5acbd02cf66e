import { PASSPHRASE_WORDS, type PassphraseOptions, SEPARATOR_MAX } from '../generator/options.ts';
import { t } from '../i18n/index.ts';
import { FieldError, invalid } from './field-error.tsx';
import { CheckField, NumberField } from './generator-number-field.tsx';

interface Props {
  options: PassphraseOptions;
  problems: Record<string, string>;
  onChange: (next: PassphraseOptions) => void;
}

/** The passphrase's options: word count, separator, capitals, a number. */
export function PassphraseOptionsForm({ options, problems, onChange }: Props) {
  const set =
    <K extends keyof PassphraseOptions>(key: K) =>
    (value: PassphraseOptions[K]) =>
      onChange({ ...options, [key]: value });
  const separatorError = 'gen-separator-error';
  return (
    <div class="generator-options">
      <NumberField
        id="gen-words"
        label={t('generator.passphrase.words', [String(PASSPHRASE_WORDS.min), String(PASSPHRASE_WORDS.max)])}
        value={options.words}
        min={PASSPHRASE_WORDS.min}
        max={PASSPHRASE_WORDS.max}
        error={problems.words}
        onChange={set('words')}
      />
      <label>
        {t('generator.passphrase.separator')}
        <input
          id="gen-separator"
          type="text"
          dir="ltr"
          autoComplete="off"
          spellcheck={false}
          maxLength={SEPARATOR_MAX + 5}
          value={options.separator}
          onInput={(e) => set('separator')(e.currentTarget.value)}
          {...invalid(separatorError, problems.separator)}
        />
      </label>
      <FieldError id={separatorError} message={problems.separator} />
      <CheckField
        id="gen-capitalize"
        label={t('generator.passphrase.capitalize')}
        checked={options.capitalize}
        onChange={set('capitalize')}
      />
      <CheckField
        id="gen-number"
        label={t('generator.passphrase.includeNumber')}
        checked={options.includeNumber}
        onChange={set('includeNumber')}
      />
    </div>
  );
}
