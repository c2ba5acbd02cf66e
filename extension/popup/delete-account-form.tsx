import { useState } from 'preact/hooks';
import type { VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
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
    if (password === '') errors.password = 'Enter your master password.';
    if (typed.trim().toLowerCase() !== email.toLowerCase())
      errors.email = `Type ${email} to confirm that this account is to be deleted.`;
    if (Object.keys(errors).length > 0) {
      setFieldErrors(errors);
      return;
    }
    void run(async () => onDeleted(await send('deleteAccount', { password, email: typed })));
  };

  return (
    <form class="choice" onSubmit={submit} noValidate aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p>
        This deletes the account <strong>{email}</strong> and every login in it from the server, signs out
        every device, and removes everything Keyhold keeps on this one. It cannot be undone.
      </p>
      <label>
        Master password
        <input
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => {
            setPassword(e.currentTarget.value);
            clearField('password');
          }}
          {...invalid(errorId('password'), fieldErrors.password)}
        />
      </label>
      <FieldError id={errorId('password')} message={fieldErrors.password} />
      <label>
        Type your email to confirm
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
        {busy ? 'Deleting…' : 'Delete this account for good'}
      </button>
      <button type="button" disabled={busy} onClick={onCancel}>
        Keep my account
      </button>
    </form>
  );
}
