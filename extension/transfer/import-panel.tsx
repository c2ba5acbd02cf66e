import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { detectFormat, type ImportPreview, readImport } from '../import/read-import.ts';
import { IMPORT_FORMATS, ImportError, type ImportFile, type ImportFormat } from '../import/types.ts';
import { FieldError, invalid } from '../popup/field-error.tsx';
import { send } from '../popup/send.ts';
import { ImportPreviewView } from './import-preview.tsx';
import { formatName, importErrorMessage } from './import-words.ts';
import { chosenEntries, duplicateQuery, runImport } from './run-import.ts';

type Stage =
  | { kind: 'choose' }
  | { kind: 'reading' }
  | { kind: 'preview'; preview: ImportPreview; duplicates: number[] }
  | { kind: 'importing'; sent: number; total: number }
  | { kind: 'done'; imported: number }
  | { kind: 'cancelled' };

const PASSWORD_ERROR = 'import-password-error';

/**
 * Import (docs/import.md): choose a file, see what it holds and what will be skipped or changed,
 * decide about logins the vault already has, then add everything in one change with a progress bar
 * and a Cancel that leaves the vault as it was. The file is read here, on the device.
 */
export function ImportPanel() {
  const [stage, setStage] = useState<Stage>({ kind: 'choose' });
  const [file, setFile] = useState<ImportFile | null>(null);
  const [choice, setChoice] = useState<ImportFormat | 'auto'>('auto');
  const [detected, setDetected] = useState<ImportFormat | null>(null);
  const [password, setPassword] = useState('');
  const [askPassword, setAskPassword] = useState(false);
  const [passwordError, setPasswordError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [anyway, setAnyway] = useState<ReadonlySet<number>>(new Set());
  const cancelled = useRef(false);

  const read = async (f: ImportFile, format: ImportFormat | null, filePassword: string) => {
    setError(null);
    setPasswordError(undefined);
    if (!format) {
      setError(t('transfer.import.unknownFormat'));
      setStage({ kind: 'choose' });
      return;
    }
    setStage({ kind: 'reading' });
    try {
      const preview = await readImport(f, format, filePassword || undefined);
      const { duplicates } = await send('importDuplicates', { logins: duplicateQuery(preview.entries) });
      setAnyway(new Set());
      setStage({ kind: 'preview', preview, duplicates });
    } catch (e) {
      setStage({ kind: 'choose' });
      if (e instanceof ImportError && (e.code === 'passwordNeeded' || e.code === 'wrongPassword')) {
        setAskPassword(true);
        setPasswordError(importErrorMessage(e));
      } else setError(e instanceof ImportError ? importErrorMessage(e) : (e as Error).message);
    }
  };

  const chooseFile = async (e: Event) => {
    const picked = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!picked) return;
    setAskPassword(false);
    setPassword('');
    let f: ImportFile;
    try {
      f = { name: picked.name, bytes: new Uint8Array(await picked.arrayBuffer()) };
    } catch {
      setError(t('transfer.error.unreadableFile'));
      return;
    }
    setFile(f);
    let found: ImportFormat | null = null;
    try {
      found = detectFormat(f);
    } catch (err) {
      setDetected(null);
      setError(importErrorMessage(err));
      return;
    }
    setDetected(found);
    await read(f, choice === 'auto' ? found : choice, '');
  };

  const format = choice === 'auto' ? detected : choice;
  const start = async (entries: ImportPreview['entries']) => {
    cancelled.current = false;
    setError(null);
    setStage({ kind: 'importing', sent: 0, total: entries.length });
    try {
      const imported = await runImport(send, entries, {
        progress: (sent, total) => setStage({ kind: 'importing', sent, total }),
        cancelled: () => cancelled.current,
      });
      setStage(imported === null ? { kind: 'cancelled' } : { kind: 'done', imported });
    } catch (e) {
      setError((e as Error).message);
      setStage({ kind: 'choose' });
    }
  };

  const again = () => {
    setFile(null);
    setDetected(null);
    setStage({ kind: 'choose' });
  };

  return (
    <section class="transfer-import" aria-labelledby="import-heading">
      <h2 id="import-heading">{t('transfer.import.heading')}</h2>
      {(stage.kind === 'choose' || stage.kind === 'reading') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (file) void read(file, format, password);
          }}
        >
          <p>{t('transfer.import.intro')}</p>
          <label>
            {t('transfer.import.file')}
            <input type="file" onChange={(e) => void chooseFile(e)} disabled={stage.kind === 'reading'} />
          </label>
          <label>
            {t('transfer.import.format')}
            <select
              value={choice}
              onChange={(e) =>
                setChoice((e.currentTarget as HTMLSelectElement).value as ImportFormat | 'auto')
              }
            >
              <option value="auto">{t('transfer.formats.auto')}</option>
              {IMPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {formatName(f)}
                </option>
              ))}
            </select>
          </label>
          {detected && choice === 'auto' && (
            <p class="hint">{t('transfer.import.detected', [formatName(detected)])}</p>
          )}
          {askPassword && (
            <>
              <label>
                {t('transfer.import.password')}
                <input
                  type="password"
                  autoComplete="off"
                  value={password}
                  onInput={(e) => {
                    setPassword((e.currentTarget as HTMLInputElement).value);
                    setPasswordError(undefined);
                  }}
                  {...invalid(PASSWORD_ERROR, passwordError)}
                />
              </label>
              <FieldError id={PASSWORD_ERROR} message={passwordError} />
              <p class="hint">{t('transfer.import.passwordHint')}</p>
            </>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {stage.kind === 'reading' ? (
            <p role="status">{t('transfer.import.reading')}</p>
          ) : (
            file && (
              <button type="submit" class="primary">
                {t('transfer.import.read')}
              </button>
            )
          )}
        </form>
      )}
      {stage.kind === 'preview' && (
        <ImportPreviewView
          preview={stage.preview}
          duplicates={stage.duplicates}
          anyway={anyway}
          setAnyway={setAnyway}
          onImport={() => void start(chosenEntries(stage.preview.entries, stage.duplicates, anyway))}
          onCancel={again}
        />
      )}
      {stage.kind === 'importing' && (
        <div class="import-progress">
          <progress
            value={stage.sent}
            max={Math.max(stage.total, 1)}
            aria-labelledby="import-progress-text"
          />
          <p id="import-progress-text" role="status">
            {stage.sent < stage.total
              ? t('transfer.import.progress', [String(stage.sent), String(stage.total)])
              : t('transfer.import.finishing')}
          </p>
          <button
            type="button"
            onClick={() => {
              cancelled.current = true;
            }}
            disabled={stage.sent >= stage.total}
          >
            {t('transfer.import.cancel')}
          </button>
        </div>
      )}
      {stage.kind === 'cancelled' && (
        <div>
          <p role="status">{t('transfer.import.cancelled')}</p>
          <button type="button" onClick={again}>
            {t('transfer.import.another')}
          </button>
        </div>
      )}
      {stage.kind === 'done' && <ImportDone imported={stage.imported} onAgain={again} />}
      {error && stage.kind !== 'choose' && stage.kind !== 'reading' && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** After an import: how many were added, and whether the other devices have them yet. */
function ImportDone({ imported, onAgain }: { imported: number; onAgain: () => void }) {
  const [synced, setSynced] = useState<'pending' | 'synced' | 'later'>('pending');
  useEffect(() => {
    let live = true;
    const check = async () => {
      const state = await send('getState', {}).catch(() => null);
      if (!live) return;
      if (state?.sync.pending === 0 && state.sync.lastSyncAt) return setSynced('synced');
      // The server cannot be reached (or refused): the items are safe here and sync when it can.
      setSynced(state?.sync.error ? 'later' : 'pending');
      timer = setTimeout(() => void check(), 500);
    };
    let timer = setTimeout(() => void check(), 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return (
    <div class="import-done">
      <p role="status">{t('transfer.import.done', imported)}</p>
      <p role="status" class="hint">
        {synced === 'synced'
          ? t('transfer.import.synced')
          : synced === 'later'
            ? t('transfer.import.syncLater')
            : t('transfer.import.syncing')}
      </p>
      <button type="button" onClick={onAgain}>
        {t('transfer.import.another')}
      </button>
    </div>
  );
}
