import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { FillResult, MenuState } from '../messaging/protocol.ts';
import { send } from '../popup/send.ts';
import { createClickGuard } from './click-guard.ts';

type Choice =
  | { kind: 'fill'; id: string; allowInsecure: boolean }
  | { kind: 'generate' }
  | { kind: 'unlock' };

interface Row {
  key: string;
  label: string;
  sub: string;
  choice: Choice;
}

/**
 * The inline menu: an extension page framed under the focused field (autofill/in-page-frame.ts).
 * It shows only the logins the worker offered for this session's frame; nothing here can be read
 * by the page. Keyboard: arrows move, Enter chooses, Escape closes and returns focus to the field.
 */
export function InlineMenu({ session }: { session: string }) {
  const [state, setState] = useState<MenuState | null>(null);
  const [active, setActive] = useState(0);
  const [confirm, setConfirm] = useState<{ id: string; message: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const guard = useRef<ReturnType<typeof createClickGuard> | null>(null);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    void send('menuState', { session }).then(setState, () => setNotice(t('inPage.unavailable')));
    const onFocus = () => buttons.current[0]?.focus();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [session]);

  useEffect(() => {
    if (!root.current) return;
    guard.current = createClickGuard(root.current);
    return () => guard.current?.dispose();
  }, [state !== null]);

  useEffect(() => {
    if (state?.status === 'expired')
      void send('menuDismiss', { session, refocus: false }).catch(() => undefined);
  }, [state]);

  if (!state) return <div ref={root} data-testid="keyhold-inline-menu" class="note" aria-busy="true" />;

  const rows: Row[] =
    state.status === 'locked'
      ? [
          {
            key: 'unlock',
            label: t('account.unlockTitle'),
            sub: t('inPage.toFill'),
            choice: { kind: 'unlock' },
          },
        ]
      : state.purpose === 'new-password'
        ? [
            {
              key: 'gen',
              label: t('inPage.generate'),
              sub: t('inPage.savedOnSubmit'),
              choice: { kind: 'generate' },
            },
          ]
        : state.suggestions.map((s) => ({
            key: s.id,
            label: s.title,
            sub: state.purpose === 'otp' ? t('inPage.fillOtp') : s.username || t('inPage.noUsername'),
            choice: { kind: 'fill', id: s.id, allowInsecure: false },
          }));

  const choose = async (choice: Choice) => {
    // A click the user may not have seen (covered, transparent, just appeared) is not a gesture.
    if (!guard.current?.allows()) return;
    let result: FillResult;
    try {
      result = await send('menuChoose', { session, action: choice });
    } catch (e) {
      setNotice(e instanceof Error ? e.message : t('inPage.couldNotFill'));
      return;
    }
    if (result.status === 'needs-confirmation' && choice.kind === 'fill') {
      setConfirm({ id: choice.id, message: result.message ?? '' });
    } else if (result.message) {
      // Nothing filled, or "Filled partly: …" (the worker keeps the menu open to say so).
      setNotice(result.message);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      void send('menuDismiss', { session, refocus: true });
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (active + (e.key === 'ArrowDown' ? 1 : rows.length - 1)) % Math.max(rows.length, 1);
      setActive(next);
      buttons.current[next]?.focus();
    }
  };

  return (
    <div
      ref={root}
      data-testid="keyhold-inline-menu"
      onKeyDown={onKeyDown}
      role="dialog"
      aria-label={t('ext.name')}
    >
      <header>{t('inPage.header', { host: state.host })}</header>
      {confirm ? (
        <div class="prompt">
          <p title={confirm.message}>{confirm.message}</p>
          <div class="actions">
            <button
              type="button"
              class="primary"
              onClick={() => void choose({ kind: 'fill', id: confirm.id, allowInsecure: true })}
            >
              {t('tabMatches.fillAnyway')}
            </button>
            <button type="button" onClick={() => void send('menuDismiss', { session, refocus: true })}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : notice ? (
        <div class="note" role="status">
          {notice}
        </div>
      ) : (
        <ul aria-label={t('inPage.suggestions')}>
          {rows.map((row, i) => (
            <li key={row.key}>
              <button
                type="button"
                class="row"
                aria-current={i === active}
                data-testid="keyhold-suggestion"
                aria-label={row.label}
                ref={(el) => {
                  buttons.current[i] = el;
                }}
                onFocus={() => setActive(i)}
                onClick={() => void choose(row.choice)}
              >
                <span class="title">{row.label}</span>
                <span class="sub">{row.sub}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
