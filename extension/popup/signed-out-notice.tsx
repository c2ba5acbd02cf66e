import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { SIGNED_OUT_REASONS, signedOutBecause } from '../messaging/error-messages.ts';
import {
  type SessionEndedRecord,
  sessionEndedItem,
  vaultCacheItem,
  vaultCommitItem,
} from '../storage/items.ts';
import { send } from './send.ts';

/**
 * Why the server signed this device out (background/session-ended.ts), as stored by the worker, with
 * the live count of local changes waiting for the next login. Not secret: a reason and a count.
 */
export function useSessionEnded(): { ended: SessionEndedRecord; pending: number | null } | null {
  const [ended, setEnded] = useState<SessionEndedRecord | null>(null);
  const [pending, setPending] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    const read = async () => {
      const [e, commit, legacy] = await Promise.all([
        sessionEndedItem.getValue(),
        vaultCommitItem.getValue(),
        vaultCacheItem.getValue(),
      ]);
      if (!live) return;
      setEnded(e);
      // The vault store's last commit; before the first one, the cache of an earlier release.
      setPending(
        commit ? commit.pending : !legacy ? 0 : typeof legacy.pending === 'number' ? legacy.pending : null,
      );
    };
    void read();
    const stopEnded = sessionEndedItem.watch(() => void read());
    const stopCache = vaultCommitItem.watch(() => void read());
    return () => {
      live = false;
      stopEnded();
      stopCache();
    };
  }, []);
  return ended ? { ended, pending } : null;
}

/** On the unlock screen: why this device was signed out, and that its unsynced edits wait. */
export function SignedOutNotice({ ended, pending }: { ended: SessionEndedRecord; pending: number | null }) {
  return (
    <section class="choice" role="alert" aria-labelledby="signed-out-title">
      <h2 id="signed-out-title">{t('banners.signedOut')}</h2>
      <p class="signed-out">{signedOutBecause(ended.reason, pending)}</p>
    </section>
  );
}

/**
 * After an unlock that found the session ended (the password typed signed this device in again):
 * what had happened, until read.
 */
export function SignedInAgainBanner() {
  const notice = useSessionEnded();
  if (!notice) return null;
  const why = SIGNED_OUT_REASONS[notice.ended.reason] ?? t('banners.serverHadEnded');
  return (
    <section class="reminder" aria-labelledby="signed-in-again-title">
      <h2 id="signed-in-again-title">{t('banners.signedInAgain')}</h2>
      <p>{t('banners.signedInAgainText', { why })}</p>
      <button
        type="button"
        class="small"
        onClick={() => void send('dismissSessionEnded', {}).catch(() => undefined)}
      >
        {t('banners.dismiss')}
      </button>
    </section>
  );
}
