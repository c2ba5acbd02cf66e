import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n/index.ts';
import { errorMessages } from '../messaging/error-messages.ts';
import type { RecoveryKeyShown, RecoveryKeyStatus } from '../messaging/protocol.ts';
import { FieldError, invalid, PasswordField } from './field-error.tsx';
import { takeArrivedRecoveryStatus, takeOpeningRecoveryStatus } from './opening.ts';
import { send } from './send.ts';
import { fieldsIn, useAction } from './use-action.ts';
import { useSecretScreen } from './use-secret-screen.ts';

/**
 * The recovery key in the popup (docs/recovery.md): the screen that shows a new key once and asks
 * for its last group back, the items screen's "no recovery key" banner, the Security screen's
 * section, and the gate that offers a new key right after account creation or a recovery.
 * Using the key ("Forgot master password?") is account-recovery-screen.tsx.
 */

const UNKNOWN: RecoveryKeyStatus = { status: 'unknown', createdAt: null, offered: false };

/** The text file "Download as a text file" saves. */
export function recoveryKeyFile(shown: RecoveryKeyShown): string {
  return [
    t('recovery.fileTitle'),
    '',
    shown.key,
    '',
    t('recovery.fileAccount', { email: shown.email }),
    t('recovery.fileServer', { url: shown.serverUrl }),
    t('recovery.fileCreated', { date: shown.createdAt }),
    '',
    t('recovery.fileHowTo'),
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
        <h1>{t('recovery.yourKey')}</h1>
        {busy && <p class="status">{t('recovery.creating')}</p>}
        {error && (
          <>
            <p role="alert">{error}</p>
            <button type="button" class="primary" onClick={onCancel}>
              {t('recovery.continueWithout')}
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
      <h1>{t('recovery.newKey')}</h1>
      <p class="hint">{t('recovery.newKeyHint')}</p>
      <form onSubmit={submit} noValidate>
        <PasswordField
          label={t('recovery.masterPassword')}
          autoComplete="current-password"
          value={password}
          onInput={(e) => {
            setPassword(e.currentTarget.value);
            clearField('password');
          }}
          required
          errorId={'recovery-password-error'}
          error={fieldErrors.password}
        />
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? t('recovery.checking') : t('recovery.continue')}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          {t('common.cancel')}
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
      setCopied(t('recovery.copied'));
    } catch {
      setCopied(t('recovery.copyFailed'));
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
      <h1>{t('recovery.saveTitle')}</h1>
      <p class="hint">{t('recovery.saveHint', { email: shown.email })}</p>
      <section class="recovery-key" aria-label={t('recovery.keyLabel')}>
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
          {t('recovery.copy')}
        </button>
        <button type="button" onClick={() => download('keyhold-recovery-key.txt', recoveryKeyFile(shown))}>
          {t('recovery.download')}
        </button>
      </div>
      {copied && (
        <p class="status" aria-live="polite">
          {copied}
        </p>
      )}
      <form onSubmit={confirm} noValidate>
        <label>
          {t('recovery.typeLastGroup')}
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
          {busy ? t('recovery.saving') : t('recovery.saved')}
        </button>
        {mode === 'create' && (
          <button type="button" disabled={busy} onClick={cancel}>
            {t('common.cancel')}
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
      {t('recovery.missingBanner')}{' '}
      <button type="button" class="small" onClick={onCreate}>
        {t('recovery.createOne')}
      </button>
    </p>
  );
}

const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString(currentLanguage(), { dateStyle: 'medium' });

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
      <h2 id="security-recovery">{t('recovery.keyLabel')}</h2>
      <p class="hint">
        {status.status === 'set' && status.createdAt
          ? t('recovery.created', { date: formatDate(status.createdAt) })
          : status.status === 'none'
            ? t('recovery.none')
            : t('recovery.about')}
      </p>
      <button type="button" onClick={onCreate}>
        {status.status === 'none' ? t('recovery.create') : t('recovery.createNew')}
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
  // Answered already when the popup opened or the vault was unlocked (opening.ts): drawn at once.
  const [status, setStatus] = useState<RecoveryKeyStatus | null>(takeArrivedRecoveryStatus);
  useEffect(() => {
    // Once, on mount, unless the gate was drawn with the answer.
    if (status) return;
    // Asked for when the popup opened (opening.ts), or now.
    (takeOpeningRecoveryStatus() ?? send('recoveryKeyStatus', {})).then(setStatus, () => setStatus(UNKNOWN));
  }, []);
  if (!status) return <main aria-busy="true">{t('recovery.loading')}</main>;
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
