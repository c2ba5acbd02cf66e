import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { PromptState } from '../messaging/protocol.ts';
import { send } from '../popup/send.ts';
import { createClickGuard } from './click-guard.ts';

type Answer = 'save' | 'update' | 'never' | 'dismiss';

/**
 * "Save this login?" / "Update the password?" after a submitted form. Nothing is stored until the
 * user clicks Save or Update here; "Never for this site" is remembered on this device.
 */
export function SavePrompt({ session }: { session: string }) {
  const [state, setState] = useState<PromptState | null | undefined>(undefined);
  const root = useRef<HTMLDivElement>(null);
  const guard = useRef<ReturnType<typeof createClickGuard> | null>(null);

  useEffect(() => {
    void send('promptState', { session }).then(setState, () => setState(null));
  }, [session]);

  useEffect(() => {
    if (!root.current) return;
    guard.current = createClickGuard(root.current);
    return () => guard.current?.dispose();
  }, [state !== undefined]);

  const answer = (a: Answer) => {
    if (a !== 'dismiss' && !guard.current?.allows()) return;
    void send('promptAnswer', { session, answer: a });
  };

  if (state === undefined) return <div ref={root} data-testid="keyhold-save-prompt" aria-busy="true" />;
  if (state === null) {
    return (
      <div ref={root} data-testid="keyhold-save-prompt" class="prompt">
        <p>{t('inPage.promptExpired')}</p>
        <div class="actions">
          <button type="button" onClick={() => answer('dismiss')}>
            {t('banners.dismiss')}
          </button>
        </div>
      </div>
    );
  }
  const update = state.kind === 'update';
  return (
    <div ref={root} data-testid="keyhold-save-prompt" class="prompt" role="dialog" aria-label={t('ext.name')}>
      <h1>
        {update
          ? t('inPage.updateTitle', { name: state.title ?? state.host })
          : t('inPage.saveTitle', { host: state.host })}
      </h1>
      <p>
        {state.username ? t('inPage.username', { username: state.username }) : t('inPage.noUsernameSaved')}
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={() => answer(update ? 'update' : 'save')}>
          {update ? t('inPage.update') : t('common.save')}
        </button>
        <button type="button" onClick={() => answer('never')}>
          {t('inPage.never')}
        </button>
        <button type="button" onClick={() => answer('dismiss')}>
          {t('banners.dismiss')}
        </button>
      </div>
    </div>
  );
}
