import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { describeIssue } from '../messaging/error-messages.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid, PasswordField } from './field-error.tsx';
import { checkNewPassword } from './password-strength.ts';
import { send } from './send.ts';
import { StrengthMeter } from './strength-meter.tsx';
import { fieldsIn, useAction } from './use-action.ts';
import { useFormChecks, withFormChecks } from './use-form-checks.ts';
import { usePasswordPolicy } from './use-password-policy.ts';
import { useSecretScreen } from './use-secret-screen.ts';

/**
 * "Forgot master password?" (docs/recovery.md): the recovery key opens the account again under a
 * new master password, and the vault opens with nothing lost. The key is checked on this device
 * first, then by the server; the worker forgets it when this screen goes away.
 */

const FORGOT_FIELDS = ['serverUrl', 'email', 'recoveryKey', 'newPassword', 'confirm'] as const;
type ForgotField = (typeof FORGOT_FIELDS)[number];
const forgotError = (field: ForgotField) => `forgot-${field}-error`;

interface ForgotProps {
  serverUrl: string;
  email: string;
  /** From the unlock screen: the account (server and email) is this device's; only the key is asked. */
  fromUnlock: boolean;
  onBack: () => void;
  onDone: (state: VaultState) => void;
}

/**
 * "Forgot master password?": email and recovery key (checked on this device, then by the server),
 * then a new master password; the vault opens with nothing lost, and a new recovery key follows.
 */
export function ForgotPasswordScreen({ serverUrl, email, fromUnlock, onBack, onDone }: ForgotProps) {
  const screen = useSecretScreen();
  const [step, setStep] = useState<'key' | 'password'>('key');
  const [server, setServer] = useState(serverUrl);
  const [mail, setMail] = useState(email);
  const [recoveryKey, setRecoveryKey] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, fieldErrors, run, setError, setFieldErrors, clearField } = useAction(
    fieldsIn(FORGOT_FIELDS),
  );
  // The server's policy for the new master password (the meter's minimums; checked again on submit).
  const policy = usePasswordPolicy(server);
  useFormChecks();
  const edit = (field: ForgotField, set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
    clearField(field);
  };
  const aria = (field: ForgotField) => invalid(forgotError(field), fieldErrors[field]);

  const submitKey = (e: Event) => {
    e.preventDefault();
    const request = { screen, serverUrl: server, email: mail, recoveryKey };
    withFormChecks(({ requestSchemas }) => {
      const parsed = requestSchemas.startAccountRecovery.safeParse(request);
      if (!parsed.success) {
        const errors: Record<string, string> = {};
        for (const issue of parsed.error.issues) {
          const { field, message } = describeIssue(issue);
          errors[field] ??= message;
        }
        setFieldErrors(errors);
        return;
      }
      void run(async () => {
        await send('startAccountRecovery', request);
        setStep('password');
      });
    }, setError);
  };
  const submitPassword = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const errors: Record<string, string> = {};
      // The server's policy as it is now, and the strength estimate the meter showed.
      const verdict = await checkNewPassword(
        newPassword,
        mail,
        await send('passwordPolicy', { serverUrl: server }),
      );
      if (verdict.message) errors.newPassword = verdict.message;
      if (newPassword !== confirm) errors.confirm = t('recovery.passwordsDiffer');
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        return;
      }
      onDone(await send('completeAccountRecovery', { screen, newPassword }));
    });
  };
  const back = () =>
    void run(async () => {
      await send('cancelAccountRecovery', { screen });
      onBack();
    });

  if (step === 'password') {
    return (
      <main aria-busy={busy}>
        <h1>{t('recovery.choosePassword')}</h1>
        <p class="hint">{t('recovery.accepted', { email: mail })}</p>
        <form onSubmit={submitPassword} noValidate>
          <PasswordField
            label={t('recovery.newPassword')}
            autoComplete="new-password"
            value={newPassword}
            onInput={edit('newPassword', setNewPassword)}
            required
            errorId={forgotError('newPassword')}
            error={fieldErrors.newPassword}
          />
          <StrengthMeter password={newPassword} email={mail} policy={policy} id="forgot-password-strength" />
          <PasswordField
            label={t('recovery.confirmPassword')}
            autoComplete="new-password"
            value={confirm}
            onInput={edit('confirm', setConfirm)}
            required
            errorId={forgotError('confirm')}
            error={fieldErrors.confirm}
          />
          {error && <p role="alert">{error}</p>}
          <button class="primary" type="submit" disabled={busy}>
            {busy ? t('recovery.opening') : t('recovery.setAndOpen')}
          </button>
          <button type="button" disabled={busy} onClick={back}>
            {t('common.cancel')}
          </button>
        </form>
      </main>
    );
  }

  return (
    <main aria-busy={busy}>
      <h1>{t('account.forgot')}</h1>
      <p class="hint">{t('recovery.forgotHint')}</p>
      <form onSubmit={submitKey} noValidate>
        {!fromUnlock && (
          <>
            <label>
              {t('account.serverUrl')}
              <input value={server} onInput={edit('serverUrl', setServer)} required {...aria('serverUrl')} />
            </label>
            <FieldError id={forgotError('serverUrl')} message={fieldErrors.serverUrl} />
          </>
        )}
        <label>
          {t('account.email')}
          <input
            type="email"
            autoComplete="username"
            value={mail}
            readOnly={fromUnlock}
            onInput={edit('email', setMail)}
            required
            {...aria('email')}
          />
        </label>
        <FieldError id={forgotError('email')} message={fieldErrors.email} />
        <label>
          {t('recovery.keyLabel')}
          <textarea
            value={recoveryKey}
            autoComplete="off"
            spellcheck={false}
            rows={3}
            onInput={edit('recoveryKey', setRecoveryKey)}
            required
            {...aria('recoveryKey')}
          />
        </label>
        <FieldError id={forgotError('recoveryKey')} message={fieldErrors.recoveryKey} />
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? t('recovery.checking') : t('recovery.continue')}
        </button>
        <button type="button" disabled={busy} onClick={back}>
          {t('common.back')}
        </button>
      </form>
    </main>
  );
}
