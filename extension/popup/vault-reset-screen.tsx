import { useEffect, useState } from 'preact/hooks';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
import { checkNewPassword } from './password-strength.ts';
import { send } from './send.ts';
import { StrengthMeter } from './strength-meter.tsx';
import { fieldsIn, useAction } from './use-action.ts';
import { usePasswordPolicy } from './use-password-policy.ts';

/**
 * The unlock screen's last resort: offered only while this device's session on the server is still
 * valid (the worker refreshes it to find out), since that session — never the email alone — is what
 * allows a reset.
 */
export function VaultResetOffer({ onOpen }: { onOpen: () => void }) {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let live = true;
    send('vaultResetAvailable', {}).then(
      (r) => live && setAvailable(r.available),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  if (!available) return null;
  return (
    <button type="button" class="link" onClick={onOpen}>
      Forgot your master password and lost the recovery key?
    </button>
  );
}

interface Props {
  email: string;
  onBack: () => void;
  onDone: (state: VaultState) => void;
}

const FIELDS = ['email', 'newPassword', 'confirm'] as const;
type Field = (typeof FIELDS)[number];
const errorId = (field: Field) => `reset-${field}-error`;

/**
 * Vault reset: says plainly that every login is deleted, asks for the email as a confirmation and a
 * new master password (the server's policy applies), then opens a fresh, empty vault.
 */
export function VaultResetScreen({ email, onBack, onDone }: Props) {
  const [typed, setTyped] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const policy: PasswordPolicy | null = usePasswordPolicy();
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(FIELDS));
  const edit = (field: Field, set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    clearField(field);
  };
  const aria = (field: Field) => invalid(errorId(field), fieldErrors[field]);

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const errors: Record<string, string> = {};
      if (typed.trim().toLowerCase() !== email.toLowerCase())
        errors.email = `Type ${email} to confirm that every login in it is to be deleted.`;
      const verdict = await checkNewPassword(next, email, await send('passwordPolicy', {}));
      if (verdict.message) errors.newPassword = verdict.message;
      if (next !== confirm) errors.confirm = 'The two master passwords do not match.';
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        return;
      }
      onDone(await send('resetVault', { email: typed, newPassword: next }));
    });
  };

  return (
    <main>
      <h1>Reset the vault</h1>
      <form onSubmit={submit} noValidate>
        <div class="choice">
          <p>
            Without the master password or the recovery key, nobody — not even the server — can decrypt the
            logins in <strong>{email}</strong>. A reset <strong>deletes every one of them</strong>, on the
            server and on every device, and starts an empty vault under a new master password. Other devices
            are signed out. It cannot be undone.
          </p>
        </div>
        <label>
          Type your email to confirm
          <input
            type="email"
            autoComplete="off"
            value={typed}
            onInput={edit('email', setTyped)}
            {...aria('email')}
          />
        </label>
        <FieldError id={errorId('email')} message={fieldErrors.email} />
        <label>
          New master password
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onInput={edit('newPassword', setNext)}
            {...aria('newPassword')}
          />
        </label>
        <FieldError id={errorId('newPassword')} message={fieldErrors.newPassword} />
        <StrengthMeter password={next} email={email} policy={policy} id="reset-password-strength" />
        <label>
          Confirm new master password
          <input
            type="password"
            autoComplete="new-password"
            value={confirm}
            onInput={edit('confirm', setConfirm)}
            {...aria('confirm')}
          />
        </label>
        <FieldError id={errorId('confirm')} message={fieldErrors.confirm} />
        {error && <p role="alert">{error}</p>}
        <button class="danger" type="submit" disabled={busy}>
          {busy ? 'Resetting…' : 'Delete every login and start over'}
        </button>
        <button type="button" disabled={busy} onClick={onBack}>
          Back
        </button>
      </form>
    </main>
  );
}
