import { useState } from 'preact/hooks';
import type { VaultState } from '../messaging/protocol.ts';
import { DeleteAccountForm } from './delete-account-form.tsx';

interface Props {
  state: VaultState;
  onBack: () => void;
  /** The vault's state changed underneath (e.g. the account was deleted). */
  onState: (s: VaultState) => void;
}

type Open = 'delete' | null;

/**
 * The account's security, reached from the items screen's header: one section per action, each
 * opening its own form in place. Feature sections are their own components (one feature per file).
 */
export function SecurityScreen({ state, onBack, onState }: Props) {
  const [open, setOpen] = useState<Open>(null);
  const email = state.email ?? '';
  return (
    <main>
      <div class="row">
        <h1>Security</h1>
        <span class="spacer" />
        <button type="button" onClick={onBack}>
          Back
        </button>
      </div>
      <section class="security" aria-labelledby="security-delete">
        <h2 id="security-delete">Leave Keyhold</h2>
        {open === 'delete' ? (
          <DeleteAccountForm email={email} onCancel={() => setOpen(null)} onDeleted={onState} />
        ) : (
          <>
            <p class="hint">Delete this account and everything in it, on the server and on every device.</p>
            <button type="button" class="danger" onClick={() => setOpen('delete')}>
              Delete account…
            </button>
          </>
        )}
      </section>
    </main>
  );
}
