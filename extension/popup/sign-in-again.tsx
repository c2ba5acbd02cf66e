import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { errorMessages } from '../messaging/error-messages.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { PasswordField } from './field-error.tsx';
import { send } from './send.ts';
import { fieldsIn, useAction } from './use-action.ts';

interface Props {
  onState: (s: VaultState) => void;
}

/**
 * Shown above the logins while the server refuses this device's credentials because the master
 * password was changed elsewhere (PASSWORD_CHANGED_ELSEWHERE). The vault stays open and editable;
 * the new password signs in again and the edits made meanwhile are pushed.
 */
export function SignInAgain({ onState }: Props) {
  const [password, setPassword] = useState('');
  const { busy, error, fieldErrors, run, clearField } = useAction(fieldsIn(['password']));
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      onState(await send('signInAgain', { password }));
      setPassword('');
    });
  };
  return (
    <form class="choice" onSubmit={submit} noValidate aria-labelledby="sign-in-again-title">
      <h2 id="sign-in-again-title">{t('banners.logInAgain')}</h2>
      <p>{t('banners.changedElsewhere', { why: errorMessages.PASSWORD_CHANGED_ELSEWHERE })}</p>
      <PasswordField
        label={t('banners.newPassword')}
        autoComplete="current-password"
        value={password}
        onInput={(e) => {
          setPassword(e.currentTarget.value);
          clearField('password');
        }}
        errorId={'sign-in-again-error'}
        error={fieldErrors.password}
      />
      {error && <p role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy || password === ''}>
        {busy ? t('banners.loggingIn') : t('banners.logInAgain')}
      </button>
    </form>
  );
}
