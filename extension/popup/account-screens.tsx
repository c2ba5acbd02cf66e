import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { describeIssue } from '../messaging/error-messages.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { ForgotPasswordScreen } from './account-recovery-screen.tsx';
import { FieldError, invalid, PasswordField } from './field-error.tsx';
import { checkNewPassword } from './password-strength.ts';
import { send } from './send.ts';
import { SignedOutNotice, useSessionEnded } from './signed-out-notice.tsx';
import { StrengthMeter } from './strength-meter.tsx';
import { fieldsIn, useAction } from './use-action.ts';
import { useFormChecks, withFormChecks } from './use-form-checks.ts';
import { usePasswordPolicy } from './use-password-policy.ts';
import { VaultResetOffer, VaultResetScreen } from './vault-reset-screen.tsx';

interface Props {
  state: VaultState;
  onDone: (s: VaultState) => void;
}

/** The request's field names, plus the confirmation the popup checks itself. */
const SETUP_FIELDS = ['serverUrl', 'email', 'password', 'confirm'] as const;
const setupError = (field: (typeof SETUP_FIELDS)[number]) => `setup-${field}-error`;

export function SetupScreen({ state, onDone }: Props) {
  const [mode, setMode] = useState<'create' | 'login'>('create');
  const [serverUrl, setServerUrl] = useState(state.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [forgot, setForgot] = useState(false);
  const { busy, error, fieldErrors, run, setError, setFieldErrors, clearField } = useAction(
    fieldsIn(SETUP_FIELDS),
  );
  const policy = usePasswordPolicy(serverUrl);
  useFormChecks();
  /** Input handler that also clears that field's error: the message was about the old value. */
  const edit = (field: (typeof SETUP_FIELDS)[number], set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    clearField(field);
  };
  const aria = (field: (typeof SETUP_FIELDS)[number]) => invalid(setupError(field), fieldErrors[field]);

  const submit = (e: Event) => {
    e.preventDefault();
    // The service worker's own check, here so every wrong field is marked at once.
    const request = { serverUrl, email, password };
    withFormChecks(({ requestSchemas }) => {
      const parsed = requestSchemas[mode === 'create' ? 'register' : 'login'].safeParse(request);
      const errors: Record<string, string> = {};
      for (const issue of parsed.error?.issues ?? []) {
        const { field, message } = describeIssue(issue);
        errors[field] ??= message;
      }
      if (mode === 'create' && password !== confirm) errors.confirm = t('account.passwordsDiffer');
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        return;
      }
      void run(async () => {
        if (mode === 'create') {
          // The server's policy as it is now, and the strength estimate the meter showed.
          const verdict = await checkNewPassword(
            password,
            email,
            await send('passwordPolicy', { serverUrl }),
          );
          if (verdict.message) {
            setFieldErrors({ password: verdict.message });
            return;
          }
        }
        onDone(await send(mode === 'create' ? 'register' : 'login', request));
      });
    }, setError);
  };
  const switchTo = (next: 'create' | 'login') => {
    setMode(next);
    setFieldErrors({});
  };

  if (forgot) {
    return (
      <ForgotPasswordScreen
        serverUrl={serverUrl}
        email={email}
        fromUnlock={false}
        onBack={() => setForgot(false)}
        onDone={onDone}
      />
    );
  }

  return (
    <main>
      <h1>{t('ext.name')}</h1>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'create'} onClick={() => switchTo('create')}>
          {t('account.create')}
        </button>
        <button type="button" role="tab" aria-selected={mode === 'login'} onClick={() => switchTo('login')}>
          {t('account.logIn')}
        </button>
      </div>
      <form onSubmit={submit} noValidate>
        <label>
          {t('account.serverUrl')}
          <input
            value={serverUrl}
            onInput={edit('serverUrl', setServerUrl)}
            required
            {...aria('serverUrl')}
          />
        </label>
        <FieldError id={setupError('serverUrl')} message={fieldErrors.serverUrl} />
        <label>
          {t('account.email')}
          <input
            type="email"
            autoComplete="username"
            value={email}
            onInput={edit('email', setEmail)}
            required
            {...aria('email')}
          />
        </label>
        <FieldError id={setupError('email')} message={fieldErrors.email} />
        <PasswordField
          label={t('account.masterPassword')}
          autoComplete={mode === 'create' ? 'new-password' : 'current-password'}
          value={password}
          onInput={edit('password', setPassword)}
          required
          errorId={setupError('password')}
          error={fieldErrors.password}
        />
        {mode === 'create' && (
          <>
            <StrengthMeter password={password} email={email} policy={policy} id="setup-password-strength" />
            <PasswordField
              label={t('account.confirmPassword')}
              autoComplete="new-password"
              value={confirm}
              onInput={edit('confirm', setConfirm)}
              required
              errorId={setupError('confirm')}
              error={fieldErrors.confirm}
            />
          </>
        )}
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? t('account.working') : mode === 'create' ? t('account.create') : t('account.logIn')}
        </button>
        {mode === 'login' && (
          <button type="button" class="as-link" disabled={busy} onClick={() => setForgot(true)}>
            {t('account.forgot')}
          </button>
        )}
        {mode === 'create' && <p class="status">{t('account.remember')}</p>}
      </form>
    </main>
  );
}

