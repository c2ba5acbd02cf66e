import { useEffect, useRef, useState } from 'preact/hooks';
import { describeIssue } from '../messaging/error-messages.ts';
import { requestSchemas, type VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
import { checkNewPassword } from './password-strength.ts';
import { ForgotPasswordScreen } from './recovery-screens.tsx';
import { send } from './send.ts';
import { StrengthMeter } from './strength-meter.tsx';
import { fieldsIn, useAction } from './use-action.ts';
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
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(SETUP_FIELDS));
  const policy = usePasswordPolicy(serverUrl);
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
    const parsed = requestSchemas[mode === 'create' ? 'register' : 'login'].safeParse(request);
    const errors: Record<string, string> = {};
    for (const issue of parsed.error?.issues ?? []) {
      const { field, message } = describeIssue(issue);
      errors[field] ??= message;
    }
    if (mode === 'create' && password !== confirm) errors.confirm = 'The two master passwords do not match.';
    if (Object.keys(errors).length > 0) {
      setFieldErrors(errors);
      return;
    }
    void run(async () => {
      if (mode === 'create') {
        // The server's policy as it is now, and the strength estimate the meter showed.
        const verdict = await checkNewPassword(password, email, await send('passwordPolicy', { serverUrl }));
        if (verdict.message) {
          setFieldErrors({ password: verdict.message });
          return;
        }
      }
      onDone(await send(mode === 'create' ? 'register' : 'login', { serverUrl, email, password }));
    });
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
      <h1>Keyhold</h1>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'create'} onClick={() => switchTo('create')}>
          Create account
        </button>
        <button type="button" role="tab" aria-selected={mode === 'login'} onClick={() => switchTo('login')}>
          Log in
        </button>
      </div>
      <form onSubmit={submit} noValidate>
        <label>
          Server address
          <input
            value={serverUrl}
            onInput={edit('serverUrl', setServerUrl)}
            required
            {...aria('serverUrl')}
          />
        </label>
        <FieldError id={setupError('serverUrl')} message={fieldErrors.serverUrl} />
        <label>
          Email
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
        <label>
          Master password
          <input
            type="password"
            autoComplete={mode === 'create' ? 'new-password' : 'current-password'}
            value={password}
            onInput={edit('password', setPassword)}
            required
            {...aria('password')}
          />
        </label>
        <FieldError id={setupError('password')} message={fieldErrors.password} />
        {mode === 'create' && (
          <>
            <StrengthMeter password={password} email={email} policy={policy} id="setup-password-strength" />
            <label>
              Confirm master password
              <input
                type="password"
                autoComplete="new-password"
                value={confirm}
                onInput={edit('confirm', setConfirm)}
                required
                {...aria('confirm')}
              />
            </label>
            <FieldError id={setupError('confirm')} message={fieldErrors.confirm} />
          </>
        )}
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Working…' : mode === 'create' ? 'Create account' : 'Log in'}
        </button>
        {mode === 'login' && (
          <button type="button" class="as-link" disabled={busy} onClick={() => setForgot(true)}>
            Forgot master password?
          </button>
        )}
        {mode === 'create' && (
          <p class="status">
            Your master password never leaves this device and cannot be recovered by the server. Remember it.
          </p>
        )}
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
      <h1>Unlock Keyhold</h1>
      <p class="status">{state.email}</p>
      <form onSubmit={submit} noValidate>
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
            required
            {...invalid('unlock-password-error', fieldErrors.password)}
          />
        </label>
        <FieldError id="unlock-password-error" message={fieldErrors.password} />
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
        <button type="button" class="as-link" disabled={busy} onClick={() => setForgot(true)}>
          Forgot master password?
        </button>
        {!unsynced && (
          <button type="button" disabled={busy} onClick={() => logout(false)}>
            Log out of this device
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

const changes = (n: number) => (n === 1 ? '1 change' : `${n} changes`);

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
  const what =
    pending === null
      ? 'Changes made on this device may not have'
      : `${changes(pending)} made on this device ${pending === 1 ? 'has' : 'have'} not`;
  return (
    <section
      class="choice"
      role="alertdialog"
      aria-labelledby="unsynced-title"
      aria-describedby="unsynced-text"
    >
      <h2 id="unsynced-title">Unsynced changes</h2>
      <p id="unsynced-text">
        {what} reached the server yet. Logging out now deletes {pending === 1 ? 'it' : 'them'} from this
        device for good. Unlock while the server is reachable and Keyhold sends{' '}
        {pending === 1 ? 'it' : 'them'} first.
      </p>
      <button class="primary" type="button" disabled={props.busy} onClick={props.onKeep} ref={keep}>
        Keep them and stay logged in
      </button>
      <button class="danger" type="button" disabled={props.busy} onClick={props.onDiscard}>
        {pending === null ? 'Log out and discard them' : `Log out and discard ${changes(pending)}`}
      </button>
    </section>
  );
}
