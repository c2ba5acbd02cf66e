import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { CopyResult } from '../messaging/protocol.ts';

/** How long the button says "Copied" before it offers "Copy" again. */
const COPIED_MS = 1500;

interface Props {
  /** What is copied, for the announcement ("Password"). */
  name: string;
  /** The button's accessible name ("Copy password"): several Copy buttons share one screen. */
  label: string;
  /** Makes the copy (in the service worker) and says when the clipboard clears. */
  copy: () => Promise<CopyResult>;
  /** The sentence to announce (copied, clears in N s), or the error to show. */
  onResult: (message: string, failed: boolean) => void;
}

/** "Copy <name>": the worker copies (the value never passes through here) and the view announces it. */
export function CopyButton({ name, label, copy, onResult }: Props) {
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const click = async () => {
    setBusy(true);
    try {
      const { clearsInSeconds } = await copy();
      const cleared =
        clearsInSeconds === null ? t('detail.notCleared') : t('detail.clearsIn', clearsInSeconds);
      onResult(`${t('detail.copied', [name])} ${cleared}`, false);
      setCopied(true);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setCopied(false), COPIED_MS);
    } catch (e) {
      onResult(e instanceof Error ? e.message : String(e), true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class="small copy-button"
      aria-label={label}
      disabled={busy}
      onClick={() => void click()}
    >
      {copied ? t('detail.copiedShort') : t('detail.copy')}
    </button>
  );
}
