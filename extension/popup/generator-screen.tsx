import { useEffect, useRef, useState } from 'preact/hooks';
import type { Generated } from '../generator/generate.ts';
import type { HistoryEntry } from '../generator/history.ts';
import type { GeneratorKind, GeneratorOptions } from '../generator/options.ts';
import { t } from '../i18n/index.ts';
import { GeneratedStrength } from './generated-strength.tsx';
import { GeneratorHistory } from './generator-history.tsx';
import { PassphraseOptionsForm } from './generator-passphrase-options.tsx';
import { PasswordOptionsForm } from './generator-password-options.tsx';
import { problemsOf } from './generator-problems.ts';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

/** Waits this long after the last change of an option before asking for a new value. */
const SETTLE_MS = 120;

/**
 * The Generator tab (docs/generator.md): a password or passphrase from the options (the worker
 * generates and remembers them), its strength, Copy — which puts the value in the sealed history
 * first — and the history itself.
 */
export function GeneratorScreen() {
  const [options, setOptions] = useState<GeneratorOptions | null>(null);
  const [generated, setGenerated] = useState<Generated | null>(null);
  const [round, setRound] = useState(0);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, run, setError } = useAction();
  const latest = useRef(0);

  useEffect(() => {
    void run(async () => {
      const [saved, { entries }] = await Promise.all([
        send('generatorOptions', {}),
        send('generatorHistory', {}),
      ]);
      setOptions(saved);
      setHistory(entries);
    });
  }, []);

  const problems = options ? problemsOf(options) : {};
  const valid = Object.keys(problems).length === 0;

  // A new value whenever the options (valid ones) change or Regenerate is pressed; only the latest answer counts.
  useEffect(() => {
    if (!options || !valid) return;
    const ask = ++latest.current;
    const timer = setTimeout(() => {
      send('generatePassword', { options }).then(
        (g) => ask === latest.current && setGenerated(g),
        (e: unknown) => ask === latest.current && setError(e instanceof Error ? e.message : String(e)),
      );
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [options, round]);

  const change = (next: GeneratorOptions) => {
    setNotice(null);
    setOptions(next);
  };

  const copy = (value: string, kind: GeneratorKind, record: boolean) => {
    setNotice(null);
    void run(async () => {
      // Recorded first: a value on the clipboard is never missing from the history.
      if (record) {
        await send('recordGenerated', { value, kind });
        setHistory((await send('generatorHistory', {})).entries);
      }
      // The worker copies, and clears the clipboard after the user's clear time (docs/clipboard.md).
      const copied = await send('copyText', { text: value }).then(
        () => true,
        () => false,
      );
      setNotice(copied ? t('generator.copied') : t('generator.copyFailed'));
    });
  };

  const clear = () =>
    run(async () => {
      await send('clearGeneratorHistory', {});
      setHistory([]);
      setNotice(t('generator.history.cleared'));
    });

  const current = generated && options && generated.kind === options.kind && valid ? generated : null;
  return (
    <main class="generator" aria-busy={busy}>
      <h1>{t('generator.heading')}</h1>
      {error && <p role="alert">{error}</p>}
      {options && (
        <>
          <fieldset class="generator-kind">
            <legend>{t('generator.kind.legend')}</legend>
            {(['password', 'passphrase'] as const).map((kind) => (
              <label class="check" key={kind}>
                <input
                  type="radio"
                  name="generator-kind"
                  value={kind}
                  checked={options.kind === kind}
                  onChange={() => change({ ...options, kind })}
                />
                {t(kind === 'password' ? 'generator.kind.password' : 'generator.kind.passphrase')}
              </label>
            ))}
          </fieldset>
          <section class="generator-result" aria-label={t('generator.value.label')}>
            <output class="generated-value" dir="ltr" aria-live="polite">
              {current ? current.value : valid ? t('generator.value.loading') : ' '}
            </output>
            <div class="row">
              <button
                type="button"
                class="primary"
                disabled={!current}
                onClick={() => current && copy(current.value, current.kind, true)}
              >
                {t('generator.copy')}
              </button>
              <button type="button" disabled={!valid} onClick={() => setRound((r) => r + 1)}>
                {t('generator.regenerate')}
              </button>
            </div>
            {notice && (
              <p class="done-notice" role="status">
                {notice}
              </p>
            )}
            <GeneratedStrength generated={current} />
          </section>
          {options.kind === 'password' ? (
            <PasswordOptionsForm
              options={options.password}
              problems={problems}
              onChange={(password) => change({ ...options, password })}
            />
          ) : (
            <PassphraseOptionsForm
              options={options.passphrase}
              problems={problems}
              onChange={(passphrase) => change({ ...options, passphrase })}
            />
          )}
        </>
      )}
      <GeneratorHistory
        entries={history}
        busy={busy}
        onCopy={(entry) => copy(entry.value, entry.kind, false)}
        onClear={clear}
      />
    </main>
  );
}
