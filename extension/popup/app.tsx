import { useCallback, useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { sessionEndedItem, syncErrorItem, unlockSessionItem } from '../storage/items.ts';
import { SetupScreen, UnlockScreen } from './account-screens.tsx';
import { askForOpenVault, dropOpening, takeOpeningState } from './opening.ts';
import { RecoveryGate } from './recovery-key-screens.tsx';
import { send } from './send.ts';
import { UnlockedPopup } from './unlocked-popup.tsx';

/** The toolbar popup: picks a screen from the vault's state; every action goes to the service worker. */
export function App() {
  const [state, setState] = useState<VaultState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      // The state asked for when the popup opened (opening.ts) is answered first.
      const opening = takeOpeningState();
      const next = await (opening ?? send('getState', {}));
      if (opening && next.status !== 'unlocked') dropOpening();
      setState(next);
      setLoadError(null);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  /** A screen's answer (unlock, sign-in, recovery, lock): an open vault's first requests go out at once. */
  const done = useCallback((next: VaultState) => {
    if (next.status === 'unlocked') askForOpenVault();
    setState(next);
  }, []);

  useEffect(() => {
    void refresh();
    // The worker may lock by itself: the server signed this device out (background/session-ended.ts).
    // That is followed here, and the outcome of the server's part of an unlock or of a background
    // sync (the sync error the state shows); sign-ins answer the screen that asked (the recovery key
    // offer follows them).
    const stops = [
      syncErrorItem.watch(() => void refresh()),
      sessionEndedItem.watch((ended) => {
        if (ended) void refresh();
      }),
      unlockSessionItem.watch((unlocked) => {
        if (!unlocked) void refresh();
      }),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }, [refresh]);

  if (loadError)
    return (
      <main>
        <p role="alert">{loadError}</p>
      </main>
    );
  if (!state) return <main aria-busy="true">{t('account.loading')}</main>;
  switch (state.status) {
    case 'no-account':
      return <SetupScreen state={state} onDone={done} />;
    case 'locked':
      return <UnlockScreen state={state} onDone={done} />;
    case 'unlocked':
      return (
        <RecoveryGate>
          <UnlockedPopup state={state} onState={setState} />
        </RecoveryGate>
      );
  }
}
