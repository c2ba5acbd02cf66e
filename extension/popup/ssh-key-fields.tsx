import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { ariaOf, errorId, type SectionProps } from './editor-field.tsx';
import { FieldError } from './field-error.tsx';

/**
 * An SSH key: the private key (masked until the user shows it), the public key line, and the
 * fingerprint the worker computed from it at the last save (read-only).
 */
export function SshKeyFields({ section, fingerprint }: { section: SectionProps; fingerprint: string }) {
  const [reveal, setReveal] = useState(false);
  const { values, set, errors } = section;
  return (
    <>
      <label>
        {t('editor.privateKey')}
        <textarea
          class={reveal ? 'key' : 'key masked'}
          dir="ltr"
          spellcheck={false}
          autoComplete="off"
          value={values.privateKey ?? ''}
          onInput={(e) => set('privateKey', e.currentTarget.value)}
          {...ariaOf(errors, 'privateKey')}
        />
      </label>
      <FieldError id={errorId('privateKey')} message={errors.privateKey} />
      <label class="check">
        <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.currentTarget.checked)} />
        {t('editor.showPrivateKey')}
      </label>
      <label>
        {t('editor.publicKey')}
        <textarea
          class="key"
          dir="ltr"
          spellcheck={false}
          value={values.publicKey ?? ''}
          onInput={(e) => set('publicKey', e.currentTarget.value)}
          {...ariaOf(errors, 'publicKey')}
        />
      </label>
      <FieldError id={errorId('publicKey')} message={errors.publicKey} />
      {fingerprint !== '' && (
        <label>
          {t('editor.fingerprint')}
          <input type="text" class="fingerprint" dir="ltr" readOnly value={fingerprint} />
        </label>
      )}
    </>
  );
}
