import { useEffect, useRef, useState } from 'preact/hooks';
import type { HistoryEntry } from '../generator/history.ts';
import { currentLanguage, t } from '../i18n/index.ts';

interface Props {
  entries: HistoryEntry[] | null;
  busy: boolean;
  onCopy: (entry: HistoryEntry) => void;
  onClear: () => Promise<void>;
}

/** The generator history, newest first: each value with its time and a copy button; clear after a confirmation. */
export function GeneratorHistory({ entries, busy, onCopy, onClear }: Props) {
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const clearButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const cancel = () => {
    setConfirming(false);
    // Back to the button that asked (it is rendered again on the next frame).
    requestAnimationFrame(() => clearButton.current?.focus());
  };
  const when = new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section class="generator-history" aria-labelledby="gen-history-heading">
      <h2 id="gen-history-heading">{t('generator.history.heading')}</h2>
      <p class="hint">{t('generator.history.hint')}</p>
      {entries && entries.length === 0 && <p class="empty">{t('generator.history.empty')}</p>}
      {entries && entries.length > 0 && (
        <ul class="generator-history-list">
          {entries.map((entry) => {
            const at = when.format(new Date(entry.at));
            return (
              <li key={`${entry.at}:${entry.value}`}>
                <code dir="ltr" title={entry.value}>
                  {entry.value}
                </code>
                <time dateTime={entry.at}>{at}</time>
                <button
                  type="button"
                  class="small"
                  aria-label={t('generator.history.copy', [at])}
                  onClick={() => onCopy(entry)}
                >
                  {t('generator.copy')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {entries && entries.length > 0 && !confirming && (
        <button
          type="button"
          class="danger"
          ref={clearButton}
          disabled={busy}
          onClick={() => setConfirming(true)}
        >
          {t('generator.history.clear')}
        </button>
      )}
      {confirming && (
        <fieldset
          class="choice"
          aria-labelledby="gen-clear-question"
          onKeyDown={(e) => {
            if (e.key === 'Escape') cancel();
          }}
        >
          <p id="gen-clear-question">{t('generator.history.confirmClear')}</p>
          <div class="row">
            <button
              type="button"
              class="danger"
              disabled={busy}
              ref={confirmButton}
              onClick={() => void onClear().then(() => setConfirming(false))}
            >
              {t('generator.history.confirm')}
            </button>
            <button type="button" onClick={cancel}>
              {t('common.cancel')}
            </button>
          </div>
        </fieldset>
      )}
    </section>
  );
}
