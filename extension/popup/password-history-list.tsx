import { useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n/index.ts';
import type { PreviousPassword } from '../messaging/item-schema.ts';
import { send } from './send.ts';

/** When a password was replaced, in the language shown, to the minute. */
export const replacedWhen = (iso: string, lang = currentLanguage()) =>
  new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/**
 * A login's previous passwords, newest first as the worker keeps them: each masked until shown,
 * with a copy button and the date it was replaced. Used by the editor and the item's detail view.
 */
export function PasswordHistoryList({ history }: { history: readonly PreviousPassword[] }) {
  const [shown, setShown] = useState<ReadonlySet<number>>(new Set());
  const [status, setStatus] = useState('');
  if (history.length === 0) return <p class="hint">{t('editor.historyEmpty')}</p>;
  const toggle = (i: number) =>
    setShown((s) => {
      const next = new Set(s);
      if (!next.delete(i)) next.add(i);
      return next;
    });
  const copy = async (password: string) => {
    try {
      // Through the worker, so it is cleared after the user's clear time like every copied secret.
      await send('copyText', { text: password });
      setStatus(t('editor.copied'));
    } catch {
      setStatus(t('editor.copyFailed'));
    }
  };
  return (
    <>
      <ol class="password-history-list" aria-label={t('editor.historyList')}>
        {history.map((h, i) => {
          const n = String(i + 1);
          const visible = shown.has(i);
          return (
            <li key={`${h.replacedAt}-${i}`}>
              <code class="secret" dir="ltr">
                {visible ? h.password : '••••••••'}
              </code>
              <time dateTime={h.replacedAt}>{t('editor.replaced', [replacedWhen(h.replacedAt)])}</time>
              <button
                type="button"
                class="link"
                aria-pressed={visible}
                aria-label={visible ? t('editor.hidePrevious', [n]) : t('editor.showPrevious', [n])}
                onClick={() => toggle(i)}
              >
                {visible ? t('editor.hide') : t('editor.show')}
              </button>
              <button
                type="button"
                class="link"
                aria-label={t('editor.copyPrevious', [n])}
                onClick={() => void copy(h.password)}
              >
                {t('editor.copy')}
              </button>
            </li>
          );
        })}
      </ol>
      <p class="hint" role="status">
        {status}
      </p>
    </>
  );
}
