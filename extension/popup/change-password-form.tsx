import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import {
  describeKdf,
  KDF_LEVELS,
  type KdfLevel,
  kdfForLevel,
  meetsKdfFloor,
} from '../messaging/kdf-levels.ts';
import type { SecurityOverview, VaultState } from '../messaging/protocol.ts';
import { FieldError, invalid, PasswordField } from './field-error.tsx';
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
      if (current === '') errors.currentPassword = t('changePassword.enterCurrent');
      const verdict = await checkNewPassword(next, overview.email, policy);
      if (verdict.message) errors.newPassword = verdict.message;
      if (next !== confirm) errors.confirm = t('changePassword.passwordsDiffer');
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        return;
      }
      onChanged(await send('changePassword', { currentPassword: current, newPassword: next, kdf }));
    });
  };

  const keep = kdfForLevel('keep', overview.kdf, policy.kdfFloor);
  const keepLabel = meetsKdfFloor(overview.kdf, policy.kdfFloor)
    ? t('changePassword.keepKdf', { kdf: describeKdf(overview.kdf) })
    : t('changePassword.raiseKdf', { kdf: describeKdf(keep) });

  return (
    <form onSubmit={submit} noValidate aria-labelledby="change-title">
      <h2 id="change-title">{t('changePassword.title')}</h2>
      <PasswordField
        label={t('changePassword.current')}
        autoComplete="current-password"
        value={current}
        onInput={edit('currentPassword', setCurrent)}
        errorId={errorId('currentPassword')}
        error={fieldErrors.currentPassword}
      />
      <PasswordField
        label={t('changePassword.new')}
        autoComplete="new-password"
        value={next}
        onInput={edit('newPassword', setNext)}
        errorId={errorId('newPassword')}
        error={fieldErrors.newPassword}
      />
      <StrengthMeter password={next} email={overview.email} policy={policy} id="change-password-strength" />
      <PasswordField
        label={t('changePassword.confirm')}
        autoComplete="new-password"
        value={confirm}
        onInput={edit('confirm', setConfirm)}
        errorId={errorId('confirm')}
        error={fieldErrors.confirm}
      />
      <label>
        {t('changePassword.kdf')}
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
      <p class="hint">{t('changePassword.othersSignedOut')}</p>
      {error && <p role="alert">{error}</p>}
      <button class="primary" type="submit" disabled={busy}>
        {busy ? t('changePassword.changing') : t('changePassword.title')}
      </button>
      <button type="button" disabled={busy} onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </form>
  );
}
