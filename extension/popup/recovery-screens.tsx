import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { describeIssue, errorMessages } from '../messaging/error-messages.ts';
import {
  type RecoveryKeyShown,
  type RecoveryKeyStatus,
  requestSchemas,
  SCREEN_PORT,
  type VaultState,
} from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
import { checkNewPassword } from './password-strength.ts';
import { send } from './send.ts';
import { StrengthMeter } from './strength-meter.tsx';
import { fieldsIn, useAction } from './use-action.ts';
import { usePasswordPolicy } from './use-password-policy.ts';

/**
 * The recovery key in the popup (docs/recovery.md): the screen that shows a new key once and asks
 * for its last group back, the items screen's "no recovery key" banner, and "Forgot master
 * password?" (recovery key → new master password → the vault opens).
 */

const UNKNOWN: RecoveryKeyStatus = { status: 'unknown', createdAt: null, offered: false };

/**
 * An id for this screen, with a port to the worker open while it is shown: when the popup closes,
 * the worker forgets the secret the screen was working with (a key never confirmed is never sent).
 * A worker stopped while idle drops the port; the screen connects again to the next one.
 */
function useSecretScreen(): string {
  const [screen] = useState(() => crypto.randomUUID());
  useEffect(() => {
    let closed = false;
    let port: ReturnType<typeof browser.runtime.connect> | null = null;
    const connect = () => {
      try {
        port = browser.runtime.connect({ name: `${SCREEN_PORT}${screen}` });
      } catch {
        return; // The extension was reloaded under this popup: nothing left to tell.
      }
      port.onDisconnect.addListener(() => {
        if (!closed) connect();
      });
    };
    connect();
    return () => {
      closed = true;
      port?.disconnect();
    };
  }, [screen]);
  return screen;
}

/** The text file "Download as a text file" saves. */
export function recoveryKeyFile(shown: RecoveryKeyShown): string {
  return [
    'Keyhold recovery key',
    '',
    shown.key,
    '',
    `Account: ${shown.email}`,
    `Server: ${shown.serverUrl}`,
    `Created: ${shown.createdAt}`,
    '',
    'If you forget your master password, choose "Forgot master password?" in Keyhold and enter this email and key. Keep this file private and away from this device.',
    '',
  ].join('\n');
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has read the blob by the time this fires.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const lastGroupOf = (key: string) => key.slice(key.lastIndexOf('-') + 1);
const normalizeGroup = (typed: string) => typed.replace(/[\s-]+/g, '').toUpperCase();

interface KeyScreenProps {
  /** `create`: on demand, after the master password; `offered`: right after account creation or a recovery. */
  mode: 'create' | 'offered';
  onDone: (status: RecoveryKeyStatus) => void;
  /** Leaving without a key (on demand: Cancel; offered: after an error). */
  onCancel: () => void;
}

/** A new recovery key: (master password →) the key, shown once → its last group typed back → saved. */
export function RecoveryKeyScreen({ mode, onDone, onCancel }: KeyScreenProps) {
  const screen = useSecretScreen();
  const [shown, setShown] = useState<RecoveryKeyShown | null>(null);
  const [password, setPassword] = useState('');
  const { busy, error, fieldErrors, run, clearField } = useAction(fieldsIn(['password']));
  const started = useRef(false);

  useEffect(() => {
    if (mode !== 'offered' || started.current) return;
    started.current = true;
    void run(async () => setShown(await send('offeredRecoveryKey', { screen })));
  }, []);

  if (shown)
    return <RecoveryKeyShow screen={screen} shown={shown} mode={mode} onDone={onDone} onCancel={onCancel} />;

  if (mode === 'offered') {
    return (
      <main aria-busy={busy}>
        <h1>Your recovery key</h1>
        {busy && <p class="status">Creating your recovery key…</p>}
        {error && (
          <>
            <p role="alert">{error}</p>
            <button type="button" class="primary" onClick={onCancel}>
              Continue without a recovery key
            </button>
          </>
        )}
      </main>
    );
  }

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      setShown(await send('createRecoveryKey', { screen, password }));
      setPassword('');
    });
  };
  return (
    <main aria-busy={busy}>
      <h1>New recovery key</h1>
      <p class="hint">
        With a recovery key and your email you can open your vault if you forget your master password. A new
        key replaces the one you have, if any. Enter your master password to continue.
      </p>
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
            {...invalid('recovery-password-error', fieldErrors.password)}
          />
        </label>
        <FieldError id="recovery-password-error" message={fieldErrors.password} />
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </form>
    </main>
  );
}

