import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import {
  HEALTH_CATEGORIES,
  type HealthCategory,
  type HealthEntry,
  type HealthReport,
} from '../messaging/protocol.ts';
import { healthOptionsItem } from '../storage/health-options.ts';
import { type Editing, ItemEditor } from './item-editor.tsx';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

/**
 * The Health tab (docs/health.md): the worker's report, a count per category, then each category's
 * logins. Clicking one opens it in the editor; closing the editor returns here, report refreshed.
 */

const OLD_AFTER = [
  { days: 90, label: () => t('health.days90') },
  { days: 180, label: () => t('health.days180') },
  { days: 365, label: () => t('health.days365') },
  { days: 730, label: () => t('health.days730') },
] as const;

/** While strengths are still being scored, the report is asked for again this often. */
const POLL_MS = 1_000;

const TITLES: Record<HealthCategory, () => string> = {
  weak: () => t('health.weak'),
  reused: () => t('health.reused'),
  old: () => t('health.old'),
  insecure: () => t('health.insecure'),
  inactiveTotp: () => t('health.inactiveTotp'),
};

function detailText(category: HealthCategory, e: HealthEntry): string {
  const d = String(e.detail);
  switch (category) {
    case 'weak':
      return e.detail === 0
        ? t('health.weakDetail0')
        : e.detail === 1
          ? t('health.weakDetail1')
          : t('health.weakDetail2');
    case 'reused':
      return t('health.reusedDetail', [d]);
    case 'old':
      return t('health.oldDetail', [d]);
    case 'insecure':
      return t('health.insecureDetail', [d]);
    case 'inactiveTotp':
      return t('health.inactiveTotpDetail', [d]);
  }
}

export function HealthScreen({ onOpenItem }: { onOpenItem?: (id: string) => void }) {
  const [days, setDays] = useState<number | null>(null);
  const [report, setReport] = useState<HealthReport | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const { error, run } = useAction();

  useEffect(() => {
    void healthOptionsItem.getValue().then((o) => setDays(o.oldAfterDays));
  }, []);
  useEffect(() => {
    if (days === null || editing) return;
    setReport(null);
    // A large vault's strengths are scored in the background: ask again until all are known.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gone = false;
    const load = () =>
      run(async () => {
        const next = await send('vaultHealth', { oldAfterDays: days });
        if (gone) return;
        setReport(next);
        if (next.strength.scored < next.strength.total) timer = setTimeout(() => void load(), POLL_MS);
      });
    void load();
    return () => {
      gone = true;
      clearTimeout(timer);
    };
  }, [days, editing]);

  const open = (id: string) =>
    onOpenItem
      ? onOpenItem(id)
      : void run(async () => setEditing({ kind: 'existing', item: await send('getItem', { id }) }));

  if (editing) return <ItemEditor editing={editing} onClose={() => setEditing(null)} />;

  return (
    <section class="health" aria-labelledby="health-heading">
      <h2 id="health-heading">{t('health.heading')}</h2>
      <p class="muted">{t('health.local')}</p>
      <label class="health-old-after">
        {t('health.oldAfter')}{' '}
        <select
          value={String(days ?? 365)}
          onChange={(e) => {
            const value = Number(e.currentTarget.value);
            setDays(value);
            void healthOptionsItem.setValue({ oldAfterDays: value });
          }}
        >
          {OLD_AFTER.map((o) => (
            <option key={o.days} value={String(o.days)}>
              {o.label()}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!report && !error && <p aria-live="polite">{t('health.checking')}</p>}
      {report && (
        <>
          <p aria-live="polite">{t('health.checked', [String(report.checked)])}</p>
          {report.strength.scored < report.strength.total && (
            <p class="muted health-progress">
              <progress value={report.strength.scored} max={report.strength.total} />{' '}
              {t('health.scoring', [String(report.strength.scored), String(report.strength.total)])}
            </p>
          )}
          <ul class="health-summary" aria-label={t('health.summary')}>
            {HEALTH_CATEGORIES.map((c) => (
              <li key={c}>
                <a href={`#health-${c}`}>{TITLES[c]()}</a> <strong>{report[c].length}</strong>
              </li>
            ))}
          </ul>
          {HEALTH_CATEGORIES.map((c) => (
            <section key={c} id={`health-${c}`} aria-labelledby={`health-${c}-heading`}>
              <h3 id={`health-${c}-heading`}>
                {TITLES[c]()} ({report[c].length})
              </h3>
              {report[c].length === 0 ? (
                <p class="muted">{t('health.none')}</p>
              ) : (
                <ul class="health-list">
                  {report[c].map((e) => (
                    <li key={e.itemId}>
                      <button
                        type="button"
                        class="health-entry"
                        aria-label={t('health.open', [[e.title, e.subtitle].filter(Boolean).join(', ')])}
                        onClick={() => open(e.itemId)}
                      >
                        <span class="health-title" dir="auto" title={e.title}>
                          {e.title}
                        </span>
                        <span class="health-sub" dir="auto" title={e.subtitle}>
                          {e.subtitle}
                        </span>
                        <span class="health-detail">{detailText(c, e)}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </>
      )}
    </section>
  );
}
