import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { TotpNow } from '../messaging/protocol.ts';
import { CopyButton } from './copy-button.tsx';
import { send } from './send.ts';

interface Props {
  itemId: string;
  label: string;
  onResult: (message: string, failed: boolean) => void;
}

/** The period a Unix time (ms) falls in, and the whole seconds left of it (RFC 6238: T0 = 0). */
export function periodAt(nowMs: number, period: number) {
  const seconds = Math.floor(nowMs / 1000);
  return { index: Math.floor(seconds / period), left: period - (seconds % period) };
}

/** Groups a code for reading: "123 456", "1234 5678". */
export const groupCode = (code: string) =>
  code.length >= 6
    ? `${code.slice(0, Math.ceil(code.length / 2))} ${code.slice(Math.ceil(code.length / 2))}`
    : code;

const RING = 2 * Math.PI * 9;

/**
 * The login's current one-time code with a countdown that ticks every second. The code is computed
 * in the worker (the secret never comes here), asked again when a new period starts.
 */
export function TotpCode({ itemId, label, onResult }: Props) {
  const [now, setNow] = useState(() => Date.now());
  const [code, setCode] = useState<(TotpNow & { index: number }) | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);

  const period = code?.period ?? 30;
  const { index, left } = periodAt(now, period);
  const stale = code === null || code.index !== index;

  useEffect(() => {
    if (!stale || failed) return;
    let live = true;
    send('totpCode', { id: itemId })
      .then((next) => {
        if (live) setCode({ ...next, index: periodAt(Date.now(), next.period).index });
      })
      .catch((e: unknown) => {
        if (!live) return;
        setFailed(true);
        onResult(e instanceof Error ? e.message : String(e), true);
      });
    return () => {
      live = false;
    };
  }, [stale, index, itemId, failed]);

  return (
    <div class="detail-field">
      <dt>{label}</dt>
      <dd>
        <code class="totp-code" aria-live="off" data-code={code?.code ?? ''}>
          {code ? groupCode(code.code) : t('detail.totpLoading')}
        </code>
        <span class="totp-countdown" role="timer" aria-label={t('detail.totpExpires', left)}>
          <svg viewBox="0 0 22 22" width="22" height="22" aria-hidden="true">
            <circle class="ring-track" cx="11" cy="11" r="9" />
            <circle
              class="ring-left"
              cx="11"
              cy="11"
              r="9"
              stroke-dasharray={RING}
              stroke-dashoffset={RING * (1 - left / period)}
            />
          </svg>
          <span class="totp-seconds" aria-hidden="true">
            {left}
          </span>
        </span>
        <span class="detail-actions">
          <CopyButton
            name={label}
            label={t('detail.copyTotp')}
            copy={() => send('copyField', { id: itemId, path: 'totp' })}
            onResult={onResult}
          />
        </span>
      </dd>
    </div>
  );
}