function RecoveryKeyShow({
  screen,
  shown,
  mode,
  onDone,
  onCancel,
}: KeyScreenProps & { screen: string; shown: RecoveryKeyShown }) {
  const [lastGroup, setLastGroup] = useState('');
  const [copied, setCopied] = useState<string | null>(null);
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(['lastGroup']));
  const groups = shown.key.split('-');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shown.key);
      setCopied('Copied. Paste it somewhere safe, away from this device.');
    } catch {
      setCopied('Could not copy: select the key and copy it, or download it.');
    }
  };
  const confirm = (e: Event) => {
    e.preventDefault();
    if (normalizeGroup(lastGroup) !== lastGroupOf(shown.key)) {
      setFieldErrors({ lastGroup: errorMessages.RECOVERY_KEY_MISMATCH });
      return;
    }
    void run(async () => onDone(await send('confirmRecoveryKey', { screen, lastGroup })));
  };
  const cancel = () =>
    void run(async () => {
      await send('discardRecoveryKey', { screen });
      onCancel();
    });

  return (
    <main aria-busy={busy}>
      <h1>Save your recovery key</h1>
      <p class="hint">
        If you forget your master password, this key and your email ({shown.email}) open your vault. It is
        shown only this once: download it or write it down, and keep it away from this device.
      </p>
      <section class="recovery-key" aria-label="Recovery key">
        <code>
          {groups.map((g, i) => (
            <span class="recovery-group" key={g + String(i)}>
              {i > 0 && '-'}
              {g}
            </span>
          ))}
        </code>
      </section>
      <div class="row">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={() => download('keyhold-recovery-key.txt', recoveryKeyFile(shown))}>
          Download as a text file
        </button>
      </div>
      {copied && (
        <p class="status" aria-live="polite">
          {copied}
        </p>
      )}
      <form onSubmit={confirm} noValidate>
        <label>
          Type the last group of the key to confirm you saved it
          <input
            value={lastGroup}
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => {
              setLastGroup(e.currentTarget.value);
              clearField('lastGroup');
            }}
            required
            {...invalid('recovery-last-group-error', fieldErrors.lastGroup)}
          />
        </label>
        <FieldError id="recovery-last-group-error" message={fieldErrors.lastGroup} />
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'I saved my recovery key'}
        </button>
        {mode === 'create' && (
          <button type="button" disabled={busy} onClick={cancel}>
            Cancel
          </button>
        )}
      </form>
    </main>
  );
}

/**
 * The items screen's line about the recovery key: "You have no recovery key — create one" when the
 * server says so (asked on every popup open; the cached answer shows at once).
 */
export function RecoveryKeyBanner({ onCreate }: { onCreate: () => void }) {
  const [status, setStatus] = useState<RecoveryKeyStatus>(UNKNOWN);
  useEffect(() => {
    let live = true;
    const ask = (refresh: boolean) =>
      send('recoveryKeyStatus', { refresh }).then(
        (s) => live && setStatus(s),
        () => undefined,
      );
    void ask(false).then(() => ask(true));
    return () => {
      live = false;
    };
  }, []);
  if (status.status !== 'none') return null;
  return (
    <p class="recovery-missing" role="status">
      You have no recovery key — without one, a forgotten master password means a lost vault.{' '}
      <button type="button" class="small" onClick={onCreate}>
        Create one
      </button>
    </p>
  );
}

