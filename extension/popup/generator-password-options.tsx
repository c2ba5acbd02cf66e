import { PASSWORD_LENGTH, type PasswordOptions } from '../generator/options.ts';
import { t } from '../i18n/index.ts';
import { FieldError } from './field-error.tsx';
import { CheckField, NumberField } from './generator-number-field.tsx';

interface Props {
  options: PasswordOptions;
  problems: Record<string, string>;
  onChange: (next: PasswordOptions) => void;
}

/** The random password's options: length, character sets, look-alikes, minimums. */
export function PasswordOptionsForm({ options, problems, onChange }: Props) {
  const set =
    <K extends keyof PasswordOptions>(key: K) =>
    (value: PasswordOptions[K]) =>
      onChange({ ...options, [key]: value });
  const setsError = 'gen-sets-error';
  return (
    <div class="generator-options">
      <NumberField
        id="gen-length"
        label={t('generator.password.length', [String(PASSWORD_LENGTH.min), String(PASSWORD_LENGTH.max)])}
        value={options.length}
        min={PASSWORD_LENGTH.min}
        max={PASSWORD_LENGTH.max}
        error={problems.length}
        onChange={set('length')}
      />
      <fieldset class="generator-sets">
        <legend>{t('generator.password.sets')}</legend>
        <CheckField
          id="gen-upper"
          label={t('generator.password.upper')}
          checked={options.upper}
          onChange={set('upper')}
          describedBy={problems.upper ? setsError : undefined}
        />
        <CheckField
          id="gen-lower"
          label={t('generator.password.lower')}
          checked={options.lower}
          onChange={set('lower')}
        />
        <CheckField
          id="gen-digits"
          label={t('generator.password.digits')}
          checked={options.digits}
          onChange={set('digits')}
        />
        <CheckField
          id="gen-symbols"
          label={t('generator.password.symbols')}
          checked={options.symbols}
          onChange={set('symbols')}
        />
        <FieldError id={setsError} message={problems.upper} />
        <CheckField
          id="gen-ambiguous"
          label={t('generator.password.avoidAmbiguous')}
          checked={options.avoidAmbiguous}
          onChange={set('avoidAmbiguous')}
        />
      </fieldset>
      <div class="generator-minimums">
        <div>
          <NumberField
            id="gen-min-digits"
            label={t('generator.password.minDigits')}
            value={options.minDigits}
            min={0}
            max={PASSWORD_LENGTH.max}
            error={problems.minDigits}
            onChange={set('minDigits')}
          />
        </div>
        <div>
          <NumberField
            id="gen-min-symbols"
            label={t('generator.password.minSymbols')}
            value={options.minSymbols}
            min={0}
            max={PASSWORD_LENGTH.max}
            error={problems.minSymbols}
            onChange={set('minSymbols')}
          />
        </div>
      </div>
    </div>
  );
}
