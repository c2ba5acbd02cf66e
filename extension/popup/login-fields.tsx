import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { PreviousPassword, UriMatch } from '../messaging/item-schema.ts';
import { defaultUriMatch } from './default-match.ts';
import { ariaOf, errorId, SecretField, type SectionProps, TextField } from './editor-field.tsx';
import { FieldError } from './field-error.tsx';
import { type UriRow, uriRow } from './item-draft.ts';
import { PasswordHistoryList } from './password-history-list.tsx';
import { send } from './send.ts';

/** The match modes, in the order the select offers them. */
const MATCH_OPTIONS = [
  { value: 'domain', label: () => t('editor.matchDomain') },
  { value: 'host', label: () => t('editor.matchHost') },
  { value: 'exact', label: () => t('editor.matchExact') },
  { value: 'never', label: () => t('editor.matchNever') },
] as const satisfies readonly { value: UriMatch; label: () => string }[];

/** Mirrors the protocol's limit, so the form stops where the service worker would refuse. */
const MAX_URIS = 50;

interface Props {
  section: SectionProps;
  uris: UriRow[];
  onUris: (change: (rows: UriRow[]) => UriRow[], clear?: string) => void;
  history: readonly PreviousPassword[];
}

/** A login's own fields: username, password, websites with their match modes, one-time code secret. */
export function LoginFields({ section, uris, onUris, history }: Props) {
  const [reveal, setReveal] = useState(false);
  const [generateFailed, setGenerateFailed] = useState(false);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const websites = useRef<HTMLUListElement>(null);
  const { values, set, errors } = section;

  useEffect(() => {
    if (focusRow === null) return;
    websites.current?.querySelector<HTMLInputElement>(`[data-row="${focusRow}"]`)?.focus();
    setFocusRow(null);
  }, [focusRow]);

  const updateUri = (key: number, change: Partial<UriRow>) =>
    onUris((rows) => rows.map((r) => (r.key === key ? { ...r, ...change } : r)), `uri-${key}`);
  const addUri = () => {
    const added = uriRow('', defaultUriMatch());
    onUris((rows) => [...rows, added]);
    setFocusRow(added.key);
  };

  return (
    <>
      <TextField name="username" label={t('editor.username')} section={section} />
      <SecretField
        label={t('editor.password')}
        reveal={reveal}
        value={values.password ?? ''}
        onInput={(e) => set('password', e.currentTarget.value)}
        autoComplete="off"
        spellcheck={false}
        {...ariaOf(errors, 'password')}
      />
      <FieldError id={errorId('password')} message={errors.password} />
      <div class="row">
        <label class="check">
          <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.currentTarget.checked)} />
          {t('editor.showPassword')}
        </label>
        <span class="spacer" />
        <button
          type="button"
          onClick={() =>
            void (async () => {
              // The Generator tab's saved options; the value also goes to the generator history,
              // so it is not lost if this form is closed without saving.
              const generated = await send('generatePassword', {
                options: await send('generatorOptions', {}),
              });
              await send('recordGenerated', { value: generated.value, kind: generated.kind });
              set('password', generated.value);
              setReveal(true);
            })().catch(() => setGenerateFailed(true))
          }
        >
          {t('editorGenerate.generate')}
        </button>
      </div>
      {generateFailed && <p role="alert">{t('editorGenerate.failed')}</p>}
      {history.length > 0 && (
        <details class="password-history">
          <summary>{t('editor.historyTitle', [String(history.length)])}</summary>
          <PasswordHistoryList history={history} />
        </details>
      )}

      <fieldset class="websites">
        <legend>{t('editor.websites')}</legend>
        {uris.length === 0 && <p class="hint">{t('editor.noWebsites')}</p>}
        <ul ref={websites}>
          {uris.map((u, i) => {
            const n = String(i + 1);
            return (
              <li key={u.key}>
                <input
                  type="text"
                  inputMode="url"
                  data-row={u.key}
                  aria-label={t('editor.websiteAddress', [n])}
                  placeholder={t('editor.urlPlaceholder')}
                  value={u.url}
                  onInput={(e) => updateUri(u.key, { url: e.currentTarget.value })}
                  autoComplete="off"
                  spellcheck={false}
                  {...ariaOf(errors, `uri-${u.key}`)}
                />
                <select
                  aria-label={t('editor.matchFor', [n])}
                  title={t('editor.matchTitle')}
                  value={u.match}
                  onChange={(e) => updateUri(u.key, { match: e.currentTarget.value as UriMatch })}
                >
                  {MATCH_OPTIONS.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label()}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  class="link"
                  aria-label={t('editor.removeWebsite', [n])}
                  onClick={() => onUris((rows) => rows.filter((r) => r.key !== u.key))}
                >
                  {t('editor.remove')}
                </button>
                <FieldError id={errorId(`uri-${u.key}`)} message={errors[`uri-${u.key}`]} />
              </li>
            );
          })}
        </ul>
        <button type="button" class="small" disabled={uris.length >= MAX_URIS} onClick={addUri}>
          {t('editor.addWebsite')}
        </button>
        <FieldError id={errorId('uris')} message={errors.uris} />
      </fieldset>

      <TextField
        name="totp"
        label={t('editor.totp')}
        section={section}
        dir="ltr"
        spellcheck={false}
        autoCapitalize="off"
        placeholder={t('editor.totpPlaceholder')}
      />
    </>
  );
}
