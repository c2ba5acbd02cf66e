import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { RotationResult, VaultState } from '../messaging/protocol.ts';
import { PasswordField } from './field-error.tsx';
import { send } from './send.ts';
import { fieldsIn, useAction } from './use-action.ts';
import { useFormChecks, withFormChecks } from './use-form-checks.ts';

/**
 * Security screen section "Encryption key": rotate the vault key with the master password entered
 * again (the worker checks it on this device). Says what happened to the recovery key.
 */

/** What the user reads after a rotation, including what it did to the recovery key. */
export function rotationDoneText(
  result: Pick<RotationResult, 'keyVersion' | 'recoveryKeyCleared'>,
): string[] {
  return [
    t('rotateKey.done', { version: result.keyVersion }),
    result.recoveryKeyCleared ? t('rotateKey.recoveryKeyCleared') : t('rotateKey.recoveryKeyNeeded'),
  ];
}

export function RotateKeySection({ onState }: { onState: (s: VaultState) => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<RotationResult | null>(null);
  const { busy, error, fieldErrors, run, setError, setFieldErrors, clearField } = useAction(
    fieldsIn(['password']),
  );
  useFormChecks();

  const submit = (e: Event) => {
    e.preventDefault();
    withFormChecks(({ requestSchemas }) => {
      const parsed = requestSchemas.rotateVaultKey.safeParse({ password });
      const message = parsed.error?.issues[0]?.message;
      if (message) {
        setFieldErrors({ password: message });
        return;
      }
      setDone(null);
      void run(async () => {
        const result = await send('rotateVaultKey', { password });
        setPassword('');
        setOpen(false);
        setDone(result);
        onState(result.state);
      });
    }, setError);
  };

  return (
    <section class="security" aria-labelledby="rotate-key-title">
      <h2 id="rotate-key-title">{t('rotateKey.title')}</h2>
      <p class="hint">{t('rotateKey.hint')}</p>
      {!open && (
        <button
          type="button"
          onClick={() => {
            setDone(null);
            setOpen(true);
          }}
        >
          {t('rotateKey.open')}
        </button>
      )}
      {open && (
        <form onSubmit={submit} noValidate>
          <PasswordField
            label={t('rotateKey.password')}
            autoComplete="current-password"
            value={password}
            onInput={(e) => {
              setPassword(e.currentTarget.value);
              clearField('password');
            }}
            required
            errorId={'rotate-password-error'}
            error={fieldErrors.password}
          />
          {error && <p role="alert">{error}</p>}
          <button class="primary" type="submit" disabled={busy}>
            {busy ? t('rotateKey.rotating') : t('rotateKey.submit')}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setOpen(false);
              setPassword('');
              setFieldErrors({});
            }}
          >
            {t('common.cancel')}
          </button>
        </form>
      )}
      {done && (
        <div role="status">
          {rotationDoneText(done).map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}
    </section>
  );
}
