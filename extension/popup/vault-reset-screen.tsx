import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { WithStrong } from '../i18n/rich-text.tsx';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid, PasswordField } from './field-error.tsx';
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
      {t('vaultReset.offer')}
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
        errors.email = t('vaultReset.typeEmail', { email });
      const verdict = await checkNewPassword(next, email, await send('passwordPolicy', {}));
      if (verdict.message) errors.newPassword = verdict.message;
      if (next !== confirm) errors.confirm = t('vaultReset.passwordsDiffer');
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        return;
      }
      onDone(await send('resetVault', { email: typed, newPassword: next }));
    });
  };

  return (
    <main>
      <h1>{t('vaultReset.title')}</h1>
      <form onSubmit={submit} noValidate>
        <div class="choice">
          <p>
            <WithStrong text={t('vaultReset.warning', { email })} />
          </p>
        </div>
        <label>
          {t('vaultReset.confirmEmail')}
          <input
            type="email"
            autoComplete="off"
            value={typed}
            onInput={edit('email', setTyped)}
            {...aria('email')}
          />
        </label>
        <FieldError id={errorId('email')} message={fieldErrors.email} />
        <PasswordField
          label={t('vaultReset.newPassword')}
          autoComplete="new-password"
          value={next}
          onInput={edit('newPassword', setNext)}
          errorId={errorId('newPassword')}
          error={fieldErrors.newPassword}
        />
        <StrengthMeter password={next} email={email} policy={policy} id="reset-password-strength" />
        <PasswordField
          label={t('vaultReset.confirmPassword')}
          autoComplete="new-password"
          value={confirm}
          onInput={edit('confirm', setConfirm)}
          errorId={errorId('confirm')}
          error={fieldErrors.confirm}
        />
        {error && <p role="alert">{error}</p>}
        <button class="danger" type="submit" disabled={busy}>
          {busy ? t('vaultReset.resetting') : t('vaultReset.submit')}
        </button>
        <button type="button" disabled={busy} onClick={onBack}>
          {t('common.back')}
        </button>
      </form>
    </main>
  );
}
