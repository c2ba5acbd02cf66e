import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { ariaOf, errorId, SecretField, type SectionProps, TextField } from './editor-field.tsx';
import { FieldError } from './field-error.tsx';

/** A payment card: cardholder, brand, number, expiry month and year, security code (masked). */
export function CardFields({ section }: { section: SectionProps }) {
  const [reveal, setReveal] = useState(false);
  const { values, set, errors } = section;
  return (
    <>
      <TextField name="cardholder" label={t('editor.cardholder')} section={section} />
      <TextField name="brand" label={t('editor.brand')} section={section} />
      <TextField
        name="number"
        label={t('editor.number')}
        section={section}
        inputMode="numeric"
        dir="ltr"
        spellcheck={false}
      />
      <div class="row expiry">
        <TextField
          name="expMonth"
          label={t('editor.expMonth')}
          section={section}
          inputMode="numeric"
          dir="ltr"
          size={2}
          maxLength={2}
          placeholder={t('editor.monthPlaceholder')}
        />
        <TextField
          name="expYear"
          label={t('editor.expYear')}
          section={section}
          inputMode="numeric"
          dir="ltr"
          size={4}
          maxLength={4}
          placeholder={t('editor.yearPlaceholder')}
        />
      </div>
      <SecretField
        label={t('editor.code')}
        reveal={reveal}
        inputMode="numeric"
        autoComplete="off"
        value={values.code ?? ''}
        onInput={(e) => set('code', e.currentTarget.value)}
        {...ariaOf(errors, 'code')}
      />
      <FieldError id={errorId('code')} message={errors.code} />
      <label class="check">
        <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.currentTarget.checked)} />
        {t('editor.showCode')}
      </label>
    </>
  );
}
