import { useEffect, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n/index.ts';
import { describeKdf } from '../messaging/kdf-levels.ts';
import type { SecurityOverview, VaultState } from '../messaging/protocol.ts';
import { ChangePasswordForm } from './change-password-form.tsx';
import { DeleteAccountForm } from './delete-account-form.tsx';
import { RecoveryKeyScreen, RecoveryKeySection } from './recovery-key-screens.tsx';
import { RotateKeySection } from './rotate-key-section.tsx';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

interface Props {
  state: VaultState;
  onBack: () => void;
  /** The vault's state changed underneath (the password changed, the account was deleted). */
  onState: (s: VaultState) => void;
  /** Opens "Devices": where the vault is signed in. */
  onDevices: () => void;
}

type Open = 'change' | 'delete' | 'recovery-key' | null;

const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString(currentLanguage(), { dateStyle: 'medium' });

/**
 * The account's security, reached from the items screen's header: one section per action, each
 * opening its own form in place. Feature sections are their own components (one feature per file).
 */
export function SecurityScreen({ state, onBack, onState, onDevices }: Props) {
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
          setDone(t('security.recoveryKeySaved'));
        }}
        onCancel={() => setOpen(null)}
      />
    );
  }

  return (
    <main aria-busy={busy}>
      <div class="row">
        <h1>{t('security.title')}</h1>
        <span class="spacer" />
        <button type="button" onClick={onBack}>
          {t('common.back')}
        </button>
      </div>
      {done && (
        <p class="done-notice" role="status">
          {done}
        </p>
      )}
      <section class="security" aria-labelledby="security-password">
        <h2 id="security-password">{t('security.passwordTitle')}</h2>
        {overview && (
          <p class="hint">
            {t('security.lastChanged', {
              date: formatDate(overview.passwordChangedAt),
              kdf: describeKdf(overview.kdf),
            })}
          </p>
        )}
        {error && !overview && (
          <>
            <p role="alert">{error}</p>
            <button type="button" disabled={busy} onClick={() => void load()}>
              {t('security.tryAgain')}
            </button>
          </>
        )}
        {open === 'change' && overview ? (
          <ChangePasswordForm
            overview={overview}
            onCancel={() => setOpen(null)}
            onChanged={(s) => {
              setOpen(null);
              setDone(t('security.passwordChanged'));
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
            {t('security.changePassword')}
          </button>
        )}
      </section>
      <section class="security" aria-labelledby="security-devices">
        <h2 id="security-devices">{t('security.devicesTitle')}</h2>
        <p class="hint">{t('security.devicesHint')}</p>
        <button type="button" onClick={onDevices}>
          {t('security.devices')}
        </button>
      </section>
      <RotateKeySection onState={onState} />
      <RecoveryKeySection
        onCreate={() => {
          setDone(null);
          setOpen('recovery-key');
        }}
      />
      <section class="security" aria-labelledby="security-delete">
        <h2 id="security-delete">{t('security.leaveTitle')}</h2>
        {open === 'delete' ? (
          <DeleteAccountForm email={email} onCancel={() => setOpen(null)} onDeleted={onState} />
        ) : (
          <>
            <p class="hint">{t('security.leaveHint')}</p>
            <button type="button" class="danger" onClick={() => setOpen('delete')}>
              {t('security.deleteAccount')}
            </button>
          </>
        )}
      </section>
    </main>
  );
}
