import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { WithStrong } from '../i18n/rich-text.tsx';
import type { VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid, PasswordField } from './field-error.tsx';
import { send } from './send.ts';
import { fieldsIn, useAction } from './use-action.ts';

interface Props {
  email: string;
  onCancel: () => void;
  /** The account is gone: the popup goes back to the setup screen. */
  onDeleted: (state: VaultState) => void;
}

const FIELDS = ['password', 'email'] as const;
const errorId = (field: (typeof FIELDS)[number]) => `delete-${field}-error`;

/**
 * "Delete account": what goes, the master password entered again, the email typed as confirmation.
 * The service worker checks both (the password on this device) before anything is sent.
 */
export function DeleteAccountForm({ email, onCancel, onDeleted }: Props) {
  const [password, setPassword] = useState('');
  const [typed, setTyped] = useState('');
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(FIELDS));

  const submit = (e: Event) => {
    e.preventDefault();
    const errors: Record<string, string> = {};
    if (password === '') errors.password = t('deleteAccount.enterPassword');
    if (typed.trim().toLowerCase() !== email.toLowerCase())
      errors.email = t('deleteAccount.typeEmail', { email });
    if (Object.keys(errors).length > 0) {
      setFieldErrors(errors);
      return;
    }
    void run(async () => onDeleted(await send('deleteAccount', { password, email: typed })));
  };

  return (
    <form class="choice" onSubmit={submit} noValidate aria-labelledby="delete-title">
      <h2 id="delete-title">{t('deleteAccount.title')}</h2>
      <p>
        <WithStrong text={t('deleteAccount.warning', { email })} />
      </p>
      <PasswordField
        label={t('deleteAccount.password')}
        autoComplete="current-password"
        value={password}
        onInput={(e) => {
          setPassword(e.currentTarget.value);
          clearField('password');
        }}
        errorId={errorId('password')}
        error={fieldErrors.password}
      />
      <label>
        {t('deleteAccount.confirmEmail')}
        <input
          type="email"
          autoComplete="off"
          value={typed}
          onInput={(e) => {
            setTyped(e.currentTarget.value);
            clearField('email');
          }}
          {...invalid(errorId('email'), fieldErrors.email)}
        />
      </label>
      <FieldError id={errorId('email')} message={fieldErrors.email} />
      {error && <p role="alert">{error}</p>}
      <button class="danger" type="submit" disabled={busy}>
        {busy ? t('deleteAccount.deleting') : t('deleteAccount.submit')}
      </button>
      <button type="button" disabled={busy} onClick={onCancel}>
        {t('deleteAccount.keep')}
      </button>
    </form>
  );
}
