import { useState } from 'preact/hooks';
import { type RotationResult, requestSchemas, type VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
import { send } from './send.ts';
import { fieldsIn, useAction } from './use-action.ts';

/**
 * Security screen section "Encryption key": rotate the vault key with the master password entered
 * again (the worker checks it on this device). Says what happened to the recovery key.
 */

/** What the user reads after a rotation, including what it did to the recovery key. */
export function rotationDoneText(
  result: Pick<RotationResult, 'keyVersion' | 'recoveryKeyCleared'>,
): string[] {
  return [
    `Done: every item's key is now protected by the new encryption key (version ${result.keyVersion}). Other devices pick it up at their next sync.`,
    result.recoveryKeyCleared
      ? 'Your old recovery key no longer works: it protected the previous key. Create a new recovery key now.'
      : 'A recovery key is needed to get back in if you forget your master password: create a new one now.',
  ];
}

export function RotateKeySection({ onState }: { onState: (s: VaultState) => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<RotationResult | null>(null);
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(['password']));

  const submit = (e: Event) => {
    e.preventDefault();
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
  };

  return (
    <section class="security" aria-labelledby="rotate-key-title">
      <h2 id="rotate-key-title">Encryption key</h2>
      <p class="hint">
        Replace the key that encrypts your vault, e.g. if you think a device or a backup of it was exposed.
        Each login's own key is re-encrypted under the new one; the logins themselves are not changed. Your
        other devices pick up the new key by themselves. If it is interrupted, Keyhold finishes it by itself
        and every login stays readable meanwhile.
      </p>
      {!open && (
        <button
          type="button"
          onClick={() => {
            setDone(null);
            setOpen(true);
          }}
        >
          Rotate encryption key…
        </button>
      )}
      {open && (
        <form onSubmit={submit} noValidate>
          <label>
            Master password, to rotate the key
            <input
              type="password"
              autoComplete="current-password"
              value={password}
              onInput={(e) => {
                setPassword(e.currentTarget.value);
                clearField('password');
              }}
              required
              {...invalid('rotate-password-error', fieldErrors.password)}
            />
          </label>
          <FieldError id="rotate-password-error" message={fieldErrors.password} />
          {error && <p role="alert">{error}</p>}
          <button class="primary" type="submit" disabled={busy}>
            {busy ? 'Rotating encryption key…' : 'Rotate encryption key'}
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
            Cancel
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
