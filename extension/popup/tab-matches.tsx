import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { FillStatus, type ItemSummary, type TabMatches } from '../messaging/protocol.ts';
import { vaultCommitItem } from '../storage/items.ts';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

/** Words for a result the service worker sent without a message of its own. */
const fallback: Record<string, () => string> = {
  [FillStatus.NothingToFill]: () => t('tabMatches.nothingToFill'),
  [FillStatus.Refused]: () => t('tabMatches.refused'),
  [FillStatus.NeedsConfirmation]: () => t('tabMatches.needsConfirmation'),
};

const hostOf = (pageUrl: string) => {
  try {
    return new URL(pageUrl).host;
  } catch {
    return pageUrl;
  }
};

type Notice = { kind: 'confirm'; item: ItemSummary; message: string } | { kind: 'info'; message: string };

/**
 * "Suggestions for <host>": the logins matching the active tab, best first, each with a Fill
 * button. Renders nothing when the tab is not a web page or nothing matches (and when the
 * service worker cannot answer: suggestions are a shortcut, the full list below still works).
 */
export function TabMatchesSection() {
  const [matches, setMatches] = useState<TabMatches | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const { busy, error, run } = useAction();

  useEffect(() => {
    let live = true;
    const load = () =>
      send('autofillMatches', {})
        .then((m) => live && setMatches(m))
        .catch(() => live && setMatches(null));
    void load();
    // A sync can add, change or remove a matching login while the popup is open.
    const unwatch = vaultCommitItem.watch(() => void load());
    return () => {
      live = false;
      unwatch();
    };
  }, []);

  if (!matches?.pageUrl || matches.items.length === 0) return null;

  const fill = (item: ItemSummary, allowInsecure = false) =>
    void run(async () => {
      setNotice(null);
      const r = await send('fillItem', { id: item.id, allowInsecure });
      const message = r.message ?? fallback[r.status]?.() ?? '';
      // A partial fill ("Filled partly: …") keeps the popup open to say so.
      if (r.status === FillStatus.Filled && r.message === null) window.close();
      else if (r.status === FillStatus.NeedsConfirmation) setNotice({ kind: 'confirm', item, message });
      else setNotice({ kind: 'info', message });
    });

  const host = hostOf(matches.pageUrl);
  return (
    <section class="suggestions" aria-labelledby="suggestions-heading">
      <h2 id="suggestions-heading">{t('tabMatches.title', { host })}</h2>
      <ul class="matches" aria-label={t('tabMatches.title', { host })}>
        {matches.items.map((i) => (
          <li key={i.id}>
            <span class="who">
              <span class="title">{i.title}</span>
              {i.username && <span class="sub">{i.username}</span>}
            </span>
            <button
              type="button"
              class="primary small"
              aria-label={t('tabMatches.fillNamed', { title: i.title })}
              disabled={busy}
              onClick={() => fill(i)}
            >
              {t('tabMatches.fill')}
            </button>
            {notice?.kind === 'confirm' && notice.item.id === i.id && (
              <div class="confirm">
                <p role="alert">{notice.message}</p>
                <div class="row">
                  <button type="button" class="danger small" disabled={busy} onClick={() => fill(i, true)}>
                    {t('tabMatches.fillAnyway')}
                  </button>
                  <button type="button" class="small" disabled={busy} onClick={() => setNotice(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
      {notice?.kind === 'info' && (
        <p class="notice" role="status">
          {notice.message}
        </p>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
