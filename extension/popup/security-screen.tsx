import { useEffect, useState } from 'preact/hooks';
import { describeKdf } from '../messaging/kdf-levels.ts';
import type { SecurityOverview, VaultState } from '../messaging/protocol.ts';
import { ChangePasswordForm } from './change-password-form.tsx';
import { DeleteAccountForm } from './delete-account-form.tsx';
import { RecoveryKeyScreen, RecoveryKeySection } from './recovery-screens.tsx';
import { RotateKeySection } from './rotate-key-section.tsx';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

interface Props {
  state: VaultState;
  onBack: () => void;
  /** The vault's state changed underneath (the password changed, the account was deleted). */
  onState: (s: VaultState) => void;
}

type Open = 'change' | 'delete' | 'recovery-key' | null;

const formatDate = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/**
 * The account's security, reached from the items screen's header: one section per action, each
 * opening its own form in place. Feature sections are their own components (one feature per file).
 */
export function SecurityScreen({ state, onBack, onState }: Props) {
  const [open, setOpen] = useState<Open>(null);
  const [overview, setOverview] = useState<SecurityOverview | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const email = state.email ?? '';

  const load = () => run(async () => setOverview(await send('securityOverview', {})));
  useEffect(() => {
    void load();
  }, []);

  if (open === 'recovery-key') {
    return (
      <RecoveryKeyScreen
        mode="create"
        onDone={() => {
          setOpen(null);
          setDone('Recovery key saved. Any earlier recovery key no longer works.');
        }}
        onCancel={() => setOpen(null)}
      />
    );
  }

  return (
    <main aria-busy={busy}>
      <div class="row">
        <h1>Security</h1>
        <span class="spacer" />
        <button type="button" onClick={onBack}>
          Back
        </button>
      </div>
      {done && (
        <p class="done-notice" role="status">
          {done}
        </p>
      )}
      <section class="security" aria-labelledby="security-password">
        <h2 id="security-password">Your master password</h2>
        {overview && (
          <p class="hint">
            Last changed {formatDate(overview.passwordChangedAt)} · {describeKdf(overview.kdf)}
          </p>
        )}
        {error && !overview && (
          <>
            <p role="alert">{error}</p>
            <button type="button" disabled={busy} onClick={() => void load()}>
              Try again
            </button>
          </>
        )}
        {open === 'change' && overview ? (
          <ChangePasswordForm
            overview={overview}
            onCancel={() => setOpen(null)}
            onChanged={(s) => {
              setOpen(null);
              setDone('Master password changed. Other devices will ask for the new one.');
              onState(s);
              void load();
            }}
          />
        ) : (
          <button
            type="button"
            disabled={!overview}
            onClick={() => {
              setDone(null);
              setOpen('change');
            }}
          >
            Change master password…
          </button>
        )}
      </section>
      <RotateKeySection onState={onState} />
      <RecoveryKeySection
        onCreate={() => {
          setDone(null);
          setOpen('recovery-key');
        }}
      />
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
