import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { send } from '../popup/send.ts';
import { useAction } from '../popup/use-action.ts';

/**
 * The sites where the user chose "Never for this site" on a save prompt (no save prompt, no inline
 * menu there), each with a Remove button. Read and changed through the worker.
 */
export function NeverSitesList() {
  const [sites, setSites] = useState<string[] | null>(null);
  const action = useAction();

  useEffect(() => {
    void action.run(async () => setSites(await send('listNeverSites', {})));
  }, []);

  const remove = (host: string, index: number) =>
    void action.run(async () => {
      const next = await send('removeNeverSite', { host });
      setSites(next);
      // Focus stays in the list: on the row that took this one's place, else the heading.
      requestAnimationFrame(() => {
        const buttons = document.querySelectorAll<HTMLButtonElement>('ul.never-sites button');
        (
          buttons[Math.min(index, buttons.length - 1)] ?? document.getElementById('never-sites-title')
        )?.focus();
      });
    });

  return (
    <section class="never-sites" aria-labelledby="never-sites-title">
      <h2 id="never-sites-title" tabIndex={-1}>
        {t('settings.neverSites')}
      </h2>
      {action.error && <p role="alert">{action.error}</p>}
      {sites && sites.length === 0 && <p class="hint">{t('settings.neverSitesEmpty')}</p>}
      {sites && sites.length > 0 && (
        <ul class="never-sites">
          {sites.map((host, i) => (
            <li key={host}>
              <span class="host" dir="ltr" title={host}>
                {host}
              </span>
              <button
                type="button"
                class="small"
                aria-label={t('settings.removeSiteLabel', [host])}
                disabled={action.busy}
                onClick={() => remove(host, i)}
              >
                {t('settings.removeSite')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