export function UnlockScreen({ state, onDone }: Props) {
  const [password, setPassword] = useState('');
  /** Set when logging out would drop changes that never reached the server: the user must choose. */
  const [unsynced, setUnsynced] = useState<{ pending: number | null } | null>(null);
  const [forgot, setForgot] = useState(false);
  const [resetting, setResetting] = useState(false);
  const signedOut = useSessionEnded();
  const { busy, error, fieldErrors, run, clearField } = useAction(fieldsIn(['password']));
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      onDone(await send('unlock', { password }));
      setPassword('');
    });
  };
  const logout = (discardUnsynced: boolean) =>
    void run(async () => {
      const result = await send('logout', { discardUnsynced });
      if (result.status === 'unsynced') {
        setUnsynced({ pending: result.pending });
        return;
      }
      setUnsynced(null);
      onDone(result.state);
    });
  if (forgot) {
    return (
      <ForgotPasswordScreen
        serverUrl={state.serverUrl}
        email={state.email ?? ''}
        fromUnlock
        onBack={() => setForgot(false)}
        onDone={onDone}
      />
    );
  }
  if (resetting)
    return <VaultResetScreen email={state.email ?? ''} onBack={() => setResetting(false)} onDone={onDone} />;
  return (
    <main>
      <h1>{t('account.unlockTitle')}</h1>
      <p class="status">{state.email}</p>
      {signedOut && <SignedOutNotice ended={signedOut.ended} pending={signedOut.pending} />}
      <form onSubmit={submit} noValidate>
        <PasswordField
          label={t('account.masterPassword')}
          autoComplete="current-password"
          value={password}
          onInput={(e) => {
            setPassword(e.currentTarget.value);
            clearField('password');
          }}
          required
          errorId={'unlock-password-error'}
          error={fieldErrors.password}
        />
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? t('account.unlocking') : signedOut ? t('account.logInAgain') : t('account.unlock')}
        </button>
        <button type="button" class="as-link" disabled={busy} onClick={() => setForgot(true)}>
          {t('account.forgot')}
        </button>
        {!unsynced && (
          <button type="button" disabled={busy} onClick={() => logout(false)}>
            {t('account.logOut')}
          </button>
        )}
        <VaultResetOffer onOpen={() => setResetting(true)} />
      </form>
      {unsynced && (
        <UnsyncedChoice
          pending={unsynced.pending}
          busy={busy}
          onKeep={() => setUnsynced(null)}
          onDiscard={() => logout(true)}
        />
      )}
    </main>
  );
}

/**
 * Logging out would lose edits that exist only on this device. Keeping them is the default (it has
 * the focus); discarding says how many are lost.
 */
function UnsyncedChoice(props: {
  pending: number | null;
  busy: boolean;
  onKeep: () => void;
  onDiscard: () => void;
}) {
  const { pending } = props;
  const keep = useRef<HTMLButtonElement>(null);
  const focused = useRef(false);
  // Focus "keep" once it can take focus (it is disabled while the logout request is still running).
  useEffect(() => {
    if (props.busy || focused.current) return;
    focused.current = true;
    keep.current?.focus();
  }, [props.busy]);
  return (
    <section
      class="choice"
      role="alertdialog"
      aria-labelledby="unsynced-title"
      aria-describedby="unsynced-text"
    >
      <h2 id="unsynced-title">{t('account.unsyncedTitle')}</h2>
      <p id="unsynced-text">
        {pending === null ? t('account.unsyncedUnknown') : t('account.unsynced', pending)}
      </p>
      <button class="primary" type="button" disabled={props.busy} onClick={props.onKeep} ref={keep}>
        {t('account.keepUnsynced')}
      </button>
      <button class="danger" type="button" disabled={props.busy} onClick={props.onDiscard}>
        {pending === null ? t('account.discardUnknown') : t('account.discard', pending)}
      </button>
    </section>
  );
}
