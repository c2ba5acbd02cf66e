import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { SignInNotice } from '../messaging/protocol.ts';
import { signInNoticeItem } from '../storage/items.ts';
import { describeSignIn } from './device-words.ts';
import { send } from './send.ts';

/**
 * "New sign-in: Chrome on Linux from 203.0.113.7, just now — Review devices": another device signed
 * in to this vault (the push channel told the worker, which keeps it until dismissed).
 */
export function SignInNoticeBanner({ onReview }: { onReview: () => void }) {
  const [notice, setNotice] = useState<SignInNotice | null>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      send('signInNotice', {}).then(
        (n) => live && setNotice(n),
        () => undefined,
      );
    void read();
    const stop = signInNoticeItem.watch(() => void read());
    return () => {
      live = false;
      stop();
    };
  }, []);
  if (!notice) return null;
  const dismiss = () => {
    setNotice(null);
    void send('dismissSignInNotice', {}).catch(() => undefined);
  };
  return (
    <section class="reminder sign-in-notice" role="status" aria-labelledby="sign-in-notice-title">
      <h2 id="sign-in-notice-title">{describeSignIn(notice)}</h2>
      <p>{t('banners.signInNotYou')}</p>
      <div class="row">
        <button
          type="button"
          class="primary small"
          onClick={() => {
            dismiss();
            onReview();
          }}
        >
          {t('banners.reviewDevices')}
        </button>
        <button type="button" class="small" onClick={dismiss}>
          {t('banners.dismiss')}
        </button>
      </div>
    </section>
  );
}
