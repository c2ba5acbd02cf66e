import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { CopyResult } from '../messaging/protocol.ts';
import { CopyButton } from './copy-button.tsx';
import { send } from './send.ts';

interface Props {
  itemId: string;
  /** The field's path (`password`). */
  path: string;
  label: string;
  /** Accessible names of its buttons ("Copy password", "Reveal password", "Hide password"). */
  copyLabel: string;
  revealLabel: string;
  hideLabel: string;
  onResult: (message: string, failed: boolean) => void;
}

/**
 * A secret shown masked. Reveal asks the worker for it (revealField); Hide forgets it again, as does
 * leaving the view. Copy never needs it here: the worker copies from the vault.
 */
export function SecretField({ itemId, path, label, copyLabel, revealLabel, hideLabel, onResult }: Props) {
  const [value, setValue] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    if (value !== null) {
      setValue(null);
      return;
    }
    setBusy(true);
    try {
      setValue((await send('revealField', { id: itemId, path })).value);
    } catch (e) {
      onResult(e instanceof Error ? e.message : String(e), true);
    } finally {
      setBusy(false);
    }
  };
  const copy = (): Promise<CopyResult> => send('copyField', { id: itemId, path });
  return (
    <div class="detail-field">
      <dt>{label}</dt>
      <dd>
        {value === null ? (
          <span class="secret masked">
            <span aria-hidden="true">{t('detail.masked')}</span>
            <span class="visually-hidden">{t('detail.hiddenValue', [label])}</span>
          </span>
        ) : (
          <code class="secret" dir="auto">
            {value}
          </code>
        )}
        <span class="detail-actions">
          <button
            type="button"
            class="small"
            aria-pressed={value !== null}
            aria-label={value === null ? revealLabel : hideLabel}
            disabled={busy}
            onClick={() => void toggle()}
          >
            {value === null ? t('detail.reveal') : t('detail.hide')}
          </button>
          <CopyButton name={label} label={copyLabel} copy={copy} onResult={onResult} />
        </span>
      </dd>
    </div>
  );
}
