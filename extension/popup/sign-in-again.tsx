import { useState } from 'preact/hooks';
import { errorMessages } from '../messaging/error-messages.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
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
      <h2 id="sign-in-again-title">Log in again</h2>
      <p>
        {errorMessages.PASSWORD_CHANGED_ELSEWHERE} Changes made on this device are kept and sent once you are
        logged in.
      </p>
      <label>
        New master password
        <input
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => {
            setPassword(e.currentTarget.value);
            clearField('password');
          }}
          {...invalid('sign-in-again-error', fieldErrors.password)}
        />
      </label>
      <FieldError id="sign-in-again-error" message={fieldErrors.password} />
      {error && <p role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy || password === ''}>
        {busy ? 'Logging in…' : 'Log in again'}
      </button>
    </form>
  );
}
