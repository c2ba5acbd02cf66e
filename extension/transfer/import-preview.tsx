import { t } from '../i18n/index.ts';
import type { ImportPreview } from '../import/read-import.ts';
import { typeName } from '../popup/add-item-menu.tsx';
import { formatName, issueMessage } from './import-words.ts';

/** Rows of a long list shown at once (a 25,000-row file's issues would freeze the page). */
const SHOWN = 300;

interface Props {
  preview: ImportPreview;
  /** Indices (in `preview.entries`) of logins the vault already has. */
  duplicates: number[];
  /** Those of `duplicates` the user chose to import anyway. */
  anyway: ReadonlySet<number>;
  setAnyway: (next: ReadonlySet<number>) => void;
  onImport: () => void;
  onCancel: () => void;
}

/**
 * What an import will do before it does anything: how many items of each type and folder, each
 * entry skipped or changed and why, and the logins already in the vault — skipped unless the user
 * chooses "Import anyway" for them.
 */
export function ImportPreviewView({ preview, duplicates, anyway, setAnyway, onImport, onCancel }: Props) {
  const count = preview.entries.length - duplicates.filter((i) => !anyway.has(i)).length;
  const toggle = (i: number, on: boolean) => {
    const next = new Set(anyway);
    if (on) next.add(i);
    else next.delete(i);
    setAnyway(next);
  };
  return (
    <div class="import-preview">
      <h3>{t('transfer.import.previewHeading')}</h3>
      <p class="hint">{t('transfer.import.readAs', [formatName(preview.format)])}</p>
      <p>{t('transfer.import.total', preview.entries.length)}</p>
      <div class="import-counts">
        <table aria-label={t('transfer.import.byType')}>
          <caption>{t('transfer.import.byType')}</caption>
          <tbody>
            {Object.entries(preview.byType).map(([type, n]) => (
              <tr key={type}>
                <th scope="row">{typeName(type as Parameters<typeof typeName>[0])}</th>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table aria-label={t('transfer.import.byFolder')}>
          <caption>{t('transfer.import.byFolder')}</caption>
          <tbody>
            {preview.byFolder.slice(0, SHOWN).map(([folder, n]) => (
              <tr key={folder}>
                <th scope="row">{folder || t('transfer.import.noFolder')}</th>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {preview.issues.length > 0 && (
        <section aria-labelledby="import-issues">
          <h3 id="import-issues">{t('transfer.import.issuesHeading')}</h3>
          <ul class="import-issues">
            {preview.issues.slice(0, SHOWN).map((issue, i) => (
              <li key={`${issue.source}-${i}`} data-outcome={issue.outcome}>
                <strong>
                  {issue.outcome === 'skipped' ? t('transfer.import.skipped') : t('transfer.import.changed')}
                </strong>{' '}
                <span dir="auto">{issue.title || t('transfer.import.untitled')}</span>{' '}
                <span class="hint">({t('transfer.import.entry', [String(issue.source)])})</span>:{' '}
                {issueMessage(issue)}
              </li>
            ))}
          </ul>
          {preview.issues.length > SHOWN && (
            <p>{t('transfer.import.more', [String(preview.issues.length - SHOWN)])}</p>
          )}
        </section>
      )}
      {duplicates.length > 0 && (
        <section aria-labelledby="import-duplicates">
          <h3 id="import-duplicates">{t('transfer.import.duplicatesHeading')}</h3>
          <p>{t('transfer.import.duplicatesIntro')}</p>
          <div class="row">
            <button type="button" onClick={() => setAnyway(new Set())}>
              {t('transfer.import.skipAll')}
            </button>
            <button type="button" onClick={() => setAnyway(new Set(duplicates))}>
              {t('transfer.import.importAll')}
            </button>
          </div>
          <ul class="import-duplicates">
            {duplicates.slice(0, SHOWN).map((i) => {
              const entry = preview.entries[i];
              if (!entry) return null;
              const username = entry.fields.type === 'login' ? entry.fields.username : '';
              return (
                <li key={i}>
                  <label>
                    <input
                      type="checkbox"
                      checked={anyway.has(i)}
                      onChange={(e) => toggle(i, (e.currentTarget as HTMLInputElement).checked)}
                    />
                    <span dir="auto">{entry.fields.title}</span>{' '}
                    <span dir="auto" class="hint">
                      {username}
                    </span>{' '}
                    — {t('transfer.import.importAnyway')}
                  </label>
                </li>
              );
            })}
          </ul>
          {duplicates.length > SHOWN && (
            <p>{t('transfer.import.more', [String(duplicates.length - SHOWN)])}</p>
          )}
        </section>
      )}
      <div class="row">
        {count > 0 ? (
          <button type="button" class="primary" onClick={onImport}>
            {t('transfer.import.start', count)}
          </button>
        ) : (
          <p>{t('transfer.import.nothing')}</p>
        )}
        <button type="button" onClick={onCancel}>
          {t('transfer.import.cancel')}
        </button>
      </div>
    </div>
  );
}