const formatDate = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** The Security screen's recovery key section: whether there is one, and "create a new one". */
export function RecoveryKeySection({ onCreate }: { onCreate: () => void }) {
  const [status, setStatus] = useState<RecoveryKeyStatus>(UNKNOWN);
  useEffect(() => {
    let live = true;
    send('recoveryKeyStatus', { refresh: true }).then(
      (s) => live && setStatus(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <section class="security" aria-labelledby="security-recovery">
      <h2 id="security-recovery">Recovery key</h2>
      <p class="hint">
        {status.status === 'set' && status.createdAt
          ? `Created ${formatDate(status.createdAt)}. With it and your email you can open your vault if you forget your master password.`
          : status.status === 'none'
            ? 'You have no recovery key: without one, a forgotten master password means a lost vault.'
            : 'With a recovery key and your email you can open your vault if you forget your master password.'}
      </p>
      <button type="button" onClick={onCreate}>
        {status.status === 'none' ? 'Create a recovery key…' : 'Create a new recovery key…'}
      </button>
    </section>
  );
}

/**
 * Between unlocking and the items: right after account creation or a recovery, the new recovery key
 * is shown first (its confirmation is required to continue; closing the popup skips it, and the
 * items screen then says there is none).
 */
export function RecoveryGate({ children }: { children: ComponentChildren }) {
  const [status, setStatus] = useState<RecoveryKeyStatus | null>(null);
  useEffect(() => {
    send('recoveryKeyStatus', {}).then(setStatus, () => setStatus(UNKNOWN));
  }, []);
  if (!status) return <main aria-busy="true">Loading…</main>;
  if (status.offered) {
    return (
      <RecoveryKeyScreen
        mode="offered"
        onDone={setStatus}
        onCancel={() => setStatus({ ...status, offered: false })}
      />
    );
  }
  return <>{children}</>;
}

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
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(FORGOT_FIELDS));
  // The server's policy for the new master password (the meter's minimums; checked again on submit).
  const policy = usePasswordPolicy(server);
  const edit = (field: ForgotField, set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
    clearField(field);
  };
  const aria = (field: ForgotField) => invalid(forgotError(field), fieldErrors[field]);

  const submitKey = (e: Event) => {
    e.preventDefault();
    const request = { screen, serverUrl: server, email: mail, recoveryKey };
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
      if (newPassword !== confirm) errors.confirm = 'The two master passwords do not match.';
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
        <h1>Choose a new master password</h1>
        <p class="hint">
          Your recovery key was accepted for {mail}. The new master password replaces the old one on every
          device; the others are signed out and log in again with it.
        </p>
        <form onSubmit={submitPassword} noValidate>
          <label>
            New master password
            <input
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onInput={edit('newPassword', setNewPassword)}
              required
              {...aria('newPassword')}
            />
          </label>
          <FieldError id={forgotError('newPassword')} message={fieldErrors.newPassword} />
          <StrengthMeter password={newPassword} email={mail} policy={policy} id="forgot-password-strength" />
          <label>
            Confirm new master password
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onInput={edit('confirm', setConfirm)}
              required
              {...aria('confirm')}
            />
          </label>
          <FieldError id={forgotError('confirm')} message={fieldErrors.confirm} />
          {error && <p role="alert">{error}</p>}
          <button class="primary" type="submit" disabled={busy}>
            {busy ? 'Opening your vault…' : 'Set master password and open the vault'}
          </button>
          <button type="button" disabled={busy} onClick={back}>
            Cancel
          </button>
        </form>
      </main>
    );
  }

  return (
    <main aria-busy={busy}>
      <h1>Forgot master password?</h1>
      <p class="hint">
        Enter your email and the recovery key you saved (14 groups of 4 characters). Then you choose a new
        master password, and your vault opens with everything in it.
      </p>
      <form onSubmit={submitKey} noValidate>
        {!fromUnlock && (
          <>
            <label>
              Server address
              <input value={server} onInput={edit('serverUrl', setServer)} required {...aria('serverUrl')} />
            </label>
            <FieldError id={forgotError('serverUrl')} message={fieldErrors.serverUrl} />
          </>
        )}
        <label>
          Email
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
          Recovery key
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
          {busy ? 'Checking…' : 'Continue'}
        </button>
        <button type="button" disabled={busy} onClick={back}>
          Back
        </button>
      </form>
    </main>
  );
}
