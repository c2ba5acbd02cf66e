import { useCallback, useEffect, useState } from 'preact/hooks';
import type { VaultState } from '../messaging/protocol.ts';
import { SetupScreen, UnlockScreen } from './account-screens.tsx';
import { ItemsScreen } from './items-screen.tsx';
import { RecoveryGate } from './recovery-screens.tsx';
import { send } from './send.ts';

/** The toolbar popup: picks a screen from the vault's state; every action goes to the service worker. */
export function App() {
  const [state, setState] = useState<VaultState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setState(await send('getState', {}));
      setLoadError(null);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (loadError)
    return (
      <main>
        <p role="alert">{loadError}</p>
      </main>
    );
  if (!state) return <main aria-busy="true">Loading…</main>;
  switch (state.status) {
    case 'no-account':
      return <SetupScreen state={state} onDone={setState} />;
    case 'locked':
      return <UnlockScreen state={state} onDone={setState} />;
    case 'unlocked':
      return (
        <RecoveryGate>
          <ItemsScreen state={state} onState={setState} />
        </RecoveryGate>
      );
  }
}
