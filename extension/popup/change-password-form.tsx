import { useState } from 'preact/hooks';
import {
  describeKdf,
  KDF_LEVELS,
  type KdfLevel,
  kdfForLevel,
  meetsKdfFloor,
} from '../messaging/kdf-levels.ts';
import type { SecurityOverview, VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
import { checkNewPassword } from './password-strength.ts';
import { send } from './send.ts';
import { StrengthMeter } from './strength-meter.tsx';
import { fieldsIn, useAction } from './use-action.ts';

interface Props {
  overview: SecurityOverview;
  onCancel: () => void;
  onChanged: (state: VaultState) => void;
}

const FIELDS = ['currentPassword', 'newPassword', 'confirm', 'kdf'] as const;
type Field = (typeof FIELDS)[number];
const errorId = (field: Field) => `change-${field}-error`;

/**
 * "Change master password": the current one (checked on this device), the new one twice with the
 * strength meter and the server's policy, and optionally a stronger key derivation. Nothing is sent
 * until every check here passes; the worker repeats what it can and checks the last five passwords.
 */
export function ChangePasswordForm({ overview, onCancel, onChanged }: Props) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [kdf, setKdf] = useState<KdfLevel>('keep');
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(FIELDS));
  const { policy } = overview;
  const edit = (field: Field, set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    clearField(field);
  };
  const aria = (field: Field) => invalid(errorId(field), fieldErrors[field]);

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const errors: Record<string, string> = {};
      if (current === '') errors.currentPassword = 'Enter your current master password.';
      const verdict = await checkNewPassword(next, overview.email, policy);
      if (verdict.message) errors.newPassword = verdict.message;
      if (next !== confirm) errors.confirm = 'The two new master passwords do not match.';
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        return;
      }
      onChanged(await send('changePassword', { currentPassword: current, newPassword: next, kdf }));
    });
  };

  const keep = kdfForLevel('keep', overview.kdf, policy.kdfFloor);
  const keepLabel = meetsKdfFloor(overview.kdf, policy.kdfFloor)
    ? `Keep: ${describeKdf(overview.kdf)}`
    : `Raise to the server's minimum: ${describeKdf(keep)}`;

  return (
    <form onSubmit={submit} noValidate aria-labelledby="change-title">
      <h2 id="change-title">Change master password</h2>
      <label>
        Current master password
        <input
          type="password"
          autoComplete="current-password"
          value={current}
          onInput={edit('currentPassword', setCurrent)}
          {...aria('currentPassword')}
        />
      </label>
      <FieldError id={errorId('currentPassword')} message={fieldErrors.currentPassword} />
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
      <StrengthMeter password={next} email={overview.email} policy={policy} id="change-password-strength" />
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
      <label>
        Key derivation
        <select
          value={kdf}
          onChange={(e) => {
            setKdf(e.currentTarget.value as KdfLevel);
            clearField('kdf');
          }}
          {...aria('kdf')}
        >
          <option value="keep">{keepLabel}</option>
          {(Object.keys(KDF_LEVELS) as (keyof typeof KDF_LEVELS)[])
            .filter((level) => meetsKdfFloor(KDF_LEVELS[level].params, policy.kdfFloor))
            .map((level) => (
              <option key={level} value={level}>
                {KDF_LEVELS[level].label}
              </option>
            ))}
        </select>
      </label>
      <FieldError id={errorId('kdf')} message={fieldErrors.kdf} />
      <p class="hint">
        Every other device is signed out and asks for the new master password; changes made there are kept.
      </p>
      {error && <p role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy}>
        {busy ? 'Changing…' : 'Change master password'}
      </button>
      <button type="button" disabled={busy} onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
