import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { t } from '../i18n/index.ts';
import { FieldError, invalid } from '../popup/field-error.tsx';
import { send } from '../popup/send.ts';
import { fieldsIn, useAction } from '../popup/use-action.ts';
import { NeverSitesList } from './never-sites-list.tsx';
import { LANGUAGE_CHOICES, type Settings, THEMES, URI_MATCHES } from './setting-values.ts';

/**
 * The settings form, the same in the popup's Settings tab and on the options page. Every change is
 * written through the worker (`updateSettings`), which checks each field and names the one it
 * refuses; the message is shown under that field. Theme and language apply as soon as they are
 * saved (settings/page-setup.ts watches the stored settings).
 */

const FIELDS = [
  'serverUrl',
  'autoLockMinutes',
  'lockOnBrowserRestart',
  'clipboardClearSeconds',
  'defaultUriMatch',
  'theme',
  'language',
] as const;

/** The form's values: numbers as typed, so a bad one reaches the worker's check and its message. */
interface Draft {
  serverUrl: string;
  autoLockMinutes: string;
  lockOnBrowserRestart: boolean;
  clipboardClearSeconds: string;
  defaultUriMatch: Settings['defaultUriMatch'];
  theme: Settings['theme'];
  language: Settings['language'];
}

const draftOf = (s: Settings): Draft => ({
  ...s,
  autoLockMinutes: String(s.autoLockMinutes),
  clipboardClearSeconds: String(s.clipboardClearSeconds),
});

/** A whole number as typed, or the text itself (the worker refuses it with the field's message). */
const wholeOrText = (typed: string): number | string => (/^\s*\d+\s*$/.test(typed) ? Number(typed) : typed);

/** `inPopup`: the popup's tab also offers the options page, which has more room. */
export function SettingsForm({ inPopup = false }: { inPopup?: boolean }) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction(fieldsIn(FIELDS));
  const { fieldErrors } = action;

  useEffect(() => {
    void action.run(async () => setDraft(draftOf(await send('getSettings', {}))));
  }, []);

  if (!draft) {
    return action.error ? (
      <p role="alert">{action.error}</p>
    ) : (
      <p aria-busy="true">{t('settings.loading')}</p>
    );
  }

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft({ ...draft, [key]: value });
    setSaved(false);
    action.clearField(key);
  };
  const text = (key: 'serverUrl' | 'autoLockMinutes' | 'clipboardClearSeconds') => ({
    value: draft[key],
    onInput: (e: Event) => set(key, (e.currentTarget as HTMLInputElement).value),
    ...invalid(`settings-${key}-error`, fieldErrors[key]),
  });
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const stored = await send('updateSettings', {
        ...draft,
        // Typed text goes as it is: the worker's check names the field (see wholeOrText).
        autoLockMinutes: wholeOrText(draft.autoLockMinutes) as number,
        clipboardClearSeconds: wholeOrText(draft.clipboardClearSeconds) as number,
      });
      setDraft(draftOf(stored));
      setSaved(true);
    });
  };

  return (
    <div class="settings">
      <form onSubmit={save} noValidate>
        <label>
          {t('settings.serverUrl')}
          <input type="url" dir="ltr" autoComplete="url" spellcheck={false} {...text('serverUrl')} />
        </label>
        <p class="hint">{t('settings.serverUrlHint')}</p>
        <FieldError id="settings-serverUrl-error" message={fieldErrors.serverUrl} />

        <label>
          {t('settings.autoLockMinutes')}
          <input type="number" inputMode="numeric" min={0} max={1440} step={1} {...text('autoLockMinutes')} />
        </label>
        <p class="hint">{t('settings.autoLockHint')}</p>
        <FieldError id="settings-autoLockMinutes-error" message={fieldErrors.autoLockMinutes} />

        <label class="check">
          <input
            type="checkbox"
            checked={draft.lockOnBrowserRestart}
            onChange={(e) => set('lockOnBrowserRestart', e.currentTarget.checked)}
            {...invalid('settings-lockOnBrowserRestart-error', fieldErrors.lockOnBrowserRestart)}
            {...(draft.lockOnBrowserRestart ? {} : { 'aria-describedby': 'settings-restart-warning' })}
          />
          {t('settings.lockOnBrowserRestart')}
        </label>
        {!draft.lockOnBrowserRestart && (
          <p id="settings-restart-warning" class="warning">
            {t('settings.restartWarning')}
          </p>
        )}
        <FieldError id="settings-lockOnBrowserRestart-error" message={fieldErrors.lockOnBrowserRestart} />

        <label>
          {t('settings.clipboardClearSeconds')}
          <input
            type="number"
            inputMode="numeric"
            min={0}
            max={3600}
            step={1}
            {...text('clipboardClearSeconds')}
          />
        </label>
        <p class="hint">{t('settings.clipboardHint')}</p>
        <FieldError id="settings-clipboardClearSeconds-error" message={fieldErrors.clipboardClearSeconds} />

        <label>
          {t('settings.defaultUriMatch')}
          <select
            value={draft.defaultUriMatch}
            onChange={(e) => set('defaultUriMatch', e.currentTarget.value as Draft['defaultUriMatch'])}
            {...invalid('settings-defaultUriMatch-error', fieldErrors.defaultUriMatch)}
          >
            {URI_MATCHES.map((m) => (
              <option key={m} value={m}>
                {t(`settings.match.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <FieldError id="settings-defaultUriMatch-error" message={fieldErrors.defaultUriMatch} />

        <label>
          {t('settings.theme')}
          <select
            value={draft.theme}
            onChange={(e) => set('theme', e.currentTarget.value as Draft['theme'])}
            {...invalid('settings-theme-error', fieldErrors.theme)}
          >
            {THEMES.map((m) => (
              <option key={m} value={m}>
                {t(`settings.themes.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <FieldError id="settings-theme-error" message={fieldErrors.theme} />

        <label>
          {t('settings.language')}
          <select
            value={draft.language}
            onChange={(e) => set('language', e.currentTarget.value as Draft['language'])}
            {...invalid('settings-language-error', fieldErrors.language)}
          >
            {LANGUAGE_CHOICES.map((m) => (
              <option key={m} value={m}>
                {t(`settings.languages.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <FieldError id="settings-language-error" message={fieldErrors.language} />

        {action.error && <p role="alert">{action.error}</p>}
        <div class="row actions">
          <button type="submit" class="primary" disabled={action.busy}>
            {t('settings.save')}
          </button>
          {saved && (
            <span role="status" class="saved">
              {t('settings.saved')}
            </span>
          )}
        </div>
      </form>
      <NeverSitesList />
      <div class="row transfer-links">
        <button type="button" class="as-link open-import" onClick={() => void openTransferPage('import')}>
          {t('transfer.openImport')}
        </button>
        <button type="button" class="as-link open-export" onClick={() => void openTransferPage('export')}>
          {t('transfer.openExport')}
        </button>
      </div>
      {inPopup && (
        <button
          type="button"
          class="as-link open-options"
          onClick={() => void browser.runtime.openOptionsPage()}
        >
          {t('settings.openOptions')}
        </button>
      )}
    </div>
  );
}

/** Import and export need a file chooser, which would close the popup: they have their own page. */
function openTransferPage(part: 'import' | 'export') {
  return browser.tabs.create({ url: browser.runtime.getURL(`/transfer.html#${part}`) });
}
