import { useState } from 'preact/hooks';
import type { ExportFormat } from '../../server/routes/vault-export-schema.ts';
import { csvExport, encryptedExport, plainJsonExport } from '../export/vault-export.ts';
import { t } from '../i18n/index.ts';
import { FieldError, invalid, PasswordField } from '../popup/field-error.tsx';
import { send } from '../popup/send.ts';
import { fieldsIn, useAction } from '../popup/use-action.ts';

const FIELDS = ['password', 'filePassword', 'confirm', 'understand'] as const;
type Field = (typeof FIELDS)[number];
const errorId = (field: Field) => `export-${field}-error`;
const MIN_FILE_PASSWORD = 8;

/** The file's name: what it is and the day it was made, e.g. keyhold-export-2026-12-01.json. */
export function exportFileName(format: ExportFormat, now: Date): string {
  const day = now.toISOString().slice(0, 10);
  if (format === 'keyhold') return `keyhold-export-${day}.json`;
  return `keyhold-vault-${day}-unencrypted.${format === 'csv' ? 'csv' : 'json'}`;
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The download has its own copy by now; the page keeps none.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Export (docs/export.md): Keyhold's encrypted file (protected by a file password of its own), or a
 * plain JSON or CSV file behind a warning the user confirms. Every export asks for the master
 * password again and is recorded in the account's activity before the worker hands the items over;
 * the file is written here and saved through the browser's downloads.
 */
export function ExportPanel() {
  const [format, setFormat] = useState<ExportFormat>('keyhold');
  const [password, setPassword] = useState('');
  const [filePassword, setFilePassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [understand, setUnderstand] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction(fieldsIn(FIELDS));
  const aria = (field: Field) => invalid(errorId(field), fieldErrors[field]);
  const edit = (field: Field, set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    clearField(field);
    setDone(null);
  };

  const submit = (e: Event) => {
    e.preventDefault();
    setDone(null);
    void run(async () => {
      const errors: Partial<Record<Field, string>> = {};
      if (format === 'keyhold') {
        if (filePassword.length < MIN_FILE_PASSWORD)
          errors.filePassword = t('transfer.export.filePasswordShort');
        else if (filePassword !== confirm) errors.confirm = t('transfer.export.filePasswordsDiffer');
      } else if (!understand) errors.understand = t('transfer.export.mustUnderstand');
      if (password === '') errors.password = t('errors.check.passwordEmpty');
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        return;
      }
      const { items } = await send('exportVault', { password, format });
      const now = new Date();
      const name = exportFileName(format, now);
      if (format === 'keyhold')
        download(name, await encryptedExport(items, filePassword, now), 'application/json');
      else if (format === 'json') download(name, plainJsonExport(items, now), 'application/json');
      else download(name, csvExport(items), 'text/csv');
      setPassword('');
      setFilePassword('');
      setConfirm('');
      setDone(t('transfer.export.done', items.length, [String(items.length), name]));
    });
  };

  const choice = (value: ExportFormat) => (
    <label class="choice">
      <input
        type="radio"
        name="export-format"
        value={value}
        checked={format === value}
        onChange={() => {
          setFormat(value);
          setFieldErrors({});
          setDone(null);
        }}
      />
      {t(`transfer.export.${value}`)}
    </label>
  );

  return (
    <section class="transfer-export" aria-labelledby="export-heading">
      <h2 id="export-heading">{t('transfer.export.heading')}</h2>
      <p>{t('transfer.export.intro')}</p>
      <form onSubmit={submit}>
        <fieldset>
          <legend>{t('transfer.export.format')}</legend>
          {choice('keyhold')}
          {choice('json')}
          {choice('csv')}
        </fieldset>
        {format === 'keyhold' ? (
          <>
            <PasswordField
              label={t('transfer.export.filePassword')}
              autoComplete="new-password"
              value={filePassword}
              onInput={edit('filePassword', setFilePassword)}
              errorId={errorId('filePassword')}
              error={fieldErrors.filePassword}
            />
            <p class="hint">{t('transfer.export.filePasswordHint')}</p>
            <PasswordField
              label={t('transfer.export.confirmFilePassword')}
              autoComplete="new-password"
              value={confirm}
              onInput={edit('confirm', setConfirm)}
              errorId={errorId('confirm')}
              error={fieldErrors.confirm}
            />
          </>
        ) : (
          <div class="warning" role="note">
            <p>{t('transfer.export.plainWarning')}</p>
            <label>
              <input
                type="checkbox"
                checked={understand}
                onChange={(e) => {
                  setUnderstand((e.currentTarget as HTMLInputElement).checked);
                  clearField('understand');
                }}
                {...aria('understand')}
              />
              {t('transfer.export.understand')}
            </label>
            <FieldError id={errorId('understand')} message={fieldErrors.understand} />
          </div>
        )}
        <PasswordField
          label={t('transfer.export.masterPassword')}
          autoComplete="current-password"
          value={password}
          onInput={edit('password', setPassword)}
          errorId={errorId('password')}
          error={fieldErrors.password}
        />
        <p class="hint">{t('transfer.export.masterPasswordHint')}</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('transfer.export.working') : t('transfer.export.start')}
        </button>
        {done && <p role="status">{done}</p>}
      </form>
    </section>
  );
}
